// Custom extensions through the public entry: the one registration mechanism (`registry`) and
// multi-step exchanges (`continueCommand`): a challenge-response verb (334 lines), a dot-terminated
// upload and a length-delimited upload, pipelined and at every split of the input.
import { describe, expect, it } from 'vitest';
import { errorCodeOf, resultsForEverySplit } from '@smtpkit/testkit';
import { ServerConnection, isSmtpServerError, stateName } from '../src/index.js';
import type { ExtensionDefinition } from 'smtp-capabilities';
import type { ServerEvent, ServerOptions } from '../src/index.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);
const dec = new TextDecoder();

/** XPROVE <user>: two rounds of 334 <nonce> / answer line, then 235-like 250 or 535. */
const XPROVE: ExtensionDefinition = { keyword: 'XPROVE', verbs: [{ name: 'XPROVE', mustBeLastInGroup: true }] };
/** XSCRIPT <name>: 354, then a dot-terminated script (a sieve-like upload). */
const XSCRIPT: ExtensionDefinition = { keyword: 'XSCRIPT', verbs: [{ name: 'XSCRIPT', mustBeLastInGroup: true }] };
/** XPUT <n>: exactly n bytes follow the command at once, as BDAT's chunk does (its `blockLength`); may be pipelined. */
const XPUT: ExtensionDefinition = { keyword: 'XPUT', advertise: 'BINARY', verbs: [{ name: 'XPUT', mustBeLastInGroup: false, blockLength: (arg) => (/^[0-9]{1,9}$/.test(arg) ? Number(arg) : undefined) }] };
/** XPING: a private verb, never advertised, usable before EHLO. */
const XPING: ExtensionDefinition = { keyword: 'XPING', advertise: false, verbs: [{ name: 'XPING' }] };

interface Host {
  readonly conn: ServerConnection;
  readonly log: string[];
  feed(chunk: string | Uint8Array): void;
  out(): string;
}

/** A host that runs the three extensions' exchanges like an application would. */
function host(options: ServerOptions = {}): Host {
  const conn = new ServerConnection({ hostname: 'mx.test', registry: [XPROVE, XSCRIPT, XPUT, XPING], ...options });
  const log: string[] = [];
  let rounds = 0;
  let upload: Uint8Array[] = [];
  let out = '';
  const answer = (e: ServerEvent): void => {
    if (e.type === 'command') {
      log.push(`command ${e.verb} ${e.argument}`);
      if (e.verb === 'XPROVE') {
        rounds = 0;
        conn.continueCommand({ reply: { code: 334, text: 'bm9uY2UtMQ==' }, read: 'line' });
      } else if (e.verb === 'XSCRIPT') {
        upload = [];
        conn.continueCommand({ reply: { code: 354, text: 'Send the script, end with .' }, read: 'dot' });
      } else if (e.verb === 'XPUT') {
        upload = [];
        conn.continueCommand({ read: { bytes: Number(e.argument) } });
      } else conn.accept({ code: 250, enhanced: '2.0.0', text: 'pong' });
    } else if (e.type === 'command-line') {
      log.push(`line ${e.line}`);
      rounds++;
      if (e.line !== `answer-${String(rounds)}`) conn.reject({ code: 535, enhanced: '5.7.8', text: 'wrong answer' });
      else if (rounds === 1) conn.continueCommand({ reply: { code: 334, text: 'bm9uY2UtMg==' }, read: 'line' });
      else conn.accept({ code: 250, enhanced: '2.7.0', text: 'proved' });
    } else if (e.type === 'command-data') upload.push(e.bytes);
    else if (e.type === 'command-end') {
      const text = upload.map((b) => dec.decode(b)).join('');
      log.push(`block ${e.verb} ${String(e.size)} ${JSON.stringify(text)}`);
      conn.accept({ code: 250, enhanced: '2.0.0', text: `stored ${String(e.size)} bytes` });
    } else if ('needsAnswer' in e && e.needsAnswer) conn.accept();
  };
  const pump = (): void => {
    for (let i = 0; i < 100_000; i++) {
      const e = conn.nextEvent();
      if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') break;
      answer(e);
    }
    out += conn.textToSend();
  };
  pump();
  return {
    conn,
    log,
    feed(chunk) {
      conn.receiveData(chunk);
      pump();
    },
    out() {
      const o = out;
      out = '';
      return o;
    },
  };
}

