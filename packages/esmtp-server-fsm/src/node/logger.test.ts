// createServer's logger and transcript: session ids on every line, the events an operator needs,
// and never a credential or a message body; the transcript follows input split anywhere.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bytes, randomSplits } from '@smtpkit/testkit';
import type { CreateServerOptions, SessionContext } from './options.js';
import { recorder, serversPerTest } from '../../test/servers.js';
import { SessionLog, serverLog } from './logger.js';
import type { TranscriptLine } from './logger.js';
import type { ServerEvent } from 'esmtp-server-fsm';

const servers = serversPerTest('log.test');

async function start(options: CreateServerOptions): Promise<number> {
  return (await servers.start(options)).port;
}

/** Sends each step once the previous reply is complete; resolves with everything read at close. */
async function converse(port: number, steps: readonly string[]): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  let text = '';
  let wake = (): void => undefined;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  const replies = (): number => (text.match(/^\d{3} [^\r\n]*\r\n/gm) ?? []).length;
  const waitReplies = (n: number): Promise<void> =>
    new Promise((resolve) => {
      wake = () => {
        if (replies() >= n) resolve();
      };
      wake();
    });
  await waitReplies(1);
  let expected = 1;
  for (const step of steps) {
    socket.write(step);
    expected += step === 'QUIT\r\n' ? 1 : Math.max(1, (step.match(/\r\n/g) ?? []).length - (step.includes('\r\n.\r\n') ? step.split('\r\n').length - 2 : 0));
    if (step === 'QUIT\r\n') break;
    await waitReplies(expected);
  }
  await closed;
  return text;
}

const PASSWORD = 'hunter2-very-secret';
const PLAIN = Buffer.from(`\0alice\0${PASSWORD}`).toString('base64');


/**
 * A raw client for a conversation in steps: what it writes goes as given, `replies(n)` waits
 * (bounded) until `n` final reply lines have come, `received()` is all the server wrote.
 */
