// A scripted SMTP server for transcript tests: parses the client's commands, answers from a
// script with fault knobs, and records every message it receives (bytes after dot-unstuffing).
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { TlsOptions } from 'node:tls';

export interface Received {
  from: string;
  to: string[];
  mailLine: string;
  rcptLines: string[];
  content: Uint8Array;
}

export interface Script {
  greeting?: string;
  ehlo?: string[];
  /** Extra keywords after STARTTLS (replaces ehlo). */
  ehloTls?: string[];
  ehloReply?: string;
  helo?: string;
  /** The MAIL reply (a function: by the 1-based count of MAIL commands). */
  mail?: string | ((n: number) => string);
  rcpt?: (address: string, index: number) => string;
  data?: string;
  final?: string | ((n: number) => string);
  lmtpFinal?: (address: string) => string;
  starttls?: string;
  /** Bytes appended to the STARTTLS reply (TLS-5). */
  afterStarttls?: string;
  auth?: (line: string, step: number) => string;
  rset?: string;
  quit?: string;
  xclient?: string;
  /** Close the connection (EOF) when this command verb arrives. */
  disconnectOn?: string;
  /** Reply with 421 instead of this verb's reply. */
  fail421On?: string;
  /** `disconnectOn` and `fail421On` apply from this MAIL command on (1-based; default: from the start). */
  failFromMail?: number;
  /** Close the connection without a reply at the end of data of this message (1-based). */
  disconnectAfterMessage?: number;
  /** Never answer this verb (for timeouts). */
  silentOn?: string;
  /** Reply to a non-LAST BDAT chunk, by 1-based chunk number (default 250). */
  bdatChunk?: (n: number, size: number) => string;
  /**
   * Like Postfix after an end-of-data restriction refused the message: a final reply other than
   * 2xx leaves the transaction open (sender and recipients kept) until RSET; a MAIL while a
   * transaction is open gets `503 5.5.1 Error: nested MAIL command`, a RCPT joins the open one
   * (and a RCPT without one gets `503 5.5.1 Error: need MAIL command`).
   */
  keepsRefused?: boolean;
}

const dec = new TextDecoder();
const enc = new TextEncoder();

export class ScriptedServer {
  readonly commands: string[] = [];
  readonly messages: Received[] = [];
  eof = false;
  #mode: 'cmd' | 'data' | 'bdat' = 'cmd';
  #data: number[] = [];
  #bdatLeft = 0;
  #bdatSize = 0;
  /** Non-LAST BDAT chunks answered so far. */
  bdatChunks = 0;
  /** The size of every BDAT command received. */
  readonly bdatSizes: number[] = [];
  #bdatLast = false;
  #from = '';
  #mailLine = '';
  #to: string[] = [];
  #rcptLines: string[] = [];
  #authStep = 0;
  #inAuth = false;
  #tls = false;
  #rcptIndex = 0;
  /** MAIL commands received. */
  #mails = 0;
  /** A transaction is open (with `keepsRefused`). */
  #open = false;
  #out = '';
  #bytes: number[] = [];

  constructor(readonly script: Script = {}) {
    this.#out = (script.greeting ?? '220 mx.test ESMTP ready') + '\r\n';
  }

  output(): string {
    const o = this.#out;
    this.#out = '';
    return o;
  }

  tlsUp(): void {
    this.#tls = true;
  }

  push(chunk: Uint8Array): void {
    for (const b of chunk) this.#bytes.push(b);
    this.#process();
  }

