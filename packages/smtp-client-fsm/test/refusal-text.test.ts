// Every refusal the client reports names the server's reply the same way: its code, its enhanced
// status code (RFC 3463) when there is one, then its text. The greeting, EHLO/HELO, LHLO, STARTTLS
// and AUTH refusals, and a 421 refusing the session, dropped the enhanced code from the text
// (`greeting refused: 554 go away` for `554 5.7.1 go away`), where MAIL, RCPT and DATA refusals
// keep it in the reply of their results; a caller logging `error.message` lost the RFC 3463 detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConnection, ScriptedServer, listenScripted, run, sent } from './scripted-server.js';
import type { Script, ScriptedListener } from './scripted-server.js';
import { connect } from '../src/node/index.js';

type Options = ConstructorParameters<typeof ClientConnection>[0];

/** A message through a scripted server, sans-IO: the `error` event's message and the results. */
function core(script: Script, opts: Options = {}) {
  const conn = new ClientConnection(opts);
  conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
  conn.quit();
  const events = run(conn, new ScriptedServer(script));
  const error = events.find((e) => e.type === 'error');
  return { error: error?.type === 'error' ? error.message : undefined, messages: sent(events) };
}

describe('the text of a refusal carries the reply code, the enhanced code and the text (core)', () => {
  it.each<[string, Script, Options, string]>([
    ['a refused greeting (5xx)', { greeting: '554 5.7.1 go away' }, {}, 'greeting refused: 554 5.7.1 go away'],
    ['a refused greeting (4xx)', { greeting: '450 4.3.2 busy' }, {}, 'greeting refused: 450 4.3.2 busy'],
    ['EHLO then HELO refused', { ehloReply: '502 5.5.1 no EHLO', helo: '554 5.7.1 go away' }, {}, 'EHLO and HELO refused: 554 5.7.1 go away'],
    ['EHLO refused for now', { ehloReply: '451 4.3.0 try later' }, {}, 'EHLO refused: 451 4.3.0 try later'],
    ['LHLO refused', { ehloReply: '500 5.5.2 Error: command not recognized' }, { lmtp: true }, 'LHLO refused: 500 5.5.2 Error: command not recognized'],
    ['STARTTLS refused under required TLS', { ehlo: ['STARTTLS'], starttls: '454 4.7.0 TLS not available' }, { security: 'required' }, 'STARTTLS refused: 454 4.7.0 TLS not available'],
  ])('%s', (_name, script, opts, message) => {
    expect(core(script, opts).error).toBe(message);
  });

  it('a reply without an enhanced code reads as before: code then text', () => {
    expect(core({ greeting: '554 no mail here' }).error).toBe('greeting refused: 554 no mail here');
  });

  it('the MAIL, RCPT and DATA refusals keep the enhanced code in their results, as the ones above now do in their text', () => {
    for (const [script, code] of [
      [{ mail: '550 5.7.1 sender refused' }, 550],
      [{ rcpt: () => '550 5.1.1 no such user' }, 550],
      [{ data: '554 5.5.1 no valid recipients' }, 554],
    ] as const) {
      const [m] = core(script).messages;
      expect(m!.recipients[0]!.reply).toMatchObject({ code, enhanced: { class: 5 } });
    }
  });
});

let script: Script = {};
let listener: ScriptedListener;
beforeAll(async () => {
  listener = await listenScripted(() => new ScriptedServer(script));
});
afterAll(() => listener.close());

describe('./node: connect() rejects with the whole reply in the message', () => {
  it.each<[string, Script, Record<string, unknown>, string, string]>([
    ['greeting refused', { greeting: '554 5.7.1 go away' }, {}, 'ERR_SMTP_CLIENT_GREETING_REJECTED', 'greeting refused: 554 5.7.1 go away'],
    ['session refused with a 421 greeting', { greeting: '421 4.3.2 busy, try another MX' }, {}, 'ERR_SMTP_CLIENT_GREETING_REJECTED', 'session refused: 421 4.3.2 busy, try another MX'],
    ['EHLO and HELO refused', { ehloReply: '502 5.5.1 no EHLO', helo: '554 5.7.1 go away' }, {}, 'ERR_SMTP_CLIENT_HELLO_REJECTED', 'EHLO and HELO refused: 554 5.7.1 go away'],
    ['AUTH refused for good', { ehlo: ['AUTH PLAIN'], auth: () => '535 5.7.8 authentication credentials invalid' }, { allowInsecureAuth: true, auth: { user: 'u', pass: 'p' } }, 'ERR_SMTP_CLIENT_AUTH_FAILED', 'authentication failed: 535 5.7.8 authentication credentials invalid'],
    ['AUTH refused for now', { ehlo: ['AUTH PLAIN'], auth: () => '454 4.7.0 temporary authentication failure' }, { allowInsecureAuth: true, auth: { user: 'u', pass: 'p' } }, 'ERR_SMTP_CLIENT_AUTH_FAILED', 'authentication failed: 454 4.7.0 temporary authentication failure'],
  ])('%s', async (_name, s, extra, code, message) => {
    script = s;
    await expect(connect({ host: '127.0.0.1', port: listener.port, security: 'off', ...extra })).rejects.toMatchObject({ code, message, reply: { enhanced: { class: Number(message.match(/: (\d)/)![1]) } } });
  });
});
