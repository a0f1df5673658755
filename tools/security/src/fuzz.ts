/**
 * Fuzzing every parser with fast-check (TEST-4): only typed errors, bounded memory (buffered bytes
 * never past the limits), the same result for any split of the input, and time linear in the input.
 *
 * `pnpm fuzz` runs `FUZZ_RUNS` cases per parser (default 1,000,000; `FUZZ_ONLY=reply-reader,...`
 * selects parsers, `FUZZ_SEED` fixes the seed). A counterexample is written to
 * `tools/security/test/regressions/<parser>-<seed>.json`, which `fuzz.test.ts` replays forever after.
 * The vitest run (`test/fuzz.test.ts`) uses a few hundred runs per parser.
 */
import fc from 'fast-check';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REPLY_LIMITS, ReplyReader, isReplyReaderError as isReplyError } from 'smtp-reply-reader';
import type { Reply } from 'smtp-reply-reader';
import { parseEhloReplyText, parseEhloReply, isCapabilitiesError, DEFAULT_EHLO_PARSE_LIMITS } from 'smtp-capabilities';
import { isClientArgsError as isArgsError, parseMailFrom, parsePath, parseRcptTo, xtextDecode, xtextEncode } from 'smtp-client-args';
import { classify, isSmtpErrorsError } from 'smtp-errors';
import { DEFAULT_LIMITS, ServerConnection, isSmtpServerError } from 'esmtp-server-fsm';
import { ClientConnection, isSmtpClientError } from 'smtp-client-fsm';
import { endErrorDelay, splitAt } from '@smtpkit/testkit';

const enc = new TextEncoder();
const dec = new TextDecoder();

// ---------------------------------------------------------------------------------------------
// Alphabets: protocol tokens mixed with raw bytes, so random strings reach deep parser states.

const REPLY_TOKENS = ['250', '220', '421', '550', '354', '199', '600', '25', '2500', '-', ' ', '\r\n', '\r', '\n', '\0', 'ok', '2.0.0', '5.1.1', '4.', '.', 'PIPELINING', 'STARTTLS', 'AUTH', 'SIZE', '=', 'PLAIN', '99999999999999999999999', 'é', '\t', 'x'];
const COMMAND_TOKENS = ['EHLO ', 'HELO ', 'MAIL FROM:', 'RCPT TO:', 'DATA', 'BDAT ', 'LAST', 'RSET', 'NOOP', 'QUIT', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', 'VRFY ', 'XCLIENT ', '<', '>', '@', 'a', 'b.example', '"', '\\', ' ', '\r\n', '\r', '\n', '\0', '.', '..', '\r\n.\r\n', 'SIZE=', 'BODY=8BITMIME', 'ENVID=', 'ORCPT=rfc822;', '+0D', '+', 'SMTPUTF8', 'ü', 'Ü', 'ש', 'ع', '١', '1', '\u0301', 'ｆ', '\u200b', '10', '999999999999999999999', '*', '=', 'AAAA'];
const PATH_TOKENS = ['<', '>', '@', '"', '\\', '[', ']', 'IPv6:', '::1', '127.0.0.1', ':', ',', '@a.example', 'a', 'b', '.', '-', ' ', '\r', '\n', '\0', '\x7f', 'é', '\u200b', 'postmaster', 'x'.repeat(70), 'SIZE=1', 'NOTIFY=NEVER', 'ORCPT=rfc822;a+2Bb', 'ENVID=+4', 'RET=HDRS', 'FROM:', 'TO:', '='];
const XTEXT_TOKENS = ['+', '2B', '0D', '0A', '0d', 'G', '=', ' ', 'a', 'Z', '~', '!', '\x7f', '\r', 'é', '+4', '+3D'];
const CLASSIFY_TOKENS = ['550', '5.1.1', '4.2.2', 'user unknown', 'mailbox full', 'spam', 'blocked', 'relay', 'denied', 'quota', 'over', ' ', '\r\n', '-', '5.', '.', 'x'.repeat(40), 'é', '\0', '421', 'try again later', 'http://', '999.999.999'];

const fromTokens = (tokens: readonly string[], maxLength = 80): fc.Arbitrary<string> =>
  fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), { maxLength }).map((a) => a.join(''));

