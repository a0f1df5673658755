/**
 * The one transcript format of smtpkit and its runner, for both state machines.
 *
 * A transcript is a conversation as it is on the wire, one line per line. The same file format
 * drives a server session (`ServerConnection`: the `C:` lines are fed to it, the `S:` lines are what
 * it must write) or a client session (`ClientConnection`: the `S:` lines are fed, the `C:` lines are
 * expected). The side is chosen by the test that runs the file, not by the file.
 *
 * ```text
 * # comment (ignored), blank lines ignored
 * @options {json}          constructor options of the session under test
 * @message {json}          client: sendMessage(json) before the first flight (repeatable, in order)
 * @quit                    client: quit() after the messages are queued
 * @reject <point> [<substring>] => <code> [<enhanced>] <text>
 * @accept <point> [<substring>] => <code> [<enhanced>] <text>
 *                          server: answer the decision at <point> (connect, helo, auth, mail, rcpt,
 *                          data-start, message-end, vrfy, expn, command, xclient) whose subject
 *                          contains <substring>; every other decision is accepted with the default reply
 * @tls                     complete the TLS handshake at once whenever the session asks for it
 *                          (its tls-start event; the STARTTLS 220 exchange is the upgrade point).
 *                          Without it the handshake never completes and later bytes are still fed
 *                          as plaintext, which is how STARTTLS injection is tested
 * @pause                   end the current flight here: what came before is fed and the output
 *                          checked, even if no expected line follows (empty output)
 * @eof                     the peer closes its side after the current flight (ignored when the
 *                          session already closed)
 * C: <text>                a client line; CRLF is appended
 * C+: <text>               client bytes with no CRLF appended (write \r\n yourself)
 * S: <text>                a server line; CRLF is appended
 * S+: <text>               server bytes with no CRLF appended
 * M: <text>                server: the exact bytes of the next accepted message body
 * A: <reason>              server: the next message-abort reason
 * E: {json}                an event the session must emit: the events must contain these, in
 *                          this order (other events may come between); objects match by subset,
 *                          arrays element by element
 * X: <reason>              the session closes with this reason (its closed event)
 * ```
 *
 * Escapes in `C:`, `C+:`, `S:`, `S+:` and `M:`: `\r`, `\n`, `\0`, `\\` and `\xHH` (one raw byte);
 * everything else is UTF-8. A body is written line by line as it is on the wire (dot-stuffed, ending
 * with `C: .`); a `BDAT` chunk with `C+:` and explicit `\r\n`.
 *
 * Flights: consecutive input lines (the other side's) form one flight, fed whole, byte by byte or at
 * any split; the session's output after a flight must equal the expected lines that follow it, up to
 * the next input line. The output written before any input (a banner) is compared with the expected
 * lines at the top of the file.
 */

/** The side of the conversation the runner drives: the session under test. */
export type TranscriptSide = 'client' | 'server';

/** A decision rule (`@accept` / `@reject`) for a server under test. */
export interface TranscriptRule {
  readonly point: string;
  readonly match: string;
  readonly positive: boolean;
  readonly reply: { readonly code: number; readonly enhanced?: string; readonly text: string };
}

/** One flight: bytes fed to the session, then the output expected from it. */
export interface TranscriptStep {
  /** Bytes from the peer (empty for the output before any input). */
  readonly input: Uint8Array;
  /** The peer closes its side after this flight. */
  readonly eof: boolean;
  /** What the session must write after the flight, CRLFs included. */
  readonly expected: string;
  /** 1-based line of the transcript where the flight starts (for failure messages). */
  readonly line: number;
}

/** A parsed transcript, for one side. */
export interface Transcript {
  readonly side: TranscriptSide;
  readonly options: Record<string, unknown>;
  readonly messagesToSend: readonly unknown[];
  readonly quit: boolean;
  readonly rules: readonly TranscriptRule[];
  readonly tls: boolean;
  readonly steps: readonly TranscriptStep[];
  /** `M:` lines: expected message bodies, in order. */
  readonly messages: readonly string[];
  /** `A:` lines: expected message-abort reasons, in order. */
  readonly aborts: readonly string[];
  /** `E:` lines: expected events (subset patterns), in order. */
  readonly events: readonly unknown[];
  /** `X:` line: the expected close reason. */
  readonly closed: string | undefined;
}

import { byteByByte, concatBytes, joinBytes, randomSplits } from './split.js';
import { endErrorDelay, type DelayingServer } from './tarpit.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Decodes the escapes of a transcript line into bytes: `\r`, `\n`, `\0`, `\\`, `\xHH` (a raw byte);
 * the rest is UTF-8.
 */
