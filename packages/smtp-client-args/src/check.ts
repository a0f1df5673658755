/**
 * checkArgsAgainst: compare what a client is about to send with what the server advertised in its
 * EHLO reply, so a client never sends a parameter the server cannot take.
 */

import { SmtpClientArgs } from './client-args.js';
import { LocalProtocolError } from './errors.js';
import { DEFAULT_PARAMETERS, digits, parseBy } from './parameters.js';
import type { Path } from './path.js';
import { asciiUpper } from './text.js';

/**
 * The part of smtp-capabilities' `Capabilities` this package needs (structural, so any object with
 * these members works, including the real `Capabilities`).
 *
 * @example
 * ```ts
 * const caps: CapabilitiesLike = { has: (k) => k === 'SIZE', params: (k) => (k === 'SIZE' ? ['1000'] : undefined) };
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface CapabilitiesLike {
  /** True if the EHLO reply advertised this keyword (case-insensitive). */
  has(keyword: string): boolean;
  /** The parameters of an advertised keyword (`SIZE 1000` -> `['1000']`), undefined when absent. */
  params(keyword: string): readonly string[] | undefined;
}

/**
 * Why a parameter should not be sent.
 *
 * @example
 * ```ts
 * if (problems.some((p) => p.code === 'size-exceeded')) giveUp();
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export type ArgsProblemCode =
  | 'not-advertised'
  | 'size-exceeded'
  | 'smtputf8-required'
  | '8bitmime-required'
  | 'chunking-required'
  | 'by-below-minimum'
  | 'hold-too-long';

/**
 * One reason not to send the arguments as they are.
 *
 * @example
 * ```ts
 * const p: ArgsProblem = { code: 'not-advertised', keyword: 'REQUIRETLS', message: 'REQUIRETLS was not advertised' };
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface ArgsProblem {
  readonly code: ArgsProblemCode;
  /** The parameter or extension concerned (upper-case). */
  readonly keyword: string;
  readonly message: string;
}

/**
 * Context for {@link checkArgsAgainst}: what the message needs beyond its parameters.
 *
 * @example
 * ```ts
 * checkArgsAgainst(caps, args, { paths: [from, ...rcpts], messageSize: 5_000_000, eightBit: true });
 * ```
 * @see RFC 6531 §3.4, RFC 6152 §3
 */
export interface CheckContext {
  /** Paths of the transaction; a UTF-8 one needs SMTPUTF8 advertised and in the MAIL args. */
  readonly paths?: Iterable<Path>;
  /** Real size of the message in bytes (checked against the advertised SIZE even without SIZE=). */
  readonly messageSize?: number;
  /** The message body has 8-bit bytes (needs 8BITMIME and BODY=8BITMIME). */
  readonly eightBit?: boolean;
}

/** 1 to `max` ASCII digits. */
function isCount(v: string, max: number): boolean {
  return v.length <= max && digits(v, 0, v.length);
}

