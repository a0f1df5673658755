/**
 * checkArgsAgainst: compare what a client is about to send with what the server advertised in its
 * EHLO reply, so a client never sends a parameter the server cannot take.
 */

import { collectionFacts } from './client-args.js';
import type { SmtpClientArgs } from './client-args.js';
import { ClientArgsError, booleanOption } from './errors.js';
import { DEFAULT_PARAMETERS, digits, parseBy } from './parameters.js';
import type { MailboxPath, Path } from './path.js';
import { asciiUpper, isList } from './text.js';
import { typeName, isOptionsObject } from '@smtpkit/foundation';

const badArgs = (): ClientArgsError => ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'args', 'args must be [keyword, value] pairs of strings');
const badPaths = (): ClientArgsError => ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'context.paths', 'context.paths must be a list of paths');

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
  /**
   * Paths of the transaction; a UTF-8 one needs SMTPUTF8 advertised and in the MAIL args. Anything
   * but a list of path objects is `ERR_SMTP_INVALID_ARGUMENT`.
   */
  readonly paths?: Iterable<Path>;
  /**
   * Real size of the message in bytes (checked against the advertised SIZE even without SIZE=).
   * A value that is not a non-negative number is `ERR_SMTP_INVALID_ARGUMENT`.
   */
  readonly messageSize?: number;
  /**
   * The message body has 8-bit bytes (needs 8BITMIME and BODY=8BITMIME). A value other than
   * `true`, `false` or `undefined` is `ERR_SMTP_INVALID_ARGUMENT`.
   */
  readonly eightBit?: boolean;
}

/**
 * Lists what in `args` (MAIL or RCPT parameters) the server did not advertise or cannot take: a
 * parameter whose extension is absent (`BODY=BINARYMIME` needs BINARYMIME itself, not only 8BITMIME),
 * SIZE over the advertised maximum, SMTPUTF8 or 8BITMIME needed but absent (8-bit content sent as
 * `BODY=BINARYMIME` needs no 8BITMIME), BINARYMIME without CHUNKING, BY below the advertised minimum, HOLDFOR over the
 * advertised maximum. An empty array means: send it. `args` that are neither an `SmtpClientArgs` nor
 * a list of `[keyword, value]` pairs of strings are `ERR_SMTP_INVALID_ARGUMENT`, as is a `context`
 * that is not an object (a list included).
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
    throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'capabilities', 'capabilities must have has() and params()');
  }
  if (!isOptionsObject(context)) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'context', 'context must be an object');
  }
  const size: unknown = context.messageSize;
  if (size !== undefined && (typeof size !== 'number' || !(size >= 0) || size === Infinity)) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'context.messageSize', 'context.messageSize must be a non-negative number of bytes');
  }
  booleanOption(context.eightBit, 'context.eightBit', 'ERR_SMTP_INVALID_ARGUMENT');
  const problems: ArgsProblem[] = [];
  const add = (code: ArgsProblemCode, keyword: string, message: string): void => {
    problems.push({ code, keyword, message });
  };
  /** The first parameter of an advertised keyword as a number (`SIZE 1000` -> 1000). */
  const first = (keyword: string): number | undefined => {
    const v = capabilities.params(keyword)?.[0];
    return typeof v === 'string' && v.length <= 20 && digits(v, 0, v.length) ? Number(v) : undefined;
  };
  const entries = new Map<string, string | undefined>();
  if (!isList(args)) throw badArgs();
  for (const entry of args as Iterable<unknown>) {
    // a [keyword, value] pair of text, as SmtpClientArgs yields (a value is read as text below)
    const [k, v] = Array.isArray(entry) ? (entry as unknown[]) : [];
    if (typeof k !== 'string' || (v !== undefined && typeof v !== 'string')) throw badArgs();
    entries.set(asciiUpper(k), v);
  }

  // a collection's own parameter table (private parameters with their extensions), else the built-in one
  const facts = collectionFacts(args);
  const specs = facts?.specs ?? DEFAULT_PARAMETERS;
  for (const [k] of entries) {
    const exts = specs.get(k)?.extensions ?? [k];
    if (!exts.some((e) => capabilities.has(e))) add('not-advertised', k, `${k} needs ${exts.join(' or ')}`);
  }

  // SIZE 0 (or no number) means "no fixed maximum" (RFC 1870 §4).
  const max = first('SIZE');
  const declared = entries.get('SIZE');
  for (const n of [declared === undefined ? undefined : Number(declared), context.messageSize]) {
    if (max !== undefined && max > 0 && n !== undefined && n > max) {
      add('size-exceeded', 'SIZE', `${n} bytes > SIZE ${max}`);
      break;
    }
  }

  const body = entries.get('BODY');
  const bodyUpper = body === undefined ? undefined : asciiUpper(body);
  const binary = bodyUpper === 'BINARYMIME';
  const bodyReported = problems.some((p) => p.keyword === 'BODY');
  // BODY=BINARYMIME needs BINARYMIME itself: 8BITMIME makes BODY known but not that value (RFC 3030 §3),
  // and a server refuses it (555); BINARYMIME content needs no 8BITMIME
  if (binary && !bodyReported && !capabilities.has('BINARYMIME')) add('not-advertised', 'BODY', 'BODY=BINARYMIME needs BINARYMIME');
  else if ((bodyUpper === '8BITMIME' || (context.eightBit === true && !binary)) && !capabilities.has('8BITMIME')) {
    if (!bodyReported) add('8bitmime-required', '8BITMIME', '8-bit content needs 8BITMIME');
  } else if (context.eightBit === true && bodyUpper !== '8BITMIME' && !binary) {
    add('8bitmime-required', 'BODY', '8-bit content needs BODY=8BITMIME');
  }
  if (binary && !capabilities.has('CHUNKING')) add('chunking-required', 'CHUNKING', 'BINARYMIME needs CHUNKING');

  let utf8 = false;
  const paths: unknown = context.paths;
  if (paths !== undefined && !isList(paths)) throw badPaths();
  for (const p of paths ?? []) {
    if (typeof p !== 'object' || p === null) throw badPaths();
    if ((p as Path).kind === 'mailbox' && (p as MailboxPath).utf8) utf8 = true;
  }
  if (utf8 && !capabilities.has('SMTPUTF8')) add('smtputf8-required', 'SMTPUTF8', 'non-ASCII address needs SMTPUTF8');
  else if (utf8 && !entries.has('SMTPUTF8') && facts?.command !== 'rcpt') {
    add('smtputf8-required', 'SMTPUTF8', 'non-ASCII address needs MAIL FROM ... SMTPUTF8');
  }

  const by = parseBy(entries.get('BY') ?? '');
  const min = first('DELIVERBY');
  if (by?.mode === 'R' && min !== undefined && by.seconds < min) add('by-below-minimum', 'BY', `BY < DELIVERBY ${min}`);
  const holdFor = entries.get('HOLDFOR');
  const hold = first('FUTURERELEASE');
  if (holdFor !== undefined && hold !== undefined && Number(holdFor) > hold) add('hold-too-long', 'HOLDFOR', `HOLDFOR > FUTURERELEASE ${hold}`);
  return problems;
}

