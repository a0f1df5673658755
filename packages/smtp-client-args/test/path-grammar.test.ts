// Edges of the path grammar (RFC 5321 §4.1.2, §4.1.3) and of the replies and errors a failure gives,
// through parsePath, parseMailFrom / parseRcptTo, mailboxPath and formatPath.
import { describe, expect, it } from 'vitest';
import { formatPath, formatRcptTo, isClientArgsError, mailboxPath, parseMailFrom, parsePath, parseRcptTo, type ClientArgsRemoteError, type ClientArgsLocalError } from 'smtp-client-args';
import type { MailboxPath, PathOptions } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';
const isRemoteError = (e: unknown): e is ClientArgsRemoteError => isClientArgsError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

const refused = (fn: () => unknown) => thrownBy(fn, isRemoteError);

const misuse = (fn: () => unknown) => thrownBy(fn, isLocalError);

/** A 501 path refusal whose text says whose address it is and why (never an empty reason). */
function syntaxRefusal(text: string, options: PathOptions = {}, who = 'mailbox'): string {
  const r = refused(() => parsePath(text, options));
  expect(r.code).toBe('ERR_SMTP_PATH_SYNTAX');
  expect(r.reply.code).toBe(501);
  expect(r.reply.text).toMatch(new RegExp(`^Bad ${who} address: \\S`));
  return r.reply.text;
}

function domainOf(text: string): { domain: string; kind: string } {
  const p = parsePath(text) as MailboxPath;
  return { domain: p.domain, kind: p.domainKind };
}

describe('IPv4 address literals (RFC 5321 §4.1.3)', () => {
  it('four decimal parts of at most 3 digits and at most 255', () => {
    expect(domainOf('<a@[0.0.0.0]>').kind).toBe('ipv4');
    expect(domainOf('<a@[255.255.255.255]>').kind).toBe('ipv4');
    for (const lit of ['[0255.1.1.1]', '[1..2.3]', '[1.2.3x4]', '[1.2.3.4.5]', '[1.2.3]', '[256.1.1.1]', '[1.2.3.]']) {
      syntaxRefusal(`<a@${lit}>`);
    }
  });
});

describe('IPv6 address literals (RFC 5321 §4.1.3)', () => {
  it('full, compressed and IPv4-tailed forms with upper- or lower-case hex', () => {
    for (const lit of [
      '[IPv6:2001:DB8:0:0:0:0:ABCD:EF01]',
      '[IPv6:2001:db8::abcd:ef01]',
      '[IPv6:FFFF::AaFf]',
      '[IPv6:::]',
      '[IPv6:::1]',
      '[IPv6:1::]',
      '[IPv6:1:2:3::4:5:6]',
      '[IPv6:1:2:3:4:5:6:1.2.3.4]',
      '[IPv6:::ffff:192.0.2.1]',
      '[ipv6:::1]',
    ]) {
      expect([lit, domainOf(`<a@${lit}>`)]).toEqual([lit, { domain: lit, kind: 'ipv6' }]);
    }
  });

  it('refuses non-hex digits, a lone leading or trailing colon, a second :: and too many groups', () => {
    for (const lit of [
      '[IPv6::G]',
      '[IPv6::g]',
      '[IPv6:1:2:3:4:5:6:7:G]',
      '[IPv6::12:3]',
      '[IPv6:::zz]',
      '[IPv6:1:::2]',
      '[IPv6:1::2::3]',
      '[IPv6:1::2:]',
      '[IPv6:1:2:3:4:5:6:7:]',
      '[IPv6:1:2:3:4:5:6:7x8]',
      '[IPv6:1:2:3:4:5:6::7]',
      '[IPv6:1:2:3:4:5:6:7:8:9]',
      '[IPv6:1:2:3:4:5:6:7]',
      '[IPv6:12345::1]',
      '[IPv6:::1.2.3.999]',
      '[IPv6:1:2:3:4:5:6:7:1.2.3.4]',
      '[IPv6:]',
    ]) {
      syntaxRefusal(`<a@${lit}>`);
    }
  });
});

