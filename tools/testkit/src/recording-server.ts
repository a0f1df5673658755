/**
 * A loopback SMTP server for the tests of senders: it accepts every command and message and keeps
 * what each message's DATA carried, line by line, as the client sent it.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { crlfLines } from './lines.js';

/** A running {@link recordingServer}. */
export interface RecordingServer {
  readonly port: number;
  /** Each message's DATA lines as sent (dot-stuffing kept, no final dot), read as latin1. */
  readonly messages: string[][];
  /** How many connections it has accepted. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (a free port) that answers 220, EHLO with PIPELINING and
 * ENHANCEDSTATUSCODES, 354 to DATA, 221 to QUIT and 250 to anything else.
 *
 * @example
 * const srv = await recordingServer();
 * // ... send to srv.port ...
 * expect(srv.messages).toEqual([['Subject: x', '', 'hello']]);
 * await srv.close();
 */
export function recordingServer(): Promise<RecordingServer> {
  const messages: string[][] = [];
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    socket.write('220 mx.test ESMTP\r\n');
    let body: string[] | undefined;
    socket.setEncoding('latin1');
    socket.on(
      'data',
      crlfLines((line) => {
        if (body !== undefined) {
          if (line !== '.') body.push(line);
          else {
            messages.push(body);
            body = undefined;
            socket.write('250 2.0.0 Ok: queued\r\n');
          }
        } else if (line.startsWith('EHLO')) socket.write('250-mx.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
        else if (line === 'DATA') {
          body = [];
          socket.write('354 go\r\n');
        } else if (line === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('250 2.0.0 Ok\r\n');
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        messages,
        connections: () => connections,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

/**
 * Starts recording servers and closes them all at once (in a test file's `afterEach`).
 *
 * @example
 * const servers = recordingServers();
 * afterEach(() => servers.closeAll());
 * const srv = await servers.start();
 */
export function recordingServers(): { start(): Promise<RecordingServer>; closeAll(): Promise<void> } {
  const open: RecordingServer[] = [];
  return {
    async start() {
      const s = await recordingServer();
      open.push(s);
      return s;
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((s) => s.close()));
    },
  };
}

/** A message's DATA lines as its bytes: dot-stuffing undone, each line ended with CRLF. */
export function unstuffedBody(lines: readonly string[]): string {
  return lines.map((l) => `${l.startsWith('.') ? l.slice(1) : l}\r\n`).join('');
}