/**
 * True when the message needs a parameter's extension, so a sender may not drop it: REQUIRETLS,
 * SMTPUTF8, 8-bit or binary BODY, a future release, BY in mode R (return when late) and RRVS unless
 * `;C` (continue) change how the message must be handled.
 */
function needed(keyword: string, value = ''): boolean {
  const v = asciiUpper(value);
  return (
    ['REQUIRETLS', 'SMTPUTF8', 'HOLDFOR', 'HOLDUNTIL'].includes(keyword) ||
    (keyword === 'BODY' && v !== '7BIT') ||
    (keyword === 'BY' && parseBy(v)?.mode === 'R') ||
    (keyword === 'RRVS' && !v.endsWith(';C'))
  );
}

/**
 * A copy of `args` without the optional parameters whose extension the server did not advertise
 * (ENVID, RET, NOTIFY, ORCPT, AUTH, MT-PRIORITY, MTRK, `BODY=7BIT`, BY in mode N, `RRVS=...;C`,
 * private parameters...). A parameter without which the message must not be sent is never dropped:
 * REQUIRETLS (RFC 8689 §4.2.1), SMTPUTF8 (RFC 6531 §3.4), `BODY=8BITMIME` / `BODY=BINARYMIME` (RFC
 * 6152 §3, RFC 3030 §3), HOLDFOR / HOLDUNTIL (RFC 4865), BY in mode R (RFC 2852 §4) and RRVS
 * without `;C` (RFC 7293 §3). Such a parameter not advertised is `ERR_SMTP_EXTENSION_REQUIRED`
 * naming it in `argument` (the first one, in order): send the message elsewhere, or fail it; delete
 * the parameter yourself only if you know the message does not need it. `args` that is not an
 * `SmtpClientArgs` is `ERR_SMTP_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * try {
 *   send(withoutUnadvertised(capabilities, args));
 * } catch (e) {
 *   if (isClientArgsError(e) && e.code === 'ERR_SMTP_EXTENSION_REQUIRED') bounce(`${e.argument} not offered`);
 *   else throw e;
 * }
 * ```
 * @see RFC 5321 §4.1.1.1, RFC 8689 §4.2.1, RFC 6531 §3.4, RFC 6152 §3, RFC 3030 §3
 */
export function withoutUnadvertised(capabilities: CapabilitiesLike, args: SmtpClientArgs): SmtpClientArgs {
  if (typeof (args as Partial<SmtpClientArgs> | null)?.clone !== 'function') {
    throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'args', `args must be an SmtpClientArgs, got ${typeName(args)}`);
  }
  const out = args.clone();
  for (const p of checkArgsAgainst(capabilities, args)) {
    if (p.code !== 'not-advertised') continue;
    if (needed(p.keyword, out.get(p.keyword))) throw ClientArgsError.local('ERR_SMTP_EXTENSION_REQUIRED', p.keyword, `${p.message} (not advertised); the message cannot go without it`);
    out.delete(p.keyword);
  }
  return out;
}
