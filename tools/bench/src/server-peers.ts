/**
 * The servers the server suite drives with smtp-source: createServer (ours), smtp-server (the
 * peer), createServer's sans-IO core behind a bare socket, and two floors. Each can run in the
 * suite's process (the memory figure) or alone in a child process (server-child.ts, the
 * messages/s and CPU figures).
 */
import { createServer as createNetServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { DataDecoder, ServerConnection } from 'esmtp-server-fsm';
import { createServer } from 'esmtp-server-fsm/node';

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

export type ServerKind = 'ours' | 'peer' | 'core-only' | 'core-stream' | 'floor' | 'stream-floor' | 'checked-stream-floor';

/**
 * The application's side of a message in the bench: drain the body exactly as the peer below does
 * ('data' and 'end' listeners), then accept. createServer and the streaming floor both use it.
 */
function drain(body: Readable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    body.on('data', () => undefined);
    body.on('end', () => resolve());
    body.on('error', reject);
  });
}

export async function ours(): Promise<Listening> {
  const server = createServer({
    hostname: 'bench.test',
    limits: { maxMessageSize: 0 },
    maxConnections: 1000,
    onData: (_env, body) => drain(body),
  });
  const a = await server.listen(0, '127.0.0.1');
  return { port: a.port, close: () => server.close({ timeout: 1000 }) };
}

export async function peer(): Promise<Listening> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The fixed replies of the two floors below. */
const CANNED = {
  greet: Buffer.from('220 floor ESMTP\r\n'),
  ehlo: Buffer.from('250-floor\r\n250 8BITMIME\r\n'),
  ok: Buffer.from('250 ok\r\n'),
  go: Buffer.from('354 go\r\n'),
  bye: Buffer.from('221 bye\r\n'),
  bare: Buffer.from('550 bare line ending\r\n'),
};

/** A bare `node:net` server on loopback; `connection` sets up each socket. */
async function netServer(connection: (socket: Socket) => void): Promise<Listening> {
  const server = createNetServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    connection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A floor: greets each connection, then `session(socket)` is its `data` handler. */
function cannedServer(session: (socket: Socket) => (d: Buffer) => void): Promise<Listening> {
  return netServer((socket) => {
    socket.write(CANNED.greet);
    socket.on('data', session(socket));
  });
}

/**
 * createServer's sans-IO core (`ServerConnection`, with the adapter's settings) behind the least
 * glue a socket needs: every decision accepted by the core itself, body bytes dropped, the
 * replies of each chunk written at once. No hooks, no body stream, no timers, no connection
 * accounting. It sits between the floors and createServer: its distance to the canned floor is
 * what the core's parsing, checks and replies cost, and createServer's distance to it is what
 * the Node adapter adds. Where it is past a CPU aim, no adapter around this core can meet it.
 */
export function coreOnly(): Promise<Listening> {
  return netServer((socket) => {
    const conn = new ServerConnection({
      hostname: 'bench.test',
      limits: { maxMessageSize: 0 },
      copyInput: false,
      autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start', 'message-end', 'command', 'xclient'],
    });
    const pump = (): void => {
      for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = conn.nextEvent());
      const out = conn.textToSend();
      if (out.length > 0) socket.write(out);
      if (conn.shouldClose) socket.end();
    };
    socket.on('data', (d: Buffer) => {
      conn.receiveData(d);
      pump();
    });
    socket.on('end', () => {
      conn.receiveEof();
      pump();
    });
    pump();
  });
}

/**
 * The core behind a bare socket as above, plus createServer's contract for the body: each message
 * streamed to the same `onData` as a `Readable` (drained with `data`/`end` listeners), its reply
 * written when that promise settles. No timers, deadlines, limits, logging, output batching or
 * hook plumbing. Its distance to `coreOnly` is what the body stream and the wait for `onData`
 * cost; createServer's distance to it is what the rest of the Node adapter adds. Where it is
 * past a CPU aim, no server with this core and smtp-server's contract (a streamed body, answered
 * when the application settles) can meet it.
 */
export function coreStream(): Promise<Listening> {
  return netServer((socket) => {
    const conn = new ServerConnection({
      hostname: 'bench.test',
      limits: { maxMessageSize: 0 },
      copyInput: false,
      autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start', 'command', 'xclient'],
    });
    let body: Readable | undefined;
    let done: Promise<void> | undefined;
    const answered = (): void => {
      conn.accept();
      pump();
    };
    const pump = (): void => {
      for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = conn.nextEvent()) {
        if (e.type === 'data-start') {
          body = new Readable({ read: () => undefined });
          done = drain(body);
        } else if (e.type === 'data-chunk') body?.push(e.bytes);
        else if (e.type === 'message-end') {
          body?.push(null);
          body = undefined;
          void done!.then(answered);
        }
      }
      const out = conn.textToSend();
      if (out.length > 0) socket.write(out);
      if (conn.shouldClose) socket.end();
    };
    socket.on('data', (d: Buffer) => {
      conn.receiveData(d);
      pump();
    });
    socket.on('end', () => {
      conn.receiveEof();
      pump();
    });
    pump();
  });
}

