// smtp serve: a sink server on esmtp-server-fsm/node (createServer) that stores each message as
// <id>.eml (exact bytes) + <id>.json (envelope), written under temporary names and renamed.
// Operations: levelled log and transcript on stderr, implicit TLS, certificate reload on SIGHUP,
// several worker processes on one port (node:cluster), the fairness limits of createServer.
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { BlockList, isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { ServerConnection } from 'esmtp-server-fsm';
import { createServer, SmtpReplyError } from 'esmtp-server-fsm/node';
import type { Envelope, ServerLogger, SessionContext, TlsSecurity, TranscriptLine } from 'esmtp-server-fsm/node';
import type { Readable } from 'node:stream';
import { EXIT, asciiName, hasSpaceOrControl, parseByteSize, parseCredentials, parseHost, parsePort, parsePositiveInt } from './options.js';
import type { Credentials } from './options.js';
import { TLS_FILE_MAX_BYTES, readCapped } from './input.js';
import { answerServeSignals, catchServeSignals, releaseServeSignals, takeHangupWhileStarting } from './serve-signals.js';
import { MessageStore, StoreDirectoryError } from './store.js';
import { pemCertificateBlocks } from '@smtpkit/foundation';
import type { StoredEnvelope, StoredMessage } from './store.js';

/**
 * `--hostname`: the server's name, checked here as createServer checks it (before any worker is
 * forked or port listened on): a host name (an internationalised one in its ASCII form, see
 * `asciiName`), an address literal, or a bare IP address, which the server writes as
 * its address literal (`192.0.2.1` as `[192.0.2.1]`, `::1` as `[IPv6:::1]`).
 */
export function parseServeHostname(value: string): string {
  if (value === '' || hasSpaceOrControl(value)) throw new InvalidArgumentError('expected a host name such as mail.example.org (not empty, no spaces or control characters).');
  // only the ASCII form is made here: the rest is createServer's own check (`_` tolerated, up to 255 octets)
  const name = isIP(value) !== 0 ? value : asciiName(value);
  try {
    new ServerConnection({ hostname: name }).dispose();
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_SMTP_INVALID_OPTION') throw new InvalidArgumentError(`${(e as Error).message}.`);
    throw e;
  }
  return name;
}

/** Options of `smtp serve`, as parsed by commander. */
export interface ServeOptions {
  port: number;
  host: string;
  dir: string;
  tlsCert?: string;
  tlsKey?: string;
  /** `--tls-client-ca`: PEM file of the CAs trusted for client certificates; asks every TLS client for one. */
  tlsClientCa?: string;
  /** `--tls-require-client-cert`: fail the handshake of a client without a certificate of `tlsClientCa`. */
  tlsRequireClientCert?: boolean;
  auth?: Credentials;
  /** `--auth-token USER:TOKEN`: require AUTH, accepting this OAuth 2.0 bearer token (XOAUTH2, OAUTHBEARER). */
  authToken?: Credentials;
  maxSize?: number;
  lmtp?: boolean;
  proxyProtocol?: boolean;
  /** `--proxy-from`: the peers that may send the PROXY header (networks, see `parseProxyFrom`). */
  proxyFrom?: string[];
  /** `--proxy-header-timeout`, in ms: the wait for the PROXY header from the accept (0 = none). */
  proxyHeaderTimeout?: number;
  hostname: string;
  maxConnections: number;
  quiet?: boolean;
  logLevel: LogLevel;
  transcript?: boolean;
  tlsImplicit?: boolean;
  workers: number;
  maxConnectionsPerClient?: number;
  /** `--client-ipv6-prefix`: IPv6 clients counted by networks of this many bits. */
  clientIpv6Prefix?: number;
  minDataRate?: number;
  /** `--min-data-rate-grace`, in ms. */
  minDataRateGrace?: number;
  /** `--security`: where TLS comes in (the library's `TlsSecurity` words). */
  security?: TlsSecurity;
  commandDeadline?: number;
  dataDeadline?: number;
  /** `--tls-handshake-timeout`, in ms: the bound on a TLS handshake, implicit or after STARTTLS (0 = none). */
  tlsHandshakeTimeout?: number;
}

/** `--log-level` values, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of `LOG_LEVELS`: lines below it are dropped (`silent` drops all). */
export type LogLevel = (typeof LOG_LEVELS)[number];

function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}.`);
  return value as LogLevel;
}

/**
 * `--security` values: the library's `TlsSecurity` words. `off`: no TLS; `opportunistic`:
 * STARTTLS offered (the default with --tls-cert); `required`: STARTTLS offered and needed before
 * anything but EHLO/HELO/NOOP/RSET/QUIT; `implicit`: TLS from the first byte (port 465).
 */
export const SERVE_SECURITY: readonly TlsSecurity[] = ['off', 'opportunistic', 'required', 'implicit'];

/** Most `--workers`: 4 per CPU. More only adds processes, and a typo (`--workers 10000`) would fork that many. */
export const MAX_WORKERS = 4 * availableParallelism();

function parseWorkers(value: string): number {
  const n = parsePositiveInt(value);
  if (n > MAX_WORKERS) throw new InvalidArgumentError(`expected at most ${String(MAX_WORKERS)} (4 per CPU).`);
  return n;
}

/** A whole number >= 0 (0 = no limit). */
function parseCount(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('expected a whole number >= 0.');
  return Number(value);
}

/** An IPv6 prefix length, 0 to 128. */
function parsePrefixBits(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) > 128) throw new InvalidArgumentError('expected a prefix length from 0 to 128.');
  return Number(value);
}

/**
 * `--proxy-from`: a comma-separated list of IPv4 or IPv6 networks (`192.0.2.0/24`, `2001:db8::/32`)
 * or single addresses, added to the list of an earlier `--proxy-from`. Throws commander's
 * `InvalidArgumentError` for anything else (a prefix length out of range, a zone id, a name).
 */
export function parseProxyFrom(value: string, previous: readonly string[] = []): string[] {
  const items = value.split(',');
  for (const item of items) {
    const slash = item.indexOf('/');
    const address = slash < 0 ? item : item.slice(0, slash);
    const family = address.includes('%') ? 0 : isIP(address);
    const bits = slash < 0 ? undefined : item.slice(slash + 1);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || (bits !== undefined && !(/^(?:0|[1-9]\d{0,2})$/.test(bits) && Number(bits) <= max))) {
      throw new InvalidArgumentError(`expected IPv4 or IPv6 addresses or networks such as 192.0.2.0/24,2001:db8::/32 (not "${item}").`);
    }
  }
  return [...previous, ...items];
}

/**
 * The `isTrustedProxy` of a `--proxy-from` list (checked by `parseProxyFrom`): true for a peer
 * address in one of its networks, an IPv4-mapped IPv6 peer (a dual-stack listener's IPv4 client)
 * matched as IPv4. Node's own `BlockList` does the matching.
 */
export function proxyPeers(list: readonly string[]): (remoteAddress: string | undefined) => boolean {
  const networks = new BlockList();
  for (const item of list) {
    const [address = '', bits] = item.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    networks.addSubnet(address, bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits), family);
  }
  return (remoteAddress) => remoteAddress !== undefined && isIP(remoteAddress) !== 0 && networks.check(remoteAddress, isIP(remoteAddress) === 4 ? 'ipv4' : 'ipv6');
}

/** Seconds (fractions allowed, 0 = off), returned in milliseconds. */
function parseSeconds(value: string): number {
  if (!/^\d{1,7}(?:\.\d{1,3})?$/.test(value)) throw new InvalidArgumentError('expected a number of seconds such as 60 or 0.5.');
  return Math.round(Number(value) * 1000);
}

/** The longest timer Node holds: 2^31 - 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A seconds flag that becomes a Node timer (`--command-deadline`, `--data-deadline`,
 * `--proxy-header-timeout`, `--tls-handshake-timeout`): seconds as `parseSeconds` reads them (fractions allowed, 0 = no
 * timer), at most 2147483.647 (what a timer holds), returned in ms. The bound is checked here, so
 * that a value past it is a usage error naming the flag rather than the library option it sets.
 */
export function parseTimerSeconds(value: string): number {
  const ms = parseSeconds(value);
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`expected at most ${String(MAX_TIMER_MS / 1000)} seconds.`);
  return ms;
}

/**
 * A field value on a log line: printable ASCII without a quote as it is, anything else as JSON with
 * every `=` written `\u003d` (still JSON, the same value), so peer text can never put a ` key=` on
 * the line: the only `=` signs are the separators of the fields.
 */
export function formatField(value: unknown): string {
  if (typeof value === 'string' && /^[!#-~]+$/.test(value)) return value;
  return (JSON.stringify(value) ?? String(value)).replace(/=/g, '\\u003d');
}

/**
 * A text logger for stderr: `ISO-TIME LEVEL message key=value...`, lines below `level` dropped.
 * `extra` fields (e.g. the worker number) go on every line.
 */
export function textLogger(level: LogLevel, write: (line: string) => void, extra: Record<string, unknown> = {}): ServerLogger {
  const min = LOG_LEVELS.indexOf(level);
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (fields: Record<string, unknown>, message: string): void => {
      if (LOG_LEVELS.indexOf(name) < min) return;
      const pairs = Object.entries({ ...extra, ...fields })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatField(v)}`);
      write(`${new Date().toISOString()} ${name.toUpperCase()} ${message}${pairs.length > 0 ? ' ' + pairs.join(' ') : ''}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The sink's TLS material: the certificate pair and, with `--tls-client-ca`, the client CAs
 * (`requestCert`), required with `--tls-require-client-cert` (`rejectUnauthorized`).
 */
export interface SinkTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

/** A running sink. */
export interface RunningSink {
  readonly host: string;
  readonly port: number;
  /** Graceful stop: 421 to idle sessions, running transactions get `graceMs` to finish. */
  stop(graceMs?: number): Promise<void>;
  /** Replaces the certificate (and client CAs) without a restart (new handshakes); throws for unusable files. */
  reloadTls(tls: SinkTls): void;
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
    // with --tls-client-ca: the certificate the client presented, and whether the CA vouched for it
    ...(session.tls?.clientCertificate !== undefined ? { clientCertificate: { ...session.tls.clientCertificate } } : {}),
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
export async function startSink(
  opts: Omit<ServeOptions, 'tlsCert' | 'tlsKey' | 'tlsClientCa' | 'tlsRequireClientCert' | 'logLevel' | 'workers' | 'transcript'> & {
    tls?: SinkTls;
    log?: (line: string) => void;
    logger?: ServerLogger;
    transcript?: (line: TranscriptLine) => void;
  },
): Promise<RunningSink> {
  const store = new MessageStore(opts.dir);
  const log = opts.log ?? (() => undefined);
  const auth = opts.auth;
  const authToken = opts.authToken;
  const mechanisms = [...(auth !== undefined ? ['PLAIN', 'LOGIN'] : []), ...(authToken !== undefined ? ['XOAUTH2', 'OAUTHBEARER'] : [])];
  const security = opts.security ?? (opts.tlsImplicit === true ? 'implicit' : undefined);
  const timeouts = {
    ...(opts.commandDeadline !== undefined ? { commandLine: opts.commandDeadline } : {}),
    ...(opts.dataDeadline !== undefined ? { dataPhase: opts.dataDeadline } : {}),
    ...(opts.proxyProtocol === true && opts.proxyHeaderTimeout !== undefined ? { proxyHeader: opts.proxyHeaderTimeout } : {}),
    ...(opts.tlsHandshakeTimeout !== undefined ? { tlsHandshake: opts.tlsHandshakeTimeout } : {}),
  };
  const server = createServer({
    hostname: opts.hostname,
    banner: 'smtpkit sink ready',
    maxConnections: opts.maxConnections,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.transcript !== undefined ? { transcript: opts.transcript } : {}),
    ...(security !== undefined ? { security } : {}),
    ...(opts.maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient: opts.maxConnectionsPerClient } : {}),
    ...(opts.clientIpv6Prefix !== undefined ? { clientIpv6PrefixLength: opts.clientIpv6Prefix } : {}),
    ...(opts.minDataRate !== undefined ? { minDataRate: opts.minDataRate } : {}),
    ...(opts.minDataRateGrace !== undefined ? { minDataRateGraceMs: opts.minDataRateGrace } : {}),
    ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
    ...(opts.lmtp === true ? { lmtp: true } : {}),
    ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    ...(opts.proxyProtocol === true ? { proxyProtocol: true, ...(opts.proxyFrom !== undefined ? { isTrustedProxy: proxyPeers(opts.proxyFrom) } : {}) } : {}),
    ...(opts.maxSize !== undefined ? { limits: { maxMessageSize: opts.maxSize } } : {}),
    ...(mechanisms.length > 0 ? { auth: { mechanisms, required: true, allowInsecure: opts.tls === undefined || security === 'off' } } : {}),
    // PLAIN may name another identity to act as (RFC 4616 §2): without auth.allowAuthorizationIdentity
    // the server refuses one other than the user (535) before onAuth, so the sink authorizes no one
    onAuth: (c) => {
      if (c.token === undefined) return auth !== undefined && c.password !== undefined && sameSecret(c.username, auth.user) && sameSecret(c.password, auth.pass);
      // the token is the user's: OAUTHBEARER may leave out a= (RFC 7628 §3.1), so the login is named
      if (authToken === undefined || !sameSecret(c.token, authToken.pass) || (c.username !== '' && !sameSecret(c.username, authToken.user))) return false;
      return { user: authToken.user };
    },
    onData: async (envelope, body, session) => {
      let stored: StoredMessage;
      try {
        stored = await storeMessage(store, envelope, body, session);
      } catch (e) {
        // An ERROR (a full disk, a removed --dir), so --log-level warn/error still shows it.
        if (opts.logger !== undefined) opts.logger.error({ session: session.id, err: (e as Error).message }, 'cannot store a message');
        else log(`cannot store a message: ${(e as Error).message}`);
        throw new SmtpReplyError({ code: 451, enhanced: '4.3.0', text: 'Local error in processing: could not store the message' });
      }
      // with the session's id (its other log lines) and the envelope's (serverId in <id>.json); the
      // addresses are peer text: fields, quoted by formatField, never the message text
      const line = `stored ${stored.id} (${stored.size} bytes)`;
      const envelopeFields = { from: envelope.from || '<>', to: [...envelope.to] };
      if (opts.logger !== undefined && opts.log !== undefined) opts.logger.info({ session: session.id, serverId: envelope.id, ...envelopeFields }, line);
      else log(`${line} from=${formatField(envelopeFields.from)} to=${formatField(envelopeFields.to)}`);
      const ok = { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${stored.id}` };
      return opts.lmtp === true ? envelope.to.map(() => ok) : ok;
    },
    // With a logger, createServer logs every session error itself (ERROR, with the session id).
    ...(opts.logger === undefined ? { onError: (e: unknown) => log(`session error: ${e instanceof Error ? e.message : String(e)}`) } : {}),
  });
  // After createServer, so an option it refuses leaves no directory behind.
  await store.init();
  const address = await server.listen(opts.port, opts.host);
  return {
    host: address.address,
    port: address.port,
    stop: (graceMs = 10_000) => server.close({ timeout: graceMs }),
    reloadTls: (tls) => server.setSecureContext(tls),
  };
}

