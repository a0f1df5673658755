/**
 * Logging for `createServer`: a `logger` with the shape of pino or `console` (object first, then
 * message) gets one line per session event, every line with the session id; a `transcript`
 * callback gets the dialogue as C:/S: lines with AUTH credentials and message bodies left out.
 */
import { TLSSocket } from 'node:tls';
import { isInvisibleCodePoint } from '@smtpkit/foundation';
import type { SessionContext } from './options.js';
import type { ProxyHeaderError } from './proxy-protocol.js';
import { isSmtpServerError } from 'esmtp-server-fsm';
import type { ServerEvent } from 'esmtp-server-fsm';

/**
 * The first words of a command line, however it is spaced or glued (blanks, NUL and other controls
 * between them): the verb, then up to two more (the rest ignored).
 */
const FIRST_WORDS = /^[\0- \x7f]*([^\0- \x7f]+)(?:[\0- \x7f]+([^\0- \x7f]+))?(?:[\0- \x7f]+([^\0- \x7f]+))?/;
/**
 * The verb as the session counts a line it refuses (see its `wordOf`): the ASCII letters, digits,
 * `-` and `_` it starts with, so `DATA\t`, `DATA\v`, `AUTH\0PLAIN` are DATA and AUTH, as for a
 * peer that ends a verb at any other byte.
 */
const VERB = /^[-\w]*/;
/** Client lines held for their replies at most; later ones are counted, not shown (bounded memory). */
const MAX_PENDING = 1000;
/** A SASL mechanism name (RFC 4422 §3.1): upper-case letters, digits, hyphens and underscores. */
const MECHANISM_NAME = /^[A-Za-z0-9_-]{1,20}$/;

/**
 * What `createServer({ logger })` accepts: pino, bunyan-style and `console` loggers all fit.
 * Every call is `(fields, message)`; every `fields` has `session` (the session id) except for
 * connections refused before a session exists.
 *
 * Levels: `info` connect, close (with `reason`), TLS established (its `tls` field: protocol,
 * cipher, SNI name, and with `tls.requestCert` the client certificate's subject, issuer,
 * fingerprint and whether it was authorized), TLS handshakes the client failed (`TLS handshake
 * failed`, with `err`: its code and escaped message; `remoteAddress` for implicit TLS, where no
 * session exists, the session for STARTTLS, whose close reason is then `TLS handshake failed
 * (<code>)`; never given to `onError`), rejected commands (4xx/5xx
 * replies), aborted messages; a connection the peer or the network lost inside a session (a
 * socket error with a code such as `ECONNRESET`, `EPIPE`, `ETIMEDOUT`: the list is in
 * `CreateServerOptions.onError`) is no error: its close reason is `connection lost (<code>) after <VERB>` (the
 * last command the session acted on, `CONNECT` before any, `END-OF-MESSAGE` after a message) or
 * `connection lost (<code>) during a message` (an OpenSSL `ERR_SSL_*` error on the established TLS:
 * `TLS error (<code>) ...`); before a session the same is one line `connection lost` (with
 * `remoteAddress`; none after a refusal's 421); `warn` connections refused (limit, shutdown),
 * other socket errors (of a session: `socket error`, also given to `onError`; before a session:
 * `socket error before the session`), malformed PROXY headers (`bad PROXY header`, with `remoteAddress`), PROXY headers not
 * complete in time (`PROXY header timeout`, with `remoteAddress` and `timeoutMs`) and implicit TLS
 * handshakes not done in time (`TLS handshake timeout`, likewise); `error` internal
 * errors (hook exceptions...); `debug` one line per session event
 * (`helo`, `mail`, `rcpt`, `auth` with the mechanism only, `data`, `end of data` with its size,
 * `rset`, `quit`, `starttls`, other verbs).
 * Credentials, AUTH arguments and message contents are never logged; peer text is escaped, and
 * so is an error's `err.message`, which may quote it.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * createServer({ logger: pino(), onData });
 * createServer({ logger: console, onData }); // console.info({ session, ... }, 'connect')
 * ```
 */