/** The canned reply to a command, by its first four letters only; true for DATA (a body follows). */
function cannedCommand(socket: Socket, d: Buffer): boolean {
  const verb = d.toString('latin1', 0, 4).toUpperCase();
  if (verb === 'EHLO' || verb === 'HELO') socket.write(CANNED.ehlo);
  else if (verb === 'DATA') {
    socket.write(CANNED.go);
    return true;
  } else if (verb === 'QUIT') socket.end(CANNED.bye);
  else socket.write(CANNED.ok);
  return false;
}

/**
 * The ceiling for any Node.js server under this client: canned replies written as soon as a
 * command (or the end of the data) arrives, with no parsing, no validation and no body stream.
 * It makes the same system calls per message as a real server, so it shows how much of the
 * time per message is the kernel and smtp-source rather than the server's own code.
 */
export function floor(): Promise<Listening> {
  return cannedServer((socket) => {
    let data = false;
    let tail = '';
    return (d) => {
      if (data) {
        const t = tail + d.toString('latin1', Math.max(0, d.length - 5));
        if (t.endsWith('\r\n.\r\n')) {
          data = false;
          socket.write(CANNED.ok);
        }
        tail = t.slice(-5);
        return;
      }
      if (cannedCommand(socket, d)) {
        data = true;
        tail = '';
      }
    };
  });
}

/**
 * The floor plus the least a server that hands each message to the application as a stream must
 * add: the body's lines found with `indexOf` (a leading dot removed, the lone dot ending it), the
 * pieces pushed into a `Readable` given to the same `onData` as createServer's (`drain`), and the
 * reply written when its promise settles. Commands still get canned replies with no parsing. This
 * is the least CPU per message of any server with smtp-server's contract (the body streamed to a
 * callback that answers when it is done): where it is past a CPU aim, no such server can meet it.
 */
export function streamFloor(): Promise<Listening> {
  return cannedServer((socket) => {
    let body: Readable | undefined;
    let done: Promise<void> | undefined;
    let lineStart = true;
    let carry: Buffer | undefined;
    /** Feeds body bytes; true at the end of the message. */
    const feed = (chunk: Buffer): boolean => {
      const d = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      let from = 0;
      let i = 0;
      for (;;) {
        if (lineStart) {
          if (i >= d.length) break;
          if (d[i] === 0x2e) {
            if (d.length - i < 3) {
              if (i > from) body!.push(d.subarray(from, i));
              carry = d.subarray(i);
              return false;
            }
            if (i > from) body!.push(d.subarray(from, i));
            if (d[i + 1] === 13 && d[i + 2] === 10) return true;
            from = i + 1;
          }
          lineStart = false;
        }
        const nl = d.indexOf(10, i);
        if (nl < 0) break;
        i = nl + 1;
        lineStart = true;
      }
      if (from < d.length) body!.push(d.subarray(from));
      return false;
    };
    return (d) => {
      if (body) {
        if (!feed(d)) return;
        body.push(null);
        body = undefined;
        void done!.then(() => socket.write(CANNED.ok));
        return;
      }
      if (cannedCommand(socket, d)) {
        body = new Readable({ read: () => undefined });
        // the application gets the stream at once, as createServer's onData does
        done = drain(body);
        lineStart = true;
      }
    };
  });
}

/**
 * The streaming floor with the body read by the core's own `DataDecoder` instead of `indexOf` per
 * line: every body byte checked for a bare CR or LF (the SMTP smuggling defence: a bare line
 * ending never ends a line, and a message with one is refused), dots removed, the lone dot found,
 * the pieces pushed into the `Readable`. Commands still get canned replies with no parsing. This is
 * the least CPU per message of a server with smtp-server's contract that also refuses smuggled
 * line endings: where it is past a CPU aim, no such server can meet it with this decoder.
 */
export function checkedStreamFloor(): Promise<Listening> {
  return cannedServer((socket) => {
    let body: Readable | undefined;
    let done: Promise<void> | undefined;
    let decoder = new DataDecoder('reject');
    const emit = (piece: Uint8Array): void => {
      body!.push(piece);
    };
    return (d) => {
      if (body) {
        if (!decoder.push(d, 0, d.length, emit).done) return;
        body.push(null);
        body = undefined;
        const bare = decoder.bareCr + decoder.bareLf > 0;
        void done!.then(() => socket.write(bare ? CANNED.bare : CANNED.ok));
        return;
      }
      if (cannedCommand(socket, d)) {
        body = new Readable({ read: () => undefined });
        done = drain(body);
        decoder = new DataDecoder('reject');
      }
    };
  });
}

export const SERVERS: Record<ServerKind, () => Promise<Listening>> = {
  ours,
  peer,
  'core-only': coreOnly,
  'core-stream': coreStream,
  floor,
  'stream-floor': streamFloor,
  'checked-stream-floor': checkedStreamFloor,
};
