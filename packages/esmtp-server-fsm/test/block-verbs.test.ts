// SRV-3 for custom verbs: a verb whose line is followed at once by a block of bytes (as BDAT's
// chunk) is registered with a `blockLength`, so the session always knows where the block ends. It
// reads the block whatever the verdict: refused by the application (reject, respond, accept with a
// final reply), by the state (a refused session, TLS required, before EHLO, not advertised), the
// block is skipped and the refusal follows; a line whose length cannot be read (bad argument, a verb
// glued to a tab, NUL, too long) gets 501 and the connection closes. The block's bytes never run as
// commands. Every scenario is fed whole, byte by byte and at random splits, with the same outcome.
// Also BDAT when CHUNKING is not advertised: its chunk is consumed too.
import { describe, expect, it } from 'vitest';
import { byteByByte, errorCodeOf, randomSplits } from '@smtpkit/testkit';
import { ExtensionRegistry } from 'smtp-capabilities';
import type { ExtensionDefinition } from 'smtp-capabilities';
import { ServerConnection, isSmtpServerError } from '../src/index.js';
import type { ServerEvent, ServerOptions } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const length = (arg: string): number | undefined => (/^[0-9]{1,9}$/.test(arg) ? Number(arg) : undefined);
/** XPUT <n>: n bytes follow the line at once. */
const XPUT: ExtensionDefinition = { keyword: 'XPUT', verbs: [{ name: 'XPUT', mustBeLastInGroup: false, blockLength: length }] };
/** XBETA <n>: the same, advertised only when enabled. */
const XBETA: ExtensionDefinition = { keyword: 'XBETA', advertise: (_s, ctx) => ctx.enabled('XBETA'), verbs: [{ name: 'XBETA', blockLength: length }] };
/** XPRIV <n>: a private verb (never advertised, usable before EHLO) with a block. */
const XPRIV: ExtensionDefinition = { keyword: 'XPRIV', advertise: false, verbs: [{ name: 'XPRIV', blockLength: length }] };
const registry = [XPUT, XBETA, XPRIV];

/** What the application answers a block verb's `command` event. */
type Policy = 'read' | 'reject' | 'respond' | 'accept' | '421';

interface Outcome {
  readonly out: string[];
  readonly events: string[];
  readonly state: string;
}

/**
 * Runs `flights` (each a separate arrival: the sync check sees no input behind the last command of
 * one) through a session, each flight cut by `split`, answering every decision like an application.
 */
function run(flights: readonly string[], policy: Policy = 'read', options: ServerOptions = {}, split: (d: Uint8Array) => Uint8Array[] = (d) => [d]): Outcome {
  const conn = new ServerConnection({ hostname: 'mx.test', registry, ...options });
  const events: string[] = [];
  let out = '';
  let block: string[] = [];
  const pump = (): void => {
    for (let i = 0; i < 100_000; i++) {
      const e = conn.nextEvent();
      if (e.type === 'need-data' || e.type === 'paused') break;
      if (e.type === 'closed') {
        events.push(`closed ${e.reason}`);
        break;
      }
      answer(e);
    }
    out += dec.decode(conn.dataToSend());
  };
  const answer = (e: ServerEvent): void => {
    if (e.type === 'command') {
      events.push(`command ${e.verb} ${e.argument}`);
      if (!e.needsAnswer) return;
      if (policy === 'read') {
        block = [];
        conn.continueCommand({ read: { bytes: length(e.argument)! } });
      } else if (policy === 'reject') conn.reject({ code: 550, enhanced: '5.7.1', text: 'not for you' });
      else if (policy === 'respond') conn.respond({ code: 250, enhanced: '2.0.0', text: 'ignored' });
      else if (policy === '421') conn.reject({ code: 421, enhanced: '4.3.2', text: 'going down' });
      else conn.accept();
    } else if (e.type === 'command-data') block.push(dec.decode(e.bytes));
    else if (e.type === 'command-end') {
      events.push(`block ${e.verb} ${JSON.stringify(block.join(''))}`);
      conn.accept({ code: 250, enhanced: '2.0.0', text: `stored ${String(e.size)}` });
    } else {
      if (e.type === 'mail' || e.type === 'rcpt' || e.type === 'data-start' || e.type === 'rset' || e.type === 'message-end' || e.type === 'message-abort') events.push(e.type);
      if ('needsAnswer' in e && e.needsAnswer) conn.accept();
    }
  };
  pump();
  for (const f of flights) {
    for (const c of split(enc.encode(f))) {
      if (conn.state === 'closed') break;
      conn.receiveData(c);
      pump();
    }
  }
  return { out: out.split('\r\n').filter((l) => l !== '' && !l.startsWith('250-')), events, state: conn.state };
}

