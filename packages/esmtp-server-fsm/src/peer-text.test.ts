import { describe, expect, it } from 'vitest';
import { parsePath } from 'smtp-client-args';
import { sanitizeEcho, validHeloArgument } from './peer-text.js';

/** What smtp-client-args says of a domain or address literal inside a mailbox path. */
function clientArgsAccepts(domain: string): boolean {
  try {
    parsePath(`<x@${domain}>`, { smtpUtf8: true });
    return true;
  } catch {
    return false;
  }
}

const LITERALS = [
  '[IPv6:1:2:3:4:5:6:7::]', // 7 groups and "::": more than RFC 5321's 6 around "::"
  '[IPv6:1::2:3:4:5:6:7]',
  '[IPv6:1:2:3:4:5:6:7:8]',
  '[IPv6:1:2:3:4:5:6:7:8:9]',
  '[IPv6:::1]',
  '[IPv6:::]',
  '[IPv6:1::2::3]',
  '[IPv6:1:2:3:4:5:6:1.2.3.4]',
  '[IPv6:::1.2.3.4]',
  '[IPv6:::ffff:1.2.3.4]',
  '[IPv6:fe80::1%eth0]',
  '[ipv6:::1]',
  '[1.2.3.4]',
  '[1.2.3.256]',
  '[01.2.3.4]',
  '[1.2.3]',
  '[x-tag:abc]',
  '[tag:]',
  '[tag:a b]',
  '[]',
];

describe('validHeloArgument', () => {
  it('agrees with smtp-client-args on every address literal', () => {
    for (const literal of LITERALS) expect(validHeloArgument(literal, true), literal).toBe(clientArgsAccepts(literal));
    expect(validHeloArgument('[IPv6:1:2:3:4:5:6:7::]', false)).toBe(false);
    expect(validHeloArgument('[IPv6:2001:db8::1]', false)).toBe(true);
  });

  it('agrees with smtp-client-args on host names, except the HELO habits it tolerates', () => {
    for (const name of ['client.example', 'bücher.example', 'xn--bcher-kva.example', 'a..b', '-a.b', 'a-.b', 'localhost', '1.2.3.4']) {
      expect(validHeloArgument(name, true), name).toBe(clientArgsAccepts(name));
    }
    // an underscore and one trailing dot: refused in a mailbox, tolerated after HELO
    expect([validHeloArgument('mail_1.example', false), clientArgsAccepts('mail_1.example')]).toEqual([true, false]);
    expect([validHeloArgument('host.', false), clientArgsAccepts('host.')]).toEqual([true, false]);
    expect(validHeloArgument('bücher.example', false)).toBe(false);
    expect(validHeloArgument('', true)).toBe(false);
  });
});

describe('sanitizeEcho', () => {
  it('replaces controls, separators and bidi characters, keeps paired surrogates', () => {
    expect(sanitizeEcho('a\u0000b\u2028c\u202ed\u0085')).toBe('a?b?c?d?');
    expect(sanitizeEcho('ok 😀')).toBe('ok 😀');
    expect(sanitizeEcho('x\ud800y')).toBe('x?y');
  });
});
