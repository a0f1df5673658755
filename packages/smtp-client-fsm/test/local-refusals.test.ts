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

  it.each([
    ['552 5.5.3 Too many recipients', ['b@y.test', 'c@y.test']],
    ['552 5.5.3 Too many recipients', ['b@y.test']],
    ['452 4.5.3 Too many recipients', ['b@y.test', 'c@y.test']],
  ])('%s before any recipient was accepted (%j): deferred, never rejected for good (RFC 5321 §4.5.3.1.10: a 552 there is a 452)', (refusal, to) => {
    const { m, server } = one({ ehlo: ['8BITMIME', 'ENHANCEDSTATUSCODES', 'PIPELINING'], rcpt: () => refusal }, { to });
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
    expect(m).toMatchObject({ outcome: 'deferred', transient: true });
    for (const r of m.recipients) expect(r).toMatchObject({ status: 'deferred', transient: true, permanent: false, reply: { code: Number(refusal.slice(0, 3)) } });
  });

  it('552 5.5.3 to the first RCPT of a following transaction: the recipient is deferred, the one the first transaction queued stays accepted', () => {
    let txn = 0;
    const { m, server } = one(
      { ehlo: ['8BITMIME', 'ENHANCEDSTATUSCODES'], mail: () => (txn++, '250 ok'), rcpt: (_a, i) => (txn === 1 && i === 0 ? '250 2.1.5 ok' : '552 5.5.3 Too many recipients') },
      { to: ['b@y.test', 'c@y.test'] },
    );
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);
    expect(m.recipients.map((r) => [r.address, r.status])).toEqual([['b@y.test', 'accepted'], ['c@y.test', 'deferred']]);
    expect(m).toMatchObject({ outcome: 'partial', transient: true });
  });

  it('a bare 452 from the 101st recipient on is the limit (RFC 5321 §4.5.3.1.8: 100 is the minimum a server must take)', () => {
    const to = Array.from({ length: 102 }, (_, i) => `r${i}@y.test`);
    let rcpts = 0;
    const { m, server } = one({ ehlo: ['8BITMIME'], rcpt: () => (++rcpts > 100 && rcpts <= 102 ? '452 Too many recipients' : '250 ok') }, { to }, { maxRecipientsPerTransaction: 150 });
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);
    expect(m.recipients.every((r) => r.status === 'accepted')).toBe(true);
  });
});

describe('recipients over several transactions', () => {
  /** RCPT commands per transaction, in the order the server read them. */
  const rcptsPerMail = (commands: readonly string[]): number[] =>
    commands.reduce<number[]>((acc, c) => (c.startsWith('MAIL') ? [...acc, 0] : c.startsWith('RCPT') ? [...acc.slice(0, -1), acc.at(-1)! + 1] : acc), []);

  it('maxRecipientsPerTransaction (default 100) splits them before any reply: 250 recipients a server takes every one of go in 3 transactions', () => {
    const to = Array.from({ length: 250 }, (_, i) => `r${i}@y.test`);
    const { m, server } = one({ ehlo: ['PIPELINING'] }, { to });
    expect(rcptsPerMail(server.commands)).toEqual([100, 100, 50]);
    expect(m).toMatchObject({ outcome: 'delivered', transactions: 3 });
    const two = one({ ehlo: ['PIPELINING'] }, { to: ['a@y.test', 'b@y.test', 'c@y.test'] }, { maxRecipientsPerTransaction: 2 });
    expect(rcptsPerMail(two.server.commands)).toEqual([2, 1]);
  });

  it('a streamed body is read by one transaction: the recipients a later one would carry are deferred (ERR_SMTP_CLIENT_RECIPIENT_DEFERRED)', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING'] });
    const conn = new ClientConnection({ maxRecipientsPerTransaction: 2 });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['a@y.test', 'b@y.test', 'c@y.test'] });
    conn.quit();
    const m = sent(run(conn, server, { bodies: { [id]: ['Subject: t\r\n\r\nhi\r\n'] } }))[0]!;
    expect(server.messages.map((x) => x.to)).toEqual([['a@y.test', 'b@y.test']]);
    expect(rcptsPerMail(server.commands)).toEqual([2]);
    expect(m.recipients.map((r) => [r.status, r.errorCode])).toEqual([
      ['accepted', undefined],
      ['accepted', undefined],
      ['deferred', 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED'],
    ]);
  });
});
