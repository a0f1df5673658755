// smtp send: sends N messages over C connections with smtp-client-fsm/node.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { SmtpClientArgs, formatPath } from 'smtp-client-args';
import type { Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { EXIT, collect, parseByteSize, parseCredentials, parseHeloName, parseHost, parsePort, parsePositiveInt } from './options.js';
import type { Credentials } from './options.js';
import { firstLongLine, generateMessage, readMessageFile } from './message.js';
import { createComposer, readAttachments } from './compose.js';
import type { AttachedFile } from './compose.js';
import { InputTooLargeError, readsStdin, stdinReadTwice } from './input.js';
import { exitCodeOf, formatOutcome, formatSummary, runSend } from './send-run.js';
import type { MessageOutcome } from './send-run.js';
import { openClientConnection } from './send-transport.js';
import { jsonLine, printable } from './terminal.js';
import type { DsnOptions, TlsSecurity } from 'smtp-client-fsm';

/** STARTTLS policy of `smtp send`. */
/** `optional` is the CLI contract's word for the library's `opportunistic`; both are accepted. */
export type StartTlsPolicy = 'off' | 'optional' | 'opportunistic' | 'required';

/** Options of `smtp send`, as parsed by commander. */
export interface SendOptions {
  host: string;
  port: number;
  from: string;
  to: string[];
  file?: string;
  size?: number;
  subject?: string;
  text?: string;
  html?: string;
  attach?: string[];
  header?: string[];
  count: number;
  connections: number;
  starttls: StartTlsPolicy;
  security?: TlsSecurity;
  tls?: boolean;
  auth?: Credentials;
  /** `--auth-token USER:TOKEN`: an OAuth 2.0 bearer token (XOAUTH2, else OAUTHBEARER). */
  authToken?: Credentials;
  json?: boolean;
  helo: string;
  insecure?: boolean;
  progress: boolean;
  timeout: number;
  lmtp?: boolean;
  bdat?: boolean;
  pipelining: boolean;
  allowLongLines?: boolean;
  transcript?: boolean;
  notify?: NonNullable<DsnOptions['notify']>;
  ret?: 'FULL' | 'HDRS';
  envid?: string;
}

/** Checks an envelope address with smtp-client-args' path grammar (a usage error, exit 2). */
function checkAddress(value: string): string {
  try {
    formatPath(value, { smtpUtf8: true });
  } catch (e) {
    throw new InvalidArgumentError(`not a valid address: ${(e as Error).message.replace(/^path: /, '')}.`);
  }
  return value;
}

/** `--notify`: NEVER, or a comma list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1). */
function parseNotify(value: string): NonNullable<DsnOptions['notify']> {
  const list = value.split(',').map((v) => v.trim().toUpperCase());
  const allowed = ['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'];
  if (list.some((v) => !allowed.includes(v)) || new Set(list).size !== list.length || (list.includes('NEVER') && list.length > 1)) {
    throw new InvalidArgumentError('expected NEVER, or a comma list of SUCCESS, FAILURE, DELAY.');
  }
  return list as NonNullable<DsnOptions['notify']>;
}

/** `--envid`: printable ASCII, at most 100 characters (RFC 3461 §4.4), checked as the client will send it. */
function parseEnvid(value: string): string {
  try {
    new SmtpClientArgs({ command: 'mail' }).setEnvid(value);
  } catch (e) {
    throw new InvalidArgumentError(`not a valid ENVID: ${(e as Error).message}.`);
  }
  return value;
}

/** `--from`: an address, or `""` for the null sender. */
function parseFrom(value: string): string {
  return value === '' ? value : checkAddress(value);
}

/** `--to`, repeatable. */
function parseTo(value: string, previous: readonly string[] | undefined): string[] {
  return collect(checkAddress(value), previous);
}

/**
 * Quiet exit when stdout is closed early (`smtp classify < big.log | head`), with the exit code set
 * so far: for commands whose outcome is known before their output is written (`smtp probe`) or that
 * cannot fail once running (`smtp classify` of reply texts). A run whose exit code is known only at
 * its end uses {@link writeUntilClosed}.
 */
export function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/**
 * A writer to `stream` that stops writing, quietly, once its reader has gone (EPIPE): the run goes
 * on, so its exit code is its outcome over every input, as with the output read to its end
 * (`smtp send ... | head -1`, `smtp classify --message DIR | head -c1`).
 */
export function writeUntilClosed(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    open = false;
  });
  return (text) => void (open && !stream.destroyed && stream.write(text));
}

