// Runs the sans-IO core with no sockets: feed client bytes, answer decisions, read replies.
import { ServerConnection, stateName } from 'esmtp-server-fsm';

const conn = new ServerConnection({ hostname: 'mx.example', autoAccept: ['connect', 'helo', 'data-start'] });
const enc = new TextEncoder();
const dec = new TextDecoder();
const body: Uint8Array[] = [];

function pump(): void {
  for (;;) {
    const e = conn.nextEvent();
    if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') return;
    switch (e.type) {
      case 'rcpt':
        if (e.to.endsWith('@mx.example')) conn.accept();
        else conn.reject({ code: 550, enhanced: '5.7.1', text: 'Relaying denied' });
        break;
      case 'mail':
        conn.accept();
        break;
      case 'data-chunk':
        body.push(e.bytes);
        break;
      case 'message-end':
        console.log(`stored ${String(e.size)} bytes for ${e.recipients.join(', ')}`);
        conn.accept({ code: 250, enhanced: '2.0.0', text: 'Queued as 1' });
        break;
      default:
        break;
    }
  }
}

pump();
for (const flight of ['EHLO client.example\r\n', 'MAIL FROM:<a@client.example>\r\nRCPT TO:<b@mx.example>\r\nRCPT TO:<c@elsewhere.example>\r\nDATA\r\n', 'Subject: hi\r\n\r\n..dot\r\n.\r\n', 'QUIT\r\n']) {
  conn.receiveData(enc.encode(flight));
  pump();
  process.stdout.write(dec.decode(conn.dataToSend()));
  console.log(`-- state ${String(conn.stage)} (${stateName(conn.stage)}), ${conn.state}`);
}
console.log(JSON.stringify(dec.decode(body.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()))));
