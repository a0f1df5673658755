// Shared option parsers for the smtp commands. Each throws commander's InvalidArgumentError, so a
// bad value ends the command with a clear message and the usage exit code (2).
import { domainToASCII } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { parsePath } from 'smtp-client-args';

/** Exit codes of every smtp command (documented in docs/cli.md). */
export const EXIT = {
  /** Everything worked (send: every recipient accepted). */
  ok: 0,
  /** The command ran but the outcome is negative: a recipient or message was rejected. */
  rejected: 1,
  /** Bad command line: unknown option, missing or invalid value. */
  usage: 2,
  /** The peer could not be reached, TLS failed, or the connection broke. */
  connection: 3,
  /** send: some recipient's outcome is unknown (no reply after the final dot: maybe delivered). */
  unknown: 4,
} as const;

/** TCP port 0..65535 (0 = any free port, useful for `serve`). */
export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new InvalidArgumentError('expected a port number 0-65535.');
  const port = Number(value);
  if (port > 65535) throw new InvalidArgumentError('expected a port number 0-65535.');
  return port;
}

/** Whether `value` has a space or a control character (C0, DEL): never part of a host name or an EHLO argument. */
export function hasSpaceOrControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * `--host`: a host name or address. An empty value (an unset shell variable) is refused: a server
 * would listen on every interface with it, a client would try the local host.
 */
export function parseHost(value: string): string {
  if (value === '' || hasSpaceOrControl(value)) throw new InvalidArgumentError('expected a host name or address (not empty, no spaces or control characters).');
  return value;
}

/**
 * A host name in its ASCII form: an internationalised one as its A-labels (RFC 5890; the greeting
 * and EHLO come before either side knows of SMTPUTF8), any other as it is.
 */
export function asciiName(value: string): string {
  if (!/[^\x20-\x7e]/.test(value)) return value;
  const ascii = domainToASCII(value);
  if (ascii === '') throw new InvalidArgumentError('expected a host name such as mail.example.org (this non-ASCII name is not a valid internationalised domain name).');
  return ascii;
}

/** `--helo`, `--hostname`: one word for EHLO/HELO/LHLO or a greeting, without spaces or control characters. */
export function parseHeloName(value: string): string {
  if (value === '' || hasSpaceOrControl(value)) throw new InvalidArgumentError('expected a host name such as mail.example.org (not empty, no spaces or control characters).');
  // an internationalised name goes on the wire in its ASCII form (A-labels, RFC 5890): the
  // greeting and EHLO come before either side knows of SMTPUTF8
  const ascii = asciiName(value);
  // a domain of letter-digit-hyphen labels, or an address literal (RFC 5321 §4.1.2: the EHLO
  // argument and the greeting's name), checked as the domain of a path
  try {
    parsePath(`<postmaster@${ascii}>`);
  } catch {
    throw new InvalidArgumentError(`expected a host name such as mail.example.org or an address literal such as [192.0.2.1] (not "${ascii}").`);
  }
  return ascii;
}

/** A positive integer, e.g. a message count or a number of connections. */
export function parsePositiveInt(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number >= 1.');
  return Number(value);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** A byte count: `10240`, `10k`, `10KiB`, `25M` (binary units). */
export function parseByteSize(value: string): number {
  const match = /^(\d{1,12})\s*([a-zA-Z]{0,3})$/.exec(value.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new InvalidArgumentError('expected a byte count such as 10240, 10k or 25M.');
  const n = Number(match[1]) * unit;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('byte count too large.');
  return n;
}

/** Credentials given as `USER:PASS` (the password may contain `:`). */
export interface Credentials {
  readonly user: string;
  readonly pass: string;
}

/** Parses `USER:PASS`; both parts must be non-empty. */
export function parseCredentials(value: string): Credentials {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new InvalidArgumentError('expected USER:PASS.');
  return { user: value.slice(0, colon), pass: value.slice(colon + 1) };
}

/** Collects a repeatable option (`--to a --to b`) into an array. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Formats a byte count for people: `10.0 KiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}
