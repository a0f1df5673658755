import { describe, expect, it } from 'vitest';
import { parsePath } from 'smtp-client-args';
import { hasUnsafeText, hostNameFault, sanitizeEcho, validHeloArgument } from './peer-text.js';
import { parseEnvelopeArgument } from './envelope-args.js';
import { buildReceivedHeader } from './received-header.js';

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
  '[x-tag:a;b]',
  '[x-tag:a(b]',
  '[tag:]',
  '[tag:a b]',
  '[]',
];

describe('validHeloArgument', () => {
  it('agrees with smtp-client-args on every IPv4 and IPv6 address literal, and refuses a general one', () => {
    // RFC 5321 §4.1.3: a general address literal's tag must be registered with IANA, and none is but
    // IPv6; it is text the client chose, and would go into the Received header as it is
    for (const literal of LITERALS) expect(validHeloArgument(literal, true), literal).toBe(clientArgsAccepts(literal) && !/^\[(?!ipv6:)[a-z0-9-]+:/i.test(literal));
    expect(validHeloArgument('[x-tag:abc]', true)).toBe(false);
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

describe('U-labels by the contextual rules of IDNA2008 (RFC 5892 Appendix A, RFC 5891 §5.4)', () => {
  it.each([
    // MIDDLE DOT between two l's (Catalan), and the characters that need a script beside them
    'col·legi.cat',
    'α͵β.example',
    'א׳ב.example',
    'א״ב.example',
    'カ・タ.example',
    '漢・字.example',
    // Arabic-Indic digits of one kind
    'ع١٢.example',
    'ع۱۲.example',
    // a combining mark after a letter
    'ab\u0301c.example',
  ])('accepts %s', (name) => {
    expect(validHeloArgument(name, true)).toBe(true);
  });

  it.each([
    ['a·b.example', 'a middle dot not between l and l'],
    ['·l.example', 'a middle dot first'],
    ['l·.example', 'a middle dot last'],
    ['a͵b.example', 'a keraia before a non-Greek letter'],
    ['α͵.example', 'a keraia last'],
    ['a׳.example', 'a geresh after a non-Hebrew letter'],
    ['ab・c.example', 'a katakana middle dot in a label with no kana or Han'],
    ['ع١۲.example', 'both kinds of Arabic-Indic digits in one label'],
    ['\u0301ab.example', 'a label that starts with a combining mark'],
  ])('refuses %s (%s)', (name) => {
    expect(validHeloArgument(name, true)).toBe(false);
  });
});

describe('hostNameFault', () => {
  it('tells an over-long name (UTF-8 octets) from an invalid one, and takes a literal only when asked', () => {
    const label = 'a'.repeat(63);
    expect(hostNameFault(`${label}.${label}.${label}.${'b'.repeat(63)}`, false)).toBeUndefined();
    expect(hostNameFault(`${label}.${label}.${label}.${'b'.repeat(64)}`, false)).toBe('too-long');
    // 255 octets as A-labels, 459 in UTF-8: the octet bound is the one that refuses it
    const u = '\u00fc'.repeat(57);
    expect(hostNameFault(`${u}.${u}.${u}.${u}`, true)).toBe('too-long');
    expect(hostNameFault(`${u}.${u}`, true)).toBeUndefined();
    // 85 three-octet characters are 255 octets, 86 are 258: too long before anything else
    expect(hostNameFault('\u4e00'.repeat(85), true)).toBe('invalid');
    expect(hostNameFault('\u4e00'.repeat(86), true)).toBe('too-long');
    for (const bad of ['', 'a..b', '-a.b', 'a b', '[192.0.2.1', 'bücher.example']) expect(hostNameFault(bad, false), bad).toBe('invalid');
    expect(hostNameFault('[192.0.2.1]', false)).toBeUndefined();
    expect(hostNameFault('[192.0.2.1]', false, false)).toBe('invalid');
    expect(hostNameFault('mail_1.example.', false, false)).toBeUndefined();
  });
});

describe('every HELO argument the server accepts', () => {
  it('goes into a Received header as it is (SRV-9)', () => {
    const names = [...LITERALS, 'client.example', 'bücher.example', 'mail_1.example', 'host.', 'localhost'];
    const accepted = names.filter((n) => validHeloArgument(n, true));
    expect(accepted.length).toBeGreaterThan(8);
    for (const helo of accepted) {
      const header = buildReceivedHeader({ helo, clientAddress: '192.0.2.1', by: 'mx.test', protocol: 'ESMTP', date: 'Sun, 29 Nov 2026 06:00:00 +0000' });
      expect(header, helo).toContain(`from ${helo} `);
    }
  });
});

describe('sanitizeEcho', () => {
  it('replaces controls, separators and bidi characters, keeps paired surrogates', () => {
    expect(sanitizeEcho('a\u0000b\u2028c\u202ed\u0085')).toBe('a?b?c?d?');
    expect(sanitizeEcho('ok 😀')).toBe('ok 😀');
    expect(sanitizeEcho('x\ud800y')).toBe('x?y');
  });
});

describe('format and default-ignorable characters', () => {
  // U+061C ALM, U+180E, tags (U+E0000-E0FFF), Duployan and musical format controls, Kaithi and
  // Egyptian format signs, U+034F, Hangul fillers, variation selectors, Khmer inherent vowels
  const INVISIBLE = ['\u061c', '\u180e', '\u{e0041}', '\u{e0001}', '\u{e0fff}', '\u{1bca0}', '\u{1bca3}', '\u{1d173}', '\u{1d17a}', '\u{110bd}', '\u{13430}', '\u034f', '\u115f', '\u1160', '\u3164', '\uffa0', '\ufe00', '\ufe0f', '\u17b4', '\u180b', '\u00ad', '\u2065'];
  const name = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16)}`;

  it('INJ-3 every Cf and Default_Ignorable_Code_Point code point is unsafe, astral ones as a whole pair', () => {
    for (const ch of INVISIBLE) {
      expect([name(ch), hasUnsafeText(`pay${ch}pal`)]).toEqual([name(ch), true]);
      // never half a pair left behind
      expect([name(ch), sanitizeEcho(`a${ch}b`)]).toEqual([name(ch), ch.length === 2 ? 'a??b' : 'a?b']);
    }
    for (const ok of ['\u00e9', '\u0627', '\u1820', '\u3131', '\u{1f600}', '\u{20000}', '\u{1d11e}', '\u{110bc}']) expect([ok, hasUnsafeText(`a${ok}b`)]).toEqual([ok, false]);
  });

  it('INJ-3 MAIL and RCPT refuse them in the local part and the domain, with SMTPUTF8', () => {
    for (const ch of INVISIBLE) {
      for (const path of [`<pay${ch}pal@x.example>`, `<"pay${ch} pal"@x.example>`, `<a@ex${ch}ample.com>`]) {
        const mail = parseEnvelopeArgument('mail', `${path} SMTPUTF8`, { advertised: ['SMTPUTF8'] });
        const rcpt = parseEnvelopeArgument('rcpt', path, { smtpUtf8: true });
        expect([name(ch), path, mail.ok ? 'accepted' : mail.reply.code, rcpt.ok ? 'accepted' : rcpt.reply.code]).toEqual([name(ch), path, 501, 501]);
      }
    }
  });
});