const lines = (s: string): string[] => s.split('\r\n').filter((l) => l !== '');

describe('custom extensions come from the registry option', () => {
  it('are advertised after the built-ins, by their advertise rule; private verbs are not', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    const ehlo = lines(h.out());
    expect(ehlo.slice(-3)).toEqual(['250-XPROVE', '250-XSCRIPT', '250 XPUT BINARY']);
    expect(ehlo.join('\n')).not.toContain('XPING');
  });

  it('an advertised verb needs EHLO first; a private verb does not; an unknown verb is 500', () => {
    const h = host();
    h.out();
    h.feed('XPROVE alice\r\n');
    expect(h.out()).toBe('503 5.5.1 Error: send EHLO first\r\n');
    h.feed('XPING\r\n');
    expect(h.out()).toBe('250 2.0.0 pong\r\n');
    h.feed('XNOPE\r\n');
    expect(h.out()).toBe('500 5.5.2 Error: command not recognized\r\n');
  });

  it('an opt-in extension that was not advertised is not in force', () => {
    const optIn: ExtensionDefinition = { keyword: 'XBETA', advertise: (_s, ctx) => ctx.enabled('XBETA'), verbs: [{ name: 'XBETA' }], mailParams: ['XBETA'] };
    const off = host({ registry: [optIn] });
    off.feed('EHLO c\r\n');
    off.feed('XBETA\r\n');
    expect(off.out()).toContain('500 5.5.2 Error: command not recognized');
    off.feed('MAIL FROM:<a@b.example> XBETA=1\r\n');
    expect(off.out()).toMatch(/^555 /);
    const on = host({ registry: [optIn], enable: ['XBETA'] });
    on.feed('EHLO c\r\n');
    expect(on.out()).toMatch(/250[- ]XBETA\r\n/);
    on.feed('MAIL FROM:<a@b.example> XBETA=1\r\n');
    expect(on.out()).toBe('250 2.1.0 Sender OK\r\n');
    on.feed('XBETA\r\n');
    expect(on.out()).toBe('250 2.0.0 pong\r\n');
  });

  it('a registry cannot take over a built-in keyword or verb', () => {
    const h = host({ registry: [{ keyword: 'CHUNKING', advertise: 'X' }, { keyword: 'XMAIL', verbs: [{ name: 'MAIL' }] }] });
    h.feed('EHLO c\r\n');
    const ehlo = h.out();
    expect(ehlo).toContain('250-CHUNKING\r\n');
    expect(ehlo).not.toContain('CHUNKING X');
    h.feed('MAIL FROM:<a@b.example>\r\n');
    expect(h.out()).toBe('250 2.1.0 Sender OK\r\n');
  });

  it('an invalid definition is ERR_SMTP_INVALID_OPTION', () => {
    expect(codeOf(() => new ServerConnection({ registry: [{ keyword: 'X Y' }] }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => new ServerConnection({ registry: [{ keyword: 'XV', verbs: [{ name: '1 2' }] }] }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
});

describe('a challenge-response exchange (continuation lines)', () => {
  it('runs two rounds of 334 and answer lines, then the final reply', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    h.out();
    h.feed('XPROVE alice\r\n');
    expect(h.out()).toBe('334 bm9uY2UtMQ==\r\n');
    expect(h.conn.state).toBe('extension');
    expect(stateName(h.conn.stage)).toBe('extension 4');
    h.feed('answer-1\r\n');
    expect(h.out()).toBe('334 bm9uY2UtMg==\r\n');
    h.feed('answer-2\r\n');
    expect(h.out()).toBe('250 2.7.0 proved\r\n');
    expect(h.conn.state).toBe('awaiting-mail');
    expect(h.log).toEqual(['command XPROVE alice', 'line answer-1', 'line answer-2']);
    h.feed('XPROVE bob\r\nanswer-1\r\n'); // the answer line comes before the 334: a pipelining violation
    expect(h.out()).toBe('554 5.5.0 Error: SMTP protocol synchronization\r\n');
  });

  it('a wrong answer ends it with the rejection; the session goes on', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    h.feed('XPROVE alice\r\n');
    h.out();
    h.feed('guess\r\n');
    expect(h.out()).toBe('535 5.7.8 wrong answer\r\n');
    h.feed('NOOP\r\n');
    expect(h.out()).toBe('250 2.0.0 Ok\r\n');
  });

  it('an answer line over maxCommandLine is 500 5.5.6 and the exchange ends', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    h.feed('XPROVE alice\r\n');
    h.out();
    h.feed(`${'x'.repeat(600)}\r\n`);
    expect(h.out()).toBe('500 5.5.6 Error: line too long\r\n');
    expect(h.conn.state).toBe('awaiting-mail');
  });

  it('an answer line with a NUL or a bare CR is 501 and never handed over', () => {
    for (const bad of ['ans\0wer\r\n', 'ans\rwer\r\n']) {
      const h = host();
      h.feed('EHLO c\r\n');
      h.feed('XPROVE alice\r\n');
      h.out();
      h.feed(bad);
      expect(h.out(), JSON.stringify(bad)).toBe('501 5.5.2 Error: bare <CR>, <LF> or NUL received\r\n');
      expect(h.log).toEqual(['command XPROVE alice']);
      expect(h.conn.state).toBe('awaiting-mail');
    }
  });

  it('an answer line with invalid UTF-8 is 501, never handed over altered', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    h.feed('XPROVE alice\r\n');
    h.out();
    h.feed(Uint8Array.of(0xff, 0x41, 13, 10));
    expect(h.out()).toBe('501 5.5.2 Error: invalid UTF-8\r\n');
    expect(h.log).toEqual(['command XPROVE alice']);
  });
});

describe('block exchanges', () => {
  it('a dot-terminated block is dot-unstuffed and streamed; pipelined commands after it run', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    h.feed('XSCRIPT filter\r\n');
    expect(h.out()).toMatch(/354 Send the script, end with \.\r\n$/);
    h.feed('require "x";\r\n..hidden\r\n.\r\nNOOP\r\n');
    expect(h.out()).toBe('250 2.0.0 stored 23 bytes\r\n250 2.0.0 Ok\r\n');
    expect(h.log.at(-1)).toBe('block XSCRIPT 23 "require \\"x\\";\\r\\n.hidden\\r\\n"');
  });

  it('a length-delimited block follows its command at once and may be pipelined', () => {
    const h = host();
    h.feed('EHLO c\r\n');
    h.out();
    h.feed('XPUT 7\r\nab\r\n.\r\nRSET\r\nXPUT 0\r\nQUIT\r\n');
    expect(lines(h.out())).toEqual(['250 2.0.0 stored 7 bytes', '250 2.0.0 Ok', '250 2.0.0 stored 0 bytes', '221 2.0.0 mx.test Bye']);
    expect(h.log.filter((l) => l.startsWith('block'))).toEqual(['block XPUT 7 "ab\\r\\n.\\r\\n"', 'block XPUT 0 ""']);
  });

  it('a block over maxMessageSize is read to its end, not handed over, and answered 552', () => {
    const h = host({ limits: { maxMessageSize: 4 } });
    h.feed('EHLO c\r\n');
    h.feed('XPUT 6\r\nabcdefNOOP\r\n');
    expect(lines(h.out()).slice(-2)).toEqual(['552 5.3.4 Error: block size exceeds fixed maximum size', '250 2.0.0 Ok']);
    expect(h.log.some((l) => l.startsWith('block'))).toBe(false);
  });

  it('a block of exactly maxMessageSize bytes is handed over; one more byte is not', () => {
    const h = host({ limits: { maxMessageSize: 4 } });
    h.feed('EHLO c\r\n');
    h.out();
    h.feed('XPUT 4\r\nabcd');
    expect(lines(h.out())).toEqual(['250 2.0.0 stored 4 bytes']);
    h.feed('XPUT 5\r\nabcde');
    expect(lines(h.out())).toEqual(['552 5.3.4 Error: block size exceeds fixed maximum size']);
    expect(h.log.filter((l) => l.startsWith('block'))).toEqual(['block XPUT 4 "abcd"']);
  });

  it('a dot block with a bare LF is refused (550) unless bareLineEndings is normalize', () => {
    const reject = host();
    reject.feed('EHLO c\r\n');
    reject.feed('XSCRIPT f\r\n');
    reject.out();
    reject.feed('a\nb\r\n.\r\n');
    expect(reject.out()).toBe('550 5.5.2 Error: bare <CR> or <LF> received\r\n');
    const normalize = host({ bareLineEndings: 'normalize' });
    normalize.feed('EHLO c\r\n');
    normalize.feed('XSCRIPT f\r\n');
    normalize.out();
    normalize.feed('a\nb\r\n.\r\n');
    expect(normalize.out()).toBe('250 2.0.0 stored 6 bytes\r\n');
  });

  it('every exchange gives the same result at every split of each pipelined flight, byte by byte included', () => {
    const flights = ['XPUT 5\r\nhelloRSET\r\nXSCRIPT s\r\n', 'line 1\r\n..dot\r\n.\r\nXPROVE alice\r\n', 'answer-1\r\n', 'answer-2\r\nQUIT\r\n'];
    const session = (k: number, chunks: readonly Uint8Array[]) => {
      const h = host();
      h.feed('EHLO c\r\n');
      h.out();
      flights.forEach((f, i) => {
        if (i === k) for (const c of chunks) h.feed(c);
        else h.feed(f);
      });
      return { out: h.out(), log: h.log.slice(), state: h.conn.state };
    };
    for (let k = 0; k < flights.length; k++) {
      const { distinct, first } = resultsForEverySplit(flights[k]!, (chunks) => session(k, chunks));
      expect(distinct, flights[k]).toHaveLength(1);
      expect(first.log).toEqual(['command XPUT 5', 'block XPUT 5 "hello"', 'command XSCRIPT s', 'block XSCRIPT 14 "line 1\\r\\n.dot\\r\\n"', 'command XPROVE alice', 'line answer-1', 'line answer-2']);
      expect(lines(first.out)).toEqual(['250 2.0.0 stored 5 bytes', '250 2.0.0 Ok', '354 Send the script, end with .', '250 2.0.0 stored 14 bytes', '334 bm9uY2UtMQ==', '334 bm9uY2UtMg==', '250 2.7.0 proved', '221 2.0.0 mx.test Bye']);
      expect(first.state).toBe('closed');
    }
  });
});

