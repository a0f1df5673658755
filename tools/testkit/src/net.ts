// Loopback helpers for tests and benchmarks that start real peers: a free port, waiting until
// something listens on it, and a hand-driven client connection. Bounded in time; loopback only.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** Ports {@link freePort} has handed out in this process. */
const handedOut = new Set<number>();

/** A port the OS picks on 127.0.0.1 (bound, read, released). */
function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A port that was free on 127.0.0.1 a moment ago (the OS picks it), never one this process was
 * given before: the OS can hand a released port out again at once, and two services of one test
 * given the same port meet (a Postfix master.cf with two entries for one port keeps the last).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = await osPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: the OS kept handing out ports already given to this process');
}

/** Resolves once a TCP connect to 127.0.0.1:`port` succeeds; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/**
 * Polls `ok` every 10 ms (with the real timer), at most `tries` times, and returns its last answer:
 * for a state that follows an event by a few turns of the event loop (a socket closed, a stream
 * released). Bounded by the count of tries, never by elapsed time.
 */
export async function pollUntil(ok: () => boolean, tries = 300): Promise<boolean> {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

/** A client connection driven by hand: see {@link talk}. */
export interface Talk {
  readonly socket: Socket;
  /** Everything the server has sent so far, as latin1 text. */
  heard(): string;
  /**
   * Resolves once what was heard matches `until` (a pattern, or a test of the whole text); rejects
   * when the connection closes first, or after `timeoutMs` (default: the one given to {@link talk}).
   */
  until(until: RegExp | ((heard: string) => boolean), timeoutMs?: number): Promise<void>;
  /** Resolves when the socket has closed (socket errors are swallowed: the close follows them). */
  readonly closed: Promise<void>;
}

/**
 * Connects to `port` (127.0.0.1 unless `host` is given) and collects what the server sends, for
 * tests that speak SMTP by hand: write with `socket.write`, wait with `until(/^250 /m)`.
 *
 * @example
 * const c = talk(port);
 * await c.until(/^220 /m);
 * c.socket.write('EHLO me.test\r\n');
 * await c.until(/^250 /m);
 */
export function talk(port: number, options: { host?: string; localAddress?: string; timeoutMs?: number } = {}): Talk {
  const socket = connect({ host: options.host ?? '127.0.0.1', port, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) });
  let text = '';
  let isClosed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    text += d;
    wake();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      wake();
      resolve();
    }),
  );
  const until = (want: RegExp | ((heard: string) => boolean), timeoutMs = options.timeoutMs ?? 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const matches = typeof want === 'function' ? want : (t: string): boolean => want.test(t);
      const what = typeof want === 'function' ? 'what was awaited' : String(want);
      const done = (error?: Error): void => {
        waiters.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => {
        if (matches(text)) done();
        else if (isClosed) done(new Error(`closed before ${what}; heard:\n${text}`));
      };
      const timer = setTimeout(() => done(new Error(`never heard ${what} within ${timeoutMs} ms; heard:\n${text}`)), timeoutMs);
      waiters.add(check);
      check();
    });
  return { socket, heard: () => text, until, closed };
}
