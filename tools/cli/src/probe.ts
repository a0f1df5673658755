// smtp probe: connect, read the banner, EHLO, optionally STARTTLS and EHLO again; print the banner and
// the capabilities as a table or JSON.
import type { Command } from 'commander';
import type { Reply } from 'smtp-reply-reader';
import { parseEhloReply } from 'smtp-capabilities';
import type { TLSSocket } from 'node:tls';
import { EXIT, formatBytes, parseHeloName, parseHost, parsePort, parsePositiveInt } from './options.js';
import { ConnectionFailure, SmtpWire } from './wire.js';
import { quietOnEpipe } from './send.js';
import { replyOf } from './send-transport.js';
import { jsonLine, printable } from './terminal.js';

/** Options of `smtp probe`, as parsed by commander. */
export interface ProbeOptions {
  host: string;
  port: number;
  starttls?: boolean;
  json?: boolean;
  helo: string;
  insecure?: boolean;
  timeout: number;
  /** LMTP (RFC 2033): LHLO instead of EHLO, no HELO fallback. */
  lmtp?: boolean;
}

/** One advertised extension. */
export interface CapabilityRow {
  readonly keyword: string;
  readonly params: readonly string[];
  readonly meaning: string;
}

/** The capabilities of one EHLO reply. */
export interface EhloResult {
  readonly code: number;
  readonly domain: string;
  readonly greeting: string;
  readonly capabilities: readonly CapabilityRow[];
  /** Lines the parser could not make sense of. */
  readonly warnings?: readonly string[];
}

const MEANINGS: Record<string, string> = {
  '8BITMIME': '8-bit message bodies (RFC 6152)',
  AUTH: 'authentication mechanisms (RFC 4954)',
  BINARYMIME: 'binary bodies with BDAT (RFC 3030)',
  CHUNKING: 'BDAT chunks (RFC 3030)',
  DELIVERBY: 'deliver-by deadline (RFC 2852)',
  DSN: 'delivery status notifications (RFC 3461)',
  ENHANCEDSTATUSCODES: 'enhanced status codes in replies (RFC 2034)',
  ETRN: 'remote queue start (RFC 1985)',
  EXPN: 'mailing list expansion (RFC 5321)',
  FUTURERELEASE: 'future release (RFC 4865)',
  HELP: 'help (RFC 5321)',
  LIMITS: 'transaction limits (RFC 9422)',
  'MT-PRIORITY': 'message priorities (RFC 6710)',
  PIPELINING: 'command pipelining (RFC 2920)',
  REQUIRETLS: 'require TLS onward (RFC 8689)',
  RRVS: 'recipient reassignment check (RFC 7293)',
  SIZE: 'maximum message size (RFC 1870)',
  SMTPUTF8: 'internationalised addresses (RFC 6531)',
  STARTTLS: 'TLS upgrade (RFC 3207)',
  VRFY: 'address verification (RFC 5321)',
  XCLIENT: 'client attribute override (Postfix)',
  XFORWARD: 'forwarded client info (Postfix)',
};

/** The capabilities of an EHLO reply, parsed with smtp-capabilities (malformed lines become warnings). */
export function ehloRows(reply: Reply): EhloResult {
  const caps = parseEhloReply(reply);
  const capabilities = [...caps.entries()].map((entry) => {
    let meaning = MEANINGS[entry.keyword] ?? (entry.keyword.startsWith('X') ? 'vendor extension' : '');
    if (entry.keyword === 'SIZE' && caps.size !== undefined && caps.size > 0) meaning += `: ${formatBytes(caps.size)}`;
    if (entry.keyword === 'AUTH') return { keyword: 'AUTH', params: [...caps.auth], meaning };
    return { keyword: entry.keyword, params: entry.params, meaning };
  });
  // Old servers advertise AUTH twice (AUTH and AUTH=): one row is enough.
  const rows = capabilities.filter((row, i) => row.keyword !== 'AUTH' || capabilities.findIndex((r) => r.keyword === 'AUTH') === i);
  return { code: reply.code, domain: caps.domain, greeting: caps.greeting, capabilities: rows, ...(caps.warnings.length > 0 ? { warnings: caps.warnings.map((w) => w.message) } : {}) };
}