/**
 * A closed stdout/stderr pipe (EPIPE) must not stop a server: `closed()` is called, later writes are
 * skipped by the caller, and other stream errors are thrown as before.
 */
function keepServingOnEpipe(stream: NodeJS.WriteStream, closed: () => void): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed();
  });
}

/**
 * Throws unless the `--tls-client-ca` file `pem` holds at least one certificate and every
 * certificate block in it parses: Node's secure context takes a file without one (junk, a key) as
 * no CA at all, and OpenSSL stops reading at a block that does not parse.
 */
async function checkCaFile(pem: Buffer, path: string): Promise<void> {
  const { X509Certificate } = await import('node:crypto');
  const blocks = pemCertificateBlocks(pem.toString('latin1'));
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block.pem);
    } catch (e) {
      throw new Error(`--tls-client-ca ${path}: certificate ${i + 1} does not parse (${(e as Error).message})`);
    }
  }
  if (blocks.length === 0) throw new Error(`--tls-client-ca ${path}: no certificate in the file (PEM "-----BEGIN CERTIFICATE-----" blocks)`);
}

/**
 * Reads (up to `TLS_FILE_MAX_BYTES` each) and checks the certificate pair (a usable secure context)
 * and the client CAs of `--tls-client-ca` (client certificates asked, required with
 * `--tls-require-client-cert`), or throws.
 */