export interface ServerLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * One line of the session dialogue for `createServer({ transcript })`: `C` what the client sent,
 * `S` what the server replied. A client line is given when the server answers it (a pipelined
 * group: its lines, then their replies); input the server never answered (what followed a command
 * that ended the session, what it discarded after STARTTLS, a client that left first) is one line
 * `<N bytes not answered>`. Control, format and invisible characters are shown as `\xHH` /
 * `\uHHHH`; the argument of `AUTH mech <initial-response>` and every line after an AUTH command or
 * a `334` until the server's final reply that ends the exchange are `<redacted>`; a message body is one line
 * `<message data: N bytes>` (`<chunk data: N bytes>` for BDAT); lines over 1000 characters are cut
 * with `…`.
 *
 * @example
 * ```ts
 * createServer({ transcript: (l) => process.stderr.write(`${l.session} ${l.direction}: ${l.text}\n`) });
 * ```
 */
export interface TranscriptLine {
  readonly session: string;
  readonly direction: 'C' | 'S';
  readonly text: string;
}

const MAX_SHOWN = 1000;

/**
 * Peer text made safe to print: control characters, C1, line/paragraph separators, format
 * characters (bidi controls, zero-width, tags...) and other default-ignorable code points escaped
 * (`\x1b`, `\u202e`, `\u{e0041}`).
 */