/** Everything `probe` learnt. */
export interface ProbeResult {
  readonly host: string;
  readonly port: number;
  readonly banner: { readonly code: number; readonly lines: readonly string[] };
  readonly ehlo: EhloResult;
  readonly tls?: TlsInfo;
  readonly ehloAfterTls?: EhloResult;
}

/** What the TLS handshake negotiated. */
export interface TlsInfo { readonly protocol: string | null; readonly cipher: string; readonly authorized: boolean; readonly authorizationError?: string; readonly subject?: string; readonly issuer?: string; readonly validTo?: string }

/** A reply as one line: code, enhanced code when there is one, text. */
function replyLine(r: Reply): string {
  const { code, enhanced, text } = replyOf(r);
  return `${code}${enhanced !== undefined ? ` ${enhanced}` : ''} ${text}`;
}

/**
 * The server answered and refused the session: a greeting other than 2xx (RFC 5321 §3.1: `554`
 * means no service here), or EHLO and then HELO (LHLO for LMTP) refused. Exit 1 for a 5xx, 3 for a
 * 4xx (refused for now).
 */
export class ProbeRefused extends Error {
  override readonly name = 'ProbeRefused';
  constructor(
    what: string,
    readonly reply: Reply,
    readonly banner?: ProbeResult['banner'],
  ) {
    super(`${what}: ${replyLine(reply)}`);
  }
}

async function ehlo(wire: SmtpWire, helo: string, lmtp: boolean, banner: ProbeResult['banner']): Promise<Reply> {
  const reply = await wire.command(`${lmtp ? 'LHLO' : 'EHLO'} ${helo}`);
  if (reply.code >= 200 && reply.code < 300) return reply;
  if (lmtp || reply.code < 500) throw new ProbeRefused(`${lmtp ? 'LHLO' : 'EHLO'} refused`, reply, banner);
  // An SMTP-only server: HELO has no capabilities.
  const fallback = await wire.command(`HELO ${helo}`);
  if (fallback.code < 200 || fallback.code >= 300) throw new ProbeRefused('EHLO and HELO refused', fallback, banner);
  return { ...fallback, lines: fallback.lines.slice(0, 1) };
}

function tlsInfo(socket: TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate();
  const error = socket.authorizationError as Error | string | null | undefined;
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher().name,
    authorized: socket.authorized,
    ...(error ? { authorizationError: typeof error === 'string' ? error : error.message } : {}),
    ...(cert.subject ? { subject: Object.entries(cert.subject).map(([k, v]) => `${k}=${String(v)}`).join(', ') } : {}),
    ...(cert.issuer ? { issuer: Object.entries(cert.issuer).map(([k, v]) => `${k}=${String(v)}`).join(', ') } : {}),
    ...(cert.valid_to ? { validTo: cert.valid_to } : {}),
  };
}

/** Runs the probe; throws ConnectionFailure when the server cannot be reached or TLS fails. */
export async function probe(opts: ProbeOptions): Promise<ProbeResult> {
  const wire = await SmtpWire.open(opts.host, opts.port, opts.timeout);
  try {
    const reply = await wire.read();
    const banner = { code: reply.code, lines: reply.lines };
    if (reply.code !== 220) throw new ProbeRefused('the server refused the session', reply, banner);
    const first = ehloRows(await ehlo(wire, opts.helo, opts.lmtp === true, banner));
    let result: ProbeResult = { host: opts.host, port: opts.port, banner, ehlo: first };
    if (opts.starttls === true) {
      if (!first.capabilities.some((c) => c.keyword === 'STARTTLS')) throw new ConnectionFailure('the server does not offer STARTTLS');
      const go = await wire.command('STARTTLS');
      if (go.code !== 220) throw new ConnectionFailure(`STARTTLS refused: ${go.code} ${go.text}`);
      const socket = await wire.startTls(opts.host, opts.insecure !== true);
      const after = ehloRows(await ehlo(wire, opts.helo, opts.lmtp === true, banner));
      result = { ...result, tls: tlsInfo(socket), ehloAfterTls: after };
    }
    return result;
  } finally {
    await wire.close();
  }
}

function table(rows: readonly CapabilityRow[]): string[] {
  const width = Math.max(7, ...rows.map((r) => r.keyword.length));
  const pwidth = Math.min(30, Math.max(10, ...rows.map((r) => r.params.join(' ').length)));
  const out = [`  ${'keyword'.padEnd(width)}  ${'parameters'.padEnd(pwidth)}  meaning`];
  for (const r of rows) out.push(`  ${r.keyword.padEnd(width)}  ${r.params.join(' ').padEnd(pwidth)}  ${r.meaning}`);
  return out;
}

