// A small command/reply channel over a socket for `smtp probe`: replies are parsed with
// smtp-reply-reader; STARTTLS upgrades the same socket. Every wait is bounded by a timeout.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { ReplyReader } from 'smtp-reply-reader';
import type { Reply } from 'smtp-reply-reader';

/** A failure reaching or talking to the peer (exit code 3). */
export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure';
}

/** One line of the conversation, for transcripts. */
export interface WireLine {
  readonly dir: 'C' | 'S';
  readonly text: string;
}

export class SmtpWire {
  #socket: Socket | TLSSocket;
  #reader = new ReplyReader();
  #replies: Reply[] = [];
  #waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  #failure: Error | undefined;
  readonly transcript: WireLine[] = [];
  readonly timeoutMs: number;

  private constructor(socket: Socket | TLSSocket, timeoutMs: number) {
    this.#socket = socket;
    this.timeoutMs = timeoutMs;
    this.#attach(socket);
  }

  /** Opens a plain TCP connection. */
  static open(host: string, port: number, timeoutMs: number): Promise<SmtpWire> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionFailure(`cannot connect to ${host}:${port}: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ConnectionFailure(`cannot connect to ${host}:${port}: ${e.code ?? e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new SmtpWire(socket, timeoutMs));
      });
    });
  }

  get socket(): Socket | TLSSocket {
    return this.#socket;
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Uint8Array) => this.#onData(chunk));
    socket.on('error', (e) => this.#fail(new ConnectionFailure(e.message)));
    socket.on('close', () => this.#fail(new ConnectionFailure('connection closed by the server')));
  }

  #onData(chunk: Uint8Array): void {
    try {
      for (const reply of this.#reader.push(chunk)) {
        for (const [i, line] of reply.lines.entries()) this.transcript.push({ dir: 'S', text: `${reply.code}${i === reply.lines.length - 1 ? ' ' : '-'}${line}` });
        this.#replies.push(reply);
      }
    } catch (e) {
      this.#fail(new ConnectionFailure(`invalid reply from the server: ${(e as Error).message}`));
      this.#socket.destroy();
      return;
    }
    this.#deliver();
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#deliver();
  }

  #deliver(): void {
    if (this.#waiter === undefined) return;
    const reply = this.#replies.shift();
    if (reply !== undefined) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.resolve(reply);
    } else if (this.#failure !== undefined) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.reject(this.#failure);
    }
  }

  /**
   * The next complete reply. After a timeout the session is over: a late reply could not be told
   * from the answer to a next command, and `close()` sends no QUIT (it would wait as long again).
   */
  read(): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        const e = new ConnectionFailure(`no reply within ${this.timeoutMs} ms`);
        this.#failure ??= e;
        reject(e);
      }, this.timeoutMs);
      this.#waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#deliver();
    });
  }

  /** Sends one command line (CRLF added) and waits for its reply. */
  async command(line: string): Promise<Reply> {
    if (/[\r\n]/.test(line)) throw new Error('a command line must not contain CR or LF');
    this.transcript.push({ dir: 'C', text: line });
    this.#socket.write(`${line}\r\n`);
    return this.read();
  }

  /** Upgrades the connection after a 220 reply to STARTTLS. */
  async startTls(servername: string, rejectUnauthorized: boolean): Promise<TLSSocket> {
    if (this.#replies.length > 0 || this.#reader.pending) {
      throw new ConnectionFailure('the server sent data after its STARTTLS reply (possible STARTTLS injection); refusing to continue');
    }
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    const tls = await new Promise<TLSSocket>((resolve, reject) => {
      const options: ConnectionOptions = { socket: plain, rejectUnauthorized };
      // SNI carries host names only, never IP addresses (RFC 6066 §3).
      if (!/^[\d.:]+$/.test(servername)) options.servername = servername;
      const s = tlsConnect(options);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ConnectionFailure(`TLS handshake timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectionFailure(`TLS failed: ${e.message}`));
      });
    }).catch((e: unknown) => {
      // The session is unusable after a failed handshake: no QUIT, just close.
      this.#failure = e as Error;
      plain.destroy();
      throw e;
    });
    this.#socket = tls;
    this.#reader = new ReplyReader();
    this.#failure = undefined;
    this.#attach(tls);
    return tls;
  }

  /** Sends QUIT (best effort) and closes; at once, without QUIT, after a failure or a timeout. */
  async close(): Promise<void> {
    try {
      if (this.#failure === undefined) await this.command('QUIT');
    } catch {
      // closing anyway
    }
    this.#socket.destroy();
  }
}
