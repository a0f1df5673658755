// What the client refuses itself, before MAIL, because the server's capabilities cannot carry the
// message: each such failure is permanent on that server (retrying gives the same answer); the
// parameters it adds when they can; and which refusals of RCPT mean "too many recipients".
import { describe, expect, it } from 'vitest';
import { ClientConnection, ScriptedServer, run, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';

type Input = Parameters<ClientConnection['sendMessage']>[0];

function one(script: Script, input: Partial<Input>, opts: ConstructorParameters<typeof ClientConnection>[0] = {}) {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection(opts);
  conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'Subject: t\r\n\r\nhi\r\n', ...input });
  conn.quit();
  const [m] = sent(run(conn, server));
  return { m: m!, server };
}

describe('refused before MAIL, for good', () => {
  it.each([
    ['a non-ASCII address without SMTPUTF8', { ehlo: ['8BITMIME'] }, { to: ['ü@y.test'] }, 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE'],
    ['an 8BITMIME body without 8BITMIME', { ehlo: ['PIPELINING'] }, { body: 'caf\u00e9', bodyType: '8bitmime' }, 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE'],
    ['a BINARYMIME body without CHUNKING', { ehlo: ['BINARYMIME'] }, { body: new Uint8Array([0, 1]), bodyType: 'binarymime' }, 'ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE'],
    ['REQUIRETLS without TLS', { ehlo: ['REQUIRETLS'] }, { requireTls: true }, 'ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE'],
    ['a declared size above SIZE', { ehlo: ['SIZE 100'] }, { size: 101 }, 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE'],
  ] as [string, Script, Partial<Input>, string][])('%s: %s, permanent, no MAIL', (_what, script, input, code) => {
    const { m, server } = one(script, input);
    expect(m).toMatchObject({ outcome: 'failed', transient: false });
    expect(m.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: code });
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('a declared size equal to SIZE is sent, with SIZE= on MAIL', () => {
    const { m, server } = one({ ehlo: ['SIZE 100'] }, { size: 100 });
    expect(m.outcome).toBe('delivered');
    expect(server.commands).toContain('MAIL FROM:<a@x.test> SIZE=100');
  });
});// The session refused by the client's own settings (retrying with them meets the same server and
// fails alike: rejected, never deferred, so a retry loop does not spin), and what stays temporary.
describe('the session given up before MAIL', () => {
  const auth = { user: 'u', pass: 'p' };
  it.each([
    ['AUTH without TLS (no allowInsecureAuth)', { ehlo: ['AUTH PLAIN'] }, { security: 'off', auth }, 'ERR_SMTP_CLIENT_INSECURE_AUTH', true],
    ['AUTH with no usable mechanism', { ehlo: ['AUTH GSSAPI'] }, { security: 'implicit', auth }, 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE', true],
    ['required STARTTLS not offered', { ehlo: ['PIPELINING'] }, { security: 'required' }, 'ERR_SMTP_CLIENT_TLS_REQUIRED', true],
    ['required STARTTLS refused with a 5xx', { ehlo: ['STARTTLS'], starttls: '554 5.7.0 no TLS here' }, { security: 'required' }, 'ERR_SMTP_CLIENT_TLS_REQUIRED', true],
    ['required STARTTLS refused with 454 (for now)', { ehlo: ['STARTTLS'], starttls: '454 4.7.0 TLS not available' }, { security: 'required' }, 'ERR_SMTP_CLIENT_TLS_REQUIRED', false],
  ] as [string, Script, ConstructorParameters<typeof ClientConnection>[0], string, boolean][])('%s', (_what, script, opts, code, permanent) => {
    const server = new ScriptedServer(script);
    const conn = new ClientConnection(opts);
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    const events = run(conn, server);
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ code });
    expect(error && 'permanent' in error && error.permanent === true).toBe(permanent);
    expect(sent(events)[0]).toMatchObject({ outcome: permanent ? 'failed' : 'deferred', transient: !permanent });
    expect(sent(events)[0]!.recipients[0]).toMatchObject({ status: permanent ? 'rejected' : 'deferred', permanent });
    expect(server.commands.some((c) => c.startsWith('AUTH') || c.startsWith('MAIL'))).toBe(false);
  });
});


describe('MAIL parameters the message asks for', () => {
  it('BODY=BINARYMIME over BDAT when BINARYMIME and CHUNKING are offered', () => {
    const { m, server } = one({ ehlo: ['BINARYMIME', 'CHUNKING'] }, { body: new Uint8Array([0, 10, 13]), bodyType: 'binarymime' }, { chunking: true });
    expect(m.outcome).toBe('delivered');
    expect(server.commands.find((c) => c.startsWith('MAIL'))).toBe('MAIL FROM:<a@x.test> BODY=BINARYMIME');
  });
});

describe('which RCPT refusals mean "too many recipients" (RFC 5321 §4.5.3.1.10)', () => {
  it.each([
    ['452 4.5.3 Too many recipients', 2],
    ['552 5.5.3 Too many recipients', 2],
    // without an enhanced code a 452 is ambiguous (a full mailbox too): a limit only past RCPTMAX (default 100)
    ['452 Too many recipients', 1],
    ['452 4.2.2 Mailbox full', 1],
    ['451 4.5.3 odd', 1],
    ['550 5.5.3 odd', 1],
  ])('%s after a first accepted recipient: %i transaction(s)', (refusal, transactions) => {
    const { m, server } = one({ ehlo: ['8BITMIME', 'ENHANCEDSTATUSCODES'], rcpt: (_a, i) => (i >= 1 ? refusal : '250 2.1.5 ok') }, { to: ['b@y.test', 'c@y.test'] });
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(transactions);
    expect(m.recipients[1]!.status).toBe(transactions === 2 ? 'accepted' : refusal.startsWith('4') ? 'deferred' : 'rejected');
  });

  it('a bare 452 from the 101st recipient on is the limit (RFC 5321 §4.5.3.1.8: 100 is the minimum a server must take)', () => {
    const to = Array.from({ length: 102 }, (_, i) => `r${i}@y.test`);
    let rcpts = 0;
    const { m, server } = one({ ehlo: ['8BITMIME'], rcpt: () => (++rcpts > 100 && rcpts <= 102 ? '452 Too many recipients' : '250 ok') }, { to }, { maxRecipientsPerTransaction: 150 });
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);
    expect(m.recipients.every((r) => r.status === 'accepted')).toBe(true);
  });
});