/** The outcome, checked to be the same whole, byte by byte and at random splits. */
function everySplit(flights: readonly string[], policy: Policy = 'read', options: ServerOptions = {}): Outcome {
  const whole = run(flights, policy, options);
  expect(run(flights, policy, options, byteByByte), 'byte by byte').toEqual(whole);
  for (let seed = 1; seed <= 4; seed++) expect(run(flights, policy, options, (d) => randomSplits(d, 1, seed)[0]!), `random splits ${String(seed)}`).toEqual(whole);
  return whole;
}

/** Commands that must never run: the block holds a whole transaction. */
const SMUGGLED = 'MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\n';
const N = String(SMUGGLED.length);

describe('SRV-3 a custom verb with a blockLength: its block is read whatever the verdict', () => {
  it('accepted: the block is handed over, the reply follows, pipelined commands behind it run (not a sync error)', () => {
    const r = everySplit(['EHLO c.test\r\n', `XPUT ${N}\r\n${SMUGGLED}RSET\r\nMAIL FROM:<a@x.test>\r\nQUIT\r\n`]);
    expect(r.out.slice(2)).toEqual([`250 2.0.0 stored ${N}`, '250 2.0.0 Ok', '250 2.1.0 Sender OK', expect.stringMatching(/^221 /)]);
    expect(r.events).toEqual([`command XPUT ${N}`, `block XPUT ${JSON.stringify(SMUGGLED)}`, 'rset', 'mail', 'closed quit']);
  });

  for (const [policy, reply] of [
    ['reject', '550 5.7.1 not for you'],
    ['respond', '250 2.0.0 ignored'],
    ['accept', '250 2.0.0 Ok'],
  ] as const) {
    it(`answered with a final reply (${policy}): the block is skipped, then the reply; nothing in it runs`, () => {
      const r = everySplit(['EHLO c.test\r\n', `XPUT ${N}\r\n${SMUGGLED}RSET\r\nQUIT\r\n`], policy);
      expect(r.out.slice(2)).toEqual([reply, '250 2.0.0 Ok', expect.stringMatching(/^221 /)]);
      expect(r.events).toEqual([`command XPUT ${N}`, 'rset', 'closed quit']);
    });
  }

  it('auto-answered (autoAccept command): skipped, 250', () => {
    const r = everySplit(['EHLO c.test\r\n', `XPUT ${N}\r\n${SMUGGLED}RSET\r\n`], 'read', { autoAccept: ['connect', 'helo', 'command'] });
    expect(r.out.slice(2)).toEqual(['250 2.0.0 Ok', '250 2.0.0 Ok']);
    expect(r.events).toEqual([`command XPUT ${N}`, 'rset']);
  });

  it('a 421 answer closes at once (nothing is read after it)', () => {
    const r = everySplit(['EHLO c.test\r\n', `XPUT ${N}\r\n${SMUGGLED}`], '421');
    expect(r.out.slice(2)).toEqual(['421 4.3.2 going down']);
    expect(r.events).toEqual([`command XPUT ${N}`, 'closed rejected']);
  });

  const refusedByState: [string, readonly string[], ServerOptions, string, string][] = [
    ['before EHLO', [], {}, 'XPUT', '503 5.5.1 Error: send EHLO first'],
    ['not advertised (opt-in extension not enabled)', ['EHLO c.test\r\n'], {}, 'XBETA', '500 5.5.2 Error: command not recognized'],
    ['TLS required', ['EHLO c.test\r\n'], { requireTls: true, starttls: true }, 'XPUT', '530 5.7.0 Must issue a STARTTLS command first'],
  ];
  for (const [name, before, options, verb, reply] of refusedByState) {
    it(`refused by the state (${name}): the block is skipped, then the refusal; nothing in it runs`, () => {
      const r = everySplit([...before, `${verb} ${N}\r\n${SMUGGLED}RSET\r\n`], 'read', options);
      expect(r.out.slice(-2)).toEqual([reply, '250 2.0.0 Ok']);
      expect(r.events).toEqual(['rset']);
      expect(r.state).toBe(before.length > 0 ? 'awaiting-mail' : 'awaiting-helo');
    });
  }

  it('refused session (554 at connect): the block is skipped, then 503; QUIT still served', () => {
    const conn = (split: (d: Uint8Array) => Uint8Array[]) => {
      const c = new ServerConnection({ hostname: 'mx.test', registry, autoAccept: [] });
      let out = '';
      const events: string[] = [];
      const pump = (): void => {
        for (let e = c.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = c.nextEvent()) {
          if (e.type === 'connect') c.reject();
          else {
            events.push(e.type);
            if ('needsAnswer' in e && e.needsAnswer) c.accept();
          }
        }
        out += dec.decode(c.dataToSend());
      };
      pump();
      for (const piece of split(enc.encode(`XPUT ${N}\r\n${SMUGGLED}QUIT\r\n`))) {
        c.receiveData(piece);
        pump();
      }
      return { out, events };
    };
    const whole = conn((d) => [d]);
    expect(conn(byteByByte)).toEqual(whole);
    expect(whole.out.split('\r\n').slice(1, 3)).toEqual(['503 5.5.1 Error: service refused, please QUIT', expect.stringMatching(/^221 /)]);
    expect(whole.events).toEqual(['quit']);
  });

  it('a private verb with a block works before EHLO', () => {
    const r = everySplit(['XPRIV 3\r\nabcRSET\r\n']);
    expect(r.out.slice(1)).toEqual(['250 2.0.0 stored 3', '250 2.0.0 Ok']);
    expect(r.events).toEqual(['command XPRIV 3', 'block XPRIV "abc"', 'rset']);
  });

  it('a block of 0 bytes: nothing to read; refused or accepted, the next line is a command', () => {
    expect(everySplit(['EHLO c.test\r\n', 'XPUT 0\r\nRSET\r\n']).events).toEqual(['command XPUT 0', 'block XPUT ""', 'rset']);
    expect(everySplit(['EHLO c.test\r\n', 'XPUT 0\r\nRSET\r\n'], 'reject').out.slice(2)).toEqual(['550 5.7.1 not for you', '250 2.0.0 Ok']);
    expect(everySplit(['XPUT 0\r\nRSET\r\n']).out.slice(1)).toEqual(['503 5.5.1 Error: send EHLO first', '250 2.0.0 Ok']);
  });

  it('within a transaction: skipped for a refused verb, the transaction goes on', () => {
    const r = everySplit(['EHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', `XPUT ${N}\r\n${SMUGGLED}RCPT TO:<b@y.test>\r\n`], 'reject');
    expect(r.out.slice(2)).toEqual(['250 2.1.0 Sender OK', '550 5.7.1 not for you', '250 2.1.5 Recipient OK']);
    expect(r.events).toEqual(['mail', `command XPUT ${N}`, 'rcpt']);
  });
});

