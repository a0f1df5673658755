/**
 * Runs the hostile-input vector corpus (`tools/security/vectors.json`) against the machines through
 * their public APIs. The machines are injectable (`Machines`), so the mutant tests can run the same
 * corpus against deliberately broken variants and check that it catches them.
 */
import { readFileSync } from 'node:fs';
import { ServerConnection } from 'esmtp-server-fsm';
import type { ServerEvent, ServerOptions } from 'esmtp-server-fsm';
import { ClientConnection } from 'smtp-client-fsm';
import type { ClientEvent, ClientOptions, MessageInput } from 'smtp-client-fsm';
import { ReplyReader } from 'smtp-reply-reader';
import type { Reply, ReplyReaderOptions } from 'smtp-reply-reader';
import { parseEhloReply } from 'smtp-capabilities';
import { formatMailFrom, parseMailFrom, parseRcptTo, xtextDecode } from 'smtp-client-args';
import type { ParseOptions } from 'smtp-client-args';
import { byteByByte, endErrorDelay, randomSplits, splitAt } from '@smtpkit/testkit';

/** A generated input piece: `repeat` written `times` times. */
export interface Generator {
  readonly repeat: string;
  readonly times: number;
}
export type VectorInput = string | readonly (string | Generator)[];

export type VectorTarget = 'server' | 'client' | 'reply-reader' | 'ehlo' | 'args';

/** The expected outcome; every field present is checked. */
export interface Expectation {
  readonly codes?: readonly number[];
  readonly codesIn?: readonly (readonly number[])[];
  readonly codesIncludes?: readonly number[];
  readonly codeCounts?: Readonly<Record<string, number>>;
  readonly lastCode?: number;
  readonly enhanced?: string;
  readonly enhancedCodes?: readonly string[];
  readonly delivered?: number;
  readonly contents?: readonly string[];
  readonly contentIncludes?: string;
  readonly closed?: boolean;
  readonly aborts?: readonly string[];
  readonly mailEvents?: number;
  readonly rcptEvents?: number;
  readonly heloEvents?: number;
  readonly authEvents?: number;
  readonly tlsStarts?: number;
  /** server: DOS-5 tarpit delays asked for (the `errorDelay` timer). */
  readonly errorDelays?: number;
  readonly maxBufferedBytes?: number;
  readonly maxPendingOutput?: number;
  readonly pausedAtLeastOnce?: boolean;
  readonly error?: string;
  readonly pending?: boolean;
  readonly outcome?: string;
  readonly statusesAll?: string;
  readonly allTransient?: boolean;
  readonly wireIncludes?: readonly string[];
  readonly wireAfterInputExcludes?: readonly string[];
  readonly ehloCount?: number;
  readonly has?: readonly string[];
  readonly hasNot?: readonly string[];
  readonly size?: number | null;
  readonly authIncludes?: string;
  readonly maxKeywords?: number;
  readonly throws?: string;
  readonly throwsAny?: boolean;
  readonly throwsReplyCode?: number;
  readonly wireCommands?: readonly string[];
  readonly value?: string;
  /** server: the timer pending after the input. */
  readonly timer?: { readonly name: string; readonly ms: number };
}

export interface Vector {
  readonly id: string;
  readonly requirement: string;
  readonly target: VectorTarget;
  readonly description: string;
  readonly input?: VectorInput;
  /** server: the state before `input` (`pregreet` = before the greeting is sent). */
  readonly setup?: 'pregreet' | 'greeted' | 'ehlo' | 'transaction' | 'data';
  /** server: commands fed one flight each after `setup`, before `input`. */
  readonly prelude?: readonly string[];
  /** server: fed whole after `input`. */
  readonly then?: string;
  /** server: fed after the simulated TLS handshake. */
  readonly afterTls?: string;
  /** server: sync-check vectors whose meaning depends on one flight. */
  readonly wholeOnly?: boolean;
  /** server: after the input, the pending timer fires (the host calls `handleTimeout(id)`). */
  readonly timeout?: boolean;
  /** server: the peer never reads (no `dataToSend()` while feeding). */
  readonly noRead?: boolean;
  readonly options?: Record<string, unknown>;
  /** client: server flights before and after `input`, each fed whole. */
  readonly before?: readonly string[];
  readonly after?: readonly string[];
  readonly message?: Record<string, unknown>;
  /** client: `pair` runs the client body through a strict server. */
  readonly mode?: 'pair';
  readonly op?: 'client-send' | 'formatMailFrom' | 'parseMailFrom' | 'parseRcptTo' | 'xtextDecode';
  readonly args?: Record<string, unknown>;
  readonly expect: Expectation;
}

