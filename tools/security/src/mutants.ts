/**
 * Deliberately broken variants of the machines (TEST-5). Each is a small wrapper around the real
 * machine that reintroduces one classic bug; the mutant test runs the vector corpus against each
 * and asserts that the corpus catches it.
 */
import type { ServerOptions } from 'esmtp-server-fsm';
import type { ClientEvent, ClientOptions, MessageInput } from 'smtp-client-fsm';
import type { Reply } from 'smtp-reply-reader';
import { REAL_MACHINES } from './vectors.js';
import type { CapabilitiesLike, ClientLike, Machines, ServerLike } from './vectors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const CR = 13;
const LF = 10;
const DOT = 46;

const toBytes = (d: Uint8Array | string): Uint8Array => (typeof d === 'string' ? enc.encode(d) : d);

/** A server whose input passes through `rewrite` first (a broken line-ending layer). */
function rewritingServer(rewrite: (b: Uint8Array) => Uint8Array): Machines['server'] {
  return (options: ServerOptions): ServerLike => {
    const real = REAL_MACHINES.server(options);
    return {
      receiveData: (d) => real.receiveData(rewrite(toBytes(d))),
      nextEvent: () => real.nextEvent(),
      accept: () => real.accept(),
      dataToSend: () => real.dataToSend(),
      tlsEstablished: () => real.tlsEstablished(),
      pendingTimeout: () => real.pendingTimeout(),
      handleTimeout: (id) => real.handleTimeout(id),
      get shouldClose() {
        return real.shouldClose;
      },
      get bufferedBytes() {
        return real.bufferedBytes;
      },
    };
  };
}

/** Inserts a CR before each LF at which `at(b, i)` holds. */
function insertCr(b: Uint8Array, at: (b: Uint8Array, i: number) => boolean): Uint8Array {
  let extra = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === LF && at(b, i)) extra++;
  if (extra === 0) return b;
  const out = new Uint8Array(b.length + extra);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === LF && at(b, i)) out[o++] = CR;
    out[o++] = b[i]!;
  }
  return out;
}

/** Mutant 1: end of data on a bare LF (every bare LF becomes CRLF before the real server). */
export function bareLfToCrlf(b: Uint8Array): Uint8Array {
  return insertCr(b, (x, i) => i === 0 || x[i - 1] !== CR);
}

/** Mutant 2: `<LF>.<CR><LF>` honoured as the end of data (rewritten to `<CR><LF>.<CR><LF>`). */
export function lfDotCrlfToEnd(b: Uint8Array): Uint8Array {
  return insertCr(b, (x, i) => x[i + 1] === DOT && x[i + 2] === CR && x[i + 3] === LF && (i === 0 || x[i - 1] !== CR));
}

/** Mutant 3a: a server that keeps the bytes after `STARTTLS\r\n` and parses them after TLS. */
function keepAfterStartTlsServer(options: ServerOptions): ServerLike {
  const real = REAL_MACHINES.server(options);
  let kept: Uint8Array | undefined;
  return {
    receiveData(d) {
      const b = toBytes(d);
      const at = dec.decode(b).toUpperCase().indexOf('STARTTLS\r\n');
      if (at >= 0) {
        const cut = enc.encode(dec.decode(b).slice(0, at + 10)).length;
        real.receiveData(b.subarray(0, cut));
        if (cut < b.length) kept = b.slice(cut);
      } else real.receiveData(b);
    },
    nextEvent: () => real.nextEvent(),
    accept: () => real.accept(),
    dataToSend: () => real.dataToSend(),
    tlsEstablished() {
      real.tlsEstablished();
      if (kept) real.receiveData(kept);
      kept = undefined;
    },
    pendingTimeout: () => real.pendingTimeout(),
    handleTimeout: (id) => real.handleTimeout(id),
    get shouldClose() {
      return real.shouldClose;
    },
    get bufferedBytes() {
      return real.bufferedBytes;
    },
  };
}

/** Mutant 3b: a client that keeps the bytes after the 220 reply to STARTTLS and reads them after TLS. */
function keepAfterStartTlsClient(options: ClientOptions): ClientLike {
  const real = REAL_MACHINES.client(options);
  let sentStartTls = false;
  let kept: Uint8Array | undefined;
  return {
    sendMessage: (m: MessageInput) => real.sendMessage(m),
    quit: () => real.quit(),
    receiveData(d) {
      const b = toBytes(d);
      const text = dec.decode(b);
      const end = text.indexOf('\r\n');
      if (sentStartTls && end >= 0 && text.startsWith('220')) {
        sentStartTls = false;
        real.receiveData(b.subarray(0, end + 2));
        if (end + 2 < b.length) kept = b.slice(end + 2);
        return;
      }
      real.receiveData(b);
    },
    receiveEof: () => real.receiveEof(),
    nextEvent: (): ClientEvent => real.nextEvent(),
    dataToSend() {
      const out = real.dataToSend();
      if (dec.decode(out).includes('STARTTLS\r\n')) sentStartTls = true;
      return out;
    },
    tlsEstablished() {
      real.tlsEstablished();
      if (kept) real.receiveData(kept);
      kept = undefined;
    },
    writeBody: (c) => real.writeBody(c),
    endBody: () => real.endBody(),
    get closed() {
      return real.closed;
    },
  };
}

/** Mutant 4: EHLO keywords matched as substrings of the whole reply (the nodemailer regex style). */
function substringEhlo(reply: Reply): CapabilitiesLike {
  const real = REAL_MACHINES.parseEhlo(reply);
  const text = reply.lines.join('\n').toUpperCase();
  return {
    has: (k) => real.has(k) || text.includes(k.toUpperCase()),
    get size() {
      return real.size;
    },
    get: (k) => real.get(k),
    keywords: real.keywords,
  };
}