const splitsOf = fc.array(fc.nat(), { maxLength: 8 });

const chunksOf = (data: Uint8Array, offsets: readonly number[]): Uint8Array[] =>
  splitAt(
    data,
    offsets.map((o) => (data.length > 0 ? o % data.length : 0)),
  );

/** True for the packages' typed errors (a brand and a stable string code). */
function typed(e: unknown): boolean {
  return isReplyError(e) || isArgsError(e) || isCapabilitiesError(e) || isSmtpErrorsError(e) || isSmtpServerError(e) || isSmtpClientError(e);
}

function mustBeTyped(e: unknown): void {
  if (!typed(e)) throw new Error(`untyped exception: ${String(e)}`, { cause: e });
}

// ---------------------------------------------------------------------------------------------
// One property per parser

/** A parser under fuzzing: its input generator and the check of one input. */
export interface Fuzzer {
  readonly arbitrary: fc.Arbitrary<readonly unknown[]>;
  readonly check: (args: readonly unknown[]) => void;
}

function fuzzer<T extends unknown[]>(arbitrary: fc.Arbitrary<T>, check: (...args: T) => void): Fuzzer {
  return { arbitrary, check: (args) => check(...(args as T)) };
}

/** The fast-check property of a fuzzer. */
export function propertyOf(f: Fuzzer): fc.IPropertyWithHooks<[readonly unknown[]]> {
  return fc.property(f.arbitrary, (args) => f.check(args));
}

/** Runs a reply reader over chunks; the result is comparable across splits. */
function readReplies(chunks: readonly Uint8Array[]): { replies: string[]; error?: string; maxBuffered: number } {
  const reader = new ReplyReader();
  const replies: string[] = [];
  let maxBuffered = 0;
  try {
    for (const c of chunks) {
      for (const r of reader.push(c)) replies.push(`${String(r.code)}|${r.lines.join('\n')}`);
      maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
    }
  } catch (e) {
    mustBeTyped(e);
    // the replies completed before the error, in the same chunk, travel on the error
    for (const r of (e as { replies?: readonly Reply[] }).replies ?? []) replies.push(`${String(r.code)}|${r.lines.join('\n')}`);
    return { replies, error: (e as { code: string }).code, maxBuffered };
  }
  return { replies, maxBuffered };
}

/** Drives a server session over chunks, accepting every decision; output comparable across splits. */
function serveChunks(chunks: readonly Uint8Array[]): { out: string; events: string[]; maxBuffered: number } {
  const server = new ServerConnection({ hostname: 'mx.test', starttls: true, auth: { mechanisms: ['PLAIN', 'LOGIN'], allowInsecure: true }, extensions: { chunking: true }, pipeliningSync: 'off' });
  const events: string[] = [];
  let out = '';
  let maxBuffered = 0;
  let tls = false;
  const pump = (): void => {
    for (let i = 0; i < 100_000; i++) {
      const e = server.nextEvent();
      if (e.type === 'paused' && endErrorDelay(server)) continue; // the clock jumps past a DOS-5 tarpit
      if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') break;
      if (e.type === 'tls-start') {
        // later plaintext chunks would be TLS handshake bytes: the plaintext part ends here
        tls = true;
        events.push(e.type);
        continue;
      }
      if (e.type !== 'data-chunk') events.push(e.type);
      if ('needsAnswer' in e && e.needsAnswer) server.accept();
    }
    out += dec.decode(server.dataToSend());
  };
  pump();
  for (const c of chunks) {
    if (server.shouldClose || tls) break;
    try {
      server.receiveData(c);
    } catch (e) {
      // bytes during a TLS handshake are a usage error, and typed
      mustBeTyped(e);
    }
    pump();
    maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
  }
  return { out, events, maxBuffered };
}

