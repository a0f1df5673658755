/** Small helpers to drive a ServerConnection (and its DATA decoder) in unit tests. */
import { endErrorDelay } from '@smtpkit/testkit';
import { DataDecoder, ServerConnection } from '../src/index.js';
import type { ReplyInit, ServerEvent, ServerOptions } from '../src/index.js';

/** The DATA decoder's policies (the server's `bareLineEndings` less `replace`, which is the client's). */
type BareLineEndingPolicy = NonNullable<ConstructorParameters<typeof DataDecoder>[0]>;

export interface Driven {
  readonly conn: ServerConnection;
  readonly events: ServerEvent[];
  /** Server output so far (all of it). */
  out: string;
  /** Message contents accepted so far. */
  readonly messages: string[];
  /** DOS-5 tarpit delays the session asked for (each resolved at once by this host). */
  delays: number;
  feed(data: string | Uint8Array): string;
}

const dec = new TextDecoder();

/** Creates a session that accepts every decision (or asks `decide`), past the greeting. */
export function drive(options: ServerOptions = {}, decide?: (e: ServerEvent, conn: ServerConnection) => boolean): Driven {
  const conn = new ServerConnection({ hostname: 'mx.test', ...options });
  const events: ServerEvent[] = [];
  const messages: string[] = [];
  let body: Uint8Array[] = [];
  const d: Driven = {
    conn,
    events,
    out: '',
    messages,
    delays: 0,
    feed(data) {
      if (conn.state !== 'closed') conn.receiveData(data);
      return pump();
    },
  };
  const pump = (): string => {
    for (let i = 0; i < 1_000_000; i++) {
      const e = conn.nextEvent();
      if (e.type === 'paused' && endErrorDelay(conn)) {
        d.delays++; // this host's clock jumped past a DOS-5 tarpit
        continue;
      }
      if (e.type === 'need-data' || e.type === 'closed' || e.type === 'paused') {
        if (e.type === 'closed' && !events.some((x) => x.type === 'closed')) events.push(e);
        break;
      }
      if (e.type !== 'data-chunk') events.push(e);
      if (e.type === 'data-chunk') body.push(e.bytes);
      if (e.type === 'message-abort' || e.type === 'data-start') body = [];
      if ('needsAnswer' in e && e.needsAnswer) {
        if (decide?.(e, conn)) continue;
        if (e.type === 'message-end') {
          messages.push(body.map((b) => dec.decode(b)).join(''));
          body = [];
        }
        conn.accept();
      }
    }
    const s = dec.decode(conn.dataToSend());
    d.out += s;
    return s;
  };
  pump();
  return d;
}

/** A `decide` for {@link drive} that refuses every decision of one type (with `reply`, or the default). */
export function rejectAt(type: ServerEvent['type'], reply?: ReplyInit): (e: ServerEvent, conn: ServerConnection) => boolean {
  return (e, conn) => {
    if (e.type !== type) return false;
    conn.reject(reply);
    return true;
  };
}

/** A session after EHLO and (optionally) a MAIL + RCPT. */
export function inTransaction(options: ServerOptions = {}): Driven {
  const d = drive(options);
  d.feed('EHLO client.test\r\n');
  d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
  return d;
}

/** The reply lines (continuation lines included) in an output string. */
export function replyLines(out: string): string[] {
  return out.split('\r\n').filter((l) => /^\d{3}[ -]/.test(l));
}

/** Reply codes in an output string. */
export function codes(out: string): number[] {
  return out
    .split('\r\n')
    .filter((l) => /^\d{3} /.test(l))
    .map((l) => Number(l.slice(0, 3)));
}

/** What a DataDecoder made of some chunks fed one after the other (pieces and content as latin1 text). */
export interface Decoded {
  /** Every piece `emit` was called with, in order. */
  readonly pieces: string[];
  /** The pieces joined. */
  readonly content: string;
  readonly done: boolean;
  /** Bytes consumed over all the chunks (through the terminating line when done). */
  readonly consumed: number;
  readonly bareCr: number;
  readonly bareLf: number;
}

/** Feeds `chunks` to a fresh DataDecoder, each whole, until the end of data. */
export function decodeChunks(chunks: readonly Uint8Array[], policy: BareLineEndingPolicy = 'reject'): Decoded {
  const d = new DataDecoder(policy);
  const pieces: string[] = [];
  let consumed = 0;
  let done = false;
  for (const c of chunks) {
    const r = d.push(c, 0, c.length, (p) => pieces.push(String.fromCharCode(...p)));
    consumed += r.consumed;
    if (r.done) {
      done = true;
      break;
    }
  }
  return { pieces, content: pieces.join(''), done, consumed, bareCr: d.bareCr, bareLf: d.bareLf };
}

/**
 * Feeds `bytes` to a DataDecoder from a view at byte offset `shift` of its buffer, starting `lead`
 * bytes into the view, in chunks cut at `cuts` (taken modulo the length): `content|done@N|cr,lf`
 * or `content|open|cr,lf`. The buffer has 3 zero bytes after the input.
 */
export function decodeViews(bytes: Uint8Array, shift: number, lead: number, cuts: readonly number[], policy: BareLineEndingPolicy): string {
  const buf = new Uint8Array(shift + lead + bytes.length + 3);
  buf.set(bytes, shift + lead);
  const view = buf.subarray(shift);
  const d = new DataDecoder(policy);
  const out: number[] = [];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    const r = d.push(view, lead + prev, lead + p, (piece) => out.push(...piece));
    if (r.done) return `${String.fromCharCode(...out)}|done@${String(prev + r.consumed)}|${String(d.bareCr)},${String(d.bareLf)}`;
    prev = p;
  }
  return `${String.fromCharCode(...out)}|open|${String(d.bareCr)},${String(d.bareLf)}`;
}

/** `decodeViews` of `bytes` fed one byte at a time from offset 0: the reference for the word-at-a-time scan. */
export function decodeByteByByte(bytes: Uint8Array, policy: BareLineEndingPolicy): string {
  return decodeViews(bytes, 0, 0, Array.from({ length: bytes.length }, (_, n) => n), policy);
}

/** Drains `conn`'s events, answering each decision with `decide` (by default accept), and returns what it wrote. */
export function pumpOutput(conn: ServerConnection, decide: (e: ServerEvent) => void = () => conn.accept()): string {
  for (let i = 0; i < 10_000; i++) {
    const e = conn.nextEvent();
    if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') break;
    if ('needsAnswer' in e && e.needsAnswer) decide(e);
  }
  return dec.decode(conn.dataToSend());
}