export function transcriptBytes(text: string): Uint8Array {
  const out: number[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain !== '') for (const b of enc.encode(plain)) out.push(b);
    plain = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      plain += c;
      continue;
    }
    const n = text[i + 1]!;
    if (n === 'r' || n === 'n' || n === '0' || n === '\\') {
      plain += n === 'r' ? '\r' : n === 'n' ? '\n' : n === '0' ? '\0' : '\\';
      i++;
    } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      flush();
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else plain += c;
  }
  flush();
  return Uint8Array.from(out);
}


/** Text of bytes for comparisons: UTF-8 where valid, each other byte as U+FFFD (as TextDecoder). */
function text(bytes: Uint8Array): string {
  return dec.decode(bytes);
}

const CRLF = Uint8Array.of(13, 10);

/**
 * Parses a transcript for the side under test. Throws on a line it does not know (a typo must not
 * silently drop a check).
 */
export function parseTranscript(source: string, side: TranscriptSide): Transcript {
  let options: Record<string, unknown> = {};
  const messagesToSend: unknown[] = [];
  let quit = false;
  const rules: TranscriptRule[] = [];
  let tls = false;
  const messages: string[] = [];
  const aborts: string[] = [];
  const events: unknown[] = [];
  let closed: string | undefined;
  const inputTag = side === 'server' ? 'C' : 'S';
  const steps: { input: Uint8Array[]; eof: boolean; expected: Uint8Array[]; line: number; sealed: boolean }[] = [];
  const current = (n: number) => {
    let cur = steps[steps.length - 1];
    if (cur === undefined) {
      cur = { input: [], eof: false, expected: [], line: n, sealed: false };
      steps.push(cur);
    }
    return cur;
  };
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const tag = /^([CSMAEX]\+?): ?/.exec(line);
    if (tag) {
      const kind = tag[1]!;
      const rest = line.slice(tag[0].length);
      if (kind === 'C' || kind === 'C+' || kind === 'S' || kind === 'S+') {
        const bytes = kind.endsWith('+') ? transcriptBytes(rest) : concatBytes(transcriptBytes(rest), CRLF);
        if (kind[0] === inputTag) {
          let cur = current(n);
          if (cur.expected.length > 0 || cur.sealed || cur.eof) {
            cur = { input: [], eof: false, expected: [], line: n, sealed: false };
            steps.push(cur);
          }
          cur.input.push(bytes);
        } else current(n).expected.push(bytes);
      } else if (kind === 'M') messages.push(text(transcriptBytes(rest)));
      else if (kind === 'A') aborts.push(rest);
      else if (kind === 'E') events.push(JSON.parse(rest));
      else if (kind === 'X') closed = rest;
      else throw new Error(`transcript line ${n}: unknown tag ${kind}`);
      continue;
    }
    if (line.startsWith('@options ')) options = JSON.parse(line.slice(9)) as Record<string, unknown>;
    else if (line.startsWith('@message ')) messagesToSend.push(JSON.parse(line.slice(9)));
    else if (line === '@quit') quit = true;
    else if (line === '@tls') tls = true;
    else if (line === '@pause') current(n).sealed = true;
    else if (line === '@eof') current(n).eof = true;
    else if (line.startsWith('@reject ') || line.startsWith('@accept ')) {
      const arrow = line.indexOf(' => ');
      if (arrow < 0) throw new Error(`transcript line ${n}: expected "<point> [<substring>] => <reply>"`);
      const lhs = line.slice(8, arrow);
      const rhs = line.slice(arrow + 4);
      const sp = lhs.indexOf(' ');
      const m = /^(\d{3}) (\d\.\d{1,3}\.\d{1,3}) ?(.*)$/.exec(rhs);
      rules.push({
        point: sp < 0 ? lhs : lhs.slice(0, sp),
        match: sp < 0 ? '' : lhs.slice(sp + 1),
        positive: line.startsWith('@accept'),
        reply: m ? { code: Number(m[1]), enhanced: m[2]!, text: m[3]! } : { code: Number(rhs.slice(0, 3)), text: rhs.slice(4) },
      });
    } else throw new Error(`transcript line ${n}: cannot read ${JSON.stringify(line)}`);
  }
  return {
    side,
    options,
    messagesToSend,
    quit,
    rules,
    tls,
    steps: steps.map((s) => ({ input: joinBytes(s.input), eof: s.eof, expected: text(joinBytes(s.expected)), line: s.line })),
    messages,
    aborts,
    events,
    closed,
  };
}

