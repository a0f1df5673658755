// A complete, private Postfix for interop tests: its own config, queue and data directories in a
// fresh temporary directory, smtpd on a free loopback port, its own log file. Tests use it as a
// receiving MTA (the project's client talks to its smtpd) or as a relay (its smtp/lmtp clients
// deliver to the project's server through a transport map). Needs root and the Debian `postfix`
// package (`/usr/sbin/postfix`); `postfixAvailable()` says whether this machine can run it.
//
// Always call `stop()` (in `afterAll`): it stops the master process and removes the directory.
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@smtpkit/testkit';

const POSTFIX = '/usr/sbin/postfix';
const POSTQUEUE = '/usr/sbin/postqueue';
const SENDMAIL = '/usr/sbin/sendmail';

/** Options of {@link startPrivatePostfix}. Every field is optional. */
export interface PrivatePostfixOptions {
  /**
   * `main.cf` settings that override or extend the helper's loopback-relay defaults (see
   * {@link privatePostfixDefaults}), e.g. `{ relayhost: '[127.0.0.1]:2525', message_size_limit: 0 }`.
   * `{dir}` in a value is replaced by the instance directory (maps live there).
   */
  readonly main?: Readonly<Record<string, string | number>>;
  /**
   * Extra `master.cf` entries, each one complete service definition (continuation lines with
   * leading whitespace allowed), e.g. `'longlines unix - - n - - smtp\n  -o smtp_line_length_limit=0'`.
   * Use their names as transports in {@link PrivatePostfixOptions.transport}.
   */
  readonly services?: readonly string[];
  /**
   * Transport map entries, `domain → transport:nexthop`, e.g.
   * `{ 'sink.test': 'smtp:[127.0.0.1]:2525', 'lmtp.test': 'lmtp:inet:[127.0.0.1]:2424' }`.
   * Written to `{dir}/transport` and enabled as `transport_maps = texthash:{dir}/transport`.
   */
  readonly transport?: Readonly<Record<string, string>>;
  /**
   * Extra lookup tables, `file name → { key → value }`, written to `{dir}/<name>`. Refer to them in
   * `main` as `texthash:{dir}/<name>`, e.g. an access map for `check_recipient_access` with
   * `{ 'busy@d.test': '450 4.2.1 Mailbox busy' }`.
   */
  readonly maps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** How long `start` waits for smtpd to accept connections (default 20 s). */
  readonly startTimeoutMs?: number;
}

/** One delivery attempt as Postfix logs it (`... to=<r>, relay=..., dsn=..., status=...`). */
export interface PostfixDelivery {
  /** The Postfix queue id (hex or long form). */
  readonly queueId: string;
  /** The delivering program, e.g. `smtp`, `lmtp`, or a master.cf service name. */
  readonly agent: string;
  readonly to: string;
  readonly relay: string;
  readonly dsn: string;
  readonly status: 'sent' | 'deferred' | 'bounced' | 'expired' | 'undeliverable' | 'deliverable';
  /** The text in parentheses after the status: usually the remote reply. */
  readonly detail: string;
  /** The whole log line. */
  readonly line: string;
}

/** A running private Postfix started by {@link startPrivatePostfix}. */
export interface PrivatePostfix {
  /** The instance directory: `config/`, `queue/`, `data/`, `maillog` and the map files. */
  readonly dir: string;
  /** The config directory to pass to `postfix -c`, `postqueue -c`, `sendmail -C`. */
  readonly configDir: string;
  /** The loopback port of its smtpd (`127.0.0.1:<smtpPort>`). */
  readonly smtpPort: number;
  /** Path of its log file. */
  readonly logFile: string;
  /** The whole log so far ('' before the first line). */
  log(): string;
  /** Every delivery-attempt line of the log so far, oldest first. */
  deliveries(): PostfixDelivery[];
  /**
   * Waits until at least `count` delivery lines match `filter` (default: all lines with a final or
   * deferred status) and returns the matching lines; rejects after `timeoutMs` (default 60 s) with
   * the tail of the log in the message.
   */
  waitForDeliveries(count: number, options?: { timeoutMs?: number; filter?: (d: PostfixDelivery) => boolean }): Promise<PostfixDelivery[]>;
  /** Injects a message with `sendmail -C config -f from -- to...` (the local pickup path). */
  sendmail(message: string | Uint8Array, envelope: { from: string; to: readonly string[] }): Promise<void>;
  /**
   * Injects a message through its smtpd with a minimal SMTP dialogue (EHLO, MAIL, RCPT..., DATA
   * with dot-stuffing; SMTPUTF8 and 8BITMIME parameters on request). Resolves with the final reply
   * line, rejects on any unexpected reply.
   */
  submit(message: string | Uint8Array, envelope: { from: string; to: readonly string[]; smtputf8?: boolean; eightBit?: boolean }): Promise<string>;
  /** `postqueue -f`: retry everything in the queue now. */
  flush(): Promise<void>;
  /** `postqueue -p`: the queue listing (`Mail queue is empty` when empty). */
  queue(): Promise<string>;
  /** Stops Postfix and removes the directory. Idempotent; never rejects. */
  stop(): Promise<void>;
}