describe('IPv6 literals: every split of the groups around "::" (RFC 5321 §4.1.3)', () => {
  const hex = ['0', 'ffff', 'A1', '1234', 'Db8', '9'];
  const groups = (n: number, from: number): string[] => Array.from({ length: n }, (_, i) => hex[(i + from) % hex.length]!);
  const roundTrip = (lit: string): boolean => {
    let path: MailboxPath;
    try {
      path = parsePath(`<a@${lit}>`) as MailboxPath;
    } catch {
      return false;
    }
    // accepted: the builder takes it too, and it comes back unchanged from the wire
    const line = formatRcptTo(mailboxPath('a', lit));
    expect(line).toBe(`RCPT TO:<a@${lit}>`);
    expect(parseRcptTo(line.slice(5)).path).toEqual(path);
    return path.domain === lit && path.domainKind === 'ipv6';
  };

  it('IPv6-comp holds at most 6 groups beside "::", IPv6v4-comp at most 4 beside "::" and the IPv4 tail; the full forms 8, or 6 and the tail', () => {
    for (const v4 of [false, true]) {
      const tail = v4 ? ['192.0.2.255'] : [];
      const max = v4 ? 4 : 6;
      expect(roundTrip(`[IPv6:${[...groups(v4 ? 6 : 8, 0), ...tail].join(':')}]`)).toBe(true);
      expect(roundTrip(`[IPv6:${[...groups(v4 ? 7 : 9, 0), ...tail].join(':')}]`)).toBe(false);
      expect(roundTrip(`[IPv6:${[...groups(v4 ? 5 : 7, 0), ...tail].join(':')}]`)).toBe(false);
      for (let before = 0; before <= max + 1; before++) {
        for (let after = 0; after <= max + 1; after++) {
          const lit = `[IPv6:${groups(before, 1).join(':')}::${[...groups(after, 3), ...tail].join(':')}]`;
          expect([lit, roundTrip(lit)]).toEqual([lit, before + after <= max]);
        }
      }
    }
  });
});

describe('general address literals: Standardized-tag ":" 1*dcontent', () => {
  it('dcontent is printable ASCII except [, \\ and ]', () => {
    expect(domainOf('<a@[x-1:a!b~c]>')).toEqual({ domain: '[x-1:a!b~c]', kind: 'general' });
    expect(domainOf('<a@[abcd:xyz]>')).toEqual({ domain: '[abcd:xyz]', kind: 'general' });
    for (const lit of ['[x:a b]', '[x:a[b]', '[x:a\\b]', '[x:a\u00e9]', '[x:a\u007f]']) syntaxRefusal(`<a@${lit}>`, { smtpUtf8: true });
  });

  it('the tag is letters, digits and inner hyphens; the content is not empty', () => {
    for (const lit of ['[x:]', '[x-:y]', '[-x:y]', '[:y]', '[xy]', '[]', '[x:y']) syntaxRefusal(`<a@${lit}>`);
  });
});

