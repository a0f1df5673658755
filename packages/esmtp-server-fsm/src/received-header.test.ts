import { describe, expect, it } from 'vitest';
import { buildReceivedHeader } from './received-header.js';
import { isServerError } from './errors.js';

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
      expect(isServerError(err) && err.code).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    }
  });
});