  #reply(text: string): void {
    this.#out += text + '\r\n';
  }

  #process(): void {
    while (this.#bytes.length > 0 && !this.eof) {
      if (this.#mode === 'bdat') {
        const n = Math.min(this.#bdatLeft, this.#bytes.length);
        for (const b of this.#bytes.splice(0, n)) this.#data.push(b);
        this.#bdatLeft -= n;
        if (this.#bdatLeft === 0) {
          this.#mode = 'cmd';
          if (this.#bdatLast) this.#endMessage(false);
          else this.#reply(this.script.bdatChunk ? this.script.bdatChunk(++this.bdatChunks, this.#bdatSize) : '250 2.0.0 chunk ok');
        }
        continue;
      }
      const lf = this.#bytes.indexOf(10);
      if (lf === -1) return;
      const lineBytes = this.#bytes.splice(0, lf + 1);
      if (this.#mode === 'data') {
        const line = lineBytes;
        if (line.length === 3 && line[0] === 46 && line[1] === 13) {
          this.#mode = 'cmd';
          this.#endMessage(true);
        } else {
          for (const b of line[0] === 46 ? line.slice(1) : line) this.#data.push(b);
        }
        continue;
      }
      const line = dec.decode(new Uint8Array(lineBytes)).replace(/\r\n$/, '');
      this.#command(line);
    }
  }

  #endMessage(dot: boolean): void {
    void dot;
    const content = new Uint8Array(this.#data);
    this.messages.push({ from: this.#from, to: [...this.#to], mailLine: this.#mailLine, rcptLines: [...this.#rcptLines], content });
    this.#data = [];
    const s = this.script;
    if (s.disconnectAfterMessage === this.messages.length) {
      this.eof = true;
      return;
    }
    if (s.lmtpFinal) for (const r of this.#to) this.#reply(s.lmtpFinal(r));
    else {
      const f = s.final ?? '250 2.0.0 queued';
      const r = typeof f === 'function' ? f(this.messages.length) : f;
      this.#reply(r);
      if (s.keepsRefused && !r.startsWith('2')) return;
    }
    this.#open = false;
    this.#to = [];
    this.#rcptLines = [];
  }

  #command(line: string): void {
    this.commands.push(line);
    const s = this.script;
    if (this.#inAuth) {
      const r = s.auth ? s.auth(line, ++this.#authStep) : '235 ok';
      this.#reply(r);
      this.#inAuth = r.startsWith('334');
      return;
    }
    const verb = line.split(' ')[0]!.split(':')[0]!.toUpperCase();
    if (verb === 'MAIL') this.#mails++;
    const failing = s.failFromMail === undefined || this.#mails >= s.failFromMail;
    if (failing && s.disconnectOn === verb) {
      this.eof = true;
      return;
    }
    if (s.silentOn === verb) return;
    if (failing && s.fail421On === verb) {
      this.#reply('421 4.3.2 shutting down');
      this.eof = true;
      return;
    }
    switch (verb) {
      case 'EHLO':
      case 'LHLO': {
        if (s.ehloReply) return this.#reply(s.ehloReply);
        const kws = (this.#tls && s.ehloTls) || s.ehlo || ['PIPELINING', '8BITMIME', 'SIZE 1000000'];
        const lines = ['mx.test hello', ...kws];
        lines.forEach((l, i) => this.#reply(`250${i < lines.length - 1 ? '-' : ' '}${l}`));
        return;
      }
      case 'HELO':
        return this.#reply(s.helo ?? '250 mx.test');
      case 'STARTTLS':
        this.#reply(s.starttls ?? '220 2.0.0 go ahead');
        if (s.afterStarttls) this.#out += s.afterStarttls;
        return;
      case 'AUTH': {
        this.#authStep = 0;
        const r = s.auth ? s.auth(line, 0) : '235 2.7.0 ok';
        this.#reply(r);
        this.#inAuth = r.startsWith('334');
        return;
      }
      case 'XCLIENT':
        return this.#reply(s.xclient ?? '220 mx.test ESMTP ready');
      case 'MAIL': {
        if (s.keepsRefused && this.#open) return this.#reply('503 5.5.1 Error: nested MAIL command');
        this.#from = line.slice(line.indexOf('<') + 1, line.indexOf('>'));
        this.#mailLine = line;
        this.#to = [];
        this.#rcptIndex = 0;
        const r = (typeof s.mail === 'function' ? s.mail(this.#mails) : s.mail) ?? '250 2.1.0 ok';
        this.#open = r.startsWith('2');
        return this.#reply(r);
      }
      case 'RCPT': {
        if (s.keepsRefused && !this.#open) return this.#reply('503 5.5.1 Error: need MAIL command');
        const addr = line.slice(line.indexOf('<') + 1, line.indexOf('>'));
        const r = s.rcpt ? s.rcpt(addr, this.#rcptIndex++) : '250 2.1.5 ok';
        if (r.startsWith('2')) {
          this.#to.push(addr);
          this.#rcptLines.push(line);
        }
        return this.#reply(r);
      }
      case 'DATA': {
        const r = s.data ?? (this.#to.length ? '354 go ahead' : '554 5.5.1 no valid recipients');
        this.#reply(r);
        if (r.startsWith('354')) this.#mode = 'data';
        return;
      }
      case 'BDAT': {
        const parts = line.split(' ');
        this.#bdatLeft = Number(parts[1]);
        this.#bdatSize = this.#bdatLeft;
        this.bdatSizes.push(this.#bdatLeft);
        this.#bdatLast = parts[2] === 'LAST';
        this.#mode = 'bdat';
        if (this.#bdatLeft === 0) {
          this.#mode = 'cmd';
          if (this.#bdatLast) this.#endMessage(false);
          else this.#reply('250 ok');
        }
        return;
      }
      case 'RSET':
        // the BDAT chunks of a transaction never ended go with it (RFC 3030 §3)
        this.#data = [];
        this.#to = [];
        this.#rcptLines = [];
        this.#open = false;
        return this.#reply(s.rset ?? '250 2.0.0 ok');
      case 'NOOP':
        return this.#reply('250 ok');
      case 'QUIT':
        this.#reply(s.quit ?? '221 2.0.0 bye');
        this.eof = true;
        return;
      default:
        return this.#reply('502 5.5.2 unknown command');
    }
  }
}

export interface RunOptions {
  /** How server output is split before it reaches the client. */
  split?: ((data: Uint8Array) => Uint8Array[]) | undefined;
  /** Supplies streamed bodies: chunks per message id. */
  bodies?: Record<number, (string | Uint8Array)[]>;
  /** Answers each need-body event instead of `bodies` (`n`: how many came before for that message). */
  onNeedBody?: (e: Extract<ClientEvent, { type: 'need-body' }>, n: number) => void;
  /** Sees each event after `run` handled it (it may queue more work on the connection). */
  onEvent?: (e: ClientEvent) => void;
  /** Sees each write the client hands out, before the server reads it. */
  onWrite?: (data: Uint8Array) => void;
  maxRounds?: number;
}

/** Runs client and server until nothing moves; returns every client event. */
export function run(conn: ClientConnection, server: ScriptedServer, opts: RunOptions = {}): ClientEvent[] {
  const events: ClientEvent[] = [];
  const split = opts.split ?? ((d: Uint8Array) => [d]);
  let eofSent = false;
  for (let round = 0; round < (opts.maxRounds ?? 10_000); round++) {
    let moved = false;
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
      moved = true;
      events.push(e);
      if (e.type === 'tls-start') {
        server.tlsUp();
        conn.tlsEstablished();
      }
      if (e.type === 'need-body') {
        const chunks = opts.bodies?.[e.messageId] ?? [];
        const key = `${e.messageId}:${e.transaction}`;
        const pos = (progress.get(key) ?? 0);
        if (opts.onNeedBody) {
          progress.set(key, pos + 1);
          opts.onNeedBody(e, pos);
        } else if (pos < chunks.length) {
          progress.set(key, pos + 1);
          conn.writeBody(chunks[pos]!);
        } else conn.endBody();
      }
      opts.onEvent?.(e);
    }
    const out = conn.dataToSend();
    if (out.length > 0) {
      moved = true;
      opts.onWrite?.(out);
      server.push(out);
    }
    const reply = server.output();
    if (reply.length > 0) {
      moved = true;
      for (const piece of split(enc.encode(reply))) conn.receiveData(piece);
    }
    if (server.eof && !eofSent && reply.length === 0 && out.length === 0) {
      eofSent = true;
      moved = true;
      conn.receiveEof();
    }
    if (!moved) break;
  }
  progress.clear();
  return events;
}
const progress = new Map<string, number>();

export function sent(events: ClientEvent[]) {
  return events.filter((e): e is Extract<ClientEvent, { type: 'message-sent' }> => e.type === 'message-sent');
}
export { ClientConnection };

/**
 * Runs a scripted server on an accepted socket: every chunk received goes to `s`, its replies are
 * written back (`lateMs` late, in order, when given), and the socket is ended once the script
 * closes the session.
 */
export function serveScripted(sock: Socket, s: ScriptedServer, lateMs = 0): void {
  const write = (out: string, eof: boolean): void => {
    if (sock.destroyed) return;
    if (out) sock.write(out);
    if (eof) sock.end();
  };
  // with `lateMs`, each batch of replies goes that many ms late, in order
  const flush = (): void => {
    const out = s.output();
    const eof = s.eof;
    if (lateMs > 0) setTimeout(() => write(out, eof), lateMs);
    else write(out, eof);
  };
  sock.on('data', (d: Buffer) => {
    s.push(new Uint8Array(d));
    flush();
  });
  sock.on('error', () => undefined);
  flush();
}

/** A loopback listener whose every connection runs the scripted session `session(sock)` returns. */
/**
 * Serves `s` over `sock` as {@link serveScripted} does, and takes STARTTLS for real: once the
 * script has answered STARTTLS, that reply goes out in clear and the socket becomes a server-side
 * TLS socket with `tlsOptions` (undefined: never upgraded), the script going on inside it. `onBatch`
 * is told, for each batch of client bytes the script answers, whether it came over TLS.
 */
export function serveScriptedTls(sock: Socket, s: ScriptedServer, tlsOptions: TlsOptions | undefined, onBatch?: (secure: boolean) => void): void {
  let current: Socket = sock;
  const flush = (): void => {
    const out = s.output();
    if (out) current.write(out);
    if (s.eof) current.end();
  };
  const onData = (d: Buffer): void => {
    s.push(new Uint8Array(d));
    if (tlsOptions && s.commands.at(-1) === 'STARTTLS' && !(current instanceof TLSSocket)) {
      current.removeListener('data', onData);
      current.write(s.output(), () => {
        const secure = new TLSSocket(sock, { isServer: true, ...tlsOptions });
        current = secure;
        s.tlsUp();
        secure.on('data', onData);
        secure.on('error', () => undefined);
      });
      return;
    }
    onBatch?.(current instanceof TLSSocket);
    flush();
  };
  current.on('data', onData);
  current.on('error', () => undefined);
  flush();
}

export interface ScriptedListener {
  readonly port: number;
  /** Destroys the open connections and stops listening. */
  close(): Promise<void>;
}

/** Listens on a free 127.0.0.1 port; each accepted socket is served by `serveScripted`. */
export async function listenScripted(session: (sock: Socket) => ScriptedServer): Promise<ScriptedListener> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    serveScripted(sock, session(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every event the connection has ready, up to its next `need-data`. */
export function drain(conn: ClientConnection): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
  return events;
}
