// A U-label in an SMTPUTF8 address domain is measured as its A-label (`xn--` and its Punycode, RFC
// 5890 §2.3.2.1), exactly as esmtp-server-fsm measures a host name: at most 63 octets a label and,
// with the dots, the domain's length limit in all. Node's IDNA converter is the reference here.
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatPath, mailboxPath, parsePath } from './path.js';

const utf8 = { smtpUtf8: true } as const;

function verdict(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
}

describe('an SMTPUTF8 domain label is measured as its A-label', () => {
  it.each([57, 58, 59, 60, 61, 62, 63])('%i ü: refused past 63 octets of A-label, as the server refuses it', (n) => {
    const label = 'ü'.repeat(n);
    // 57 ü are xn--tda and 56 a (63 octets); each ü more adds an octet
    const aLabel = domainToASCII(label).length;
    expect(aLabel).toBe(n + 6);
    const domain = `${label}.example`;
    const parsed = verdict(() => parsePath(`<a@${domain}>`, utf8));
    const formatted = verdict(() => formatPath(`a@${domain}`, utf8));
    const built = verdict(() => mailboxPath('a', domain, utf8));
    if (aLabel <= 63) {
      expect([parsed, formatted, built]).toEqual(['ok', 'ok', 'ok']);
    } else {
      expect(parsed).toMatch(/^ERR_SMTP_PATH_SYNTAX: .*domain label too long/);
      expect(formatted).toMatch(/^ERR_SMTP_INVALID_PATH: .*domain label too long/);
      expect(built).toMatch(/^ERR_SMTP_INVALID_PATH: .*domain/);
    }
  });

  it('a label whose last letter lies far up (CJK extension B) is longer as an A-label than in UTF-8', () => {
    const label = `${'a'.repeat(52)}\u{20000}`; // 56 octets of UTF-8, a 63-octet A-label
    expect(domainToASCII(label).length).toBe(63);
    expect(verdict(() => parsePath(`<a@${label}>`, utf8))).toBe('ok');
    const longer = `${'a'.repeat(53)}\u{20000}`;
    expect(domainToASCII(longer).length).toBe(64);
    expect(verdict(() => parsePath(`<a@${longer}>`, utf8))).toMatch(/domain label too long/);
  });

  it('the domain is at most its length limit (255 octets) in A-label form too', () => {
    const label = `${'a'.repeat(52)}\u{20000}`;
    const name = [label, label, label, label].join('.'); // 227 octets of UTF-8, 255 as A-labels
    expect([new TextEncoder().encode(name).length, domainToASCII(name).length]).toEqual([227, 255]);
    expect(verdict(() => parsePath(`<a@${name}>`, utf8))).toBe('ok');
    expect(domainToASCII(`${name}.ab`).length).toBe(258);
    expect(verdict(() => parsePath(`<a@${name}.ab>`, utf8))).toMatch(/^ERR_SMTP_PATH_TOO_LONG: .*domain too long/);
    expect(verdict(() => formatPath(`a@${name}.ab`, utf8))).toMatch(/^ERR_SMTP_PATH_TOO_LONG: .*domain too long/);
    // a raised limit raises it for both forms
    expect(verdict(() => parsePath(`<a@${name}.ab>`, { ...utf8, limits: { domain: 258 } }))).toBe('ok');
  });

  it('ASCII labels are measured as written', () => {
    expect(verdict(() => parsePath(`<a@${'b'.repeat(63)}.example>`))).toBe('ok');
    expect(verdict(() => parsePath(`<a@${'b'.repeat(64)}.example>`))).toMatch(/domain label too long/);
  });
});