describe('local parts', () => {
  it('quoted pairs take SP to ~ only; a quoted string takes UTF-8 only with SMTPUTF8', () => {
    expect((parsePath('<"a\\ b\\~"@c>') as MailboxPath).localPart).toBe('a b~');
    expect((parsePath('<"\u00e9\\x"@c>', { smtpUtf8: true }) as MailboxPath).localPart).toBe('\u00e9x');
    expect((parsePath('<"\u00e9 x"@c>', { smtpUtf8: true }) as MailboxPath).utf8).toBe(true);
    for (const t of ['<"a\\\u0001"@c>', '<"a\\\u007f"@c>', '<"a\u007f"@c>', '<"a\\\u00e9"@c>', '<"a\\', '<"abc']) syntaxRefusal(t, { smtpUtf8: true });
    const r = refused(() => parsePath('<"\u00e9"@c>'));
    expect([r.code, r.reply.code, r.reply.enhanced]).toEqual(['ERR_SMTP_UTF8_NOT_ALLOWED', 553, '5.6.7']);
  });

  it('INJ-6: a lone surrogate in the local part or the domain is refused', () => {
    syntaxRefusal('<a\ud800@b>', { smtpUtf8: true });
    syntaxRefusal('<a@b\udc00>', { smtpUtf8: true });
  });

  it('mailboxPath quotes what is not a dot-string: empty, leading, trailing or double dots', () => {
    expect(mailboxPath('', 'example.com').address).toBe('""@example.com');
    expect(mailboxPath('a..b', 'example.com').address).toBe('"a..b"@example.com');
    expect(mailboxPath('.a', 'example.com').address).toBe('".a"@example.com');
    expect(mailboxPath('a.', 'example.com').address).toBe('"a."@example.com');
    expect(mailboxPath('a.b', 'example.com').address).toBe('a.b@example.com');
  });
});

describe('source routes (RFC 5321 §4.1.1.3, accepted and dropped)', () => {
  it('each hop is @domain, separated by commas and ended by a colon', () => {
    expect((parsePath('<@a,@b.c:x@y>') as MailboxPath).address).toBe('x@y');
    for (const t of ['<@a,bb:x@y>', '<@a x@y>', '<@a;x@y>', '<@-a:x@y>', '<@a,', '<@a,@:x@y>']) syntaxRefusal(t);
  });
});

describe('<postmaster> and <> by role (RFC 5321 §4.1.1.3, §4.5.5)', () => {
  it('only the unquoted, closed word postmaster (any case) stands without a domain', () => {
    expect(parsePath('<PostMaster>', { role: 'forward' })).toEqual({ kind: 'postmaster' });
    syntaxRefusal('<"postmaster">', { role: 'forward' }, 'recipient');
    syntaxRefusal('<abcdefghij>', { role: 'forward' }, 'recipient');
    syntaxRefusal('<postmaster>', { role: 'reverse' }, 'sender');
    expect(refused(() => parseRcptTo('TO:<postmaster')).code).toBe('ERR_SMTP_PATH_SYNTAX');
  });

  it('the null path is refused as a recipient with a reason', () => {
    const r = refused(() => parsePath('<>', { role: 'forward' }));
    expect(r.code).toBe('ERR_SMTP_NULL_PATH_NOT_ALLOWED');
    expect([r.reply.code, r.reply.enhanced]).toEqual([501, '5.1.3']);
    expect(r.reply.text).toMatch(/^Bad recipient address: \S/);
  });

  it('a lone > is not the null path when brackets are optional', () => {
    syntaxRefusal('>', { lenient: { missingAngleBrackets: true } });
  });
});

describe('replies name whose address failed (RFC 5321 §4.2.2, RFC 3463)', () => {
  it('sender 5.1.7, recipient 5.1.3, mailbox 5.1.3', () => {
    const mail = refused(() => parseMailFrom('FROM:<a@-b>'));
    expect([mail.reply.code, mail.reply.enhanced]).toEqual([501, '5.1.7']);
    expect(mail.reply.text).toMatch(/^Bad sender address: \S/);
    const rcpt = refused(() => parseRcptTo('TO:<a@-b>'));
    expect([rcpt.reply.code, rcpt.reply.enhanced]).toEqual([501, '5.1.3']);
    expect(rcpt.reply.text).toMatch(/^Bad recipient address: \S/);
    expect(syntaxRefusal('<a@-b>')).toMatch(/^Bad mailbox address/);
  });

  it('553 5.6.7 without SMTPUTF8 names the role too', () => {
    expect(refused(() => parseMailFrom('FROM:<\u00e9@b>')).reply.text).toBe('Non-ASCII sender address requires SMTPUTF8');
    expect(refused(() => parseRcptTo('TO:<\u00e9@b>')).reply.text).toBe('Non-ASCII recipient address requires SMTPUTF8');
    expect(refused(() => parsePath('<\u00e9@b>')).reply.text).toBe('Non-ASCII mailbox address requires SMTPUTF8');
  });

  it('every kind of syntax failure gives a reason', () => {
    for (const t of [
      'a@b',
      '<a@',
      '<a@>',
      '<a@b',
      '<a@b>x',
      '<a>',
      '<a b@c>',
      '<.a@b>',
      '<a.@b>',
      '<a..b@c>',
      '<a@b..c>',
      '<a@-b>',
      '<a@b->',
      '<a@b.>',
      '<a@\u200bb>',
      '<a\u200b@b>',
      '<@a:@b>',
      '<@a>',
    ]) {
      syntaxRefusal(t, { smtpUtf8: true });
    }
  });
});