/** The `main.cf` the helper writes before applying overrides (`{dir}` is the instance directory). */
export const privatePostfixDefaults: Readonly<Record<string, string>> = {
  compatibility_level: '3.6',
  queue_directory: '{dir}/queue',
  data_directory: '{dir}/data',
  maillog_file: '{dir}/maillog',
  maillog_file_prefixes: '{dir}',
  myhostname: 'postfix-private.test',
  mydomain: 'postfix-private.test',
  myorigin: '$myhostname',
  mydestination: '',
  inet_interfaces: '127.0.0.1',
  inet_protocols: 'ipv4',
  mynetworks: '127.0.0.0/8',
  smtp_dns_support_level: 'disabled',
  lmtp_dns_support_level: 'disabled',
  smtputf8_enable: 'yes',
  alias_maps: '',
  alias_database: '',
  local_recipient_maps: '',
  biff: 'no',
  queue_run_delay: '30s',
  minimal_backoff_time: '30s',
  maximal_backoff_time: '60s',
  smtpd_banner: '$myhostname ESMTP',
  message_size_limit: '20000000',
  // Mail from SMTP clients passes unchanged (no added Date/Message-ID/From, no header rewriting):
  // what a byte-exact comparison needs. Mail injected with sendmail is still completed.
  local_header_rewrite_clients: '',
};

// chroot is off everywhere ('n' in the fifth column): a chrooted daemon would need copies of
// /etc files inside the fresh queue directory.
const BASE_SERVICES = [
  'pickup    unix  n       -       n       60      1       pickup',
  'cleanup   unix  n       -       n       -       0       cleanup',
  'qmgr      unix  n       -       n       300     1       qmgr',
  'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
  'rewrite   unix  -       -       n       -       -       trivial-rewrite',
  'bounce    unix  -       -       n       -       0       bounce',
  'defer     unix  -       -       n       -       0       bounce',
  'trace     unix  -       -       n       -       0       bounce',
  'verify    unix  -       -       n       -       1       verify',
  'flush     unix  n       -       n       1000?   0       flush',
  'proxymap  unix  -       -       n       -       -       proxymap',
  'proxywrite unix -       -       n       -       1       proxymap',
  'smtp      unix  -       -       n       -       -       smtp',
  'relay     unix  -       -       n       -       -       smtp',
  'showq     unix  n       -       n       -       -       showq',
  'error     unix  -       -       n       -       -       error',
  'retry     unix  -       -       n       -       -       error',
  'discard   unix  -       -       n       -       -       discard',
  'lmtp      unix  -       -       n       -       -       lmtp',
  'anvil     unix  -       -       n       -       1       anvil',
  'scache    unix  -       -       n       -       1       scache',
  'postlog   unix-dgram n  -       n       -       1       postlogd',
];

