// EHLO and then HELO refused, or LHLO refused (LMTP to a server that speaks SMTP: Postfix smtpd
// answers "500 5.5.2 Error: command not recognized"): the session cannot start, and the reason is
// the server's reply. The core gave up without an `error` event, so `connect()` rejected with
// ERR_SMTP_CLIENT_CONNECTION_LOST "connection closed" after the QUIT, hiding the refusal, and
// `smtp send` reported a deferred connection failure (exit 3) instead of the permanent refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { ScriptedServer, listenScripted, run } from './scripted-server.js';
import type { Script, ScriptedListener } from './scripted-server.js';
import { connect } from '../src/node/index.js';

let script: Script = {};
let listener: ScriptedListener;
beforeAll(async () => {
  listener = await listenScripted(() => new ScriptedServer(script));
});
afterAll(() => listener.close());

describe('a refused EHLO+HELO or LHLO is reported with its reply', () => {
  it('core: an error event with ERR_SMTP_CLIENT_HELLO_REJECTED and the reply', () => {
    for (const [lmtp, s] of [
      [true, { ehloReply: '500 5.5.2 Error: command not recognized' }],
      [false, { ehloReply: '502 5.5.1 no EHLO', helo: '550 5.7.1 go away' }],
    ] as const) {
      const conn = new ClientConnection({ lmtp });
      const events: ClientEvent[] = run(conn, new ScriptedServer(s));
      const error = events.find((e) => e.type === 'error');
      expect(error).toMatchObject({ type: 'error', code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', reply: { code: s.ehloReply.startsWith('500') ? 500 : 550 } });
    }
  });

  it('node: connect() rejects with ERR_SMTP_CLIENT_HELLO_REJECTED carrying the reply (LHLO to an SMTP server; EHLO and HELO refused)', async () => {
    script = { ehloReply: '500 5.5.2 Error: command not recognized' };
    await expect(connect({ host: '127.0.0.1', port: listener.port, security: 'off', lmtp: true })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', reply: { code: 500 }, message: 'LHLO refused: 500 5.5.2 Error: command not recognized' });
    script = { ehloReply: '502 5.5.1 no EHLO', helo: '554 5.7.1 go away' };
    await expect(connect({ host: '127.0.0.1', port: listener.port, security: 'off' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', reply: { code: 554 }, message: 'EHLO and HELO refused: 554 5.7.1 go away' });
    script = { ehloReply: '451 4.3.0 try later' };
    await expect(connect({ host: '127.0.0.1', port: listener.port, security: 'off' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', reply: { code: 451 }, message: 'EHLO refused: 451 4.3.0 try later' });
  });
});
