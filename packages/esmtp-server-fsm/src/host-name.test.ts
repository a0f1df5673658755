// The server's own name (the `hostname` option) goes into the greeting, every EHLO reply, the 421
// replies and the Received headers built from `session.hostname`: it is checked when the session is
// made. A domain (LDH labels, `_` tolerated as in HELO, U-labels) or an IPv4/IPv6 address literal;
// a bare IP address, common in configurations, is taken and written as its address literal.
// Anything else is ERR_SMTP_INVALID_OPTION naming `hostname`.
import { domainToASCII } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { codes, drive } from '../test/harness.js';
import { isSmtpServerError } from './errors.js';
import { buildReceivedHeader } from './received-header.js';
import { ServerConnection } from './server-connection.js';
import type { ServerOptions } from './server-connection.js';

/** The error `new ServerConnection(options)` throws, as `code: message`, or undefined. */
function refusal(options: ServerOptions): string | undefined {
  try {
    new ServerConnection(options).dispose();
    return undefined;
  } catch (e) {
    if (!isSmtpServerError(e)) throw e;
    return `${e.code}: ${e.message}`;
  }
}

/** The greeting, the first line of the EHLO reply and a 421 of a session named `hostname`. */
function spoken(hostname: string): { greeting: string; ehlo: string; closing: string; name: string } {
  const d = drive({ hostname, limits: { hardErrorLimit: 1, softErrorLimit: 1 }, timeouts: { errorDelay: 0 } });
  const greeting = d.out.split('\r\n')[0]!;
  const ehlo = d.feed('EHLO c.test\r\n').split('\r\n')[0]!;
  const closing = d.feed('BOGUS\r\n').split('\r\n').at(-2)!;
  return { greeting, ehlo, closing, name: d.conn.session.hostname };
}

