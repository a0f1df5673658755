// smtp serve: a sink server on esmtp-server-fsm/node (createServer) that stores each message as
// <id>.eml (exact bytes) + <id>.json (envelope), written under temporary names and renamed.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createServer, SmtpReplyError } from 'esmtp-server-fsm/node';
import type { Envelope, SessionContext } from 'esmtp-server-fsm/node';
import type { Readable } from 'node:stream';
import { EXIT, parseByteSize, parseCredentials, parsePort, parsePositiveInt } from './options.js';
import type { Credentials } from './options.js';
import { MessageStore } from './store.js';
import type { StoredEnvelope, StoredMessage } from './store.js';

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
  /** Graceful stop: 421 to idle sessions, running transactions get `graceMs` to finish. */
  stop(graceMs?: number): Promise<void>;
}

/** Constant-time comparison of two short strings (credentials). */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The `<id>.json` envelope for one message. */
export function storedEnvelope(envelope: Envelope, session: SessionContext): Omit<StoredEnvelope, 'id' | 'size'> {
  const rcpt: Record<string, Record<string, string | true>> = {};
  envelope.to.forEach((address, i) => (rcpt[address] = { ...(envelope.rcptParameters[i] ?? {}) }));
  return {
    serverId: envelope.id,
    from: envelope.from,
    to: [...envelope.to],
    helo: envelope.helo,
    clientAddress: envelope.clientAddress ?? session.remoteAddress,
    clientPort: session.remotePort,
    parameters: { mail: { ...envelope.mailParameters }, rcpt },
    time: new Date().toISOString(),
    tls: envelope.secure,
    user: envelope.user,
    protocol: envelope.protocol,
    ...(session.proxy !== undefined ? { proxy: { ...session.proxy } } : {}),
  };
}

/** Streams one message body into the store; throws a 451 reply when it cannot be stored. */
async function storeMessage(store: MessageStore, envelope: Envelope, body: Readable, session: SessionContext): Promise<StoredMessage> {
  const writer = await store.begin();
  try {
    for await (const chunk of body) await writer.write(chunk as Uint8Array);
    return await writer.commit(storedEnvelope(envelope, session));
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** Starts the sink server (used by the command; tests and the demo may call it too). */
export async function startSink(opts: Omit<ServeOptions, 'tlsCert' | 'tlsKey'> & { tls?: { cert: string | Buffer; key: string | Buffer }; log?: (line: string) => void }): Promise<RunningSink> {
  const store = new MessageStore(opts.dir);
  await store.init();
  const log = opts.log ?? (() => undefined);
  const auth = opts.auth;
  const server = createServer({
    hostname: opts.hostname,
    banner: 'smtpkit sink ready',
    maxConnections: opts.maxConnections,
    ...(opts.lmtp === true ? { lmtp: true } : {}),
    ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    ...(opts.proxyProtocol === true ? { proxyProtocol: true } : {}),
    ...(opts.maxSize !== undefined ? { limits: { maxMessageSize: opts.maxSize } } : {}),
    ...(auth !== undefined ? { auth: { mechanisms: ['PLAIN', 'LOGIN'], required: true, allowInsecure: opts.tls === undefined } } : {}),
    onAuth: (c) => auth !== undefined && c.password !== undefined && sameSecret(c.username, auth.user) && sameSecret(c.password, auth.pass),
    onData: async (envelope, body, session) => {
      let stored: StoredMessage;
      try {
        stored = await storeMessage(store, envelope, body, session);
      } catch (e) {
        log(`cannot store a message: ${(e as Error).message}`);
        throw new SmtpReplyError({ code: 451, enhanced: '4.3.0', text: 'Local error in processing: could not store the message' });
      }
      log(`stored ${stored.id} (${stored.size} bytes) from ${envelope.from || '<>'} to ${envelope.to.join(', ')}`);
      const ok = { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${stored.id}` };
      return opts.lmtp === true ? envelope.to.map(() => ok) : ok;
    },
    onError: (e) => log(`session error: ${e instanceof Error ? e.message : String(e)}`),
  });
  const address = await server.listen(opts.port, opts.host);
  return {
    host: address.address,
    port: address.port,
    stop: (graceMs = 10_000) => server.close({ timeout: graceMs }),
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
      let tls: { cert: Buffer; key: Buffer } | undefined;
      if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
        try {
          tls = { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) };
          // Fail now, not at the first STARTTLS, when the pair is unusable.
          const { createSecureContext } = await import('node:tls');
          createSecureContext(tls);
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
