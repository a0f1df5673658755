/**
 * The three servers the server suite drives with smtp-source: createServer (ours), smtp-server
 * (the peer) and a canned-reply floor. Each can run in the suite's process (the memory figure)
 * or alone in a child process (server-child.ts, the messages/s and CPU figures).
 */
import { createServer as createNetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createServer } from 'esmtp-server-fsm/node';

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

export type ServerKind = 'ours' | 'peer' | 'floor';

export async function ours(): Promise<Listening> {
  const server = createServer({
    hostname: 'bench.test',
    limits: { maxMessageSize: 0 },
    maxConnections: 1000,
    // drain the body exactly as the peer below does ('data' and 'end' listeners), then accept
    onData: (_env, body) =>
      new Promise<void>((resolve, reject) => {
        body.on('data', () => undefined);
        body.on('end', () => resolve());
        body.on('error', reject);
      }),
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

/**
 * The ceiling for any Node.js server under this client: canned replies written as soon as a
 * command (or the end of the data) arrives, with no parsing, no validation and no body stream.
 * It makes the same system calls per message as a real server, so it shows how much of the
 * time per message is the kernel and smtp-source rather than the server's own code.
 */
export async function floor(): Promise<Listening> {
  const reply = (s: string): Buffer => Buffer.from(s);
  const greet = reply('220 floor ESMTP\r\n');
  const ehlo = reply('250-floor\r\n250 8BITMIME\r\n');
  const ok = reply('250 ok\r\n');
  const go = reply('354 go\r\n');
  const bye = reply('221 bye\r\n');
  const server = createNetServer((socket) => {
    socket.setNoDelay(true);
    socket.write(greet);
    let data = false;
    let tail = '';
    socket.on('data', (d: Buffer) => {
      if (data) {
        const t = tail + d.toString('latin1', Math.max(0, d.length - 5));
        if (t.endsWith('\r\n.\r\n')) {
          data = false;
          socket.write(ok);
        }
        tail = t.slice(-5);
        return;
      }
      const verb = d.toString('latin1', 0, 4).toUpperCase();
      if (verb === 'EHLO' || verb === 'HELO') socket.write(ehlo);
      else if (verb === 'DATA') {
        data = true;
        tail = '';
        socket.write(go);
      } else if (verb === 'QUIT') socket.end(bye);
      else socket.write(ok);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const SERVERS: Record<ServerKind, () => Promise<Listening>> = { ours, peer, floor };