/** The smallest surface of a sans-IO session the runner drives (both `ClientConnection` and `ServerConnection` have it). */
export interface TranscriptSession {
  receiveData(data: Uint8Array): void;
  receiveEof(): void;
  nextEvent(): { readonly type: string };
  dataToSend(): Uint8Array;
  tlsEstablished(): void;
}

/** What a server under test needs beyond {@link TranscriptSession}: answers to its decisions. */
export interface TranscriptServerSession extends TranscriptSession {
  accept(reply?: TranscriptRule['reply']): void;
  reject(reply: TranscriptRule['reply']): void;
}

/** What a client under test needs beyond {@link TranscriptSession}: work to do. */
export interface TranscriptClientSession extends TranscriptSession {
  sendMessage(message: never): unknown;
  quit(): void;
}

/** What a run produced, in the shape of {@link expectedOutcome}, so a test compares the two with one `toEqual`. */
export interface TranscriptOutcome {
  /** Output after each flight, one entry per step, prefixed with the flight's transcript line. */
  readonly output: readonly string[];
  readonly messages: readonly string[];
  readonly aborts: readonly string[];
  /** For each `E:` pattern: the pattern when a matching event came in order, else a description of the miss. */
  readonly events: readonly unknown[];
  readonly closed: string | undefined;
}

/** Every event the session emitted, in order (plain objects; for a failure message or an extra check). */
export interface TranscriptRun extends TranscriptOutcome {
  readonly allEvents: readonly { readonly type: string }[];
}

/** The outcome a transcript expects (compare with {@link runTranscript}'s result). */
export function expectedOutcome(t: Transcript): TranscriptOutcome {
  return {
    output: t.steps.map((s) => `line ${s.line}: ${s.expected}`),
    messages: t.messages,
    aborts: t.aborts,
    events: t.events,
    closed: t.closed,
  };
}

/** Subset match: objects by the pattern's keys, arrays element by element, the rest with `Object.is`. */
export function matchesPattern(actual: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(actual) && actual.length === pattern.length && pattern.every((p, i) => matchesPattern(actual[i], p));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    if (typeof actual !== 'object' || actual === null) return false;
    return Object.entries(pattern).every(([k, v]) => matchesPattern((actual as Record<string, unknown>)[k], v));
  }
  return Object.is(actual, pattern);
}