/** True when this machine can run a private Postfix (the binaries exist and we are root). */
export function postfixAvailable(): boolean {
  try {
    accessSync(POSTFIX, constants.X_OK);
    accessSync(POSTQUEUE, constants.X_OK);
  } catch {
    return false;
  }
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function run(file: string, args: readonly string[], input?: string | Uint8Array, timeoutMs = 30_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

const DELIVERY = /postfix[^\s[]*\/([\w.-]+)\[\d+\]: ([0-9A-Za-z]+): to=<([^>]*)>,(?:.*?) relay=([^,]*),(?:.*?) dsn=([\d.]+), status=(\w+) \((.*)\)$/;

/** Parses the delivery-attempt lines of a Postfix log (others are skipped). */
export function parseDeliveries(log: string): PostfixDelivery[] {
  const out: PostfixDelivery[] = [];
  for (const line of log.split('\n')) {
    const m = DELIVERY.exec(line);
    if (m === null) continue;
    out.push({ agent: m[1]!, queueId: m[2]!, to: m[3]!, relay: m[4]!, dsn: m[5]!, status: m[6] as PostfixDelivery['status'], detail: m[7]!, line });
  }
  return out;
}

function render(value: string | number, dir: string): string {
  return String(value).replaceAll('{dir}', dir);
}

/**
 * Starts a private Postfix: writes `main.cf`/`master.cf` (smtpd on a free port of 127.0.0.1),
 * the transport map and extra maps, runs `postfix -c DIR start`, and waits for smtpd.
 *
 * @example
 * ```ts
 * const pf = await startPrivatePostfix({ transport: { 'sink.test': `smtp:[127.0.0.1]:${port}` } });
 * afterAll(() => pf.stop());
 * await pf.submit('Subject: hi\r\n\r\nbody\r\n', { from: 'a@x.test', to: ['b@sink.test'] });
 * const [d] = await pf.waitForDeliveries(1);
 * expect(d.status).toBe('sent');
 * ```
 */
export async function startPrivatePostfix(options: PrivatePostfixOptions = {}): Promise<PrivatePostfix> {
  if (!postfixAvailable()) throw new Error('a private Postfix needs /usr/sbin/postfix and root');
  const dir = mkdtempSync(join(tmpdir(), 'private-postfix-'));
  // The postfix user must reach the queue directory below it.
  chmodSync(dir, 0o755);
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  // `postfix start` creates the queue's subdirectories with the right owners, not the top one.
  mkdirSync(join(dir, 'queue'), { mode: 0o755 });
  const logFile = join(dir, 'maillog');
  const smtpPort = await freePort();

  const main: Record<string, string> = {};
  for (const [k, v] of Object.entries(privatePostfixDefaults)) main[k] = render(v, dir);
  if (options.transport !== undefined) {
    const lines = Object.entries(options.transport).map(([domain, via]) => `${domain} ${via}`);
    writeFileSync(join(dir, 'transport'), lines.join('\n') + '\n');
    main.transport_maps = `texthash:${dir}/transport`;
  }
  for (const [name, entries] of Object.entries(options.maps ?? {})) {
    if (name.includes('/') || name === 'config' || name === 'queue' || name === 'data') throw new Error(`bad map name ${name}`);
    writeFileSync(join(dir, name), Object.entries(entries).map(([k, v]) => `${k} ${v}`).join('\n') + '\n');
  }
  for (const [k, v] of Object.entries(options.main ?? {})) main[k] = render(v, dir);
  writeFileSync(join(configDir, 'main.cf'), Object.entries(main).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  const master = [`127.0.0.1:${smtpPort} inet n - n - - smtpd`, ...BASE_SERVICES, ...(options.services ?? []).map((s) => render(s, dir))];
  // two services on one address: the master keeps the last entry (a warning in its log), and a
  // test would talk to the wrong service without knowing it
  const listening = master.map((line) => /^(\S+:\d+)\s+inet\s/.exec(line)?.[1]).filter((a) => a !== undefined);
  const twice = listening.find((a, i) => listening.indexOf(a) !== i);
  if (twice !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`two services share one port: ${twice} (master.cf would keep only the last)`);
  }
  writeFileSync(join(configDir, 'master.cf'), master.join('\n') + '\n');

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await run(POSTFIX, ['-c', configDir, 'stop'], undefined, 20_000);
    } catch {
      // Not running (start failed) or already stopping: kill what the pid file names, if anything.
      try {
        const pid = Number(readFileSync(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGKILL');
      } catch {
        /* nothing to kill */
      }
    }
    // `postfix stop` returns before the master has exited; wait (bounded) for its pid file to go.
    const pidFile = join(dir, 'queue', 'pid', 'master.pid');
    for (let i = 0; i < 100 && existsSync(pidFile); i++) {
      try {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await run(POSTFIX, ['-c', configDir, 'start'], undefined, 60_000);
    await waitForPort(smtpPort, options.startTimeoutMs ?? 20_000);
  } catch (e) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    await stop();
    throw new Error(`private Postfix did not start: ${(e as Error).message}\n${log.slice(-4000)}`);
  }

  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deliveries = (): PostfixDelivery[] => parseDeliveries(log());

  return {
    dir,
    configDir,
    smtpPort,
    logFile,
    log,
    deliveries,
    async waitForDeliveries(count, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const filter = opts.filter ?? (() => true);
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = deliveries().filter(filter);
        if (found.length >= count) return found;
        if (performance.now() > deadline) throw new Error(`only ${found.length} of ${count} Postfix delivery lines after ${timeoutMs} ms; log tail:\n${log().slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async sendmail(message, envelope) {
      await run(SENDMAIL, ['-C', configDir, '-i', '-f', envelope.from, '--', ...envelope.to], message);
    },
    submit(message, envelope) {
      return smtpSubmit(smtpPort, message, envelope);
    },
    async flush() {
      await run(POSTQUEUE, ['-c', configDir, '-f']);
    },
    async queue() {
      return (await run(POSTQUEUE, ['-c', configDir, '-p'])).stdout;
    },
    stop,
  };
}

/** Dot-stuffs a message and ends it with CRLF.CRLF (a missing final CRLF is added). */
function dataSection(message: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let lineStart = true;
  for (let i = 0; i < message.length; i++) {
    if (lineStart && message[i] === 0x2e) {
      parts.push(Buffer.from(message.subarray(start, i)), Buffer.from('.'));
      start = i;
    }
    lineStart = message[i] === 0x0a;
  }
  parts.push(Buffer.from(message.subarray(start)));
  const ends = message.length >= 2 && message[message.length - 2] === 0x0d && message[message.length - 1] === 0x0a;
  parts.push(Buffer.from(ends || message.length === 0 ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

/** A minimal lock-step SMTP submission to 127.0.0.1:port (one reply per command). */
function smtpSubmit(port: number, message: string | Uint8Array, envelope: { from: string; to: readonly string[]; smtputf8?: boolean; eightBit?: boolean }, timeoutMs = 30_000): Promise<string> {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffered = '';
    const waiting: Array<(reply: string) => void> = [];
    const timer = setTimeout(() => fail(new Error(`SMTP submission to 127.0.0.1:${port} timed out`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.on('error', fail);
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      for (;;) {
        // A complete reply ends with a line "ddd " (not "ddd-").
        const m = /(?:^|\n)(\d{3}) [^\n]*\n/.exec(buffered);
        if (m === null) break;
        const end = m.index + m[0].length;
        const reply = buffered.slice(0, end);
        buffered = buffered.slice(end);
        waiting.shift()?.(reply);
      }
    });
    const next = (): Promise<string> => new Promise((r) => waiting.push(r));
    const expect = async (code: string, send?: string | Buffer): Promise<string> => {
      const pending = next();
      if (send !== undefined) socket.write(send);
      const reply = await pending;
      const last = reply.trimEnd().split('\n').pop() ?? '';
      if (!last.startsWith(code)) throw new Error(`expected ${code}, got: ${reply.trim()}`);
      return last.trim();
    };
    (async () => {
      await expect('220');
      await expect('250', 'EHLO private-postfix-helper.test\r\n');
      const params = `${envelope.eightBit ? ' BODY=8BITMIME' : ''}${envelope.smtputf8 ? ' SMTPUTF8' : ''}`;
      await expect('250', Buffer.from(`MAIL FROM:<${envelope.from}>${params}\r\n`, 'utf8'));
      for (const rcpt of envelope.to) await expect('250', Buffer.from(`RCPT TO:<${rcpt}>\r\n`, 'utf8'));
      await expect('354', 'DATA\r\n');
      const final = await expect('250', dataSection(body));
      await expect('221', 'QUIT\r\n').catch(() => '');
      clearTimeout(timer);
      socket.end();
      resolve(final);
    })().catch((e: Error) => fail(e));
  });
}

/**
 * The message after its first header field, with that field's folded continuation lines: what a
 * relayed message is after the one `Received` header Postfix prepends, for byte-exact comparison.
 */
export function withoutFirstHeader(b: Buffer): Buffer {
  let i = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, i);
    if (nl < 0) return b;
    i = nl + 1;
    if (b[i] !== 0x20 && b[i] !== 0x09) return b.subarray(i);
  }
}