function advertisedSize(caps: CapabilitiesLike): number | undefined {
  const p = caps.params('SIZE');
  const v = p?.[0];
  if (v === undefined || !isCount(v, 20)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined; // SIZE 0 means "no fixed maximum" (RFC 1870 §4)
}

/**
 * Lists what in `args` (MAIL or RCPT parameters) the server did not advertise or cannot take: a
 * parameter whose extension is absent, SIZE over the advertised maximum, SMTPUTF8 or 8BITMIME
 * needed but absent, BINARYMIME without CHUNKING, BY below the advertised minimum, HOLDFOR over the
 * advertised maximum. An empty array means: send it.
 *
 * @example
 * ```ts
 * const problems = checkArgsAgainst(capabilities, mailArgs, { messageSize: 2_000_000 });
 * if (problems.length > 0) console.warn(problems.map((p) => p.message));
 * ```
 * @see RFC 5321 §4.1.1.1, RFC 1870 §4, RFC 6152, RFC 6531 §3.4, RFC 3030 §3, RFC 2852 §4, RFC 4865 §3
 */
export function checkArgsAgainst(
  capabilities: CapabilitiesLike,
  args: Iterable<readonly [string, string | undefined]>,
  context: CheckContext = {},
): ArgsProblem[] {
  if (typeof capabilities !== 'object' || capabilities === null || typeof capabilities.has !== 'function' || typeof capabilities.params !== 'function') {
    throw new LocalProtocolError('ERR_SMTP_INVALID_ARGUMENT', 'capabilities', 'capabilities must have has() and params()');
  }
  const problems: ArgsProblem[] = [];
  const entries = new Map<string, string | undefined>();
  for (const [k, v] of args) entries.set(asciiUpper(String(k)), v);

  for (const [k] of entries) {
    const spec = DEFAULT_PARAMETERS.get(k);
    const exts = spec?.extensions ?? [k];
    if (!exts.some((e) => capabilities.has(e))) {
      problems.push({ code: 'not-advertised', keyword: k, message: `${k} needs ${exts.join(' or ')}` });
    }
  }

  const max = advertisedSize(capabilities);
  if (max !== undefined) {
    const declared = entries.get('SIZE');
    const sizes = [declared === undefined ? undefined : Number(declared), context.messageSize];
    for (const s of sizes) {
      if (s !== undefined && s > max) {
        problems.push({ code: 'size-exceeded', keyword: 'SIZE', message: `${s} bytes > SIZE ${max}` });
        break;
      }
    }
  }

  const body = entries.get('BODY');
  const bodyUpper = body === undefined ? undefined : asciiUpper(body);
  if ((bodyUpper === '8BITMIME' || context.eightBit === true) && !capabilities.has('8BITMIME')) {
    if (!problems.some((p) => p.keyword === 'BODY')) {
      problems.push({ code: '8bitmime-required', keyword: '8BITMIME', message: '8-bit content needs 8BITMIME' });
    }
  } else if (context.eightBit === true && bodyUpper !== '8BITMIME' && bodyUpper !== 'BINARYMIME') {
    problems.push({ code: '8bitmime-required', keyword: 'BODY', message: '8-bit content needs BODY=8BITMIME' });
  }
  if (bodyUpper === 'BINARYMIME' && !capabilities.has('CHUNKING')) {
    problems.push({ code: 'chunking-required', keyword: 'CHUNKING', message: 'BODY=BINARYMIME needs CHUNKING' });
  }

  if (context.paths !== undefined) {
    let utf8 = false;
    for (const p of context.paths) if (p.kind === 'mailbox' && p.utf8) utf8 = true;
    if (utf8) {
      if (!capabilities.has('SMTPUTF8')) {
        problems.push({ code: 'smtputf8-required', keyword: 'SMTPUTF8', message: 'a non-ASCII address needs SMTPUTF8' });
      } else if (!entries.has('SMTPUTF8') && (args instanceof SmtpClientArgs ? args.command !== 'rcpt' : true)) {
        problems.push({ code: 'smtputf8-required', keyword: 'SMTPUTF8', message: 'a non-ASCII address needs MAIL FROM ... SMTPUTF8' });
      }
    }
  }

  const by = entries.get('BY');
  const byParams = capabilities.params('DELIVERBY');
  if (by !== undefined && byParams?.[0] !== undefined && isCount(byParams[0], 9)) {
    const parsed = parseBy(by);
    const min = Number(byParams[0]);
    if (parsed !== undefined && parsed.mode === 'R' && min > 0 && parsed.seconds < min) {
      problems.push({ code: 'by-below-minimum', keyword: 'BY', message: `BY < DELIVERBY ${min}` });
    }
  }
  const holdFor = entries.get('HOLDFOR');
  const fr = capabilities.params('FUTURERELEASE');
  if (holdFor !== undefined && fr?.[0] !== undefined && isCount(fr[0], 9) && Number(holdFor) > Number(fr[0])) {
    problems.push({ code: 'hold-too-long', keyword: 'HOLDFOR', message: `HOLDFOR > FUTURERELEASE ${fr[0]}` });
  }
  return problems;
}

/**
 * A copy of `args` without the parameters whose extension the server did not advertise (for
 * optional parameters such as ENVID or MT-PRIORITY that a sender may simply drop).
 *
 * @example
 * ```ts
 * const safe = withoutUnadvertised(capabilities, args);
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export function withoutUnadvertised(capabilities: CapabilitiesLike, args: SmtpClientArgs): SmtpClientArgs {
  const out = args.clone();
  for (const p of checkArgsAgainst(capabilities, args)) if (p.code === 'not-advertised') out.delete(p.keyword);
  return out;
}
