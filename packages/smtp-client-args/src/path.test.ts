import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasControl, thrownBy } from '@smtpkit/testkit';
import { DEFAULT_PATH_LIMITS, NULL_PATH, POSTMASTER_PATH, formatPath, isClientArgsError, mailboxPath, parsePath, type ClientArgsRemoteError, type ClientArgsLocalError } from 'smtp-client-args';
const isRemoteError = (e: unknown): e is ClientArgsRemoteError => isClientArgsError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

// a remote refusal carries the reply; a local error (bad argument) has none
const refusal = (fn: () => unknown): { readonly code: string; readonly reply?: { code: number; enhanced: string } | undefined } => thrownBy(fn, isRemoteError, isLocalError);

describe('parsePath', () => {
  it('parses the null path and postmaster', () => {
    expect(parsePath('<>')).toBe(NULL_PATH);
    expect(parsePath('<postmaster>', { role: 'forward' })).toBe(POSTMASTER_PATH);
    expect(parsePath('<PostMaster>', { role: 'forward' })).toBe(POSTMASTER_PATH);
  });
  it('parses a plain mailbox', () => {
    expect(parsePath('<user.name+tag@example.com>')).toEqual({
      kind: 'mailbox',
      localPart: 'user.name+tag',
      domain: 'example.com',
      domainKind: 'name',
      utf8: false,
      address: 'user.name+tag@example.com',
    });
  });
  it('INJ-7: quoted local parts with quoted pairs', () => {
    const p = parsePath('<"a\\"b"@c>');
    expect(p).toMatchObject({ localPart: 'a"b', address: '"a\\"b"@c' });
    expect(parsePath('<"abc"@c>')).toMatchObject({ localPart: 'abc', address: 'abc@c' });
    expect(parsePath('<"a b"@c>')).toMatchObject({ localPart: 'a b', address: '"a b"@c' });
  });
  it('address literals: IPv4, IPv6, general', () => {
    expect(parsePath('<a@[192.0.2.1]>')).toMatchObject({ domainKind: 'ipv4', domain: '[192.0.2.1]' });
    expect(parsePath('<a@[IPv6:2001:db8::1]>')).toMatchObject({ domainKind: 'ipv6' });
    expect(parsePath('<a@[IPv6:1:2:3:4:5:6:7:8]>')).toMatchObject({ domainKind: 'ipv6' });
    expect(parsePath('<a@[IPv6:::ffff:192.0.2.1]>')).toMatchObject({ domainKind: 'ipv6' });
    expect(parsePath('<a@[x-tag:stuff]>')).toMatchObject({ domainKind: 'general' });
  });
  it.each(['<a@[256.0.0.1]>', '<a@[1.2.3]>', '<a@[IPv6:1:2:3:4:5:6:7]>', '<a@[IPv6:1::2::3]>', '<a@[IPv6:12345::]>', '<a@[]>', '<a@[1.2.3.4>'])(
    'refuses a bad address literal %s',
    (t) => {
      expect(refusal(() => parsePath(t)).code).toBe('ERR_SMTP_PATH_SYNTAX');
    },
  );
  it('INJ-7: source routes are accepted and dropped', () => {
    expect(parsePath('<@a,@b:u@d>')).toMatchObject({ address: 'u@d' });
    expect(refusal(() => parsePath('<@a,b:u@d>')).code).toBe('ERR_SMTP_PATH_SYNTAX');
  });
  it.each(['a@b', '<a@b', '<a@b>x', '<a..b@c>', '<.a@c>', '<a.@c>', '<a@-b>', '<a@b->', '<a@b..c>', '<@>', '<a@>', '<a>', '<a b@c>', '<"a@c>', '<a@b.>'])(
    'INJ-7: refuses %s with 501 5.1.x',
    (t) => {
      const r = refusal(() => parsePath(t, { role: 'reverse' }));
      expect(r.reply).toMatchObject({ code: 501, enhanced: '5.1.7' });
    },
  );
  it('postmaster is not a reverse-path, <> not a forward-path', () => {
    expect(refusal(() => parsePath('<postmaster>', { role: 'reverse' })).code).toBe('ERR_SMTP_PATH_SYNTAX');
    expect(refusal(() => parsePath('<>', { role: 'forward' })).reply).toMatchObject({ code: 501, enhanced: '5.1.3' });
  });
  it('INJ-3: control characters and invisible code points are refused', () => {
    for (const t of ['<a\x01b@c>', '<a@b\x7f>', '<\u200ba@b>', '<a@b\u200b.c>', '<"a\x00"@b>', '<a\u0085@b>']) {
      expect(refusal(() => parsePath(t, { smtpUtf8: true })).code).toBe('ERR_SMTP_PATH_SYNTAX');
    }
  });
  it('INJ-8: non-ASCII only with SMTPUTF8 (553 5.6.7)', () => {
    expect(refusal(() => parsePath('<ü@x>')).reply).toEqual({ code: 553, enhanced: '5.6.7', text: expect.any(String) });
    expect(parsePath('<ü@bücher.de>', { smtpUtf8: true })).toMatchObject({ utf8: true, domain: 'bücher.de' });
  });
  it('INJ-6: limits count UTF-8 bytes; RFC sizes are accepted', () => {
    const l64 = 'a'.repeat(64);
    expect(parsePath(`<${l64}@b>`)).toMatchObject({ localPart: l64 });
    expect(refusal(() => parsePath(`<${'a'.repeat(65)}@b>`)).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    // 40 characters, 80 bytes
    expect(refusal(() => parsePath(`<${'é'.repeat(40)}@b>`, { smtpUtf8: true })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(parsePath(`<${'é'.repeat(40)}@b>`, { smtpUtf8: true, limits: { localPart: 80 } })).toMatchObject({ utf8: true });
    const label = 'a'.repeat(63);
    const d255 = [label, label, label, 'a'.repeat(63)].join('.');
    expect(d255.length).toBe(255);
    expect(refusal(() => parsePath(`<a@${d255}.a>`, { limits: { path: 1000 } })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(parsePath(`<a@${d255}>`, { limits: { path: 1000 } })).toMatchObject({ domain: d255 });
    // path: 256 bytes including the brackets
    const dom = ['d'.repeat(63), 'd'.repeat(63), 'd'.repeat(61)].join('.');
    expect(new TextEncoder().encode(`<${l64}@${dom}>`).length).toBe(256);
    expect(parsePath(`<${l64}@${dom}>`)).toMatchObject({ kind: 'mailbox' });
    expect(refusal(() => parsePath(`<${l64}@${dom}d>`)).reply).toMatchObject({ code: 501, enhanced: '5.1.3' });
    expect(parsePath(`<${l64}@${dom}d>`, { limits: { path: 257 } })).toMatchObject({ kind: 'mailbox' });
  });
  it('DEFAULT_PATH_LIMITS are the RFC 5321 minimums', () => {
    expect(DEFAULT_PATH_LIMITS).toEqual({ localPart: 64, domain: 255, path: 256 });
  });
  it('lenient: missing angle brackets', () => {
    expect(parsePath('a@b', { lenient: { missingAngleBrackets: true } })).toMatchObject({ address: 'a@b' });
    expect(refusal(() => parsePath('a@b')).code).toBe('ERR_SMTP_PATH_SYNTAX');
  });
  it('rejects invalid option values', () => {
    expect(refusal(() => parsePath('<a@b>', { limits: { path: -1 } })).code).toBe('ERR_SMTP_INVALID_OPTION');
  });
});

describe('formatPath and mailboxPath', () => {
  it('renders paths', () => {
    expect(formatPath('')).toBe('<>');
    expect(formatPath('<>')).toBe('<>');
    expect(formatPath('postmaster')).toBe('<postmaster>');
    expect(formatPath('a@b.c')).toBe('<a@b.c>');
    expect(formatPath(NULL_PATH)).toBe('<>');
    expect(formatPath(mailboxPath('john doe', 'example.com'))).toBe('<"john doe"@example.com>');
    expect(formatPath(mailboxPath('a"b\\c', '[192.0.2.1]'))).toBe('<"a\\"b\\\\c"@[192.0.2.1]>');
  });
  it('INJ-1: control bytes throw ERR_SMTP_CONTROL_CHARACTER naming the argument, not the value', () => {
    for (const bad of ['a@b>\r\nRCPT TO:<x@y', 'a@b\nDATA', 'a\0@b', 'a\x7f@b', 'a\x1b@b']) {
      try {
        formatPath(bad);
        expect.unreachable();
      } catch (e) {
        expect(isLocalError(e)).toBe(true);
        if (isLocalError(e)) {
          expect(e.code).toBe('ERR_SMTP_CONTROL_CHARACTER');
          expect(e.argument).toBe('path');
          expect(e.message).not.toContain('RCPT');
          expect(e.message).not.toContain('DATA');
        }
      }
    }
    expect(refusal(() => mailboxPath('a\r\n', 'b')).code).toBe('ERR_SMTP_CONTROL_CHARACTER');
    expect(refusal(() => mailboxPath('a', 'b\r\nc')).code).toBe('ERR_SMTP_CONTROL_CHARACTER');
  });
  it('INJ-8: a UTF-8 mailbox needs smtpUtf8 to be formatted', () => {
    expect(refusal(() => formatPath('ü@x')).code).toBe('ERR_SMTP_UTF8_REQUIRED');
    expect(formatPath('ü@x', { smtpUtf8: true })).toBe('<ü@x>');
  });
  it('refuses a hand-made mailbox object with a bad domain', () => {
    const forged = { kind: 'mailbox', localPart: 'a', domain: 'b> FOO', domainKind: 'name', utf8: false, address: 'x' } as const;
    expect(refusal(() => formatPath(forged)).code).toBe('ERR_SMTP_INVALID_PATH');
  });
  it('INJ-1: formatPath never emits a control byte or a > inside (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (local, domain) => {
        for (const input of [local, `${local}@${domain}`]) {
          let out: string;
          try {
            out = formatPath(input, { smtpUtf8: true });
          } catch (e) {
            expect(isLocalError(e)).toBe(true);
            continue;
          }
          expect(hasControl(out)).toBe(false);
        }
        try {
          const out = formatPath(mailboxPath(local, domain));
          expect(hasControl(out)).toBe(false);
          expect(parsePath(out, { smtpUtf8: true, limits: { localPart: 1e6, domain: 1e6, path: 1e6 } })).toMatchObject({ localPart: local, domain });
        } catch (e) {
          expect(isLocalError(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