async function loadTls(opts: Pick<ServeOptions, 'tlsCert' | 'tlsKey' | 'tlsClientCa' | 'tlsRequireClientCert'>): Promise<SinkTls> {
  const tls: SinkTls = { cert: await readCapped(opts.tlsCert!, TLS_FILE_MAX_BYTES, '--tls-cert'), key: await readCapped(opts.tlsKey!, TLS_FILE_MAX_BYTES, '--tls-key') };
  if (opts.tlsClientCa !== undefined) {
    tls.ca = await readCapped(opts.tlsClientCa, TLS_FILE_MAX_BYTES, '--tls-client-ca');
    await checkCaFile(tls.ca, opts.tlsClientCa);
    tls.requestCert = true;
    if (opts.tlsRequireClientCert === true) tls.rejectUnauthorized = true;
  }
  const { createSecureContext } = await import('node:tls');
  createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.ca !== undefined ? { ca: tls.ca } : {}) });
  return tls;
}

/**
 * `--workers N`, primary side: forks N workers running the same command line, prints the
 * listening line once every worker listens, forwards SIGHUP (to a worker that was starting, once
 * it listens: it may have read the files before), stops them all on SIGINT/SIGTERM (exit 0) and,
 * when a worker dies on its own, says so and stops the others (exit 1; exit 0 when
 * that worker had stopped gracefully on a signal of its own): nothing is restarted silently. A
 * worker that cannot start (exit 2 or 3 before every worker listens) makes the command exit so too.
 */
