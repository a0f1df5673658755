import { describe, expect, it } from 'vitest';
import { buildReceivedHeader } from './received-header.js';
import { errorCodeOf } from '@smtpkit/testkit';
import { isSmtpServerError } from './errors.js';

describe('buildReceivedHeader', () => {
  it('builds a folded header', () => {
    expect(
      buildReceivedHeader({ helo: 'c.example', clientAddress: '192.0.2.1', by: 'mx.test', protocol: 'ESMTPS', id: 'x1', for: 'a@b.example', tls: 'TLSv1.3 (x)', date: 'Sun, 29 Nov 2026 06:00:00 +0000' }),
    ).toBe('Received: from c.example ([192.0.2.1])\r\n\tby mx.test\r\n\twith ESMTPS (TLSv1.3 \\(x\\))\r\n\tid x1\r\n\tfor <a@b.example>;\r\n\tSun, 29 Nov 2026 06:00:00 +0000\r\n');
  });
  it('INJ-5 refuses CR/LF and specials in token fields', () => {
    for (const helo of ['a\r\nX-Injected: 1', 'a b', 'a;b', 'a\nb']) {
      let err: unknown;
      try {
        buildReceivedHeader({ helo, by: 'mx', protocol: 'SMTP', date: 'now' });
      } catch (e) {
        err = e;
      }
      expect(isSmtpServerError(err) && err.code).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    }
  });
  it('refuses a lone surrogate in any field (no UTF-8 form: it would be written as U+FFFD); a surrogate pair in a comment is kept', () => {
    const ok = { by: 'mx.example', protocol: 'ESMTP', date: 'Mon, 1 Jan 2024 00:00:00 +0000' };
    for (const field of ['by', 'protocol', 'date', 'helo', 'clientAddress', 'clientHostname', 'id', 'for', 'tls'] as const) {
      const bad = field === 'for' ? 'a\ud800@x.example' : 'x\ud800y';
      expect(errorCodeOf(() => buildReceivedHeader({ ...ok, [field]: bad }), isSmtpServerError), field).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    }
    expect(buildReceivedHeader({ ...ok, tls: 'TLSv1.3 \u{1f512}' })).toContain('with ESMTP (TLSv1.3 \u{1f512})');
  });
  it('SRV-9 the legal recipient "john smith"@d.example works; quotes stay balanced; no raw U+2028 or bidi control', () => {
    const h = buildReceivedHeader({ by: 'mx.test', protocol: 'UTF8SMTP', for: '"john smith"@d.example', date: 'now' });
    expect(h).toContain('for <"john smith"@d.example>;');
    expect(buildReceivedHeader({ by: 'mx.test', protocol: 'ESMTP', for: '"a\\"b"@d.example', date: 'now' })).toContain('for <"a\\"b"@d.example>');
    const bad: Parameters<typeof buildReceivedHeader>[0][] = [
      { by: 'mx', protocol: 'SMTP', date: 'now', for: '"john smith@d.example' },
      { by: 'mx', protocol: 'SMTP', date: 'now', for: 'john smith@d.example' },
      { by: 'mx', protocol: 'SMTP', date: 'now', for: '"a\u2028b"@d.example' },
      { by: 'mx', protocol: 'SMTP', date: 'now', for: '"a\\\nX-Injected: yes"@d.example' },
      { by: 'mx', protocol: 'SMTP', date: 'now', for: '"a\\\u2028"@d.example' },
      { by: 'mx', protocol: 'SMTP', date: 'now', for: '"a\\' },
      { by: 'mx', protocol: 'SMTP', date: 'now', helo: 'a"b' },
      { by: 'mx', protocol: 'SMTP', date: 'now', helo: 'a\u2028b' },
      { by: 'mx', protocol: 'SMTP', date: 'now', helo: 'a\u202eb' },
      { by: 'mx', protocol: 'SMTP', date: 'now', helo: 'a\u0085b' },
      { by: 'mx', protocol: 'SMTP', date: 'now\u2029', helo: 'a' },
      { by: 'mx', protocol: 'SMTP', date: 'now', tls: 'TLS\u2028' },
    ];
    for (const info of bad) expect(errorCodeOf(() => buildReceivedHeader(info), isSmtpServerError), JSON.stringify(info)).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
  });
  it('RFC 5321 §4.4 TCP-info is an address literal: [IPv6:...] for IPv6, the IPv4 literal for an IPv4-mapped address, a literal kept as it is', () => {
    const from = (clientAddress: string): string => buildReceivedHeader({ helo: 'c.example', clientAddress, by: 'mx.test', protocol: 'ESMTP', date: 'now' }).split('\r\n')[0]!;
    const cases: [string, string][] = [
      ['192.0.2.1', '[192.0.2.1]'],
      ['2001:db8::1', '[IPv6:2001:db8::1]'],
      ['::1', '[IPv6:::1]'],
      ['::ffff:192.0.2.1', '[192.0.2.1]'],
      ['::FFFF:192.0.2.1', '[192.0.2.1]'],
      ['0:0:0:0:0:ffff:192.0.2.1', '[192.0.2.1]'],
      ['::ffff:c000:201', '[IPv6:::ffff:c000:201]'],
      ['::ffff:192.0.2.256', '[IPv6:::ffff:192.0.2.256]'],
      ['IPV6:2001:db8::1', '[IPv6:2001:db8::1]'],
      ['[IPv6:2001:db8::1]', '[IPv6:2001:db8::1]'],
      ['[192.0.2.1]', '[192.0.2.1]'],
    ];
    for (const [address, literal] of cases) expect(from(address), address).toBe(`Received: from c.example (${literal})`);
    expect(buildReceivedHeader({ helo: 'c.example', clientHostname: 'c.example', clientAddress: '2001:db8::2', by: 'mx.test', protocol: 'ESMTP', date: 'now' })).toContain('(c.example [IPv6:2001:db8::2])');
    for (const bad of ['[192.0.2.1', '192.0.2.1]', '[[192.0.2.1]]', '[]', '[1.2]3]', 'a[b']) {
      expect(errorCodeOf(() => from(bad), isSmtpServerError), bad).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    }
  });
});