describe('INJ-6: path limits count the path as written, brackets included even when missing', () => {
  it('a limit of 1 is a valid limit', () => {
    expect(parsePath('<a@b>', { limits: { localPart: 1, domain: 1, path: 5 } })).toMatchObject({ address: 'a@b' });
  });

  it('an unbracketed path counts its missing brackets', () => {
    const lenient = { missingAngleBrackets: true } as const;
    expect(parseMailFrom('FROM:a@bc', { lenient, limits: { path: 6 } }).path).toMatchObject({ address: 'a@bc' });
    const r = refused(() => parseMailFrom('FROM:a@bc', { lenient, limits: { path: 5 } }));
    expect(r.code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(r.reply.text).toMatch(/^Bad sender address: \S/);
  });

  it('each limit refusal says which part is too long', () => {
    const texts = new Set<string>();
    for (const [t, limits] of [
      ['<ab@c>', { localPart: 1 }],
      ['<a@bc>', { domain: 1 }],
      ['<a@b>', { path: 4 }],
    ] as const) {
      const r = refused(() => parsePath(t, { limits }));
      expect(r.code).toBe('ERR_SMTP_PATH_TOO_LONG');
      texts.add(r.reply.text);
    }
    expect(texts.size).toBe(3);
  });

  it('an unbracketed path must end where the path ends', () => {
    const r = refused(() => parseMailFrom('FROM:a@b>', { lenient: { missingAngleBrackets: true } }));
    expect(r.code).toBe('ERR_SMTP_PATH_SYNTAX');
  });

  it('limits must be positive safe integers, named in the error', () => {
    for (const bad of ['10', 1.5, Number.NaN, 0, -1, 2 ** 53]) {
      const e = misuse(() => parsePath('<a@b>', { limits: { localPart: bad as number } }));
      expect([e.code, e.argument]).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.limits.localPart']);
    }
    expect(misuse(() => parsePath('<a@b>', { limits: { path: 0 } })).argument).toBe('options.limits.path');
    // a list is no limits object: it gave the default limits
    for (const bad of [[], [64, 255]]) expect(misuse(() => parsePath('<a@b>', { limits: bad as never })), JSON.stringify(bad)).toMatchObject({ code: 'ERR_SMTP_INVALID_OPTION', argument: 'options.limits' });
  });
});

describe('builders name the argument at fault', () => {
  it('mailboxPath: localPart or domain; the whole path when only the combination fails', () => {
    expect(misuse(() => mailboxPath(5 as unknown as string, 'b'))).toMatchObject({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'localPart' });
    expect(misuse(() => mailboxPath('a', 5 as unknown as string))).toMatchObject({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'domain' });
    expect(misuse(() => mailboxPath('a\r', 'b'))).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'localPart' });
    expect(misuse(() => mailboxPath('a', 'b\n'))).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'domain' });
    expect(misuse(() => mailboxPath('a\u200bb', 'c'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'localPart' });
    expect(misuse(() => mailboxPath('a\ud800', 'c'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'localPart' });
    expect(misuse(() => mailboxPath('a', '-c'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'domain' });
    expect(misuse(() => mailboxPath('a'.repeat(65), 'c'))).toMatchObject({ code: 'ERR_SMTP_PATH_TOO_LONG', argument: 'path' });
    expect(misuse(() => mailboxPath('\u00e9', 'c', { smtpUtf8: false }))).toMatchObject({ code: 'ERR_SMTP_UTF8_REQUIRED', argument: 'path' });
  });

  it('messages start with the argument and say why', () => {
    for (const fn of [
      () => mailboxPath(5 as unknown as string, 'b'),
      () => mailboxPath('a', 5 as unknown as string),
      () => mailboxPath('a\r', 'b'),
      () => mailboxPath('a\u200bb', 'c'),
      () => mailboxPath('a\ud800', 'c'),
      () => mailboxPath('a', '-c'),
      () => formatPath('a'.repeat(65) + '@c'),
      () => formatPath('\u00e9@c'),
      () => formatPath('a b@c'),
      () => formatPath('<a@b>x>'),
      () => formatPath(42 as unknown as string),
    ]) {
      const e = misuse(fn);
      expect(e.message.startsWith(e.argument)).toBe(true);
      expect(e.message.length).toBeGreaterThan(e.argument.length + 4);
    }
  });

  it('formatPath: over a limit is ERR_SMTP_PATH_TOO_LONG, text after the path is refused', () => {
    expect(misuse(() => formatPath('a'.repeat(65) + '@c'))).toMatchObject({ code: 'ERR_SMTP_PATH_TOO_LONG', argument: 'path' });
    expect(misuse(() => formatPath('<a@b>x>'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'path' });
  });

  it('formatPath: anything but a Path or a string is ERR_SMTP_INVALID_ARGUMENT', () => {
    for (const bad of [null, undefined, 42, {}, { kind: 'other' }]) {
      expect(misuse(() => formatPath(bad as unknown as string))).toMatchObject({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'path' });
    }
  });
});

describe('domain labels: at most 63 octets (RFC 1035 §2.3.4)', () => {
  const l63 = 'a'.repeat(63);
  const l64 = 'a'.repeat(64);
  it('a 63-octet label is a domain label, a 64-octet one is not: parsers and formatPath', () => {
    expect(parsePath(`<a@${l63}.example>`)).toMatchObject({ domain: `${l63}.example` });
    expect(syntaxRefusal(`<a@${l64}.example>`)).toMatch(/label/);
    expect(syntaxRefusal(`<a@example.${l64}>`)).toMatch(/label/);
    expect(refused(() => parseMailFrom(`FROM:<a@${l64}.example>`)).code).toBe('ERR_SMTP_PATH_SYNTAX');
    expect(refused(() => parseRcptTo(`TO:<@${l64}.example:a@b.example>`)).code).toBe('ERR_SMTP_PATH_SYNTAX');
    expect(formatPath(`a@${l63}.example`)).toBe(`<a@${l63}.example>`);
    expect(misuse(() => formatPath(`a@${l64}.example`))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'path' });
    expect(misuse(() => mailboxPath('a', `${l64}.example`))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'domain' });
  });
  it('a U-label whose A-label is certainly longer (xn--, its ASCII, a hyphen, a character a code point: RFC 3492) is refused', () => {
    const utf8 = { smtpUtf8: true } as const;
    expect(syntaxRefusal(`<a@${'\u00fc'.repeat(60)}.example>`, utf8)).toMatch(/label/);
    expect(syntaxRefusal(`<a@\u00fc${'a'.repeat(58)}.example>`, utf8)).toMatch(/label/);
    // 30 times the same emoji (a surrogate pair each) is a valid label: about 40 octets as an A-label
    expect(parsePath(`<a@${'\u{1f600}'.repeat(30)}.example>`, utf8)).toMatchObject({ utf8: true });
    expect(parsePath(`<a@${'\u00fc'.repeat(20)}.example>`, utf8)).toMatchObject({ utf8: true });
  });
});
