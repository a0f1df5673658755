// A streamed body cannot be scanned before MAIL: to a server without 8BITMIME it goes without a
// BODY parameter, so a byte over 127 in it must not reach the server (RFC 6152 §3, RFC 5321 §2.4:
// 8-bit data only to a server that offers 8BITMIME, and only declared). The message fails for good
// and the session ends before the final dot, so the server delivers nothing; 7-bit streams go as before.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { ClientConnection } from '../src/index.js';
import { ScriptedServer, listenScripted, run, sent } from './scripted-server.js';
import { connect } from '../src/node/index.js';

const NO_8BIT = { ehlo: ['PIPELINING', 'SIZE 100000'] };

describe('a streamed body with 8-bit data and no BODY=8BITMIME declared', () => {
  it('core: the chunk holding a byte over 127 ends the session with ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE; nothing is delivered', () => {
    for (const chunk of ['Gr\u00fc\u00dfe\r\n', new Uint8Array([0x47, 0x72, 0xfc, 0x0d, 0x0a])]) {
      const server = new ScriptedServer(NO_8BIT);
      const conn = new ClientConnection({});
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
      let refused: unknown;
      const events = run(conn, server, {
        onNeedBody: (_e, n) => {
          try {
            if (n === 0) conn.writeBody('Subject: s\r\n\r\n');
            else if (n === 1) conn.writeBody(chunk);
            else if (n === 2) conn.endBody();
          } catch (err) {
            refused = err;
          }
        },
      });
      expect(refused).toMatchObject({ code: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
      expect(sent(events)[0]).toMatchObject({ outcome: 'failed', transient: false });
      expect(sent(events)[0]!.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
      expect(conn.closed).toBe(true);
      expect(server.messages).toHaveLength(0);
    }
  });

  it('core: a 7-bit stream to the same server is delivered undeclared', () => {
    const server = new ScriptedServer(NO_8BIT);
    const conn = new ClientConnection({});
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const events = run(conn, server, {
      onNeedBody: (_e, n) => {
        if (n === 0) conn.writeBody('Subject: s\r\n\r\nplain\r\n');
        else if (n === 1) conn.endBody();
      },
    });
    expect(sent(events)[0]).toMatchObject({ outcome: 'delivered' });
    expect(server.messages[0]!.mailLine).toBe('MAIL FROM:<a@x.test>');
  });

  it('node: send() settles failed for good, the server gets no message, the next connection works', async () => {
    let last: ScriptedServer | undefined;
    const listener = await listenScripted(() => (last = new ScriptedServer(NO_8BIT)));
    try {
      const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off' });
      const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: Readable.from(['Subject: s\r\n\r\n', 'Gr\u00fc\u00dfe\r\n']) });
      expect(r).toMatchObject({ outcome: 'failed', transient: false, rejected: ['b@y.test'], errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
      expect(last!.messages).toHaveLength(0);
      expect(client.closed).toBe(true);
    } finally {
      await listener.close();
    }
  });
});