describe('the hostname option', () => {
  it('a domain: LDH labels, any case, `_` tolerated, U-labels, up to 63 octets a label and 255 in all', () => {
    const label63 = 'a'.repeat(63);
    const long = `${[label63, label63, label63].join('.')}.${'b'.repeat(63)}`; // 255 octets
    expect(long.length).toBe(255);
    for (const hostname of ['mx.example', 'localhost', 'mx', 'MX-1.Example.ORG', 'mail_relay.internal', '1e100.net', '123.example', 'xn--mnchen-3ya.example', 'münchen.example', 'почта.рф', long]) {
      expect(refusal({ hostname }), hostname).toBeUndefined();
      expect(spoken(hostname), hostname).toEqual({ greeting: `220 ${hostname} ESMTP`, ehlo: `250-${hostname} Hello c.test`, closing: `421 4.7.0 ${hostname} Error: too many errors`, name: hostname });
    }
  });

  it('a U-label is measured in its A-label form (RFC 5890 §2.3.2.1): at most 63 octets a label and 255 in all', () => {
    // 57 ü: xn--tda + 56 a, 63 octets; 58 and 63 ü (under 64 characters, 116 and 126 octets of UTF-8) are longer
    expect(domainToASCII('ü'.repeat(57)).length).toBe(63);
    expect(domainToASCII('ü'.repeat(58)).length).toBe(64);
    expect(refusal({ hostname: `${'ü'.repeat(57)}.example` })).toBeUndefined();
    expect(refusal({ hostname: `mx.${'ü'.repeat(58)}.example` })).toMatch(/^ERR_SMTP_INVALID_OPTION: hostname .*A-label/);
    expect(refusal({ hostname: `${'ü'.repeat(63)}.example` })).toMatch(/^ERR_SMTP_INVALID_OPTION: hostname .*A-label/);
    // 52 letters and one from the CJK extension B: 56 octets of UTF-8, a 63-octet A-label
    const label = `${'a'.repeat(52)}\u{20000}`;
    expect(domainToASCII(label).length).toBe(63);
    const name = [label, label, label, label].join('.'); // 227 octets of UTF-8, 255 as A-labels
    expect([new TextEncoder().encode(name).length, domainToASCII(name).length]).toEqual([227, 255]);
    expect(refusal({ hostname: name })).toBeUndefined();
    expect(spoken(name).greeting).toBe(`220 ${name} ESMTP`);
    expect(domainToASCII(`${name}.ab`).length).toBe(258);
    expect(refusal({ hostname: `${name}.ab` })).toMatch(/^ERR_SMTP_INVALID_OPTION: hostname .*A-label/);
  });

  it('an address literal ([IPv4], [IPv6:...]) is used as it is', () => {
    for (const hostname of ['[192.0.2.1]', '[IPv6:2001:db8::1]', '[IPv6:::1]', '[IPv6:::ffff:192.0.2.1]']) {
      expect(refusal({ hostname }), hostname).toBeUndefined();
      expect(spoken(hostname).greeting, hostname).toBe(`220 ${hostname} ESMTP`);
    }
  });

  it('a bare IP address is taken and written as its address literal: greeting, EHLO, 421, session.hostname, Received', () => {
    const cases: readonly [string, string][] = [
      ['192.0.2.1', '[192.0.2.1]'],
      ['::1', '[IPv6:::1]'],
      ['2001:db8::25', '[IPv6:2001:db8::25]'],
      ['2001:DB8:0:0:0:0:0:1', '[IPv6:2001:DB8:0:0:0:0:0:1]'],
      ['::ffff:192.0.2.1', '[192.0.2.1]'], // an IPv4-mapped address as its IPv4 literal, as Received writes client addresses
    ];
    for (const [hostname, literal] of cases) {
      expect(spoken(hostname), hostname).toEqual({ greeting: `220 ${literal} ESMTP`, ehlo: `250-${literal} Hello c.test`, closing: `421 4.7.0 ${literal} Error: too many errors`, name: literal });
      const conn = new ServerConnection({ hostname });
      expect(buildReceivedHeader({ by: conn.session.hostname, protocol: 'ESMTP', date: 'Thu, 1 Jan 2026 00:00:00 +0000' }), hostname).toContain(`by ${literal}\r\n`);
      // the raw option given to buildReceivedHeader is written the same way
      expect(buildReceivedHeader({ by: hostname, protocol: 'ESMTP', date: 'Thu, 1 Jan 2026 00:00:00 +0000' }), hostname).toContain(`by ${literal}\r\n`);
    }
  });

  it('the default is localhost', () => {
    expect(new ServerConnection().session.hostname).toBe('localhost');
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['a space', 'mx example'],
    ['only a space', ' '],
    ['CRLF and a reply', 'mx\r\n250 x'],
    ['a bare LF', 'mx\n'],
    ['a tab', 'mx\t.example'],
    ['NUL', 'mx\0.example'],
    ['an enhanced status code shape', '2.0.0'],
    ['another one', '4.7.1'],
    ['all digits', '123'],
    ['an all-digit last label', 'mx.123'],
    ['an IPv4 address with a part over 255', '192.0.2.300'],
    ['five numbers', '1.2.3.4.5'],
    ['a trailing dot', 'mx.example.'],
    ['a leading dot', '.mx.example'],
    ['an empty label', 'mx..example'],
    ['a hyphen first in a label', '-mx.example'],
    ['a hyphen last in a label', 'mx-.example'],
    ['a label of 64 octets', `${'a'.repeat(64)}.example`],
    ['over 255 octets', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.e`],
    ['over 255 octets in U-labels (counted in UTF-8)', `${'ü'.repeat(60)}.${'ü'.repeat(60)}.${'ü'.repeat(10)}.example`],
    ['an @', 'postmaster@mx.example'],
    ['a slash', 'mx/example'],
    ['a colon that is no IPv6 address', 'mx.example:25'],
    ['an IPv6 address with a zone', 'fe80::1%eth0'],
    ['an unclosed literal', '[192.0.2.1'],
    ['a literal that is no address', '[IPv6:zz::1]'],
    ['a general address literal', '[x-tag:content]'],
    ['brackets only', '[]'],
    ['a zero-width space in a U-label', 'mu\u200bnchen.example'],
    ['a lone surrogate', 'host\ud800.example'],
    ['fullwidth letters (a compatibility form)', '\uff21\uff22\uff23.example'],
    ['a ligature', '\ufb01le.example'],
    ['a roman numeral letter', '\u2160.example'],
    ['an upper-case U-label letter', 'M\u00dcNCHEN.example'],
    ['a titlecase digraph', '\u01c5.example'],
    ['a U-label not in NFC (a combining accent)', 'mu\u0308nchen.example'],
    ['a number', 25],
    ['null', null],
    ['an object', { name: 'mx.example' }],
  ])('%s: ERR_SMTP_INVALID_OPTION naming hostname', (_what, hostname) => {
    expect(refusal({ hostname: hostname as string })).toMatch(/^ERR_SMTP_INVALID_OPTION: hostname /);
  });

  it('a refused hostname never reaches the wire: no session is made', () => {
    // what the old check let through (digits, dots, brackets, colons in any order) made every EHLO fail with 421 4.3.0
    for (const hostname of ['2.0.0', '[[[', ':::', '-', '.']) expect(refusal({ hostname }), hostname).toMatch(/^ERR_SMTP_INVALID_OPTION: hostname /);
    expect(codes(drive({ hostname: 'mx.example' }).feed('EHLO c.test\r\n'))).toEqual([250]);
  });
});

describe('the hostname is checked once for the sessions of one server', () => {
  // createServer checks and normalises it, then makes every session with the checked name: the
  // sessions do not check it again, and a different name is still checked in full
  const NAME = 'smtp.b\u00fccher-once.example';

  it('a name accepted once is not checked again (its U-labels are not normalised again)', () => {
    new ServerConnection({ hostname: NAME }).dispose();
    const normalize = vi.spyOn(String.prototype, 'normalize');
    try {
      const conn = new ServerConnection({ hostname: NAME });
      expect(conn.session.hostname).toBe(NAME);
      conn.dispose();
      expect(normalize).not.toHaveBeenCalled();
    } finally {
      normalize.mockRestore();
    }
  });

  it('whatever was accepted before, another name is checked in full, each time', () => {
    for (let round = 0; round < 2; round++) {
      expect(refusal({ hostname: 'mx.test' })).toBeUndefined();
      expect(refusal({ hostname: 'mx test' })).toMatch(/^ERR_SMTP_INVALID_OPTION: /);
      expect(refusal({ hostname: 'mx test' })).toMatch(/^ERR_SMTP_INVALID_OPTION: /);
      expect(new ServerConnection({ hostname: '192.0.2.1' }).session.hostname).toBe('[192.0.2.1]');
      expect(new ServerConnection({ hostname: '192.0.2.1' }).session.hostname).toBe('[192.0.2.1]');
      expect(new ServerConnection({ hostname: '[192.0.2.1]' }).session.hostname).toBe('[192.0.2.1]');
      expect(refusal({ hostname: '2.0.0' })).toMatch(/^ERR_SMTP_INVALID_OPTION: /);
      expect(refusal({ hostname: 'caf\u00e9.test' })).toBeUndefined();
      expect(refusal({ hostname: 'CAF\u00c9.test' })).toMatch(/^ERR_SMTP_INVALID_OPTION: /);
      expect(new ServerConnection({ hostname: 'mx.test' }).session.hostname).toBe('mx.test');
    }
  });
});
