// smtp serve: a sink server on esmtp-server-fsm that stores each message as <id>.eml + <id>.json.
//
// The esmtp-server-fsm/node adapter (createServer) is not in this build yet, so the sessions run on
// the sans-IO ServerConnection through a small local socket driver (sink-session.ts).
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { Command } from 'commander';
import { EXIT, parseByteSize, parseCredentials, parsePort, parsePositiveInt } from './options.js';
import type { Credentials } from './options.js';
import { MessageStore } from './store.js';
import { startSinkSession } from './sink-session.js';
import type { SinkSession } from './sink-session.js';

/** Options of `smtp serve`, as parsed by commander. */
export interface ServeOptions {
  port: number;
  host: string;
  dir: string;
  tlsCert?: string;
  tlsKey?: string;
  auth?: Credentials;
  maxSize?: number;
  lmtp?: boolean;
  proxyProtocol?: boolean;
  hostname: string;
  maxConnections: number;
  quiet?: boolean;
}

/** A running sink. */
export interface RunningSink {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, lets sessions finish (421 to idle ones), closes the rest after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the sink server (used by the command and by the demo). */
export async function startSink(opts: Omit<ServeOptions, 'tlsCert' | 'tlsKey'> & { tls?: SecureContext; log?: (line: string) => void }): Promise<RunningSink> {
  const store = new MessageStore(opts.dir);
  await store.init();
  const sessions = new Set<SinkSession>();
  const log = opts.log ?? (() => undefined);
  const server = createServer((socket: Socket) => {
    if (sessions.size >= opts.maxConnections) {
      socket.end('421 4.7.0 Too many connections, try again later\r\n');
      return;
    }
    const session = startSinkSession(socket, {
      hostname: opts.hostname,
      store,
      ...(opts.auth !== undefined ? { auth: opts.auth } : {}),
      ...(opts.maxSize !== undefined ? { maxSize: opts.maxSize } : {}),
      ...(opts.lmtp === true ? { lmtp: true } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
      ...(opts.proxyProtocol === true ? { proxyProtocol: true } : {}),
      onStored: (m) => log(`stored ${m.id} (${m.size} bytes)`),
      onError: (e) => log(`session error: ${e.message}`),
    });
    sessions.add(session);
    void session.closed.then(() => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    stop: async (graceMs = 10_000) => {
      const closedServer = new Promise<void>((r) => server.close(() => r()));
      for (const s of sessions) s.shutdown();
      const all = Promise.all([...sessions].map((s) => s.closed));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      if (timer !== undefined) clearTimeout(timer);
      await closedServer;
    },
  };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run a sink server: every accepted message is stored byte-exact as <id>.eml with its envelope in <id>.json')
    .requiredOption('-p, --port <port>', 'TCP port to listen on (0 = any free port)', parsePort)
    .option('-H, --host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('-d, --dir <dir>', 'directory for the stored messages (created if missing)')
    .option('--tls-cert <file>', 'PEM certificate: enables STARTTLS (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--auth <user:pass>', 'require AUTH (PLAIN, LOGIN) with these credentials before MAIL', parseCredentials)
    .option('--max-size <bytes>', 'largest message accepted (advertised in SIZE), e.g. 25M', parseByteSize)
    .option('--lmtp', 'speak LMTP (LHLO, one reply per recipient after the body)')
    .option('--proxy-protocol', 'expect a PROXY protocol v1/v2 header first (behind HAProxy); the envelope records the real client')
    .option('--hostname <name>', 'host name in the greeting and EHLO reply', 'localhost')
    .option('--max-connections <n>', 'concurrent sessions; more get 421', parsePositiveInt, 100)
    .option('-q, --quiet', 'print only the listening line')
    .addHelpText('after', '\nExamples:\n  smtp serve -p 2525 -d ./mail\n  smtp serve -p 2525 -d ./mail --tls-cert cert.pem --tls-key key.pem --auth demo:secret\n')
    .action(async (opts: ServeOptions, cmd: Command) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) cmd.error('error: --tls-cert and --tls-key go together', { exitCode: EXIT.usage });
      let tls: SecureContext | undefined;
      if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
        try {
          tls = createSecureContext({ cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) });
        } catch (e) {
          cmd.error(`error: cannot load the TLS certificate/key: ${(e as Error).message}`, { exitCode: EXIT.usage });
        }
      }
      const log = opts.quiet === true ? undefined : (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      let sink: RunningSink;
      try {
        sink = await startSink({ ...opts, ...(tls !== undefined ? { tls } : {}), ...(log !== undefined ? { log } : {}) });
      } catch (e) {
        process.stderr.write(`smtp serve: cannot listen on ${opts.host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        process.exitCode = EXIT.connection;
        return;
      }
      // Signal handlers first, so a signal right after the listening line is never lost.
      let stopped!: () => void;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      const stop = (signal: string): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        log?.(`${signal}: stopping`);
        void sink.stop().then(stopped);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      process.stdout.write(`listening on ${sink.host}:${sink.port}\n`);
      await done;
    });
}