function stepped(port: number): { socket: Socket; replies(n: number): Promise<void>; closed: Promise<void>; received(): string } {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return {
    socket,
    async replies(n) {
      for (let i = 0; i < 500 && (text.match(/^\d{3} /gm) ?? []).length < n; i++) await new Promise((r) => setTimeout(r, 10));
    },
    closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
    received: () => text,
  };
}
describe('createServer logger', () => {
  it('SRV-13 connect, rejection, close with reason: every line carries the session id, no credential or body anywhere', async () => {
    const { logger, entries } = recorder();
    const lines: TranscriptLine[] = [];
    const sessions: SessionContext[] = [];
    const port = await start({
      logger,
      transcript: (l) => lines.push(l),
      auth: { mechanisms: ['PLAIN', 'LOGIN'], allowInsecure: true },
      onConnect: (s) => void sessions.push(s),
      onAuth: (c) => c.username === 'alice' && c.password === PASSWORD,
      onRcptTo: (to) => (to.startsWith('nobody') ? { code: 550, enhanced: '5.1.1', text: 'No such user' } : undefined),
      onData: async (_e, body) => {
        for await (const _ of body);
      },
    });
    await converse(port, ['EHLO client.test\r\n', `AUTH PLAIN ${PLAIN}\r\n`, 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<nobody@y.test>\r\n', 'RCPT TO:<bob@y.test>\r\n', 'DATA\r\n', 'Subject: secret body\r\n\r\nthe body text\r\n.\r\n', 'QUIT\r\n']);
    for (let i = 0; i < 100 && !entries.some((e) => e.message === 'close'); i++) await new Promise((r) => setTimeout(r, 10));
    const id = sessions[0]!.id;
    expect(entries.every((e) => e.fields.session === id)).toBe(true);
    expect(entries[0]).toMatchObject({ level: 'info', message: 'connect', fields: { session: id, remoteAddress: '127.0.0.1' } });
    expect(entries.filter((e) => e.message === 'rejected').map((e) => e.fields.reply)).toEqual(['550 5.1.1 No such user']);
    expect(entries.at(-1)).toMatchObject({ level: 'info', message: 'close', fields: { session: id, reason: 'quit' } });
    // debug: one line per session event, the AUTH mechanism without the identity
    const debug = entries.filter((e) => e.level === 'debug');
    expect(debug.map((e) => e.message)).toEqual(['helo', 'auth', 'mail', 'rcpt', 'rcpt', 'data', 'end of data', 'quit']);
    expect(debug[0]!.fields).toMatchObject({ verb: 'EHLO', domain: 'client.test' });
    expect(debug[1]!.fields).toEqual({ session: id, mechanism: 'PLAIN' });
    expect(debug[6]!.fields).toMatchObject({ size: 39, recipients: 1 });
    expect(JSON.stringify(entries)).not.toContain('alice');
    const everything = JSON.stringify({ entries, lines });
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(PLAIN);
    expect(everything).not.toContain('the body text');
    // the transcript: both directions, AUTH argument and body left out
    const shown = lines.map((l) => `${l.direction}: ${l.text}`);
    expect(lines.every((l) => l.session === id)).toBe(true);
    expect(shown).toContain('C: AUTH PLAIN <redacted>');
    expect(shown).toContain('C: RCPT TO:<bob@y.test>');
    expect(shown, shown.join('\n')).toContain('C: <message data: 39 bytes>');
    expect(shown).toContain('S: 550 5.1.1 No such user');
    expect(shown.at(-1)).toMatch(/^S: 221 /);
  });

  it('SRV-13 AUTH LOGIN: every line answering a 334 is redacted', async () => {
    const { logger, entries } = recorder();
    const lines: TranscriptLine[] = [];
    const port = await start({ logger, transcript: (l) => lines.push(l), auth: { mechanisms: ['LOGIN'], allowInsecure: true }, onAuth: () => false });
    const user = Buffer.from('alice').toString('base64');
    const pass = Buffer.from(PASSWORD).toString('base64');
    await converse(port, ['EHLO c.test\r\n', 'AUTH LOGIN\r\n', `${user}\r\n`, `${pass}\r\n`, 'QUIT\r\n']);
    const shown = lines.filter((l) => l.direction === 'C').map((l) => l.text);
    expect(shown).toEqual(['EHLO c.test', 'AUTH LOGIN', '<redacted>', '<redacted>', 'QUIT']);
    expect(JSON.stringify({ entries, lines })).not.toContain(pass);
    expect(entries.some((e) => e.message === 'rejected' && String(e.fields.reply).startsWith('535'))).toBe(true);
  });

  it('SRV-13 AUTH answers sent without waiting for each 334 (user and password in one write, a response pipelined behind AUTH) are redacted', async () => {
    const lines: TranscriptLine[] = [];
    const port = await start({ transcript: (l) => lines.push(l), pipeliningSync: 'off', auth: { mechanisms: ['PLAIN', 'LOGIN'], allowInsecure: true }, onAuth: () => false });
    const user = Buffer.from('alice').toString('base64');
    const pass = Buffer.from(PASSWORD).toString('base64');
    await converse(port, ['EHLO c.test\r\n', 'AUTH LOGIN\r\n', `${user}\r\n${pass}\r\n`, `AUTH PLAIN\r\n${PLAIN}\r\n`, 'NOOP\r\n', 'QUIT\r\n']);
    const shown = lines.filter((l) => l.direction === 'C').map((l) => l.text);
    expect(shown).toEqual(['EHLO c.test', 'AUTH LOGIN', '<redacted>', '<redacted>', 'AUTH PLAIN', '<redacted>', 'NOOP', 'QUIT']);
    expect(JSON.stringify(lines)).not.toContain(pass);
    expect(JSON.stringify(lines)).not.toContain(PLAIN);
  });

  it('SRV-13 AUTH answers sent ahead while commands pipelined before the AUTH are still being answered are redacted', async () => {
    const lines: TranscriptLine[] = [];
    const later = (): Promise<void> => new Promise((r) => setTimeout(r, 50));
    const port = await start({ transcript: (l) => lines.push(l), pipeliningSync: 'off', auth: { mechanisms: ['LOGIN'], allowInsecure: true }, onAuth: () => false, onMailFrom: later, onRcptTo: later });
    const user = Buffer.from('alice').toString('base64');
    const pass = Buffer.from(PASSWORD).toString('base64');
    const { socket, replies, closed, received } = stepped(port);
    await replies(1);
    socket.write('EHLO c.test\r\n');
    await replies(2);
    socket.write('MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRSET\r\nAUTH LOGIN\r\n');
    // MAIL answered, RCPT still deciding: the client sends its answers without waiting for a 334
    await replies(3);
    socket.write(`${user}\r\n${pass}\r\n`);
    await replies(8);
    socket.write('QUIT\r\n');
    await closed;
    expect(received()).toMatch(/^250 [^\r]*\r\n250 [^\r]*\r\n250 [^\r]*\r\n334 [^\r]*\r\n334 [^\r]*\r\n535 /m);
    expect(JSON.stringify(lines)).not.toContain(pass);
    expect(JSON.stringify(lines)).not.toContain(user);
    expect(lines.filter((l) => l.direction === 'C').map((l) => l.text)).toEqual(['EHLO c.test', 'MAIL FROM:<a@b.test>', 'RCPT TO:<c@d.test>', 'RSET', 'AUTH LOGIN', '<redacted>', '<redacted>', 'QUIT']);
  });

  it('SRV-13 AUTH however it is spaced (tabs, a leading blank, a vertical tab): the secret never reaches the transcript or the logger, even when the server refuses the line', async () => {
    const { logger, entries } = recorder();
    const lines: TranscriptLine[] = [];
    const port = await start({ logger, transcript: (l) => lines.push(l), pipeliningSync: 'off', auth: { mechanisms: ['PLAIN', 'LOGIN'], allowInsecure: true }, onAuth: () => false });
    const pass = Buffer.from(PASSWORD).toString('base64');
    await converse(port, ['EHLO c.test\r\n', `AUTH\tPLAIN ${PLAIN}\r\n`, `AUTH PLAIN\t${PLAIN}\r\n`, `AUTH\vPLAIN ${PLAIN}\r\n`, ` AUTH PLAIN ${PLAIN}\r\n`, `AUTH\tLOGIN ${pass}\r\n`, `AUTH ${PLAIN}\r\n`, 'QUIT\r\n']);
    const all = JSON.stringify({ entries, lines });
    expect(all).not.toContain(PLAIN);
    expect(all).not.toContain(pass);
    expect(lines.filter((l) => l.direction === 'C').map((l) => l.text)).toContain('AUTH PLAIN <redacted>');
  });

  it('SRV-13 a BDAT chunk pipelined behind AUTH PLAIN with its initial response (RFC 4954 §4) is chunk data, never text, whenever its bytes come', async () => {
    const lines: TranscriptLine[] = [];
    const bodies: string[] = [];
    const port = await start({
      transcript: (l) => lines.push(l),
      auth: { mechanisms: ['PLAIN'], allowInsecure: true },
      onAuth: () => true,
      onData: async (_e, body) => {
        let text = '';
        for await (const chunk of body) text += (chunk as Buffer).toString('latin1');
        bodies.push(text);
      },
    });
    const body = 'Subject: x\r\n\r\nBODY-SECRET-ONE\r\nBODY-SECRET-TWO\r\n';
    const { socket, replies, closed, received } = stepped(port);
    await replies(1);
    socket.write('EHLO c.test\r\n');
    await replies(2);
    // AUTH with its initial response, the transaction behind it, and the start of the chunk
    socket.write(`AUTH PLAIN ${PLAIN}\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT ${String(body.length)} LAST\r\n${body.slice(0, 12)}`);
    await replies(5);
    // the rest of the chunk once AUTH, MAIL and RCPT are answered
    socket.write(body.slice(12));
    await replies(6);
    // the session goes on: each later reply answers a line of its own
    socket.write('RSET\r\nRSET\r\nRSET\r\n');
    await replies(9);
    socket.write('QUIT\r\n');
    await closed;
    expect(received()).toMatch(/^235 [^\r]*\r\n250 [^\r]*\r\n250 [^\r]*\r\n250 [^\r]*\r\n(250 [^\r]*\r\n){3}221 /m);
    expect(bodies).toEqual([body]);
    const all = JSON.stringify(lines);
    expect(all).not.toContain('BODY-SECRET');
    expect(all).not.toContain(PLAIN);
    expect(lines.filter((l) => l.direction === 'C').map((l) => l.text)).toContain(`<chunk data: ${String(body.length)} bytes>`);
  });

  it('SRV-13 a body sent ahead of the 354 (pipelined behind DATA) is one data line, never text; a refused DATA leaves the next commands shown', async () => {
    const lines: TranscriptLine[] = [];
    const port = await start({ transcript: (l) => lines.push(l), pipeliningSync: 'off', onData: async (_e, body) => {
        for await (const _ of body);
      },
    });
    await converse(port, ['EHLO c.test\r\n', 'DATA\r\n', 'NOOP\r\n', 'MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: private\r\n\r\nthe body text\r\n.\r\n', 'QUIT\r\n']);
    const shown = lines.filter((l) => l.direction === 'C').map((l) => l.text);
    expect(shown).toEqual(['EHLO c.test', 'DATA', 'NOOP', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@y.test>', 'DATA', '<message data: 35 bytes>', 'QUIT']);
    expect(JSON.stringify(lines)).not.toContain('the body text');
  });

  it('a client that goes away, a refused connection, a hook error: reasons and levels', async () => {
    const { logger, entries } = recorder();
    const errors: unknown[] = [];
    const port = await start({
      logger,
      maxConnections: 1,
      onError: (e) => errors.push(e),
      onHelo: (d) => {
        if (d === 'boom.test') throw new Error('hook exploded');
      },
    });
    const first = connect(port, '127.0.0.1');
    first.on('error', () => undefined);
    await new Promise((r) => first.once('data', r));
    // the second connection is over the limit
    const second = connect(port, '127.0.0.1');
    second.on('error', () => undefined);
    second.resume();
    await new Promise((r) => second.once('close', r));
    const answered = new Promise((r) => first.once('data', r));
    first.write('HELO boom.test\r\n');
    await answered;
    first.destroy();
    for (let i = 0; i < 100 && !entries.some((e) => e.message === 'close'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(entries.find((e) => e.message === 'connection refused')).toMatchObject({ level: 'warn', fields: { reason: 'too many connections' } });
    const err = entries.find((e) => e.level === 'error');
    expect(err).toMatchObject({ message: 'session error', fields: { err: { message: 'hook exploded' } } });
    expect(typeof err!.fields.session).toBe('string');
    expect(errors).toHaveLength(1);
    expect(entries.find((e) => e.message === 'close')!.fields.reason).toBe('internal error');
  });

  it('a plain client close is "client closed"; a close by the server has its last reply', async () => {
    const { logger, entries } = recorder();
    const port = await start({ logger, limits: { hardErrorLimit: 2, softErrorLimit: 1 } });
    const a = connect(port, '127.0.0.1');
    await new Promise((r) => a.once('data', r));
    a.end();
    a.resume();
    await new Promise((r) => a.once('close', r));
    const b = connect(port, '127.0.0.1');
    b.on('error', () => undefined);
    b.resume();
    b.write('BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\n');
    await new Promise((r) => b.once('close', r));
    for (let i = 0; i < 100 && entries.filter((e) => e.message === 'close').length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const reasons = entries.filter((e) => e.message === 'close').map((e) => String(e.fields.reason));
    expect(reasons[0]).toBe('client closed');
    expect(reasons[1]).toBe('554 5.5.0 Error: SMTP protocol synchronization');
  });
});

describe('a logger or transcript that throws', () => {
  it('never reaches a session: the server keeps answering and delivering', async () => {
    const boom = (): never => {
      throw new Error('logger down');
    };
    const stored: string[] = [];
    const port = await start({
      logger: { debug: boom, info: boom, warn: boom, error: boom },
      transcript: boom,
      maxConnections: 1,
      onData: async (e, body) => {
        for await (const _ of body);
        stored.push(e.from);
      },
    });
    const holder = connect(port, '127.0.0.1');
    holder.on('error', () => undefined);
    await new Promise((r) => holder.once('data', r));
    // refused over the limit: the refusal is logged too
    const refused = await converse(port, []);
    expect(refused).toMatch(/^421 4\.7\.0 /);
    holder.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const heard = await converse(port, ['EHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@y.test>\r\n', 'DATA\r\n', 'Subject: s\r\n\r\nb\r\n.\r\n', 'QUIT\r\n']);
    expect(heard).toMatch(/^250 2\.0\.0 /m);
    expect(heard).toMatch(/^221 /m);
    expect(stored).toEqual(['a@x.test']);
  });
});

describe('createServer logger and onError', () => {
  it('an error that cannot be made a string (a null-prototype object thrown by a hook) is logged and still reaches onError', async () => {
    const { logger, entries } = recorder();
    const thrown = Object.create(null) as object;
    const errors: unknown[] = [];
    const port = await start({
      logger,
      onMailFrom: () => {
        throw thrown; // eslint-disable-line @typescript-eslint/only-throw-error -- the point: no Error, no string form
      },
      onError: (e) => errors.push(e),
    });
    const heard = await converse(port, ['EHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', 'QUIT\r\n']);
    expect(heard).toMatch(/^451 4\.3\.0 /m);
    expect(errors).toEqual([thrown]);
    expect(entries.some((e) => e.message === 'session error')).toBe(true);
  });
});

describe('a TLS handshake the client failed', () => {
  const failure = Object.assign(new Error('bad record from \x1b[31mpeer\u202e'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
  const escaped = { name: 'Error', message: 'bad record from \\x1b[31mpeer\\u202e', code: 'ERR_SSL_WRONG_VERSION_NUMBER' };

  it('implicit TLS: one info line with the address, the code and the message escaped; no session', () => {
    const { logger, entries } = recorder();
    serverLog(logger, undefined)!.tlsHandshakeFailed('192.0.2.7', failure);
    expect(entries).toEqual([{ level: 'info', message: 'TLS handshake failed', fields: { remoteAddress: '192.0.2.7', err: escaped } }]);
  });

  it('STARTTLS: one info line for the session, and the close reason names the code', () => {
    const { logger, entries } = recorder();
    const log = new SessionLog({ id: 'sess-2' } as SessionContext, logger, undefined);
    log.tlsFailed(failure);
    log.close(false);
    expect(entries[0]).toEqual({ level: 'info', message: 'TLS handshake failed', fields: { session: 'sess-2', err: escaped } });
    expect(entries[1]).toMatchObject({ level: 'info', message: 'close', fields: { session: 'sess-2', reason: 'TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER)' } });
    expect(entries).toHaveLength(2);
  });
});

describe('a connection the peer or the network lost', () => {
  /** The close reason after `events`, then the loss of the connection with `code`. */
  function reasonAfter(events: readonly ServerEvent[], code: string): unknown {
    const { logger, entries } = recorder();
    const log = new SessionLog({ id: 'sess-3' } as SessionContext, logger, undefined);
    for (const e of events) log.event(e);
    log.lost(code);
    log.close(false);
    const closes = entries.filter((e) => e.message === 'close');
    expect(closes).toHaveLength(1);
    expect(closes[0]!.level).toBe('info');
    expect(entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
    return closes[0]!.fields['reason'];
  }

  it('names the code and the last command the session acted on (CONNECT before any)', () => {
    expect(reasonAfter([], 'ECONNRESET')).toBe('connection lost (ECONNRESET) after CONNECT');
    expect(reasonAfter([{ type: 'helo', verb: 'EHLO', domain: 'x', needsAnswer: false }], 'ETIMEDOUT')).toBe('connection lost (ETIMEDOUT) after EHLO');
    const mail = { type: 'mail', from: 'a@x', parameters: {}, needsAnswer: false } as unknown as ServerEvent;
    expect(reasonAfter([mail, { type: 'rset' }], 'EPIPE')).toBe('connection lost (EPIPE) after RSET');
    const end = { type: 'message-end', size: 5, recipients: [] } as unknown as ServerEvent;
    expect(reasonAfter([{ type: 'data-start', mode: 'bdat', needsAnswer: false }, end], 'EHOSTUNREACH')).toBe('connection lost (EHOSTUNREACH) after END-OF-MESSAGE');
    expect(reasonAfter([{ type: 'tls-start' }], 'ECONNRESET')).toBe('connection lost (ECONNRESET) after STARTTLS');
  });

  it('a message the loss aborted: during a message', () => {
    expect(reasonAfter([{ type: 'data-start', mode: 'data', needsAnswer: false }, { type: 'message-abort', reason: 'eof' }], 'ECONNRESET')).toBe('connection lost (ECONNRESET) during a message');
    // aborted earlier for another reason (too large, RSET between chunks): no message was in progress
    expect(reasonAfter([{ type: 'data-start', mode: 'bdat', needsAnswer: false }, { type: 'message-abort', reason: 'reset' }, { type: 'rset' }], 'ECONNRESET')).toBe('connection lost (ECONNRESET) after RSET');
  });

  it('a failure told first (a STARTTLS handshake the client failed) stays the reason', () => {
    const { logger, entries } = recorder();
    const log = new SessionLog({ id: 'sess-4' } as SessionContext, logger, undefined);
    log.tlsFailed(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    log.lost('ECONNRESET');
    log.close(false);
    expect(entries.filter((e) => e.message === 'close').map((e) => e.fields['reason'])).toEqual(['TLS handshake failed (ECONNRESET)']);
  });
});

describe('SessionLog transcript', () => {
  const ctx = { id: 'sess-1' } as SessionContext;
  /** Feeds a scripted dialogue (input split as given) after a greeting and returns the transcript lines that follow it. */
  function transcriptOf(pieces: readonly Uint8Array[], replies: Readonly<Record<number, string>>): string[] {
    const out: string[] = [];
    const log = new SessionLog(ctx, undefined, (l) => out.push(`${l.direction}: ${l.text}`));
    log.output('220 greeting\r\n');
    out.shift();
    pieces.forEach((p, i) => {
      log.input(p);
      const r = replies[i];
      if (r !== undefined) log.output(r);
    });
    log.close(false);
    return out;
  }

  it('a BDAT size of up to 15 digits (what the session accepts) keeps its chunk out of the transcript', () => {
    expect(transcriptOf([bytes('BDAT 0000000000003\r\nabcNOOP\r\n')], { 0: '250 chunk\r\n250 noop\r\n' })).toEqual(['C: BDAT 0000000000003', 'C: <chunk data: 3 bytes>', 'C: NOOP', 'S: 250 chunk', 'S: 250 noop']);
  });

  it('message data, BDAT chunks, control characters and long lines, split at random points', () => {
    const input = bytes('EHLO c\r\nDATA\r\n');
    const body = bytes('.. dot\r\nline\r\n.\r\n');
    const rest = bytes('BDAT 5\r\nab\r\ncBDAT 0 LAST\r\nNOOP \x1b[31m\u2028x\r\nXLONG ' + 'y'.repeat(1200) + '\r\n');
    const end = '250 queued\r\n250 chunk\r\n250 last\r\n250 noop\r\n500 long\r\n';
    const whole = transcriptOf([input, body, rest], { 0: '250 ok\r\n354 go ahead\r\n', 2: end });
    expect(whole).toEqual([
      'C: EHLO c',
      'C: DATA',
      'S: 250 ok',
      'S: 354 go ahead',
      'C: <message data: 14 bytes>',
      'C: BDAT 5',
      'C: <chunk data: 5 bytes>',
      'C: BDAT 0 LAST',
      'C: <chunk data: 0 bytes>',
      'C: NOOP \\x1b[31m\\u2028x',
      `C: XLONG ${'y'.repeat(994)}…`,
      'S: 250 queued',
      'S: 250 chunk',
      'S: 250 last',
      'S: 250 noop',
      'S: 500 long',
    ]);
    const ins = randomSplits(input, 50, 15);
    const bodies = randomSplits(body, 50, 16);
    const rests = randomSplits(rest, 50, 17);
    for (let round = 0; round < 50; round++) {
      // the 354 goes out after the DATA line, before any body byte: each part is split on its own
      const first = ins[round]!;
      const pieces = [...first, ...bodies[round]!, ...rests[round]!];
      expect(transcriptOf(pieces, { [first.length - 1]: '250 ok\r\n354 go ahead\r\n', [pieces.length - 1]: end })).toEqual(whole);
    }
    // and byte by byte
    const one = (b: Uint8Array): Uint8Array[] => Array.from(b, (x) => Uint8Array.of(x));
    const bytewise = [...one(input), ...one(body), ...one(rest)];
    expect(transcriptOf(bytewise, { [input.length - 1]: '250 ok\r\n354 go ahead\r\n', [bytewise.length - 1]: end })).toEqual(whole);
  });

  it('an empty message and a body that ends in the middle of a line keep counting', () => {
    const out = transcriptOf([bytes('DATA\r\n'), bytes('.\r\nQUIT\r\n')], { 0: '354 go\r\n', 1: '250 ok\r\n221 bye\r\n' });
    expect(out).toEqual(['C: DATA', 'S: 354 go', 'C: <message data: 0 bytes>', 'C: QUIT', 'S: 250 ok', 'S: 221 bye']);
  });
});