describe('SRV-3 a custom verb with a blockLength whose block cannot be framed: 501 and close', () => {
  const bad: [string, string][] = [
    ['no length', 'XPUT\r\n'],
    ['a length the function refuses', 'XPUT 5x\r\n'],
    ['a length with a sign', 'XPUT -5\r\n'],
    ['a tab instead of SP (verb glued)', 'XPUT\t5\r\n'],
    ['NUL in the line', 'XPUT 5\0\r\n'],
    ['a bare LF in the line', 'XPUT 5\nx\r\n'],
    ['invalid UTF-8 in the line', 'XPUT 5 \xff\r\n'],
    ['too long a line', `XPUT ${'1'.repeat(600)}\r\n`],
    ['lower case verb, no length', 'xput abc\r\n'],
  ];
  for (const [name, line] of bad) {
    it(`${name}: 501, closed (synchronization); the bytes after it never run`, () => {
      const flights = ['EHLO c.test\r\n', `${line}${SMUGGLED}`];
      const r = name.startsWith('invalid') ? runLatin1(flights) : everySplit(flights);
      expect(r.out.slice(2)).toEqual(['501 5.5.4 Syntax error, block length unknown; closing connection']);
      expect(r.events).toEqual(['closed synchronization']);
    });
  }

  it('a blockLength that returns a non-integer or a negative number: 501 and close', () => {
    for (const value of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '5' as unknown as number]) {
      const odd: ExtensionDefinition = { keyword: 'XODD', verbs: [{ name: 'XODD', blockLength: () => value }] };
      const c = new ServerConnection({ hostname: 'mx.test', registry: [odd] });
      const events: ServerEvent[] = [];
      for (const flight of ['EHLO c.test\r\n', `XODD 1\r\n${SMUGGLED}`]) {
        c.receiveData(flight);
        for (let e = c.nextEvent(); e.type !== 'need-data' && e.type !== 'paused'; e = c.nextEvent()) {
          events.push(e);
          if (e.type === 'closed') break;
          if ('needsAnswer' in e && e.needsAnswer) c.accept();
        }
      }
      expect(dec.decode(c.dataToSend()), String(value)).toMatch(/501 5\.5\.4 Syntax error, block length unknown; closing connection\r\n$/);
      expect(events.map((e) => e.type), String(value)).toEqual(['connect', 'helo', 'closed']);
    }
  });

  it('a message in progress is aborted (closed) when the line closes the connection', () => {
    const r = everySplit(['EHLO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@y.test>\r\n', 'DATA\r\n', 'x\r\n'.repeat(3), 'XPUT 1\r\n']);
    // inside a message body, XPUT is content: nothing is closed
    expect(r.events).toEqual(['mail', 'rcpt', 'data-start']);
  });
});