/** Required options checked after commander's unknown-option check, so `--hots` is named as unknown. */
function requireOptions(opts: object, cmd: Command, names: readonly [string, string][]): void {
  for (const [key, flag] of names) {
    if ((opts as Record<string, unknown>)[key] === undefined) cmd.error(`error: required option '${flag}' not specified`, { exitCode: EXIT.usage });
  }
}

/**
 * Why `path` cannot be read as an input file (`--file`, `--attach`), or `undefined` when it can: a
 * missing file, a directory or a file without read permission is a usage error (exit 2) found
 * before connecting, not a runtime failure. A pipe or device (`--file /dev/stdin`) is allowed.
 */
export function unreadableReason(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    // /dev/stdin when standard input is a socket (a process spawned by Node with stdio 'pipe')
    if (code === 'ENXIO') return 'ENXIO: cannot be opened as a file (for standard input give --file -)';
    return code ?? (e as Error).message;
  }
  try {
    return fstatSync(fd).isDirectory() ? 'is a directory' : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Why a line over 998 octets is refused, for every source of the message. */
const LONG_LINE = 'octets long, over the 998 a message line may hold (RFC 5322 §2.1.1; relays break longer lines, altering the mail)';

/**
 * The message builder for `--subject/--text/--html/--attach/--header`, or `undefined` when none is
 * given. They exclude `--file` and `--size`; a missing or too large attachment or a bad header is
 * a usage error.
 */
async function composerFor(opts: SendOptions, cmd: Command): Promise<(() => Uint8Array) | undefined> {
  const given = (['subject', 'text', 'html', 'attach', 'header'] as const).filter((k) => opts[k] !== undefined);
  if (given.length === 0) return undefined;
  if (opts.file !== undefined || opts.size !== undefined) cmd.error(`error: --${given[0]} builds a message; it excludes ${opts.file !== undefined ? '--file' : '--size'}`, { exitCode: EXIT.usage });
  // `--attach -` is standard input, read as a stream as `--file -` is
  for (const path of opts.attach ?? []) {
    const reason = path === '-' ? undefined : unreadableReason(path);
    if (reason !== undefined) cmd.error(`error: --attach ${path}: ${reason}`, { exitCode: EXIT.usage });
  }
  let attach: AttachedFile[] = [];
  if (opts.attach?.includes('-') === true && process.stdin.isTTY === true) process.stderr.write('smtp send: reading an attachment (--attach -) from the terminal; end with Ctrl-D\n');
  try {
    attach = await readAttachments(opts.attach ?? []);
  } catch (e) {
    cmd.error(e instanceof InputTooLargeError ? `error: ${e.message}` : `error: --attach: ${(e as Error).message}`, { exitCode: EXIT.usage });
  }
  let compose: () => Uint8Array;
  let sample: Uint8Array;
  try {
    compose = createComposer({ from: opts.from, to: opts.to, ...(opts.subject !== undefined ? { subject: opts.subject } : {}), ...(opts.text !== undefined ? { text: opts.text } : {}), ...(opts.html !== undefined ? { html: opts.html } : {}), attach, headers: opts.header ?? [] });
    sample = compose(); // a header mimetext refuses fails here, before any connection
  } catch (e) {
    cmd.error(`error: ${(e as Error).message}`, { exitCode: EXIT.usage });
  }
  // The builder folds the Subject and long --header values (compose.ts), but a --header value with
  // no space to fold at stays one line: over 998 octets the client would refuse the message
  // (ERR_SMTP_CLIENT_LINE_TOO_LONG) and every recipient fail unsent. Parts are encoded within the
  // limit, so such a line is a header field's: name it, before connecting (unless
  // --allow-long-lines, as for --file).
  const long = opts.allowLongLines !== true ? firstLongLine(sample) : undefined;
  if (long !== undefined) {
    const line = new TextDecoder().decode(sample).split('\r\n')[long.line - 1]!;
    const name = /^[!-9;-~]+(?=:)/.exec(line)?.[0];
    cmd.error(`error: the built message: line ${long.line}${name !== undefined ? ` (the ${name} field)` : ''} is ${long.length} ${LONG_LINE}. Shorten the --header value or give it spaces to fold at, or pass --allow-long-lines to send it as it is`, { exitCode: EXIT.usage });
  }
  return compose;
}

/** At most this many messages get every recipient printed; beyond, only the failures are. */
const PRINT_ALL_UP_TO = 10;

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send messages with smtp-client-fsm/node and print per-recipient results with their bounce class')
    .option('-H, --host <host>', 'server host (required)', parseHost)
    .option('-p, --port <port>', 'server port (required)', parsePort)
    .option('-f, --from <address>', 'envelope sender (MAIL FROM); "" for the null path (required)', parseFrom)
    .option('-t, --to <address>', 'envelope recipient (RCPT TO); repeat for more (required)', parseTo)
    .option('--file <file.eml>', 'message to send (the exact bytes; line ends normalised to CRLF); - reads standard input (a file named - is ./-); at most 64 MiB')
    .option('--size <bytes>', 'generate a message of about this size instead of --file, e.g. 10k', parseByteSize)
    .option('--subject <text>', 'build a MIME message with this subject (with --text, --html, --attach, --header)')
    .option('--text <text>', 'plain-text part of the built message')
    .option('--html <html>', 'HTML part of the built message (with --text: multipart/alternative)')
    .option('--attach <file>', 'attach a file to the built message; repeat for more; - reads standard input (a file named - is ./-); at most 48 MiB together', collect)
    .option('--header <"Name: value">', 'extra header field of the built message (ASCII); repeat for more', collect)
    .option('-n, --count <n>', 'number of messages', parsePositiveInt, 1)
    .option('-c, --connections <c>', 'parallel connections', parsePositiveInt, 1)
    .addOption(new Option('--starttls <policy>', 'use STARTTLS when offered (an unverifiable certificate still encrypts), never, or require it with a verified certificate').choices(['off', 'optional', 'opportunistic', 'required']).default('optional'))
    .addOption(new Option('--tls', 'implicit TLS from the first byte, certificate verified (the default on port 465)').conflicts('starttls'))
    .addOption(new Option('--security <policy>', "TLS in the library's words (instead of --starttls/--tls): off, opportunistic, required (STARTTLS with a verified certificate) or implicit").choices(['off', 'opportunistic', 'required', 'implicit']).conflicts(['starttls', 'tls']))
    .option('--auth <user:pass>', 'authenticate with these credentials', parseCredentials)
    .addOption(new Option('--auth-token <user:token>', 'authenticate with an OAuth 2.0 bearer token (XOAUTH2, else OAUTHBEARER)').argParser(parseCredentials).conflicts('auth'))
    .option('--helo <name>', 'name sent in EHLO/HELO', parseHeloName, 'localhost')
    .option('--insecure', 'accept any TLS certificate (test servers with self-signed certificates)')
    .option('--timeout <ms>', 'limit for connecting (through EHLO/STARTTLS/AUTH), for each reply and for each message', parsePositiveInt, 30_000)
    .option('--lmtp', 'speak LMTP (LHLO; one reply per recipient after the body)')
    .option('--bdat', 'send bodies with BDAT when the server offers CHUNKING')
    .option('--no-pipelining', 'never pipeline commands, even when PIPELINING is offered')
    .option('--allow-long-lines', 'send message lines over 998 octets as they are (a --file line, a --header with no space to fold at; refused otherwise: relays break such lines)')
    .option('--transcript', 'print the SMTP conversation on stderr (credentials redacted)')
    .option('--notify <list>', 'DSN: when to report on each recipient: NEVER, or a comma list of SUCCESS, FAILURE, DELAY', parseNotify)
    .addOption(new Option('--ret <what>', 'DSN: what a report returns of the message').choices(['FULL', 'HDRS']))
    .option('--envid <id>', 'DSN: envelope id the reports carry back (Original-Envelope-Id)', parseEnvid)
    .option('--json', 'print one JSON object per message, then a summary object')
    .option('--no-progress', 'never show the progress bar')
    .addHelpText(
      'after',
      `\nPrints each recipient's result with its bounce class (all of them for up to ${PRINT_ALL_UP_TO} messages, only the\nfailures beyond), then a summary. Exit 0 only if every recipient of every message was accepted,\n1 if any was rejected or deferred (or AUTH was refused with a 5xx, e.g. 535: every message failed),\n3 on connection or TLS failures, 4 if any outcome is unknown\n(no reply after the final dot: maybe delivered, do not resend blindly).\n\nExamples:\n  smtp send -H 127.0.0.1 -p 2525 -f a@example.org -t b@example.net\n  smtp send -H 127.0.0.1 -p 2525 -f a@example.org -t b@example.net --size 10k -n 1000 -c 8\n  smtp send -H 127.0.0.1 -p 2525 -f a@example.org -t b@example.net --subject Hi --text 'Hello' --attach report.pdf\n`,
    )
    .action(async (opts: SendOptions, cmd: Command) => {
      requireOptions(opts, cmd, [['host', '-H, --host <host>'], ['port', '-p, --port <port>'], ['from', '-f, --from <address>'], ['to', '-t, --to <address>']]);
      // A closed stdout (`smtp send ... | head -1`) ends the output, not the run: every message is
      // still sent and the exit code is the mail's outcome (a run cut short would leave messages
      // unsent, and exiting 0 there told a script that rejected or maybe-delivered mail was sent).
      const out = writeUntilClosed(process.stdout);
      // A closed stderr (`--transcript 2>&1 >/dev/null | head`) ends the transcript, not the run: its outcome and exit code stand.
      let stderrOpen = true;
      process.stderr.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
        stderrOpen = false;
      });
      // Port 465 speaks TLS from the first byte unless --starttls or --security was given explicitly.
      const security = opts.security;
      const implicitTls = security === 'implicit' || opts.tls === true || (opts.port === 465 && security === undefined && cmd.getOptionValueSource('starttls') === 'default');
      const starttls: StartTlsPolicy = security !== undefined && security !== 'implicit' ? security : opts.starttls;
      if (opts.file !== undefined && opts.size !== undefined) cmd.error('error: --file and --size exclude each other', { exitCode: EXIT.usage });
      // standard input can be read once: a second reader of it would get nothing (or wait for ever)
      const inputs = [...(opts.file !== undefined ? [['--file', opts.file]] : []), ...(opts.attach ?? []).map((path) => ['--attach', path])];
      const twice = stdinReadTwice(inputs.filter(([, path]) => readsStdin(path!)).map(([option, path]) => `${option!} ${path!}`));
      if (twice !== undefined) cmd.error(twice, { exitCode: EXIT.usage });
      // `--file -` is standard input, read as a stream (a pipe, a file or a socket alike)
      const fileProblem = opts.file !== undefined && opts.file !== '-' ? unreadableReason(opts.file) : undefined;
      if (fileProblem !== undefined) cmd.error(`error: --file ${opts.file}: ${fileProblem}`, { exitCode: EXIT.usage });
      const compose = await composerFor(opts, cmd);
      let fileBody: Uint8Array | undefined;
      if (opts.file !== undefined) {
        if (opts.file === '-' && process.stdin.isTTY === true) process.stderr.write('smtp send: reading the message (--file -) from the terminal; end with Ctrl-D\n');
        try {
          fileBody = await readMessageFile(opts.file);
        } catch (e) {
          cmd.error(e instanceof InputTooLargeError ? `error: ${e.message}` : `error: --file ${opts.file === '-' ? '- (standard input)' : opts.file}: ${(e as Error).message}`, { exitCode: EXIT.usage });
        }
      }
      // The client refuses a body line over 998 octets (RFC 5322 §2.1.1): say which line, before connecting.
      const long = fileBody !== undefined && opts.allowLongLines !== true ? firstLongLine(fileBody) : undefined;
      if (long !== undefined) {
        cmd.error(
          `error: --file ${opts.file}: line ${long.line} is ${long.length} ${LONG_LINE}. Encode the content (quoted-printable or base64), or pass --allow-long-lines to send it as it is`,
          { exitCode: EXIT.usage },
        );
      }
      const body = (index: number): Uint8Array => fileBody ?? compose?.() ?? generateMessage({ from: opts.from, to: opts.to, index, count: opts.count, hostname: opts.helo, ...(opts.size !== undefined ? { size: opts.size } : {}) });
      const dsn: DsnOptions | undefined =
        opts.notify === undefined && opts.ret === undefined && opts.envid === undefined
          ? undefined
          : { ...(opts.notify !== undefined ? { notify: opts.notify } : {}), ...(opts.ret !== undefined ? { ret: opts.ret } : {}), ...(opts.envid !== undefined ? { envid: opts.envid } : {}) };
      const json = opts.json === true;
      const showBar = !json && opts.progress && opts.count > 1 && process.stderr.isTTY;
      const bars = showBar ? new MultiBar({ stream: process.stderr, format: 'sending [{bar}] {value}/{total} | {rate} msg/s | {failed} failed | eta {eta_formatted}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic) : undefined;
      const bar = bars?.create(opts.count, 0, { rate: '0.0', failed: 0 });
      const started = performance.now();
      let failed = 0;
      // Reply texts are the server's: controls and bidi characters are shown escaped, never passed to the terminal.
      const print = (line: string): void => {
        if (bars !== undefined) bars.log(`${printable(line)}\n`);
        else out(`${printable(line)}\n`);
      };
      const onResult = (o: MessageOutcome): void => {
        if (!o.ok) failed++;
        if (json) out(`${jsonLine(o)}\n`);
        else if (opts.count <= PRINT_ALL_UP_TO || !o.ok) for (const line of formatOutcome(o, opts.count)) print(line);
        const done = (bar?.getProgress() ?? 0) * opts.count + 1;
        bar?.increment(1, { rate: (done / ((performance.now() - started) / 1000)).toFixed(1), failed });
      };
      const { summary } = await runSend({
        count: opts.count,
        connections: opts.connections,
        from: opts.from,
        to: opts.to,
        body,
        onResult,
        open: () =>
          openClientConnection({
            host: opts.host,
            port: opts.port,
            starttls,
            ...(implicitTls ? { implicitTls: true } : {}),
            helo: opts.helo,
            insecure: opts.insecure === true,
            timeoutMs: opts.timeout,
            pipelining: opts.pipelining,
            ...(opts.auth !== undefined ? { auth: opts.auth } : {}),
            ...(opts.authToken !== undefined ? { authToken: opts.authToken } : {}),
            ...(opts.lmtp === true ? { lmtp: true } : {}),
            ...(opts.bdat === true ? { chunking: true } : {}),
            ...(opts.allowLongLines === true ? { allowLongLines: true } : {}),
            ...(opts.transcript === true ? { transcript: (e) => void (stderrOpen && process.stderr.write(`${e.direction === 'client' ? 'C:' : 'S:'} ${printable(e.line)}\n`)) } : {}),
            ...(dsn !== undefined ? { dsn } : {}),
          }),
      });
      bars?.stop();
      if (json) out(`${jsonLine(summary)}\n`);
      else for (const line of formatSummary(summary)) out(`${printable(line)}\n`);
      process.exitCode = exitCodeOf(summary);
    });
}