/** Drives a client with one message against arbitrary server bytes. */
/** The input cut after every LF (the last piece may lack one). */
function linesOf(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      out.push(data.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < data.length) out.push(data.subarray(start));
  return out;
}

function clientOver(chunks: readonly Uint8Array[]): { events: string[]; wire: string } {
  const client = new ClientConnection({ hostname: 'client.test' });
  client.sendMessage({ from: 'a@example.com', to: ['b@example.org', 'c@example.org'], body: 'Subject: x\r\n\r\nhi\r\n' });
  client.quit();
  const events: string[] = [];
  let wire = '';
  const drain = (): void => {
    for (let i = 0, e = client.nextEvent(); e.type !== 'need-data' && i < 100_000; e = client.nextEvent(), i++) {
      if (e.type === 'tls-start') client.tlsEstablished();
      if (e.type === 'error') events.push(e.code);
      if (e.type === 'message-sent') events.push(`sent:${e.outcome}`);
    }
    wire += dec.decode(client.dataToSend());
  };
  drain();
  for (const c of chunks) {
    if (client.closed) break;
    client.receiveData(c);
    drain();
  }
  if (!client.closed) {
    client.receiveEof();
    drain();
  }
  return { events, wire };
}

const REPLY_BOUND = DEFAULT_REPLY_LIMITS.maxReplyBytes + DEFAULT_REPLY_LIMITS.maxLineLength;
const SERVER_BOUND = DEFAULT_LIMITS.maxAuthLine + 65536;