/** The human-readable report. */
export function formatProbe(r: ProbeResult): string {
  const out = [`server    ${r.host}:${r.port}`, `banner    ${r.banner.code} ${r.banner.lines.join(' / ')}`, `ehlo      ${r.ehlo.code} ${r.ehlo.domain}${r.ehlo.greeting ? ` (${r.ehlo.greeting})` : ''}`, '', ...table(r.ehlo.capabilities)];
  for (const w of r.ehlo.warnings ?? []) out.push(`  warning: ${w}`);
  if (r.tls !== undefined && r.ehloAfterTls !== undefined) {
    out.push('', `tls       ${r.tls.protocol ?? '?'} ${r.tls.cipher}, certificate ${r.tls.authorized ? 'verified' : `NOT verified (${r.tls.authorizationError ?? 'unknown'})`}`);
    if (r.tls.subject !== undefined) out.push(`          subject ${r.tls.subject}`);
    if (r.tls.validTo !== undefined) out.push(`          valid to ${r.tls.validTo}`);
    out.push('', 'after STARTTLS:', ...table(r.ehloAfterTls.capabilities));
  }
  // Server text (banner, EHLO lines, certificate names) reaches a terminal: controls and bidi escaped.
  return out.map(printable).join('\n');
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('connect, say EHLO and print the banner and the capabilities (a table, or JSON)')
    .option('-H, --host <host>', 'server host (required)', parseHost)
    .option('-p, --port <port>', 'server port (required)', parsePort)
    .option('--starttls', 'upgrade with STARTTLS and show the capabilities offered after it too')
    .option('--lmtp', 'speak LMTP: LHLO instead of EHLO (RFC 2033)')
    .option('--helo <name>', 'name sent in EHLO', parseHeloName, 'localhost')
    .option('--insecure', 'accept any TLS certificate (self-signed test servers)')
    .option('--timeout <ms>', 'limit for connecting and for each reply', parsePositiveInt, 10_000)
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExamples:\n  smtp probe -H 127.0.0.1 -p 2525\n  smtp probe -H mx.example.com -p 25 --starttls --json\n  smtp probe -H 127.0.0.1 -p 24 --lmtp\n')
    .action(async (opts: ProbeOptions, cmd: Command) => {
      // Checked here, after commander's unknown-option check, so a typo (`--hots`) is named as such.
      if (opts.host === undefined) cmd.error("error: required option '-H, --host <host>' not specified", { exitCode: EXIT.usage });
      if (opts.port === undefined) cmd.error("error: required option '-p, --port <port>' not specified", { exitCode: EXIT.usage });
      quietOnEpipe(process.stdout);
      try {
        const result = await probe(opts);
        process.stdout.write(`${opts.json === true ? jsonLine(result) : formatProbe(result)}\n`);
      } catch (e) {
        if (e instanceof ProbeRefused) {
          process.stderr.write(`smtp probe: ${printable(e.message)}\n`);
          const reply = replyOf(e.reply);
          if (opts.json === true) process.stdout.write(`${jsonLine({ host: opts.host, port: opts.port, ...(e.banner !== undefined ? { banner: e.banner } : {}), error: { code: 'SESSION_REFUSED', message: e.message, reply } })}\n`);
          else process.stdout.write(`${[`server    ${opts.host}:${opts.port}`, ...(e.banner !== undefined ? [`banner    ${e.banner.code} ${e.banner.lines.join(' / ')}`] : []), `refused   ${replyLine(e.reply)}`].map(printable).join('\n')}\n`);
          // refused for good (5xx) is a negative outcome; refused for now (4xx) is like a connection failure
          process.exitCode = reply.code >= 500 ? EXIT.rejected : EXIT.connection;
          return;
        }
        if (!(e instanceof ConnectionFailure)) throw e;
        process.stderr.write(`smtp probe: ${printable(e.message)}\n`);
        // a script reading --json gets an object either way
        if (opts.json === true) process.stdout.write(`${jsonLine({ host: opts.host, port: opts.port, error: { code: 'CONNECTION_FAILED', message: e.message } })}\n`);
        process.exitCode = EXIT.connection;
      }
    });
}
