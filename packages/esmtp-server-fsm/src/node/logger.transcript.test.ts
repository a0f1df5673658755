// The transcript and the logger against hostile input: format characters, a body behind `DATA\t`,
// input the server never ran, AUTH glued with NUL, and a malformed PROXY header.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bytes } from '@smtpkit/testkit';
import type { CreateServerOptions, SessionContext } from './options.js';
import { recorder, serversPerTest } from '../../test/servers.js';
import { SessionLog } from './logger.js';
import type { TranscriptLine } from './logger.js';

const servers = serversPerTest('log-transcript.test');

async function start(options: CreateServerOptions): Promise<number> {
  return (await servers.start(options)).port;
}

/** Writes each step once the replies so far number `waitFor[i]`; resolves with everything read when the server closes. */
function exchange(port: number, steps: readonly (string | Uint8Array)[], waitFor: readonly number[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let step = 0;
    const next = (): void => {
      const finals = (text.match(/^\d{3} [^\r\n]*\r\n/gm) ?? []).length;
      while (step < steps.length && finals >= waitFor[step]!) socket.write(steps[step++]!);
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      next();
    });
    socket.on('connect', next);
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

/** Waits (bounded) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

const ctx = { id: 'sess-1' } as SessionContext;

/** A SessionLog fed a scripted dialogue: the greeting, then [input, replies] pairs; the transcript after the greeting. */
function scripted(steps: readonly (readonly [string | Uint8Array, string])[], close = true): string[] {
  const out: string[] = [];
  const log = new SessionLog(ctx, undefined, (l) => out.push(`${l.direction}: ${l.text}`));
  log.output('220 greeting\r\n');
  out.shift();
  for (const [input, replies] of steps) {
    log.input(typeof input === 'string' ? bytes(input) : input);
    if (replies !== '') log.output(replies);
  }
  if (close) log.close(true);
  return out;
}

// U+061C ALM, U+180E, a tag, a variation selector, a Hangul filler, U+034F, U+200B
const INVISIBLE = '\u061c\u180e\u{e0041}\ufe0f\u3164\u034f\u200b';
const ESCAPED = '\\u061c\\u180e\\u{e0041}\\ufe0f\\u3164\\u034f\\u200b';

describe('transcript and logger: format and default-ignorable characters', () => {
  it('SRV-13 are escaped in the transcript (\\uHHHH, \\u{HHHHH} for astral ones) and in logger fields', async () => {
    expect(scripted([[`NOOP a${INVISIBLE}b\r\n`, '250 ok\r\n']])).toEqual([`C: NOOP a${ESCAPED}b`, 'S: 250 ok']);
    const { logger, entries } = recorder();
    const lines: TranscriptLine[] = [];
    const port = await start({ logger, transcript: (l) => lines.push(l) });
    // the session refuses these addresses now; the verb of an unknown command is logged
    await exchange(port, ['EHLO c.test\r\n', `MAIL FROM:<a${INVISIBLE}b@x.test> SMTPUTF8\r\n`, `X${INVISIBLE}Y\r\n`, 'QUIT\r\n'], [1, 2, 3, 4]);
    await until(() => entries.some((e) => e.message === 'close'));
    const all = JSON.stringify({ entries, lines });
    for (const ch of INVISIBLE) expect([`U+${ch.codePointAt(0)!.toString(16)}`, all.includes(ch)]).toEqual([`U+${ch.codePointAt(0)!.toString(16)}`, false]);
    expect(lines.map((l) => l.text)).toContain(`MAIL FROM:<a${ESCAPED}b@x.test> SMTPUTF8`);
  });
});

describe('transcript: DATA however it ends', () => {
  it('SRV-13 a body sent behind DATA<TAB>, DATA<VT> or DATA<NUL> is never shown as commands', async () => {
    for (const data of ['DATA\t', 'DATA\v', 'DATA\0', 'DATA \t']) {
      const out = scripted([[`MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\n`, '250 ok\r\n250 ok\r\n'], [`${data}\r\nSubject: SECRET\r\n\r\nconfidential\r\n.\r\nQUIT\r\n`, '554 5.5.0 Error: SMTP protocol synchronization\r\n']]);
      expect(out.join('\n')).not.toMatch(/SECRET|confidential/);
    }
    const lines: TranscriptLine[] = [];
    const port = await start({ transcript: (l) => lines.push(l), onData: async (_e, body) => void (await body.toArray()) });
    await exchange(port, ['EHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@x.test>\r\n', 'DATA\t\r\nSubject: SECRET\r\n\r\nconfidential\r\n.\r\n'], [1, 2, 3, 4]);
    await until(() => lines.some((l) => /not answered/.test(l.text)));
    const shown = lines.map((l) => `${l.direction}: ${l.text}`);
    expect(shown.join('\n')).not.toMatch(/SECRET|confidential/);
    expect(shown.slice(-3)).toEqual(['C: DATA\\x09', 'S: 554 5.5.0 Error: SMTP protocol synchronization', expect.stringMatching(/^C: <\d+ bytes not answered>$/)]);
  });
});

describe('transcript: only what the server ran', () => {
  it('SRV-13 input behind a command that closed the session is one line <N bytes not answered>, never commands: bounded output', async () => {
    const lines: TranscriptLine[] = [];
    const port = await start({ transcript: (l) => lines.push(l) });
    const junk = 'A\r\n'.repeat(20_000);
    await exchange(port, [junk], [1]);
    await until(() => lines.some((l) => /not answered/.test(l.text)));
    const client = lines.filter((l) => l.direction === 'C').map((l) => l.text);
    // the first line ran (it got the 554), the rest never did
    expect(client).toEqual(['A', `<${junk.length - 3} bytes not answered>`]);
    expect(lines.map((l) => l.text).join('').length).toBeLessThan(200);
  });

  it('a pipelined group shows its lines, then its replies; a client that leaves first leaves its unanswered bytes counted', () => {
    expect(scripted([['EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n', '250 e\r\n250 m\r\n250 r\r\n'], ['NOOP\r\nQUI', '250 n\r\n']])).toEqual([
      'C: EHLO c',
      'C: MAIL FROM:<a@b>',
      'C: RCPT TO:<c@d>',
      'S: 250 e',
      'S: 250 m',
      'S: 250 r',
      'C: NOOP',
      'S: 250 n',
      'C: <3 bytes not answered>',
    ]);
    // a multi-line reply answers one line; a line ends at CRLF only (a bare LF is inside it, as in the session)
    expect(scripted([['EHLO c\r\nNOOP a\nb\r\n', '250-x\r\n250 y\r\n500 bare LF\r\n']])).toEqual(['C: EHLO c', 'C: NOOP a\\x0ab', 'S: 250-x', 'S: 250 y', 'S: 500 bare LF']);
    // a line still waiting for its reply (a hook deciding) is shown when it gets it
    expect(scripted([['MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n', '250 m\r\n'], ['', '250 r\r\n']])).toEqual(['C: MAIL FROM:<a@b>', 'S: 250 m', 'C: RCPT TO:<c@d>', 'S: 250 r']);
  });

  it('what STARTTLS discarded is counted, and the session goes on in TLS', () => {
    const out: string[] = [];
    const log = new SessionLog(ctx, undefined, (l) => out.push(`${l.direction}: ${l.text}`));
    log.output('220 hi\r\n');
    log.input(bytes('STARTTLS\r\nMAIL FROM:<a@b>\r\n'));
    log.output('220 go ahead\r\n');
    log.tls({ getProtocol: () => 'TLSv1.3', getCipher: () => undefined } as never);
    log.input(bytes('EHLO c\r\n'));
    log.output('250 ok\r\n');
    expect(out).toEqual(['S: 220 hi', 'C: STARTTLS', 'S: 220 go ahead', 'C: <17 bytes not answered>', 'C: EHLO c', 'S: 250 ok']);
  });

  it('LMTP: the replies after a body (one per recipient) answer the body alone, not the lines behind it', async () => {
    const lines: TranscriptLine[] = [];
    const port = await start({ lmtp: true, transcript: (l) => lines.push(l), onData: async (_e, body) => void (await body.toArray()) });
    await exchange(port, ['LHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n', 'Subject: s\r\n\r\nx\r\n.\r\nQUIT\r\nJUNK\r\n'], [1, 2, 6]);
    await until(() => lines.some((l) => /not answered/.test(l.text)));
    const shown = lines.map((l) => `${l.direction}: ${l.text}`);
    // QUIT with input behind it ends the session: the line behind it never ran
    expect(shown.slice(-6)).toEqual([
      'C: <message data: 17 bytes>',
      'C: QUIT',
      expect.stringMatching(/^S: 250 2\.1\.5 <b@x\.test>/),
      expect.stringMatching(/^S: 250 2\.1\.5 <c@x\.test>/),
      'S: 554 5.5.0 Error: SMTP protocol synchronization',
      'C: <6 bytes not answered>',
    ]);
  });
});

describe('transcript: AUTH however it is glued', () => {
  it('SRV-13 AUTH<NUL>PLAIN <secret> (a verb the session reads as AUTH) never shows the secret', async () => {
    const secret = Buffer.from('\0alice\0hunter2-very-secret').toString('base64');
    for (const glue of ['\0', '\v', '\f', '\r', ':', '\x7f']) {
      const out = scripted([[`AUTH${glue}PLAIN ${secret}\r\n`, '501 5.5.2 no\r\n']]);
      expect([JSON.stringify(glue), out.join('\n').includes(secret)]).toEqual([JSON.stringify(glue), false]);
    }
    expect(scripted([[`AUTH\0PLAIN ${secret}\r\n`, '501 5.5.2 no\r\n']])).toEqual(['C: AUTH PLAIN <redacted>', 'S: 501 5.5.2 no']);
    const lines: TranscriptLine[] = [];
    const port = await start({ transcript: (l) => lines.push(l), auth: { mechanisms: ['PLAIN'], allowInsecure: true }, onAuth: () => false });
    await exchange(port, ['EHLO c.test\r\n', `AUTH\0PLAIN ${secret}\r\n`, 'QUIT\r\n'], [1, 2, 3]);
    await until(() => lines.some((l) => l.text.startsWith('221')));
    expect(JSON.stringify(lines)).not.toContain(secret);
  });
});

describe('logger: a malformed PROXY header', () => {
  it('is a peer error: warn, with the address it came from, never error', async () => {
    const { logger, entries } = recorder();
    const errors: unknown[] = [];
    const port = await start({ logger, proxyProtocol: true, onError: (e) => errors.push(e) });
    await exchange(port, ['GET / HTTP/1.0\r\n\r\n'], [0]);
    await until(() => entries.length > 0);
    expect(entries.filter((e) => e.level === 'error')).toEqual([]);
    expect(entries).toEqual([{ level: 'warn', message: 'bad PROXY header', fields: { remoteAddress: '127.0.0.1', err: { name: 'ProxyHeaderError', message: 'missing PROXY header', code: 'ERR_SMTP_PROXY_HEADER_INVALID' } } }]);
    // onError still hears of it
    expect(errors).toHaveLength(1);
  });
});

describe('transcript: the 354 goes out before onData is called', () => {
  it('the client can send the body while the application sets up for it', async () => {
    const order: string[] = [];
    const port = await start({
      transcript: (l) => order.push(`${l.direction}: ${l.text}`),
      onData: async (_e, body) => {
        order.push('onData called');
        await body.toArray();
      },
    });
    await exchange(port, ['EHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@x.test>\r\n', 'DATA\r\n', 'Subject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n'], [1, 2, 3, 4, 5]);
    await until(() => order.some((l) => l.startsWith('S: 221')));
    const go = order.findIndex((l) => l.startsWith('S: 354'));
    // it was: onData called first, then the 354 written at the end of the pump
    expect(go).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('onData called')).toBe(go + 1);
  });
});