/** The properties, keyed by parser name. */
export function properties(): Record<string, Fuzzer> {
  return {
    'reply-reader': fuzzer(fc.tuple(fromTokens(REPLY_TOKENS), splitsOf), (text, offsets) => {
      const data = enc.encode(text);
      const whole = readReplies([data]);
      const split = readReplies(chunksOf(data, offsets));
      if (JSON.stringify({ ...whole, maxBuffered: 0 }) !== JSON.stringify({ ...split, maxBuffered: 0 })) throw new Error('split changed the result');
      if (split.maxBuffered > REPLY_BOUND) throw new Error(`buffered ${String(split.maxBuffered)}`);
    }),
    'parse-ehlo': fuzzer(fc.tuple(fromTokens(REPLY_TOKENS, 120)), (text) => {
      const caps = parseEhloReplyText(text);
      if (caps.toJSON().keywords.length > DEFAULT_EHLO_PARSE_LIMITS.maxKeywords) throw new Error('keyword cap');
      // the same text through the reader, when it is one valid reply
      try {
        const r = new ReplyReader({ lineEndings: 'lenient' }).push(text)[0];
        if (r) parseEhloReply(r);
      } catch (e) {
        mustBeTyped(e);
      }
    }),
    'parse-mail-from': fuzzer(fc.tuple(fromTokens(PATH_TOKENS, 40), fc.boolean()), (text, utf8) => {
      try {
        parseMailFrom('FROM:' + text, { advertised: ['SIZE', 'DSN', '8BITMIME', 'SMTPUTF8'], smtpUtf8: utf8 });
      } catch (e) {
        mustBeTyped(e);
      }
    }),
    'parse-rcpt-to': fuzzer(fc.tuple(fromTokens(PATH_TOKENS, 40)), (text) => {
      try {
        parseRcptTo('TO:' + text, { advertised: ['DSN'] });
      } catch (e) {
        mustBeTyped(e);
      }
    }),
    'parse-path': fuzzer(fc.tuple(fromTokens(PATH_TOKENS, 40)), (text) => {
      try {
        parsePath(text);
      } catch (e) {
        mustBeTyped(e);
      }
    }),
    'xtext-decode': fuzzer(fc.tuple(fromTokens(XTEXT_TOKENS, 40)), (text) => {
      let decoded: string;
      try {
        decoded = xtextDecode(text);
      } catch (e) {
        mustBeTyped(e);
        return;
      }
      // anything that decodes re-encodes to something that decodes to the same value
      if (xtextDecode(xtextEncode(decoded)) !== decoded) throw new Error('xtext round trip');
    }),
    classify: fuzzer(fc.tuple(fromTokens(CLASSIFY_TOKENS, 60)), (text) => {
      try {
        const c = classify(text);
        if (!Number.isInteger(c.id)) throw new Error('no class id');
      } catch (e) {
        mustBeTyped(e);
      }
    }),
    'server-commands': fuzzer(fc.tuple(fromTokens(COMMAND_TOKENS, 60), splitsOf), (text, offsets) => {
      const data = enc.encode('EHLO fuzz.example\r\n' + text);
      const whole = serveChunks([data]);
      const split = serveChunks(chunksOf(data, offsets));
      if (whole.out !== split.out || whole.events.join() !== split.events.join()) throw new Error('split changed the session');
      if (split.maxBuffered > SERVER_BOUND) throw new Error(`buffered ${String(split.maxBuffered)}`);
    }),
    'client-replies': fuzzer(fc.tuple(fromTokens(REPLY_TOKENS, 60), splitsOf), (text, offsets) => {
      // A server answers only what it has received (RPL-5), so the baseline delivers one line per
      // flight; the split run cuts those lines further at the random offsets.
      const lines = linesOf(enc.encode('220 mx ESMTP\r\n' + text));
      try {
        const whole = clientOver(lines);
        const split = clientOver(lines.flatMap((line) => chunksOf(line, offsets)));
        if (whole.events.join() !== split.events.join()) throw new Error(`split changed the outcome: ${whole.events.join()} / ${split.events.join()}`);
        if (/\r(?!\n)|(?<!\r)\n/.test(split.wire)) throw new Error('bare line ending on the client wire');
      } catch (e) {
        if (e instanceof Error && /split changed|bare line/.test(e.message)) throw e;
        mustBeTyped(e);
      }
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Linear time: a pathological input at n and 8n; a quadratic parser would take ~64x as long.

/** Pathological inputs per parser (size n in bytes). */
export const LINEAR_CASES: Record<string, (n: number) => () => void> = {
  'reply-reader': (n) => {
    const data = enc.encode('250-' + 'x '.repeat(n / 2));
    return () => {
      try {
        new ReplyReader({ maxLineLength: n + 16, maxReplyBytes: n + 16 }).push(data);
      } catch (e) {
        mustBeTyped(e);
      }
    };
  },
  'parse-ehlo': (n) => {
    const text = '250-mail.example\r\n250-AUTH' + ' '.repeat(n) + 'x\r\n250 OK\r\n';
    return () => void parseEhloReplyText(text);
  },
  'parse-path': (n) => {
    const text = '<' + 'a'.repeat(n) + '>';
    return () => {
      try {
        parsePath(text, { limits: { path: n + 10, localPart: n + 10 } });
      } catch (e) {
        mustBeTyped(e);
      }
    };
  },
  'parse-mail-from': (n) => {
    const text = 'FROM:<"' + 'a\\"'.repeat(n / 3) + '"@b.example> ' + 'ENVID=' + '+2B'.repeat(n / 3);
    return () => {
      try {
        parseMailFrom(text, { advertised: ['DSN'], limits: { path: 4 * n, localPart: 4 * n, domain: 255 } });
      } catch (e) {
        mustBeTyped(e);
      }
    };
  },
  'xtext-decode': (n) => {
    const text = '+2B'.repeat(n / 3);
    return () => void xtextDecode(text);
  },
  classify: (n) => {
    const text = '550 ' + 'user unknown mailbox '.repeat(n / 21);
    return () => void classify(text);
  },
  'server-commands': (n) => {
    const data = enc.encode('EHLO a\r\n' + 'A'.repeat(n) + '\r\n');
    return () => void serveChunks([data]);
  },
  'client-replies': (n) => {
    const data = enc.encode('220 mx ESMTP\r\n250-mx\r\n' + '250-X\r\n'.repeat(n / 7));
    return () => void clientOver([data]);
  },
};

/** Median of `reps` timings of `f`, in ms. */
function timeOf(f: () => void, reps = 5): number {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(reps / 2)]!;
}

/** time(8n) / time(n) for a parser (about 8 when linear, about 64 when quadratic). */
export function linearRatio(parser: string, n = 1 << 17): number {
  const make = LINEAR_CASES[parser];
  if (!make) throw new Error(`no linear case for ${parser}`);
  const small = make(n);
  const big = make(n * 8);
  small();
  big(); // warm up
  return timeOf(big) / Math.max(timeOf(small), 0.05);
}

// ---------------------------------------------------------------------------------------------
// Regression fixtures

export const REGRESSIONS_DIR = fileURLToPath(new URL('../test/regressions/', import.meta.url));

/** A counterexample kept as a regression fixture. */
export interface Regression {
  readonly parser: string;
  /** The arguments of the property, as fast-check reported them. */
  readonly args: readonly unknown[];
  readonly seed: number;
  readonly error: string;
}

export function loadRegressions(): Regression[] {
  let files: string[] = [];
  try {
    files = readdirSync(REGRESSIONS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => JSON.parse(readFileSync(REGRESSIONS_DIR + f, 'utf8')) as Regression);
}

/** Re-runs a regression's arguments through its property; throws when it still fails. */
export function replay(r: Regression): void {
  const f = properties()[r.parser];
  if (!f) throw new Error(`unknown parser ${r.parser}`);
  f.check(r.args);
}

/** Runs the properties; writes a fixture for each failure; returns the failing parsers. */
export function fuzz(runs: number, only?: readonly string[], seed = Date.now() % 2 ** 31): string[] {
  const failed: string[] = [];
  for (const [name, f] of Object.entries(properties())) {
    if (only && only.length > 0 && !only.includes(name)) continue;
    const start = performance.now();
    const result = fc.check(propertyOf(f), { numRuns: runs, seed });
    const secs = ((performance.now() - start) / 1000).toFixed(1);
    if (result.failed && result.counterexample) {
      failed.push(name);
      mkdirSync(REGRESSIONS_DIR, { recursive: true });
      const fixture: Regression = { parser: name, args: result.counterexample[0], seed, error: result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance) };
      writeFileSync(`${REGRESSIONS_DIR}${name}-${String(seed)}.json`, JSON.stringify(fixture, null, 1) + '\n');
      console.log(`FAIL ${name} after ${String(result.numRuns)} runs (${secs} s): ${fixture.error}`);
    } else console.log(`ok   ${name}: ${String(result.numRuns)} runs in ${secs} s`);
  }
  for (const name of Object.keys(LINEAR_CASES)) {
    if (only && only.length > 0 && !only.includes(name)) continue;
    const ratio = linearRatio(name);
    const ok = ratio < 32;
    if (!ok) failed.push(`${name} (time)`);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: time(8n)/time(n) = ${ratio.toFixed(1)} (linear ~8, quadratic ~64)`);
  }
  return failed;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const runs = Number(process.env['FUZZ_RUNS'] ?? 1_000_000);
  const only = (process.env['FUZZ_ONLY'] ?? '').split(',').filter((x) => x.length > 0);
  const seed = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : undefined;
  console.log(`fuzzing ${String(runs)} runs per parser${seed !== undefined ? `, seed ${String(seed)}` : ''}`);
  const failed = fuzz(runs, only, seed);
  if (failed.length > 0) {
    console.log(`failures: ${failed.join(', ')}; fixtures in ${REGRESSIONS_DIR}`);
    process.exitCode = 1;
  }
}