/** Mutant 5a: a MAIL builder that writes its arguments verbatim (CR and LF let through). */
function verbatimFormatMailFrom(path: string, params?: readonly (readonly [string, string])[]): string {
  return `MAIL FROM:<${path}>${(params ?? []).map(([k, v]) => ` ${k}=${v}`).join('')}\r\n`;
}

/** Mutant 5b: a client whose builders let control characters through to the wire. */
function verbatimClient(options: ClientOptions): ClientLike {
  let hostname = options.hostname;
  const safe = { ...options };
  if (hostname !== undefined && [...hostname].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127)) {
    safe.hostname = 'placeholder.invalid';
  } else hostname = undefined;
  const real = REAL_MACHINES.client(safe);
  let injected = '';
  return {
    sendMessage(m: MessageInput) {
      try {
        return real.sendMessage(m);
      } catch (e) {
        // the broken builder: no check, the line goes out as given
        injected += `MAIL FROM:<${m.from}>\r\n${m.to.map((t) => `RCPT TO:<${t}>\r\n`).join('')}`;
        void e;
        return 1;
      }
    },
    quit: () => real.quit(),
    receiveData: (d) => real.receiveData(d),
    receiveEof: () => real.receiveEof(),
    nextEvent: () => real.nextEvent(),
    dataToSend() {
      let out = dec.decode(real.dataToSend());
      if (hostname !== undefined) out = out.replace('placeholder.invalid', hostname);
      out += injected;
      injected = '';
      return enc.encode(out);
    },
    tlsEstablished: () => real.tlsEstablished(),
    writeBody: (c) => real.writeBody(c),
    endBody: () => real.endBody(),
    get closed() {
      return real.closed;
    },
  };
}

/** Mutant 6: the recipient limit ignored (every RCPT accepted, however many). */
function unlimitedRecipientsServer(options: ServerOptions): ServerLike {
  return REAL_MACHINES.server({ ...options, limits: { ...options.limits, maxRecipients: 1_000_000_000, hardErrorLimit: 1_000_000_000 } });
}

/** A named mutant and the ids of vectors that must catch it. */
export interface Mutant {
  readonly name: string;
  readonly machines: Machines;
  /** The corpus targets worth running (the others use the real machines). */
  readonly targets: readonly string[];
  /** Vectors that must fail against this mutant. */
  readonly caughtBy: readonly string[];
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'end of data on a bare LF',
    machines: { ...REAL_MACHINES, server: rewritingServer(bareLfToCrlf) },
    targets: ['server'],
    caughtBy: ['SMUG-1/lflf', 'SMUG-2/bare-lf', 'SMUG-3/lf-inside-command'],
  },
  {
    name: 'end of data on <LF>.<CR><LF>',
    machines: { ...REAL_MACHINES, server: rewritingServer(lfDotCrlfToEnd) },
    targets: ['server'],
    caughtBy: ['SMUG-1/lfcrlf'],
  },
  {
    name: 'server keeps its buffer after STARTTLS',
    machines: { ...REAL_MACHINES, server: keepAfterStartTlsServer },
    targets: ['server'],
    caughtBy: ['TLS-1/noop-after-starttls', 'TLS-1/auth-after-starttls'],
  },
  {
    name: 'client keeps its buffer after the 220 to STARTTLS',
    machines: { ...REAL_MACHINES, client: keepAfterStartTlsClient },
    targets: ['client'],
    caughtBy: ['TLS-5/reply-injection'],
  },
  {
    name: 'substring matching of EHLO keywords',
    machines: { ...REAL_MACHINES, parseEhlo: substringEhlo },
    targets: ['ehlo'],
    caughtBy: ['TLS-5/substring', 'DOS-10/starttls-first-line'],
  },
  {
    name: 'a MAIL builder that lets CR through',
    machines: { ...REAL_MACHINES, formatMailFrom: verbatimFormatMailFrom },
    targets: ['args'],
    caughtBy: ['INJ-1/format-mail-crlf', 'INJ-2/format-param-crlf'],
  },
  {
    name: 'a client whose commands let CR through',
    machines: { ...REAL_MACHINES, client: verbatimClient },
    targets: ['args'],
    caughtBy: ['INJ-1/from-crlf-rcpt', 'INJ-1/ehlo-name'],
  },
  {
    name: 'pipelining synchronization checks off',
    machines: { ...REAL_MACHINES, server: (o) => REAL_MACHINES.server({ ...o, pipeliningSync: 'off' }) },
    targets: ['server'],
    caughtBy: ['SMUG-5/data-with-content', 'SMUG-5/quit-noop'],
  },
  {
    name: 'reply reader that accepts a bare LF as a line end',
    machines: { ...REAL_MACHINES, replyReader: (o) => REAL_MACHINES.replyReader({ ...o, lineEndings: 'lenient' }) },
    targets: ['reply-reader'],
    caughtBy: ['X-1/reply-bare-lf'],
  },
  {
    name: 'reply reader without size caps',
    machines: { ...REAL_MACHINES, replyReader: (o) => REAL_MACHINES.replyReader({ ...o, maxLineLength: 2 ** 30, maxReplyLines: 2 ** 30, maxReplyBytes: 2 ** 30 }) },
    targets: ['reply-reader'],
    caughtBy: ['DOS-9/million-lines', 'DOS-9/10MB-line', 'DOS-9/too-large'],
  },
  {
    name: 'recipients past the limit accepted',
    machines: { ...REAL_MACHINES, server: unlimitedRecipientsServer },
    targets: ['server'],
    caughtBy: ['INJ-9/limit-100', 'DOS-4/100000-rcpt'],
  },
];

