// Client and server in memory, no sockets: smtp-client-fsm talks to esmtp-server-fsm.
import { ClientConnection } from 'smtp-client-fsm';
import { ServerConnection } from 'esmtp-server-fsm';

const client = new ClientConnection({ hostname: 'client.example' });
const server = new ServerConnection({ hostname: 'mx.example' });
const dec = new TextDecoder();
let body = '';

client.sendMessage({ from: 'alice@client.example', to: ['bob@mx.example', 'nobody@mx.example'], body: 'Subject: hi\n\n.leading dot\n' });
client.quit();

for (let round = 0; round < 100; round++) {
  for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) {
    if (e.type === 'recipient') console.log('recipient', e.result.address, e.result.status, e.result.classification?.name ?? '');
    if (e.type === 'message-sent') console.log('message', e.messageId, e.outcome);
  }
  server.receiveData(client.dataToSend());
  for (let e = server.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = server.nextEvent()) {
    if (e.type === 'data-chunk') body += dec.decode(e.bytes, { stream: true });
    if (e.type === 'rcpt' && e.to.startsWith('nobody')) server.reject({ code: 550, enhanced: '5.1.1', text: 'No such user' });
    else if ('needsAnswer' in e && e.needsAnswer) server.accept();
  }
  const reply = server.dataToSend();
  if (reply.length === 0 && client.closed) break;
  client.receiveData(reply);
  if (server.shouldClose) client.receiveEof();
}
console.log(JSON.stringify(body));