describe('continueCommand misuse is a typed error and leaves the decision pending', () => {
  const pendingCommand = (): ServerConnection => {
    const conn = new ServerConnection({ hostname: 'mx.test', registry: [XPROVE], autoAccept: ['connect', 'helo'] });
    conn.receiveData('EHLO c\r\n');
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) void e;
    conn.receiveData('XPROVE a\r\n');
    for (let e = conn.nextEvent(); e.type !== 'paused' && e.type !== 'need-data' && e.type !== 'closed'; e = conn.nextEvent()) void e;
    return conn;
  };

  it('needs a pending custom-verb decision', () => {
    const conn = new ServerConnection({ hostname: 'mx.test' });
    expect(codeOf(() => conn.continueCommand({ reply: { code: 334, text: 'x' }, read: 'line' }))).toBe('ERR_SMTP_NO_PENDING_DECISION');
    const mail = new ServerConnection({ hostname: 'mx.test' });
    mail.receiveData('EHLO c\r\n');
    for (let e = mail.nextEvent(); e.type !== 'need-data'; e = mail.nextEvent()) void e;
    mail.receiveData('MAIL FROM:<a@b.example>\r\n');
    for (let e = mail.nextEvent(); e.type !== 'paused' && e.type !== 'need-data' && e.type !== 'closed'; e = mail.nextEvent()) void e;
    expect(mail.pendingDecision).toBe('mail');
    expect(codeOf(() => mail.continueCommand({ reply: { code: 354, text: 'go' }, read: 'dot' }))).toBe('ERR_SMTP_NO_PENDING_DECISION');
  });

  it('refuses a non-3xx reply, a missing reply, a bad size or a bad mode', () => {
    const conn = pendingCommand();
    expect(codeOf(() => conn.continueCommand({ reply: { code: 250, text: 'x' }, read: 'line' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => conn.continueCommand({ reply: { code: 334, text: 'a\r\nb' }, read: 'line' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => conn.continueCommand({ read: 'line' } as never))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(codeOf(() => conn.continueCommand({ read: { bytes: -1 } }))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(codeOf(() => conn.continueCommand({ read: { bytes: 1.5 } }))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(codeOf(() => conn.continueCommand({ reply: { code: 334 }, read: 'lines' } as never))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(codeOf(() => conn.continueCommand(null as never))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(conn.pendingDecision).toBe('command');
    expect(conn.state).toBe('command-decision');
    conn.continueCommand({ reply: { code: 334, text: '' }, read: 'line' });
    expect(dec.decode(conn.dataToSend())).toMatch(/334 \r\n$/);
  });

  it('takes any 3xx reply (300, 330, 354), written without an enhanced code, and refuses 299 and 400', () => {
    for (const code of [300, 330, 354]) {
      const conn = pendingCommand();
      conn.continueCommand({ reply: { code, text: 'go on' }, read: 'line' });
      // ENHANCEDSTATUSCODES is on, but RFC 3463 has no class 3
      expect(dec.decode(conn.dataToSend()), String(code)).toMatch(new RegExp(`\\r\\n${String(code)} go on\\r\\n$`));
    }
    for (const code of [299, 400]) {
      const conn = pendingCommand();
      expect(codeOf(() => conn.continueCommand({ reply: { code, text: 'x' }, read: 'line' })), String(code)).toBe('ERR_SMTP_INVALID_REPLY');
    }
    // an enhanced code on an intermediate reply is refused up front, the decision still pending
    const conn = pendingCommand();
    expect(codeOf(() => conn.continueCommand({ reply: { code: 330, enhanced: '3.0.0', text: 'x' }, read: 'line' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(conn.pendingDecision).toBe('command');
  });
});

describe('an ExtensionRegistry given as the option', () => {
  it('is read when a session starts: definitions registered later apply to later sessions; hidden ones are not advertised', async () => {
    const { ExtensionRegistry } = await import('smtp-capabilities');
    const registry = new ExtensionRegistry([XPING, { keyword: 'XONE', verbs: [{ name: 'XONE' }] }]);
    const first = host({ registry });
    first.feed('EHLO c\r\n');
    expect(first.out()).toMatch(/250 XONE\r\n$/);
    registry.register({ keyword: 'XTWO', verbs: [{ name: 'XTWO' }] });
    registry.hide('XONE');
    const second = host({ registry });
    second.feed('EHLO c\r\n');
    const ehlo = second.out();
    expect(ehlo).toMatch(/250 XTWO\r\n$/);
    expect(ehlo).not.toContain('XONE');
    second.feed('XTWO\r\n');
    expect(second.out()).toBe('250 2.0.0 pong\r\n');
  });
});