function matchEvents(all: readonly { readonly type: string }[], patterns: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  let from = 0;
  for (const p of patterns) {
    let found = -1;
    for (let i = from; i < all.length; i++) {
      if (matchesPattern(all[i], p)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      out.push({ missing: p, after: all.slice(from).map((e) => e.type) });
    } else {
      out.push(p);
      from = found + 1;
    }
  }
  return out;
}

interface DecisionEvent {
  readonly type: string;
  readonly needsAnswer?: boolean;
  readonly [key: string]: unknown;
}

/** The decision point and the subject a rule's substring is matched against. */
function decisionOf(e: DecisionEvent): { point: string; subject: string } | undefined {
  if (e.needsAnswer !== true) return undefined;
  const s = (v: unknown): string => (typeof v === 'string' ? v : '');
  switch (e.type) {
    case 'connect':
      return { point: 'connect', subject: '' };
    case 'helo':
      return { point: 'helo', subject: s(e['domain']) };
    case 'auth': {
      const c = (e['credentials'] ?? {}) as Record<string, unknown>;
      return { point: 'auth', subject: `${s(c['username'])}:${s(c['password'] ?? c['token'] ?? c['response'])}` };
    }
    case 'mail':
      return { point: 'mail', subject: s(e['from']) };
    case 'rcpt':
      return { point: 'rcpt', subject: s(e['to']) };
    case 'data-start':
      return { point: 'data-start', subject: s(e['mode']) };
    case 'message-end':
      return { point: 'message-end', subject: '' };
    case 'vrfy':
    case 'expn':
      return { point: e.type, subject: s(e['argument']) };
    case 'command':
      return { point: 'command', subject: `${s(e['verb'])} ${s(e['argument'])}` };
    case 'xclient':
      return { point: 'xclient', subject: JSON.stringify(e['attributes']) };
    default:
      return { point: e.type, subject: '' };
  }
}

/** How the runner splits each flight: `(bytes) => pieces`, for example `byteByByte` or one random splitting. */
export type FlightSplitter = (data: Uint8Array) => readonly Uint8Array[];

const MAX_EVENTS_PER_DRAIN = 100_000;

/**
 * Runs a transcript against a fresh session made by `create(options)`, feeding each flight split by
 * `split`. The session is either side: a server is answered by the `@accept`/`@reject` rules, a
 * client is given the `@message`s and `@quit` first.
 *
 * @example
 * ```ts
 * const t = parseTranscript(readFileSync(file, 'utf8'), 'server');
 * const run = runTranscript(t, (o) => new ServerConnection({ hostname: 'mx.test', ...o }), byteByByte);
 * expect(run).toMatchObject(expectedOutcome(t));
 * ```
 */
export function runTranscript(
  t: Transcript,
  create: (options: Record<string, unknown>) => TranscriptServerSession | TranscriptClientSession,
  split: FlightSplitter = (d) => [d],
): TranscriptRun {
  const session = create(t.options);
  const allEvents: { readonly type: string }[] = [];
  const messages: string[] = [];
  const aborts: string[] = [];
  let body: Uint8Array[] = [];
  let closed: string | undefined;
  let isClosed = false;

  if (t.side === 'client') {
    const client = session as TranscriptClientSession;
    for (const m of t.messagesToSend) client.sendMessage(m as never);
    if (t.quit) client.quit();
  }

  const drain = (): void => {
    for (let n = 0; n < MAX_EVENTS_PER_DRAIN; n++) {
      const e = session.nextEvent() as DecisionEvent;
      if (e.type === 'need-data') return;
      if (e.type === 'paused') {
        // The transcript's clock jumps: a server paused on its error-delay tarpit (DOS-5) goes on at once.
        if ('pendingTimeout' in session && endErrorDelay(session as unknown as DelayingServer)) continue;
        return;
      }
      allEvents.push(e);
      if (e.type === 'closed') {
        closed = typeof e['reason'] === 'string' ? e['reason'] : undefined;
        isClosed = true;
        return;
      }
      if (e.type === 'tls-start') {
        // Without @tls the handshake never completes: the bytes that follow are still fed, as a
        // host passes on what arrived in the same segment (STARTTLS injection, RFC 3207 §5).
        if (t.tls) session.tlsEstablished();
        continue;
      }
      if (t.side !== 'server') continue;
      const server = session as TranscriptServerSession;
      if (e.type === 'data-start') body = [];
      if (e.type === 'data-chunk' && e['bytes'] instanceof Uint8Array) body.push(e['bytes']);
      if (e.type === 'message-abort') {
        aborts.push(typeof e['reason'] === 'string' ? e['reason'] : String(e['reason']));
        body = [];
      }
      const d = decisionOf(e);
      if (d === undefined) continue;
      const rule = t.rules.find((r) => r.point === d.point && d.subject.includes(r.match));
      if (e.type === 'message-end' && (rule === undefined || rule.positive)) {
        messages.push(text(joinBytes(body)));
        body = [];
      }
      if (rule === undefined) server.accept();
      else if (rule.positive) server.accept(rule.reply);
      else server.reject(rule.reply);
    }
    throw new Error(`transcript: the session emitted more than ${MAX_EVENTS_PER_DRAIN} events without waiting for input`);
  };

  drain();
  const output: string[] = [];
  for (const step of t.steps) {
    if (step.input.length > 0) {
      for (const piece of split(step.input)) {
        if (isClosed) break;
        session.receiveData(piece);
        drain();
      }
    }
    if (step.eof && !isClosed) {
      session.receiveEof();
    }
    drain();
    output.push(`line ${step.line}: ${text(session.dataToSend())}`);
  }
  return { output, messages, aborts, events: matchEvents(allEvents, t.events), closed: t.closed === undefined ? undefined : closed, allEvents };
}

/** A splitting of every flight, with a name for the test title. */
export interface NamedSplitter {
  readonly name: string;
  readonly split: FlightSplitter;
}

/**
 * The splittings every transcript runs with: whole flights, byte by byte (every boundary is a split
 * point) and `seeds` seeded random splittings.
 *
 * @example
 * ```ts
 * for (const { name, split } of transcriptSplitters()) it(name, () => check(runTranscript(t, create, split)));
 * ```
 */
export function transcriptSplitters(seeds = 8): NamedSplitter[] {
  const out: NamedSplitter[] = [
    { name: 'whole', split: (d) => [d] },
    { name: 'byte by byte', split: byteByByte },
  ];
  for (let seed = 1; seed <= seeds; seed++) out.push({ name: `random splits (seed ${seed})`, split: (d) => randomSplits(d, 1, seed)[0]! });
  return out;
}