async function runPrimary(opts: ServeOptions, logger: ServerLogger): Promise<void> {
  const workers: Worker[] = [];
  let stopping = false;
  let address = '';
  // the workers that listen: a worker answers SIGHUP once it listens; one that is still starting
  // reads the certificate files as it starts, and a SIGHUP before its own catch would kill it
  const ready = new Set<number>();
  // SIGHUPs so far: one after the forks is sent to a starting worker once it listens
  let hangups = 0;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason: why }, 'stopping workers');
    for (const w of workers) if (w.isConnected() || w.process.exitCode === null) w.process.kill('SIGTERM');
  };
  // Answered before the first fork (caught since the process started, see serve-signals.ts): a
  // SIGHUP between a fork and its handler killed the primary (its workers then lost their channel).
  await answerServeSignals({
    hangup: () => {
      hangups++;
      logger.info({ workers: ready.size, starting: workers.length - ready.size }, 'SIGHUP: forwarded to the workers that listen (a starting one gets it once it listens)');
      workers.forEach((w, i) => {
        if (ready.has(i)) w.process.kill('SIGHUP');
      });
    },
    stop,
  });
  for (let i = 0; i < opts.workers; i++) workers.push(cluster.fork());
  const hangupsAtFork = hangups;
  const exited = workers.map(
    (w, i) =>
      new Promise<void>((resolve) => {
        // A message to a worker that is dying fails (EPIPE on its channel): its exit says the rest.
        w.on('error', (e: Error) => logger.warn({ worker: i + 1, err: e.message }, 'worker channel error'));
        w.on('message', (m: unknown) => {
          const msg = m as { listening?: string } | null;
          if (typeof msg?.listening !== 'string') return;
          if (address !== '' && address !== msg.listening) logger.error({ worker: i + 1, address: msg.listening, expected: address }, 'worker listens on another address');
          address = msg.listening;
          ready.add(i);
          if (hangups > hangupsAtFork) {
            logger.info({ worker: i + 1 }, 'SIGHUP came while this worker started: sent now that it listens');
            w.process.kill('SIGHUP');
          }
          if (ready.size === workers.length) process.stdout.write(`listening on ${address}\n`);
        });
        w.once('exit', (code, signal) => {
          if (!stopping) {
            if (ready.size < workers.length && (code === EXIT.usage || code === EXIT.connection)) {
              // a worker could not start (a --dir it cannot use, an address it cannot have): it said why on
              // stderr; the whole command fails the same way as a single process, with that exit code
              logger.info({ worker: i + 1, code }, 'a worker could not start: stopping the others');
              process.exitCode = code;
            } else if (code === 0) {
              // stopped gracefully by a signal sent to it directly (Ctrl-C reaches every process)
              logger.warn({ worker: i + 1, pid: w.process.pid }, 'worker stopped: stopping the others');
            } else {
              logger.error({ worker: i + 1, pid: w.process.pid, code, signal }, 'worker exited unexpectedly: stopping the others');
              process.exitCode = 1;
            }
            stop('worker exit');
          }
          resolve();
        });
      }),
  );
  await Promise.all(exited);
  releaseServeSignals();
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run a sink server: every accepted message is stored byte-exact as <id>.eml with its envelope in <id>.json')
    .requiredOption('-p, --port <port>', 'TCP port to listen on (0 = any free port)', parsePort)
    .option('-H, --host <host>', 'address to listen on', parseHost, '127.0.0.1')
    .requiredOption('-d, --dir <dir>', 'directory for the stored messages (created if missing)')
    .option('--tls-cert <file>', 'PEM certificate: enables STARTTLS (needs --tls-key; see --security)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--tls-client-ca <file>', 'PEM CA certificates trusted for client certificates: every TLS client is asked for one; the log shows its subject and whether it was authorized (needs --tls-cert)')
    .option('--tls-require-client-cert', 'with --tls-client-ca: fail the TLS handshake of a client without a certificate of those CAs (submission or internal relays only: internet senders have none)')
    .option('--auth <user:pass>', 'require AUTH (PLAIN, LOGIN) with these credentials before MAIL', parseCredentials)
    .option('--auth-token <user:token>', 'require AUTH before MAIL, accepting this OAuth 2.0 bearer token for the user (XOAUTH2, OAUTHBEARER; with --auth, both)', parseCredentials)
    .option('--max-size <bytes>', 'largest message accepted (advertised in SIZE), e.g. 25M', parseByteSize)
    .option('--lmtp', 'speak LMTP (LHLO, one reply per recipient after the body)')
    .option('--proxy-protocol', 'expect a PROXY protocol v1/v2 header first (behind HAProxy); the envelope records the real client')
    .option('--proxy-from <cidr,...>', 'with --proxy-protocol: take the PROXY header only from these peers (IPv4/IPv6 networks or addresses, e.g. 10.0.0.0/8,2001:db8::1); others get 421. Without it any peer that reaches the port can claim any client address', parseProxyFrom)
    .option('--proxy-header-timeout <seconds>', 'with --proxy-protocol: how long a connection may take, from its accept, to send its whole PROXY header; then it is closed with no reply and logged (PROXY header timeout); 0 = no limit (default 10)', parseTimerSeconds)
    .option('--hostname <name>', 'host name in the greeting and EHLO reply (a bare IP address is written as its address literal, [192.0.2.1])', parseServeHostname, 'localhost')
    .option('--max-connections <n>', 'concurrent sessions; more get 421', parsePositiveInt, 100)
    .option('-q, --quiet', 'print only the listening line (same as --log-level silent)')
    .option('--log-level <level>', `log on stderr at this level and above: ${LOG_LEVELS.join(', ')}`, parseLogLevel, 'info')
    .option('--transcript', 'print every session on stderr as C:/S: lines (AUTH credentials and bodies left out)')
    .addOption(
      new Option('--security <policy>', 'TLS: off (none), opportunistic (STARTTLS offered; the default with --tls-cert), required (STARTTLS before MAIL), implicit (TLS from the first byte, port 465); all but off need --tls-cert/--tls-key').choices(SERVE_SECURITY),
    )
    .option('--tls-implicit', 'same as --security implicit')
    .option('--workers <n>', `run N worker processes on the same port (node:cluster), at most ${String(MAX_WORKERS)} (4 per CPU)`, parseWorkers, 1)
    .option('--max-connections-per-client <n>', 'concurrent sessions per client address (after PROXY), 0 = no limit (default 20)', parseCount)
    .option('--client-ipv6-prefix <bits>', 'IPv6 clients share --max-connections-per-client by networks of this many bits, 128 = each address alone (default 64: one host holds a whole /64)', parsePrefixBits)
    .option('--min-data-rate <bytes>', 'minimum bytes/s over a message body, from its first byte, once --min-data-rate-grace has passed; 0 = off (default 500)', parseByteSize)
    .option('--min-data-rate-grace <seconds>', 'how long a message body may run before --min-data-rate applies (default 10)', parseSeconds)
    .option('--command-deadline <seconds>', 'deadline for one command line from its first byte, 0 = off (default 60)', parseTimerSeconds)
    .option('--data-deadline <seconds>', 'deadline for one message body from its first byte to its end, 0 = off (default 1800)', parseTimerSeconds)
    .option('--tls-handshake-timeout <seconds>', 'with TLS: how long a TLS handshake may take, from the accept with --security implicit (then closed with no reply and logged: TLS handshake timeout) or from the 220 to STARTTLS (the session closes); 0 = no limit (default 60 implicit, 300 after STARTTLS)', parseTimerSeconds)
    .addHelpText('after', '\nExamples:\n  smtp serve -p 2525 -d ./mail\n  smtp serve -p 2525 -d ./mail --tls-cert cert.pem --tls-key key.pem --auth demo:secret\n  smtp serve -p 465 -d ./mail --tls-cert cert.pem --tls-key key.pem --security implicit --workers 2\n  smtp serve -p 587 -d ./mail --tls-cert cert.pem --tls-key key.pem --tls-client-ca clients-ca.pem --tls-require-client-cert\n\nSignals: SIGINT/SIGTERM stop gracefully; SIGHUP reloads --tls-cert/--tls-key (and --tls-client-ca).\n')
    .action(async (opts: ServeOptions, cmd: Command) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) cmd.error('error: --tls-cert and --tls-key go together', { exitCode: EXIT.usage });
      if (opts.tlsImplicit === true && opts.tlsCert === undefined) cmd.error('error: --tls-implicit needs --tls-cert and --tls-key', { exitCode: EXIT.usage });
      if (opts.tlsImplicit === true && opts.security !== undefined && opts.security !== 'implicit') cmd.error(`error: --tls-implicit contradicts --security ${opts.security}`, { exitCode: EXIT.usage });
      if (opts.proxyFrom !== undefined && opts.proxyProtocol !== true) cmd.error('error: --proxy-from needs --proxy-protocol', { exitCode: EXIT.usage });
      if (opts.proxyHeaderTimeout !== undefined && opts.proxyProtocol !== true) cmd.error('error: --proxy-header-timeout needs --proxy-protocol', { exitCode: EXIT.usage });
      if (opts.security !== undefined && opts.security !== 'off' && opts.tlsCert === undefined) cmd.error(`error: --security ${opts.security} needs --tls-cert and --tls-key`, { exitCode: EXIT.usage });
      // with no TLS (no certificate, or --security off) no handshake ever runs for it to bound
      if (opts.tlsHandshakeTimeout !== undefined && (opts.tlsCert === undefined || opts.security === 'off')) cmd.error('error: --tls-handshake-timeout needs --tls-cert and --tls-key (and a --security other than off)', { exitCode: EXIT.usage });
      if (opts.tlsClientCa !== undefined && opts.tlsCert === undefined) cmd.error('error: --tls-client-ca needs --tls-cert and --tls-key', { exitCode: EXIT.usage });
      if (opts.tlsRequireClientCert === true && opts.tlsClientCa === undefined) cmd.error('error: --tls-require-client-cert needs --tls-client-ca', { exitCode: EXIT.usage });
      // Before anything that takes time (the checks above are synchronous): main.ts caught the
      // signals already, before the program loaded; this covers a program run some other way.
      // Until the server listens a SIGHUP is remembered, a SIGINT/SIGTERM exits 0 (serve-signals.ts).
      catchServeSignals();
      let tls: SinkTls | undefined;
      let hangupBeforeRead = false;
      if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
        // the files are read now: a SIGHUP that came before asks for nothing more
        hangupBeforeRead = await takeHangupWhileStarting();
        try {
          // Fail now, not at the first STARTTLS, when the pair is unusable.
          tls = await loadTls(opts);
        } catch (e) {
          releaseServeSignals();
          cmd.error(`error: cannot load the TLS certificate/key${opts.tlsClientCa !== undefined ? '/client CAs' : ''}: ${(e as Error).message}`, { exitCode: EXIT.usage });
        }
      }
      const level: LogLevel = opts.quiet === true ? 'silent' : opts.logLevel;
      // A log reader that goes away (`smtp serve 2>&1 | head`) ends the log, not the server.
      let logOpen = true;
      keepServingOnEpipe(process.stderr, () => (logOpen = false));
      keepServingOnEpipe(process.stdout, () => undefined);
      const writeErr = (line: string): void => {
        if (logOpen) process.stderr.write(line);
      };
      const worker = cluster.isWorker ? { worker: cluster.worker?.id } : {};
      const logger = textLogger(level, writeErr, worker);
      if (hangupBeforeRead) logger.info({ cert: opts.tlsCert }, 'SIGHUP came while the server started, before it read the certificate files: nothing to reload');
      if (opts.workers > 1 && cluster.isPrimary) {
        // A --dir that cannot be used is found here, as a single process finds it, before any
        // worker is forked (each would start only to find it too)
        try {
          await new MessageStore(opts.dir).init();
        } catch (e) {
          if (!(e instanceof StoreDirectoryError)) throw e;
          process.stderr.write(`smtp serve: ${e.message}\n`);
          process.exitCode = EXIT.usage;
          releaseServeSignals();
          return;
        }
        await runPrimary(opts, logger);
        return;
      }
      const log = level === 'silent' ? undefined : (line: string): void => logger.info({}, line);
      const transcript = opts.transcript === true ? (l: TranscriptLine): void => writeErr(`${new Date().toISOString()} ${l.session} ${l.direction}: ${l.text}\n`) : undefined;
      let sink: RunningSink;
      try {
        const { transcript: _transcript, ...sinkOpts } = opts;
        sink = await startSink({ ...sinkOpts, ...(tls !== undefined ? { tls } : {}), ...(log !== undefined ? { log } : {}), ...(level !== 'silent' ? { logger } : {}), ...(transcript !== undefined ? { transcript } : {}) });
      } catch (e) {
        // a --dir that cannot be used, or an option value createServer refuses (a --hostname it does not
        // take), is the command line's fault (2); a port that cannot be had is 3
        const optionProblem = (e as { code?: unknown }).code === 'ERR_SMTP_INVALID_OPTION';
        const dirProblem = e instanceof StoreDirectoryError;
        const code = dirProblem || optionProblem ? EXIT.usage : EXIT.connection;
        process.stderr.write(dirProblem || optionProblem ? `smtp serve: ${(e as Error).message}\n` : `smtp serve: cannot listen on ${opts.host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        process.exitCode = code;
        if (cluster.isWorker) process.exit(code);
        releaseServeSignals();
        return;
      }
      // Answered before the listening line, so a signal right after it is never lost.
      let stopped!: () => void;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      const reload = (): void => {
        if (opts.tlsCert === undefined || opts.tlsKey === undefined) {
          logger.warn({}, 'SIGHUP: no --tls-cert/--tls-key to reload');
          return;
        }
        // a file the server refuses too (setSecureContext checks before it replaces anything) is an ERROR, not a crash
        loadTls(opts)
          .then((material) => sink.reloadTls(material))
          .then(
            () => logger.info({ cert: opts.tlsCert }, 'SIGHUP: certificate reloaded'),
            (e: unknown) => logger.error({ cert: opts.tlsCert, err: (e as Error).message }, 'SIGHUP: certificate not reloaded, keeping the old one'),
          );
      };
      let stopping = false;
      const stop = (signal: string): void => {
        // A worker gets Ctrl-C from the terminal and SIGTERM from the primary: the second signal
        // must not cut the graceful stop short. A single process lets a second signal kill it.
        if (stopping) return;
        stopping = true;
        if (!cluster.isWorker) releaseServeSignals();
        log?.(`${signal}: stopping`);
        void sink.stop().then(stopped);
      };
      await answerServeSignals({
        // a worker that is stopping has nothing to reload (a single one no longer catches SIGHUP then)
        hangup: (whileStarting) => {
          if (stopping) return;
          if (whileStarting) logger.info({}, 'SIGHUP came while the server started: answered now that it listens');
          reload();
        },
        stop,
      });
      // a primary gone meanwhile fails the send (EPIPE): the worker ends as its channel closes
      if (cluster.isWorker) process.send?.({ listening: `${sink.host}:${sink.port}` }, undefined, undefined, () => undefined);
      else process.stdout.write(`listening on ${sink.host}:${sink.port}\n`);
      await done;
      if (cluster.isWorker) process.exit(0);
    });
}