export interface Corpus {
  readonly version: number;
  readonly vectors: readonly Vector[];
}

/** Loads the corpus file next to this folder. */
export function loadCorpus(): Corpus {
  return JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8')) as Corpus;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Expands an input (strings and generators) to bytes. */
export function materialize(input: VectorInput | undefined): Uint8Array {
  if (input === undefined) return new Uint8Array(0);
  if (typeof input === 'string') return enc.encode(input);
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const p of input) {
    if (typeof p === 'string') {
      const b = enc.encode(p);
      parts.push(b);
      n += b.length;
    } else {
      const unit = enc.encode(p.repeat);
      const b = new Uint8Array(unit.length * p.times);
      for (let i = 0; i < p.times; i++) b.set(unit, i * unit.length);
      parts.push(b);
      n += b.length;
    }
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A named chunking of an input. */
export interface Chunking {
  readonly name: string;
  readonly chunks: readonly Uint8Array[];
}

/**
 * The chunkings a vector runs with: whole, byte by byte and every split point up to 4 KiB;
 * byte by byte and random splits up to 64 KiB; whole, 4093-byte pieces and random splits above.
 */
export function chunkings(data: Uint8Array, options: { wholeOnly?: boolean; exhaustive?: boolean } = {}): Chunking[] {
  const out: Chunking[] = [{ name: 'whole', chunks: [data] }];
  if (options.wholeOnly === true || data.length === 0) return out;
  // quick mode (mutant runs): large inputs only whole
  if (options.exhaustive === false && data.length > 65536) return out;
  if (data.length <= 65536) out.push({ name: 'byte-by-byte', chunks: byteByByte(data) });
  else {
    const offsets: number[] = [];
    for (let o = 4093; o < data.length; o += 4093) offsets.push(o);
    out.push({ name: 'pieces-4093', chunks: splitAt(data, offsets) });
  }
  if (data.length <= 4096 && options.exhaustive !== false) {
    for (let i = 1; i < data.length; i++) out.push({ name: `split@${String(i)}`, chunks: splitAt(data, [i]) });
  }
  randomSplits(data, data.length > 65536 ? 2 : 6, 9).forEach((chunks, i) => out.push({ name: `random#${String(i)}`, chunks }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Injectable machines (the real ones by default; the mutant tests pass broken variants)

/** The server surface the runner uses (a subset of `ServerConnection`). */
export interface ServerLike {
  receiveData(data: Uint8Array | string): void;
  nextEvent(): ServerEvent;
  accept(): void;
  dataToSend(): Uint8Array;
  tlsEstablished(): void;
  pendingTimeout(): { readonly name: string; readonly ms: number; readonly id: number } | undefined;
  handleTimeout(id: number): void;
  readonly shouldClose: boolean;
  readonly bufferedBytes: number;
}
export interface ClientLike {
  sendMessage(input: MessageInput): number;
  quit(): void;
  receiveData(data: Uint8Array | string): void;
  receiveEof(): void;
  nextEvent(): ClientEvent;
  dataToSend(): Uint8Array;
  tlsEstablished(): void;
  writeBody(chunk: Uint8Array | string): void;
  endBody(): void;
  readonly closed: boolean;
}
export interface ReplyReaderLike {
  push(chunk: Uint8Array | string): Reply[];
  readonly bufferedBytes: number;
  readonly pending: boolean;
}
export interface CapabilitiesLike {
  has(keyword: string): boolean;
  readonly size: number | undefined;
  get(keyword: string): { readonly params: readonly string[] } | undefined;
  readonly keywords: readonly string[] | undefined;
}

export interface Machines {
  server(options: ServerOptions): ServerLike;
  client(options: ClientOptions): ClientLike;
  replyReader(options: ReplyReaderOptions): ReplyReaderLike;
  parseEhlo(reply: Reply): CapabilitiesLike;
  formatMailFrom(path: string, params?: readonly (readonly [string, string])[]): string;
}

export const REAL_MACHINES: Machines = {
  server: (options) => new ServerConnection(options),
  client: (options) => new ClientConnection(options),
  replyReader: (options) => new ReplyReader(options),
  parseEhlo: (reply) => {
    const caps = parseEhloReply(reply);
    return {
      has: (k) => caps.has(k),
      get size() {
        return caps.size;
      },
      get: (k) => caps.get(k),
      keywords: caps.toJSON().keywords.map((k) => k.keyword),
    };
  },
  formatMailFrom: (path, params) => formatMailFrom(path, params),
};

// ---------------------------------------------------------------------------------------------
// Observations: what a run produced, compared with the expectation

export interface Observation {
  codes: number[];
  enhanced: string[];
  delivered: string[];
  closed: boolean;
  aborts: string[];
  counts: Record<string, number>;
  maxBufferedBytes: number;
  maxPendingOutput: number;
  paused: boolean;
  error?: string | undefined;
  pending?: boolean;
  outcome?: string | undefined;
  statuses: string[];
  transient: boolean[];
  wire: string;
  wireAfterInput: string;
  thrown?: { code?: string; replyCode?: number } | undefined;
  value?: string;
  caps?: CapabilitiesLike;
  timer?: { readonly name: string; readonly ms: number } | undefined;
}

function newObservation(): Observation {
  return {
    codes: [],
    enhanced: [],
    delivered: [],
    closed: false,
    aborts: [],
    counts: {},
    maxBufferedBytes: 0,
    maxPendingOutput: 0,
    paused: false,
    statuses: [],
    transient: [],
    wire: '',
    wireAfterInput: '',
  };
}

/** Final reply lines (`NNN ` or `NNN` alone) in server output, with their enhanced codes. */
function scanReplies(text: string, obs: Observation): void {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\r\n', start);
    if (end < 0) return;
    const line = text.slice(start, end);
    start = end + 2;
    if (line.length >= 3 && (line.length === 3 || line[3] === ' ')) {
      const code = Number(line.slice(0, 3));
      if (Number.isInteger(code)) {
        obs.codes.push(code);
        const m = /^\d\.\d{1,3}\.\d{1,3}(?= |$)/.exec(line.slice(4, 16));
        if (m) obs.enhanced.push(m[0]);
      }
    }
  }
}

const count = (obs: Observation, key: string): void => {
  obs.counts[key] = (obs.counts[key] ?? 0) + 1;
};

const EHLO = 'EHLO client.test\r\n';
const MAIL = 'MAIL FROM:<a@example.org>\r\n';
const RCPT = 'RCPT TO:<b@example.net>\r\n';
/** Commands fed one flight each (so the sync checks never see them pipelined). */
const SETUP: Record<string, readonly string[]> = {
  pregreet: [],
  greeted: [],
  ehlo: [EHLO],
  transaction: [EHLO, MAIL, RCPT],
  data: [EHLO, MAIL, RCPT, 'DATA\r\n'],
};

/** Runs a server vector with one chunking. */
export function runServer(v: Vector, chunks: readonly Uint8Array[], m: Machines = REAL_MACHINES): Observation {
  const obs = newObservation();
  const pregreet = v.setup === 'pregreet';
  const autoAccept = pregreet ? { autoAccept: [] as const } : {};
  const server = m.server({ hostname: 'mx.test', ...autoAccept, ...(v.options as ServerOptions | undefined) });
  let recording = false;
  let body: Uint8Array[] = [];
  let awaitingTls = false;
  let out = '';
  const pump = (read = true): void => {
    for (let i = 0; i < 10_000_000; i++) {
      const e = server.nextEvent();
      if (e.type === 'need-data' || e.type === 'closed') break;
      if (e.type === 'paused') {
        if (endErrorDelay(server)) {
          // the host's clock jumped past a DOS-5 tarpit
          if (recording) count(obs, 'error-delay');
          continue;
        }
        if (recording) obs.paused = true;
        break;
      }
      if (e.type === 'tls-start') {
        awaitingTls = true;
        if (recording) count(obs, 'tls-start');
        continue;
      }
      if (recording) count(obs, e.type);
      if (e.type === 'data-chunk') body.push(e.bytes);
      if (e.type === 'message-abort') {
        body = [];
        if (recording) obs.aborts.push(e.reason);
      }
      if (e.type === 'data-start') body = [];
      if ('needsAnswer' in e && e.needsAnswer) {
        if (e.type === 'message-end') {
          const total = body.reduce((n, b) => n + b.length, 0);
          const all = new Uint8Array(total);
          let o = 0;
          for (const b of body) {
            all.set(b, o);
            o += b.length;
          }
          obs.delivered.push(dec.decode(all));
          body = [];
        }
        server.accept();
      }
    }
    if (read) {
      const s = dec.decode(server.dataToSend());
      if (recording) out += s;
    }
  };
  const feed = (data: Uint8Array | string, read = true): void => {
    if (server.shouldClose) return;
    if (awaitingTls) return; // plaintext arriving during the handshake would be TLS garbage
    server.receiveData(data);
    pump(read);
    if (recording) obs.maxBufferedBytes = Math.max(obs.maxBufferedBytes, server.bufferedBytes);
  };
  if (pregreet) {
    // the connect decision stays pending (the greeting is not sent yet) while the input arrives
    server.nextEvent();
    recording = true;
    for (const c of chunks) server.receiveData(c);
    server.accept();
    pump();
  } else {
    pump();
    for (const cmd of [...(SETUP[v.setup ?? 'greeted'] ?? []), ...(v.prelude ?? [])]) feed(cmd);
    obs.delivered.length = 0;
    recording = true;
    for (const c of chunks) feed(c, v.noRead !== true);
    if (v.noRead === true) obs.maxPendingOutput = server.dataToSend().length;
    if (v.then !== undefined) feed(v.then);
    if (awaitingTls) {
      awaitingTls = false;
      server.tlsEstablished();
      pump();
      if (v.afterTls !== undefined) feed(v.afterTls);
    }
    pump();
    const t = server.pendingTimeout();
    obs.timer = t ? { name: t.name, ms: t.ms } : undefined;
    if (v.timeout === true && t) {
      server.handleTimeout(t.id);
      pump();
    }
  }
  scanReplies(out, obs);
  obs.closed = server.shouldClose;
  obs.wire = out;
  return obs;
}

/** Runs a client vector (server flights scripted) with one chunking of the hostile flight. */
export function runClient(v: Vector, chunks: readonly Uint8Array[], m: Machines = REAL_MACHINES): Observation {
  const obs = newObservation();
  if (v.mode === 'pair') return runClientPair(v, chunks, m);
  const client = m.client({ hostname: 'client.test', ...(v.options as ClientOptions | undefined) });
  client.sendMessage(v.message as unknown as MessageInput);
  client.quit();
  let tlsPending = false;
  let ehloCount = 0;
  const drain = (): string => {
    for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) {
      count(obs, e.type);
      if (e.type === 'tls-start') tlsPending = true;
      if (e.type === 'error' && obs.error === undefined) obs.error = e.code;
      if (e.type === 'message-sent') {
        obs.outcome = e.outcome;
        obs.statuses = e.recipients.map((r) => r.status);
        obs.transient = e.recipients.map((r) => r.transient);
        if (e.outcome === 'delivered') obs.delivered.push('');
      }
      if (e.type === 'closed') obs.closed = true;
    }
    const s = dec.decode(client.dataToSend());
    for (const line of s.split('\r\n')) if (/^EHLO /i.test(line)) ehloCount++;
    obs.wire += s;
    return s;
  };
  const flight = (data: Uint8Array | string): void => {
    if (client.closed) return;
    client.receiveData(data);
    drain();
  };
  const afterTls = (): void => {
    if (tlsPending) {
      tlsPending = false;
      client.tlsEstablished();
      drain();
    }
  };
  drain();
  for (const f of v.before ?? []) {
    flight(f);
    afterTls();
  }
  const mark = obs.wire.length;
  for (const c of chunks) flight(c);
  afterTls();
  for (const f of v.after ?? []) {
    flight(f);
    afterTls();
  }
  if (!client.closed) {
    client.receiveEof();
    drain();
  }
  obs.wireAfterInput = obs.wire.slice(mark);
  obs.counts['ehlo'] = ehloCount;
  return obs;
}

/** Client body vectors: the body streamed in the given chunks, through a strict real server. */
function runClientPair(v: Vector, chunks: readonly Uint8Array[], m: Machines): Observation {
  const obs = newObservation();
  const client = m.client({ hostname: 'client.test', ...(v.options as ClientOptions | undefined) });
  const server = new ServerConnection({ hostname: 'mx.test' });
  client.sendMessage(v.message as unknown as MessageInput);
  client.quit();
  let next = 0;
  let body: Uint8Array[] = [];
  for (let round = 0; round < 10_000; round++) {
    let moved = false;
    for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) {
      moved = true;
      if (e.type === 'need-body') {
        if (next < chunks.length) client.writeBody(chunks[next++]!);
        else client.endBody();
      }
      if (e.type === 'message-sent') obs.outcome = e.outcome;
    }
    const c = client.dataToSend();
    if (c.length > 0 && !server.shouldClose) {
      obs.wire += dec.decode(c);
      server.receiveData(c);
      moved = true;
    }
    for (let e = server.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = server.nextEvent()) {
      moved = true;
      if (e.type === 'data-chunk') body.push(e.bytes);
      if (e.type === 'message-abort') obs.aborts.push(e.reason);
      if (e.type === 'message-end') {
        obs.delivered.push(body.map((b) => dec.decode(b, { stream: true })).join('') + dec.decode());
        body = [];
      }
      if ('needsAnswer' in e && e.needsAnswer) server.accept();
    }
    const s = server.dataToSend();
    if (s.length > 0) {
      client.receiveData(s);
      moved = true;
    }
    if (!moved) break;
  }
  return obs;
}

/** Runs a reply-reader vector. */
export function runReplyReader(v: Vector, chunks: readonly Uint8Array[], m: Machines = REAL_MACHINES): Observation {
  const obs = newObservation();
  const reader = m.replyReader((v.options ?? {}));
  try {
    for (const c of chunks) {
      for (const r of reader.push(c)) obs.codes.push(r.code);
      obs.maxBufferedBytes = Math.max(obs.maxBufferedBytes, reader.bufferedBytes);
    }
  } catch (e) {
    obs.error = (e as { code?: string }).code ?? 'untyped';
  }
  obs.pending = reader.pending;
  return obs;
}

/** Runs an EHLO vector: the bytes through a reply reader, the first reply through the EHLO parser. */
export function runEhlo(v: Vector, chunks: readonly Uint8Array[], m: Machines = REAL_MACHINES): Observation {
  const obs = newObservation();
  const reader = m.replyReader((v.options ?? {}));
  const replies: Reply[] = [];
  try {
    for (const c of chunks) replies.push(...reader.push(c));
  } catch (e) {
    obs.error = (e as { code?: string }).code ?? 'untyped';
    return obs;
  }
  const first = replies[0];
  if (first !== undefined) obs.caps = m.parseEhlo(first);
  return obs;
}

function thrownOf(e: unknown): { code?: string; replyCode?: number } {
  const x = e as { code?: unknown; reply?: { code?: unknown } };
  const out: { code?: string; replyCode?: number } = {};
  if (typeof x.code === 'string') out.code = x.code;
  if (typeof x.reply?.code === 'number') out.replyCode = x.reply.code;
  return out;
}

/** Runs a builder/parser vector (whole input only: these APIs are not incremental). */
export function runArgs(v: Vector, m: Machines = REAL_MACHINES): Observation {
  const obs = newObservation();
  const a = v.args ?? {};
  try {
    switch (v.op) {
      case 'client-send': {
        const client = m.client({ hostname: 'client.test', ...(a['options'] as ClientOptions | undefined) });
        client.receiveData('220 mx ESMTP\r\n');
        for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) void e;
        obs.wire += dec.decode(client.dataToSend());
        client.receiveData('250-mx\r\n250-PIPELINING\r\n250-DSN\r\n250-SIZE 100000\r\n250 8BITMIME\r\n');
        try {
          client.sendMessage(a['message'] as MessageInput);
        } finally {
          for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) void e;
          obs.wire += dec.decode(client.dataToSend());
        }
        break;
      }
      case 'formatMailFrom':
        obs.value = m.formatMailFrom(a['path'] as string, a['params'] as [string, string][] | undefined);
        obs.wire = obs.value;
        break;
      case 'parseMailFrom':
        parseMailFrom(a['text'] as string, a['options'] as ParseOptions);
        break;
      case 'parseRcptTo':
        parseRcptTo(a['text'] as string, a['options'] as ParseOptions);
        break;
      case 'xtextDecode':
        obs.value = xtextDecode(a['text'] as string);
        break;
      default:
        throw new Error(`unknown op ${String(v.op)}`);
    }
  } catch (e) {
    obs.thrown = thrownOf(e);
  }
  return obs;
}