function printable(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c > 0x9f && (c === 0x2028 || c === 0x2029 || isInvisibleCodePoint(c)))) out += c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u{${c.toString(16)}}`;
    else out += ch;
    if (out.length > MAX_SHOWN) return `${out.slice(0, MAX_SHOWN)}…`;
  }
  return out;
}

/**
 * An error as logger fields. Its message is escaped like peer text: it may hold some (an SNI
 * callback's or a hook's error naming what the client sent).
 */
function errorFields(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { err: { name: e.name, message: printable(e.message), ...(code !== undefined ? { code } : {}) } };
  }
  let text: string;
  try {
    text = String(e);
  } catch {
    // a value with no string form (a null-prototype object, a throwing toString)
    text = Object.prototype.toString.call(e);
  }
  return { err: { message: printable(text) } };
}

/** Socket-level failures caused by the peer or the network rather than by the application. */
function isPeerError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
}

/** The close reason of a session whose STARTTLS handshake the client failed. */
function handshakeFailure(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `TLS handshake failed (${printable(code)})` : 'TLS handshake failed';
}

/**
 * The chunk size of a BDAT command line, in the session's syntax (`BDAT` SP, 1-15 digits), so that
 * a chunk the session skips is skipped here too; undefined for any other line (an unusable size
 * is refused by the session, which then closes).
 */
function bdatSize(text: string): number | undefined {
  if (text.charCodeAt(4) !== 0x20) return undefined;
  const m = /^BDAT +(\d{1,15})(?: |$)/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** A client line (or body) of the transcript waiting for the reply that shows the server ran it. */
interface PendingLine {
  readonly text: string;
  /** Bytes on the wire, for `<N bytes not answered>`. */
  readonly bytes: number;
  /** Whether a reply answers it (a BDAT line shares its chunk's reply). */
  readonly answered: boolean;
}

/**
 * Follows one session for the logger and the transcript. Input is seen before the core handles it
 * and output as it is written, so the mode (command line, AUTH response, message data, BDAT
 * chunk) follows the replies the client waits for: 334 and 354. A client line is held until the
 * final reply that answers it (one per command, in order, RFC 2920 §3.1), so a line the server
 * never ran (behind a command that closed the session) is never shown as run.
 */
export class SessionLog {
  private mode: 'command' | 'auth' | 'data' | 'chunk' = 'command';
  private line: number[] = [];
  private lineLength = 0;
  /** The last input byte: a command line ends at CRLF only, as in the session. */
  private lastByte = -1;
  private pending: PendingLine[] = [];
  private pendingHead = 0;
  /** Bytes of the lines past `MAX_PENDING`, never shown. */
  private unshown = 0;
  /** Final replies that answer no client line: the greeting, the extra LMTP replies after a body. */
  private owed = 1;
  private dataBytes = 0;
  /** Progress through CRLF.CRLF in message data (0-5), kept across chunks. */
  private dot = 0;
  private chunkLeft = 0;
  private chunkSize = 0;
  /**
   * A DATA command was seen and its reply not yet: what follows is read as message data at once
   * (a client that does not wait for the 354 sends its body ahead of it; it must not show).
   */
  private dataAhead = false;
  private lastReply = '';
  private failure: string | undefined;
  private bytesIn = 0;
  private readonly started = Date.now();
  private peer: string | undefined;
  private clientEnded = false;
  /**
   * The last command the session acted on (its event), for a lost connection's close reason;
   * `END-OF-MESSAGE` after a message's end, `CONNECT` before any.
   */
  private verb = 'CONNECT';
  /** The connection's end aborted a message (`message-abort` with reason `eof`). */
  private messageLost = false;

  constructor(
    private readonly ctx: SessionContext,
    private readonly logger: ServerLogger | undefined,
    private readonly transcript: ((line: TranscriptLine) => void) | undefined,
    /** Whether the server has already decided to end the session. */
    private readonly serverEnding: () => boolean = () => false,
  ) {}

  /** The session started on `socket` (a TLSSocket for implicit TLS). */
  connect(socket: unknown): void {
    if (!this.logger) return;
    this.watchEof(socket);
    // with the PROXY protocol, the proxy's own address (the client's is in remoteAddress)
    this.peer = (socket as { remoteAddress?: string } | null)?.remoteAddress;
    const c = this.ctx;
    this.logger.info(
      {
        session: c.id,
        remoteAddress: c.remoteAddress,
        remotePort: c.remotePort,
        localPort: c.localPort,
        ...(c.proxy !== undefined ? { proxy: { version: c.proxy.version, peerAddress: this.peer } } : {}),
        ...(socket instanceof TLSSocket ? this.tlsFields(socket) : {}),
      },
      'connect',
    );
  }

  private tlsFields(socket: TLSSocket): Record<string, unknown> {
    const servername = (socket as { servername?: unknown }).servername;
    // the client certificate's names are peer text too (a self-signed one says anything)
    const cert = (this.ctx as Partial<SessionContext>).tls?.clientCertificate;
    const clientCertificate =
      cert !== undefined
        ? { clientCertificate: { subject: printable(cert.subject), issuer: printable(cert.issuer), fingerprint256: cert.fingerprint256, authorized: cert.authorized, ...(cert.authorizationError !== undefined ? { authorizationError: cert.authorizationError } : {}) } }
        : {};
    // the name the client asked for (SNI) is peer text: escaped like any other
    return { tls: { protocol: socket.getProtocol(), cipher: socket.getCipher()?.name, ...(typeof servername === 'string' ? { servername: printable(servername) } : {}), ...clientCertificate } };
  }

  /** Notes the client's end of input (a close reason) on this socket. */
  private watchEof(socket: unknown): void {
    const s = socket as { once?: (event: string, f: () => void) => void } | null;
    // an end that answers the server's own close (after 221, 421, 554...) is not the client's doing
    s?.once?.('end', () => (this.clientEnded = !this.serverEnding()));
  }

  /** A session event (not body chunks): one debug line; an aborted message is an info line. */
  event(e: ServerEvent): void {
    // LMTP: one reply per recipient after the body, which is one client line
    if (e.type === 'message-end' && (this.ctx.info as SessionContext['info'] | undefined)?.heloVerb === 'LHLO') this.owed += Math.max(0, e.recipients.length - 1);
    const logger = this.logger;
    if (!logger) return;
    const session = this.ctx.id;
    switch (e.type) {
      case 'helo':
        this.verb = e.verb;
        return logger.debug({ session, verb: e.verb, domain: printable(e.domain) }, 'helo');
      case 'mail':
        this.verb = 'MAIL';
        return logger.debug({ session, from: printable(e.from) }, 'mail');
      case 'rcpt':
        this.verb = 'RCPT';
        return logger.debug({ session, to: printable(e.to) }, 'rcpt');
      case 'auth':
        this.verb = 'AUTH';
        // the mechanism only: never the identity, password or response
        return logger.debug({ session, mechanism: printable(e.credentials.mechanism) }, 'auth');
      case 'data-start':
        this.verb = e.mode.toUpperCase();
        return logger.debug({ session, mode: e.mode }, 'data');
      case 'message-end':
        this.verb = 'END-OF-MESSAGE';
        return logger.debug({ session, size: e.size, recipients: e.recipients.length }, 'end of data');
      case 'message-abort':
        if (e.reason === 'eof') this.messageLost = true;
        return logger.info({ session, reason: e.reason }, 'message aborted');
      case 'tls-start':
        this.verb = 'STARTTLS';
        return logger.debug({ session }, 'starttls');
      case 'vrfy':
      case 'expn':
        this.verb = e.type.toUpperCase();
        return logger.debug({ session, verb: this.verb }, 'command');
      case 'command':
        this.verb = printable(e.verb.toUpperCase());
        return logger.debug({ session, verb: printable(e.verb) }, 'command');
      case 'rset':
      case 'quit':
      case 'xclient':
      case 'xforward':
        this.verb = e.type.toUpperCase();
        return logger.debug({ session }, e.type);
      default:
        return;
    }
  }

  /** STARTTLS completed. */
  tls(socket: TLSSocket): void {
    // the session discarded what came after STARTTLS in plaintext (TLS-1)
    if (this.transcript) {
      this.notAnswered();
      this.mode = 'command';
      this.dataAhead = false;
    }
    if (this.logger) this.watchEof(socket);
    this.logger?.info({ session: this.ctx.id, ...this.tlsFields(socket) }, 'tls established');
  }

  /**
   * The STARTTLS handshake failed because of the client (see `isPeerHandshakeError` in tls.ts):
   * one info line `TLS handshake failed` (the error's code and escaped message), and the close
   * reason `TLS handshake failed (<code>)`. Not an error of the server: not given to `onError`.
   */
  tlsFailed(e: unknown): void {
    this.failure ??= handshakeFailure(e);
    this.logger?.info({ session: this.ctx.id, ...errorFields(e) }, 'TLS handshake failed');
  }

  /**
   * The peer or the network lost the connection (socket error `code`, see `lostConnectionCode` in
   * session.ts): not an error of the server. Called after the message it aborted, if any, was
   * logged. The close reason is `connection lost (<code>) during a message` when a message in
   * progress was aborted by it, else `connection lost (<code>) after <verb>` (the last command the
   * session acted on, `CONNECT` before any), as Postfix's `lost connection after RCPT`; for an
   * OpenSSL error on the established TLS (`ERR_SSL_*`) `TLS error (<code>) ...` instead.
   */
  lost(code: string): void {
    this.failure ??= `${code.startsWith('ERR_SSL_') ? 'TLS error' : 'connection lost'} (${code}) ${this.messageLost ? 'during a message' : `after ${this.verb}`}`;
  }

  /** An error reported for this session (also passed to `onError`). */
  error(e: unknown): void {
    const peer = isPeerError(e);
    if (peer) this.failure ??= `socket error ${String((e as { code: string }).code)}`;
    else this.failure ??= 'internal error';
    if (!this.logger) return;
    if (peer) this.logger.warn({ session: this.ctx.id, ...errorFields(e) }, 'socket error');
    else this.logger.error({ session: this.ctx.id, ...errorFields(e) }, 'session error');
  }

  /**
   * The session gave replies that could not be sent (after STARTTLS's 220, while the TLS handshake
   * runs, no plaintext may follow): they are neither logged as `rejected` nor shown in the
   * transcript, and `reason` becomes the session's close reason.
   */
  notSent(reason: string): void {
    this.failure ??= reason;
  }

  /** The session is over; `byServer`: the server ended it (QUIT, 421, error limit...). */
  close(byServer: boolean): void {
    if (this.transcript) this.notAnswered();
    if (!this.logger) return;
    let reason: string;
    if (this.failure !== undefined) reason = this.failure;
    else if (this.lastReply.startsWith('221')) reason = 'quit';
    else if (byServer && !this.clientEnded) reason = this.lastReply === '' ? 'closed by server' : printable(this.lastReply);
    // the core's abort says it, with or without a transcript (this.mode follows the input only with one)
    else reason = this.messageLost ? 'client closed during a message' : 'client closed';
    this.logger.info({ session: this.ctx.id, reason, bytesIn: this.bytesIn, durationMs: Date.now() - this.started }, 'close');
  }

  /** Bytes from the client, before the session handles them. */
  input(bytes: Uint8Array): void {
    this.bytesIn += bytes.length;
    if (!this.transcript) return;
    let i = 0;
    while (i < bytes.length) {
      if (this.mode === 'chunk') {
        const n = Math.min(this.chunkLeft, bytes.length - i);
        this.chunkLeft -= n;
        i += n;
        if (this.chunkLeft === 0) {
          this.mode = 'command';
          this.client(`<chunk data: ${this.chunkSize} bytes>`, this.chunkSize);
        }
        continue;
      }
      if (this.mode === 'data') {
        // find CRLF . CRLF (`dot` is how much of it was just seen; 2 = at a line start)
        for (; i < bytes.length; i++) {
          const b = bytes[i]!;
          this.dataBytes++;
          if (b === 0x0d) this.dot = this.dot === 3 ? 4 : 1;
          else if (b === 0x0a) this.dot = this.dot === 1 ? 2 : this.dot === 4 ? 5 : 0;
          else if (b === 0x2e) this.dot = this.dot === 2 ? 3 : 0;
          else this.dot = 0;
          if (this.dot === 5) {
            i++;
            this.mode = 'command';
            this.client(`<message data: ${this.dataBytes - 3} bytes>`, this.dataBytes);
            break;
          }
        }
        continue;
      }
      const b = bytes[i++]!;
      const crlf = b === 0x0a && this.lastByte === 0x0d;
      this.lastByte = b;
      if (crlf) this.flushLine();
      else if (this.lineLength++ <= MAX_SHOWN * 4) this.line.push(b);
    }
  }

  /** A complete command line (it ended with CRLF). */
  private flushLine(): void {
    // the line and its CRLF
    const bytes = this.lineLength + 1;
    const raw = Buffer.from(this.line).toString('utf8');
    const cut = this.lineLength > this.line.length;
    this.line = [];
    this.lineLength = 0;
    this.lastByte = -1;
    const text = cut || !raw.endsWith('\r') ? raw : raw.slice(0, -1);
    const chunk = bdatSize(text);
    if (this.mode === 'auth') {
      // every line from the AUTH command (or a 334) to the server's final reply: a client that
      // sends its answers without waiting for each 334 (user and password in one write) or
      // pipelines them behind AUTH sends secrets ahead of the reply that would say so
      if (chunk === undefined) this.client('<redacted>', bytes);
      // A SASL answer is base64, without a space: a BDAT line is a command pipelined behind AUTH
      // with its initial response (RFC 4954 §4), and its chunk follows it at once
      else this.startChunk(chunk, '<redacted>', bytes);
      return;
    }
    // AUTH however it is spaced or glued (tabs, a leading blank, NUL: the server may refuse the
    // line, but the client has sent its secret all the same): only the mechanism name is shown,
    // when it is one
    const words = FIRST_WORDS.exec(text);
    const verb = VERB.exec(text)![0].toUpperCase();
    if (verb === 'AUTH' || (words !== null && words[1]!.toUpperCase() === 'AUTH')) {
      const mechanism = words !== null && words[1]!.toUpperCase() === 'AUTH' ? words[2] : '';
      const shown = mechanism === undefined ? '' : MECHANISM_NAME.test(mechanism) ? ` ${mechanism}` : ' <redacted>';
      this.client(`AUTH${shown}${words?.[3] === undefined ? '' : ' <redacted>'}`, bytes);
      this.mode = 'auth';
      return;
    }
    // DATA followed by nothing, SP or any other byte that ends a verb (`DATA\t`): the session
    // counts it as DATA, and a body sent ahead of its reply must not show
    if (verb === 'DATA') {
      this.client(printable(text) + (cut ? '…' : ''), bytes);
      this.startData();
      this.dataAhead = true;
      return;
    }
    if (chunk !== undefined) {
      this.startChunk(chunk, printable(text), bytes);
      return;
    }
    this.client(printable(text) + (cut ? '…' : ''), bytes);
  }

  /** A BDAT line (`shown`), whose chunk of `size` bytes follows at once (no reply awaited). */
  private startChunk(size: number, shown: string, bytes: number): void {
    this.chunkSize = size;
    this.chunkLeft = size;
    // one reply answers the line and its chunk
    this.client(shown, bytes, false);
    if (size > 0) this.mode = 'chunk';
    else this.client('<chunk data: 0 bytes>', 0);
  }

  /** A client line, shown once a reply answers it (`answered`: whether one does). */
  private client(text: string, bytes: number, answered = true): void {
    if (this.unshown > 0 || this.pending.length - this.pendingHead >= MAX_PENDING) this.unshown += bytes;
    else this.pending.push({ text, bytes, answered });
  }

  /** A final reply: shows the client lines it answers. */
  private answer(): void {
    if (this.owed > 0) {
      this.owed--;
      return;
    }
    const pending = this.pending;
    if (this.pendingHead === pending.length && this.unshown > 0) {
      // the replies to the lines past MAX_PENDING
      this.emit('C', `<${this.unshown} bytes not shown>`);
      this.unshown = 0;
      return;
    }
    while (this.pendingHead < pending.length) {
      const p = pending[this.pendingHead++]!;
      this.emit('C', p.text);
      if (p.answered) break;
    }
    if (this.pendingHead === pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    }
  }

  /** Input that no reply will answer (the session is over, or dropped it at STARTTLS): one line. */
  private notAnswered(): void {
    let n = this.unshown + this.lineLength + (this.mode === 'data' ? this.dataBytes : this.mode === 'chunk' ? this.chunkSize - this.chunkLeft : 0);
    for (let i = this.pendingHead; i < this.pending.length; i++) n += this.pending[i]!.bytes;
    this.pending = [];
    this.pendingHead = 0;
    this.unshown = 0;
    this.line = [];
    this.lineLength = 0;
    this.lastByte = -1;
    if (n > 0) this.emit('C', `<${n} bytes not answered>`);
  }

  /** Replies written to the client (whole lines). */
  output(text: string): void {
    /** For each final reply in `text`, whether client lines still wait for a reply after it. */
    let waiting: boolean[] | undefined;
    if (this.transcript) {
      // the client lines these replies answer come first: a pipelined group shows as its lines, then its replies
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        if (end - start > 3 && text[start + 3] !== '-') {
          this.answer();
          (waiting ??= []).push(this.pendingHead < this.pending.length || this.unshown > 0);
        }
        start = end + 1;
      }
    }
    let finals = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
      if (line.length === 0) continue;
      this.transcript?.({ session: this.ctx.id, direction: 'S', text: printable(line) });
      if (line.length > 3 && line[3] === '-') continue;
      // a final reply line
      this.lastReply = line;
      const code = line.slice(0, 3);
      const linesWait = waiting?.[finals++] ?? false;
      if (code === '334') this.mode = 'auth';
      else if (code === '354') {
        // after DATA, data mode began with the command (a body sent ahead of this reply is data)
        if (this.dataAhead) this.dataAhead = false;
        else this.startData();
      } else if (this.mode === 'auth') {
        // the AUTH exchange is over when this reply answers the last line the client sent: one that
        // answers a command pipelined before the AUTH (a hook deciding it) leaves the lines sent
        // since, answers to the 334s to come, redacted
        if (!linesWait) this.mode = 'command';
      }
      else if (this.dataAhead && this.mode === 'data' && this.dataBytes === 0) {
        // nothing sent since DATA: this is DATA refused, or the reply to a command pipelined
        // before it (then its 354 is still to come and starts data mode again)
        this.dataAhead = false;
        this.mode = 'command';
      }
      if ((code[0] === '4' || code[0] === '5') && this.logger) this.logger.info({ session: this.ctx.id, reply: printable(line) }, 'rejected');
    }
  }

  /** Message data starts (after a 354, or at once after DATA: see `dataAhead`). */
  private startData(): void {
    this.mode = 'data';
    this.dataBytes = 0;
    this.dot = 2; // the body starts at a line start
  }

  private emit(direction: 'C' | 'S', text: string): void {
    this.transcript?.({ session: this.ctx.id, direction, text });
  }
}

/** What `createServer` calls for logging (internal). */
export interface ServerLog {
  /** A session starts on `socket`: logs the connect line. */
  session(ctx: SessionContext, socket: unknown, serverEnding: () => boolean): SessionLog;
  /** A connection refused before a session exists. */
  refused(remoteAddress: string | undefined, reason: string): void;
  /** A connection closed because its PROXY header was not complete within `timeoutMs` of its accept. */
  proxyHeaderTimeout(remoteAddress: string | undefined, timeoutMs: number): void;
  /**
   * A connection on the implicit TLS port closed because its handshake was not done within
   * `timeoutMs` (`timeouts.tlsHandshake`) of its start, before a session exists.
   */
  tlsHandshakeTimeout(remoteAddress: string | undefined, timeoutMs: number): void;
  /**
   * A connection on the implicit TLS port whose handshake failed because of the client (a reset,
   * plain text, no shared protocol version or cipher, a refused client certificate), before a
   * session exists: one info line, not an error of the server.
   */
  tlsHandshakeFailed(remoteAddress: string | undefined, error: unknown): void;
  /**
   * A connection without a session (its PROXY header awaited, its implicit TLS handshake done but
   * no session yet) that the peer or the network lost (see `lostConnectionCode` in session.ts):
   * one info line `connection lost`, not an error of the server.
   */
  lost(remoteAddress: string | undefined, error: unknown): void;
  /** Wraps `onError` so that every error is logged too (on its session's log when it has one). */
  onError(inner: ((error: unknown, session: SessionContext | undefined) => void) | undefined): (error: unknown, session: SessionContext | undefined) => void;
}

/** The application's logger with every call contained: a throwing logger never reaches a session. */
function contained(logger: ServerLogger): ServerLogger {
  const wrap =
    (level: keyof ServerLogger) =>
    (fields: Record<string, unknown>, message: string): void => {
      try {
        logger[level](fields, message);
      } catch {
        // a logger that fails cannot be told so; the session goes on
      }
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

/** The server's log; `undefined` when neither a logger nor a transcript is set. */
export function serverLog(userLogger: ServerLogger | undefined, userTranscript: ((line: TranscriptLine) => void) | undefined): ServerLog | undefined {
  if (!userLogger && !userTranscript) return undefined;
  const logger = userLogger ? contained(userLogger) : undefined;
  const transcript = userTranscript
    ? (line: TranscriptLine): void => {
        try {
          userTranscript(line);
        } catch {
          // as for the logger
        }
      }
    : undefined;
  const logs = new WeakMap<SessionContext, SessionLog>();
  return {
    session: (ctx, socket, serverEnding) => {
      const l = new SessionLog(ctx, logger, transcript, serverEnding);
      logs.set(ctx, l);
      l.connect(socket);
      return l;
    },
    refused: (remoteAddress, reason) => logger?.warn({ remoteAddress, reason }, 'connection refused'),
    proxyHeaderTimeout: (remoteAddress, timeoutMs) => logger?.warn({ remoteAddress, timeoutMs }, 'PROXY header timeout'),
    tlsHandshakeTimeout: (remoteAddress, timeoutMs) => logger?.warn({ remoteAddress, timeoutMs }, 'TLS handshake timeout'),
    tlsHandshakeFailed: (remoteAddress, error) => logger?.info({ remoteAddress, ...errorFields(error) }, 'TLS handshake failed'),
    lost: (remoteAddress, error) => logger?.info({ remoteAddress, ...errorFields(error) }, 'connection lost'),
    onError: (inner) => (error, ctx) => {
      try {
        const l = ctx !== undefined ? logs.get(ctx) : undefined;
        if (l) l.error(error);
        else if (logger) {
          // a malformed PROXY header is the peer's doing, like a socket error
          if (isSmtpServerError(error) && error.code === 'ERR_SMTP_PROXY_HEADER_INVALID') logger.warn({ remoteAddress: (error as ProxyHeaderError).remoteAddress, ...errorFields(error) }, 'bad PROXY header');
          else if (isPeerError(error)) logger.warn(errorFields(error), 'socket error before the session');
          else logger.error(errorFields(error), 'error before the session');
        }
      } catch {
        // logging an error never keeps it from the application's onError
      }
      inner?.(error, ctx);
    },
  };
}