/** Feeds flights as latin1 bytes (for invalid UTF-8), whole and byte by byte. */
function runLatin1(flights: readonly string[]): Outcome {
  const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
  const go = (split: (d: Uint8Array) => Uint8Array[]): Outcome => {
    const conn = new ServerConnection({ hostname: 'mx.test', registry });
    const events: string[] = [];
    let out = '';
    const pump = (): void => {
      for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'paused'; e = conn.nextEvent()) {
        if (e.type === 'closed') {
          events.push(`closed ${e.reason}`);
          break;
        }
        if (e.type === 'mail' || e.type === 'rcpt' || e.type === 'command') events.push(e.type);
        if ('needsAnswer' in e && e.needsAnswer) conn.accept();
      }
      out += dec.decode(conn.dataToSend());
    };
    pump();
    for (const f of flights) {
      for (const c of split(bytesOf(f))) {
        if (conn.state === 'closed') break;
        conn.receiveData(c);
        pump();
      }
    }
    return { out: out.split('\r\n').filter((l) => l !== '' && !l.startsWith('250-')), events, state: conn.state };
  };
  const whole = go((d) => [d]);
  expect(go(byteByByte)).toEqual(whole);
  return whole;
}

describe('continueCommand and a declared block', () => {
  const at = (verb: string, line: string) => {
    const c = new ServerConnection({ hostname: 'mx.test', registry: [...registry, { keyword: 'XOLD', verbs: [{ name: 'XOLD', mustBeLastInGroup: false }] }] });
    c.receiveData(`EHLO c.test\r\n`);
    for (let e = c.nextEvent(); e.type !== 'need-data'; e = c.nextEvent()) if ('needsAnswer' in e && e.needsAnswer) c.accept();
    c.receiveData(line);
    let e = c.nextEvent();
    while (e.type !== 'command' && e.type !== 'need-data') e = c.nextEvent();
    expect(e.type, verb).toBe('command');
    return c;
  };
  const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);

  it('a block verb reads exactly its declared length, nothing else', () => {
    const c = at('XPUT', 'XPUT 4\r\nabcd');
    expect(codeOf(() => c.continueCommand({ read: { bytes: 3 } }))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(codeOf(() => c.continueCommand({ reply: { code: 334, text: 'go' }, read: 'line' }))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    expect(codeOf(() => c.continueCommand({ reply: { code: 354, text: 'go' }, read: 'dot' }))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    // the decision is still pending after a refused step
    c.continueCommand({ read: { bytes: 4 } });
    const seen: string[] = [];
    for (let e = c.nextEvent(); e.type !== 'need-data' && e.type !== 'paused'; e = c.nextEvent()) seen.push(e.type === 'command-data' ? dec.decode(e.bytes) : e.type);
    expect(seen).toEqual(['abcd', 'command-end']);
  });

  it('a verb without a declared block cannot read bytes without a 3xx reply first (they would follow the line unframed)', () => {
    const c = at('XOLD', 'XOLD 4\r\n');
    expect(codeOf(() => c.continueCommand({ read: { bytes: 4 } }))).toBe('ERR_SMTP_INVALID_CONTINUATION');
    c.continueCommand({ reply: { code: 354, text: 'send 4 bytes' }, read: { bytes: 4 } });
    expect(dec.decode(c.dataToSend())).toMatch(/354 send 4 bytes\r\n$/);
  });

  it('a blockLength on a mustBeLastInGroup verb, or one that is not a function, is refused at registration', () => {
    const capCode = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    expect(capCode(() => new ExtensionRegistry().register({ keyword: 'XA', verbs: [{ name: 'XA', mustBeLastInGroup: true, blockLength: length }] }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(capCode(() => new ExtensionRegistry().register({ keyword: 'XA', verbs: [{ name: 'XA', blockLength: 5 as unknown as () => number }] }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(new ExtensionRegistry().register({ keyword: 'XA', verbs: [{ name: 'xa', blockLength: length }] }).verb('XA')?.blockLength).toBe(length);
  });

  it('a registry instance (not a list) carries the blockLength to the session', () => {
    const reg = new ExtensionRegistry().register(XPUT);
    const r = run(['EHLO c.test\r\n', `XPUT ${N}\r\n${SMUGGLED}RSET\r\n`], 'reject', { registry: reg });
    expect(r.out.slice(2)).toEqual(['550 5.7.1 not for you', '250 2.0.0 Ok']);
    expect(r.events).toEqual([`command XPUT ${N}`, 'rset']);
  });
});

describe('SRV-3 BDAT when CHUNKING is not advertised: its chunk is consumed, never run as commands', () => {
  it('CHUNKING switched off: 502 after the chunk, in and out of a transaction', () => {
    const out = everySplit(['EHLO c.test\r\n', `BDAT ${N}\r\n${SMUGGLED}RSET\r\n`, 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@y.test>\r\n', `BDAT ${N} LAST\r\n${SMUGGLED}RSET\r\n`], 'read', { extensions: { chunking: false } });
    expect(out.out.slice(2)).toEqual(['502 5.5.1 Error: BDAT not implemented', '250 2.0.0 Ok', '250 2.1.0 Sender OK', '250 2.1.5 Recipient OK', '502 5.5.1 Error: BDAT not implemented', '250 2.0.0 Ok']);
    expect(out.events).toEqual(['rset', 'mail', 'rcpt', 'rset']);
  });

  it('before EHLO and after HELO (CHUNKING not in any EHLO reply): the chunk is consumed, never run as commands', () => {
    const early = everySplit([`BDAT ${N}\r\n${SMUGGLED}RSET\r\n`]);
    expect(early.out.slice(1)).toEqual(['503 5.5.1 Error: need MAIL command', '250 2.0.0 Ok']);
    expect(early.events).toEqual(['rset']);
    const helo = everySplit(['HELO c.test\r\n', 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@y.test>\r\n', `BDAT ${N} LAST\r\n${SMUGGLED}RSET\r\n`]);
    // (the session takes BDAT after HELO as Postfix does; what matters: the chunk is the message)
    expect(helo.events).toEqual(['mail', 'rcpt', 'data-start', 'message-end', 'rset']);
  });
});