/** Compares an observation with the expectation; returns the mismatches (empty = pass). */
export function check(v: Vector, o: Observation): string[] {
  const x = v.expect;
  const bad: string[] = [];
  const eq = (what: string, got: unknown, want: unknown): void => {
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  if (x.codes) eq('codes', o.codes, x.codes);
  if (x.codesIn) {
    if (o.codes.length !== x.codesIn.length || o.codes.some((c, i) => !x.codesIn![i]!.includes(c))) bad.push(`codes ${JSON.stringify(o.codes)} not in ${JSON.stringify(x.codesIn)}`);
  }
  if (x.codesIncludes) for (const c of x.codesIncludes) if (!o.codes.includes(c)) bad.push(`codes ${JSON.stringify(o.codes)} lack ${String(c)}`);
  if (x.codeCounts) {
    for (const [code, n] of Object.entries(x.codeCounts)) eq(`count of ${code}`, o.codes.filter((c) => String(c) === code).length, n);
  }
  if (x.lastCode !== undefined) eq('last code', o.codes[o.codes.length - 1], x.lastCode);
  if (x.enhanced !== undefined) eq('last enhanced code', o.enhanced[o.enhanced.length - 1], x.enhanced);
  if (x.enhancedCodes) for (const c of x.enhancedCodes) if (!o.enhanced.includes(c)) bad.push(`no enhanced code ${c} in ${JSON.stringify(o.enhanced.slice(-5))}`);
  if (x.delivered !== undefined) eq('delivered', o.delivered.length, x.delivered);
  if (x.contents) eq('contents', o.delivered, x.contents);
  if (x.contentIncludes !== undefined && !o.delivered.some((c) => c.includes(x.contentIncludes!))) bad.push(`no content includes ${JSON.stringify(x.contentIncludes)}`);
  if (x.closed !== undefined) eq('closed', o.closed, x.closed);
  if (x.aborts) eq('aborts', o.aborts, x.aborts);
  if (x.mailEvents !== undefined) eq('mail events', o.counts['mail'] ?? 0, x.mailEvents);
  if (x.rcptEvents !== undefined) eq('rcpt events', o.counts['rcpt'] ?? 0, x.rcptEvents);
  if (x.heloEvents !== undefined) eq('helo events', o.counts['helo'] ?? 0, x.heloEvents);
  if (x.authEvents !== undefined) eq('auth events', o.counts['auth'] ?? 0, x.authEvents);
  if (x.tlsStarts !== undefined) eq('tls starts', o.counts['tls-start'] ?? 0, x.tlsStarts);
  if (x.errorDelays !== undefined) eq('error delays', o.counts['error-delay'] ?? 0, x.errorDelays);
  if (x.maxBufferedBytes !== undefined && o.maxBufferedBytes > x.maxBufferedBytes) bad.push(`buffered ${String(o.maxBufferedBytes)} > ${String(x.maxBufferedBytes)}`);
  if (x.maxPendingOutput !== undefined && o.maxPendingOutput > x.maxPendingOutput) bad.push(`pending output ${String(o.maxPendingOutput)} > ${String(x.maxPendingOutput)}`);
  if (x.pausedAtLeastOnce !== undefined) eq('paused', o.paused, x.pausedAtLeastOnce);
  if (x.error !== undefined) eq('error', o.error, x.error);
  if (x.error === undefined && (v.target === 'reply-reader' || v.target === 'ehlo') && o.error !== undefined) bad.push(`unexpected error ${o.error}`);
  if (x.pending !== undefined) eq('pending', o.pending, x.pending);
  if (x.outcome !== undefined) eq('outcome', o.outcome, x.outcome);
  if (x.statusesAll !== undefined && (o.statuses.length === 0 || o.statuses.some((s) => s !== x.statusesAll))) bad.push(`statuses ${JSON.stringify(o.statuses)} not all ${x.statusesAll}`);
  if (x.allTransient !== undefined && (o.transient.length === 0 || o.transient.some((t) => t !== x.allTransient))) bad.push(`transient flags ${JSON.stringify(o.transient)}`);
  if (x.wireIncludes) for (const w of x.wireIncludes) if (!o.wire.includes(w)) bad.push(`wire lacks ${JSON.stringify(w)}`);
  if (x.wireAfterInputExcludes) for (const w of x.wireAfterInputExcludes) if (o.wireAfterInput.includes(w)) bad.push(`wire after input has ${JSON.stringify(w)}`);
  if (x.ehloCount !== undefined) eq('EHLO count', o.counts['ehlo'], x.ehloCount);
  if (v.target === 'client' && v.mode === 'pair') {
    if (/\r(?!\n)|(?<!\r)\n/.test(o.wire)) bad.push('bare CR or LF on the client wire');
  }
  if (x.has || x.hasNot || x.size !== undefined || x.authIncludes !== undefined || x.maxKeywords !== undefined) {
    const caps = o.caps;
    if (!caps) bad.push(`no capabilities (error ${String(o.error)})`);
    else {
      for (const k of x.has ?? []) if (!caps.has(k)) bad.push(`lacks ${k}`);
      for (const k of x.hasNot ?? []) if (caps.has(k)) bad.push(`has ${k}`);
      // null: no declared limit (absent, or 0 which RFC 1870 defines as "no fixed maximum")
      if (x.size !== undefined) eq('size', caps.size === 0 ? null : (caps.size ?? null), x.size);
      if (x.authIncludes !== undefined && !(caps.get('AUTH')?.params ?? []).map((p) => p.toUpperCase()).includes(x.authIncludes)) bad.push(`AUTH lacks ${x.authIncludes}`);
      if (x.maxKeywords !== undefined && (caps.keywords?.length ?? 0) > x.maxKeywords) bad.push(`${String(caps.keywords?.length)} keywords > ${String(x.maxKeywords)}`);
    }
  }
  if (x.throws !== undefined) eq('thrown code', o.thrown?.code, x.throws);
  if (x.throwsAny === true && o.thrown === undefined) bad.push(`did not throw (produced ${JSON.stringify(o.wire)})`);
  if (x.throwsReplyCode !== undefined) eq('thrown reply code', o.thrown?.replyCode, x.throwsReplyCode);
  if (x.wireCommands) {
    const verbs = o.wire.split('\r\n').filter((l) => l.length > 0).map((l) => l.split(/[ :]/)[0]!.toUpperCase());
    eq('commands on the wire', verbs, x.wireCommands);
  }
  if (x.value !== undefined) eq('value', o.value, x.value);
  if (x.timer !== undefined) eq('pending timer', o.timer, x.timer);
  if (v.target === 'args' && x.throws === undefined && x.throwsAny !== true && x.throwsReplyCode === undefined && o.thrown !== undefined) bad.push(`unexpected throw ${JSON.stringify(o.thrown)}`);
  return bad;
}

/** Runs one vector with one chunking and returns the mismatches. */
export function runVector(v: Vector, chunks: readonly Uint8Array[], m: Machines = REAL_MACHINES): string[] {
  switch (v.target) {
    case 'server':
      return check(v, runServer(v, chunks, m));
    case 'client':
      return check(v, runClient(v, chunks, m));
    case 'reply-reader':
      return check(v, runReplyReader(v, chunks, m));
    case 'ehlo':
      return check(v, runEhlo(v, chunks, m));
    case 'args':
      return check(v, runArgs(v, m));
  }
}

/** The chunkings used for a vector (args vectors are whole only). */
export function chunkingsFor(v: Vector, options: { exhaustive?: boolean } = {}): Chunking[] {
  const data = materialize(v.input);
  if (v.target === 'args') return [{ name: 'whole', chunks: [data] }];
  return chunkings(data, { wholeOnly: v.wholeOnly === true, ...options });
}

/** Runs every chunking of a vector; returns the failures as `chunking: mismatch` strings. */
export function runAllChunkings(v: Vector, m: Machines = REAL_MACHINES, options: { exhaustive?: boolean; stopAtFirst?: boolean } = {}): string[] {
  const failures: string[] = [];
  for (const c of chunkingsFor(v, options)) {
    let bad: string[];
    try {
      bad = runVector(v, c.chunks, m);
    } catch (e) {
      bad = [`threw ${String((e as { code?: string }).code ?? e)}`];
    }
    for (const b of bad) failures.push(`${c.name}: ${b}`);
    if (options.stopAtFirst === true && failures.length > 0) break;
  }
  return failures;
}
