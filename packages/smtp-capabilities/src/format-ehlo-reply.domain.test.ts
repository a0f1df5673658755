import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ReplyReader } from 'smtp-reply-reader';
import { formatEhloReply, formatEhloReplyBytes, formatEhloReplyText, isCapabilitiesError, parseEhloReply } from 'smtp-capabilities';
import { thrownBy } from '@smtpkit/testkit';

const code = (f: () => unknown): string => thrownBy(f, isCapabilitiesError).code;

describe('formatEhloReply: a domain that would read back as an enhanced status code', () => {
  test.each(['2.0.0', '2.1.5', '2.00.000', '2.999.999', '4.0.0', '5.7.1'])('%s is ERR_SMTP_EHLO_INVALID_DOMAIN (not a host name, RFC 1123 §2.1)', (domain) => {
    for (const f of [formatEhloReply, formatEhloReplyText, formatEhloReplyBytes]) {
      expect(code(() => f({ domain, greeting: 'ESMTP ready', keywords: ['PIPELINING'] }))).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
      expect(code(() => f({ domain, keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
    }
  });

  test.each(['mx.example.com', 'mx', '[192.0.2.1]', '[IPv6:2001:db8::1]', '192.0.2.1', '2.0.0.1', '2.0.0.example', '2.1000.0', '3.0.0', '12.0.0'])('%s is written as is', (domain) => {
    expect(formatEhloReply({ domain, keywords: [] })).toEqual([domain]);
  });

  test('every domain the formatter takes reads back unchanged through the reply reader (property)', () => {
    const domainArb = fc.string({ unit: fc.constantFrom(...'0123456789..245ax-'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(domainArb, fc.constantFrom('', 'ESMTP ready'), (domain, greeting) => {
        let text: string;
        try {
          text = formatEhloReplyText({ domain, greeting, keywords: ['PIPELINING'] });
        } catch (e) {
          expect(isCapabilitiesError(e) && e.code).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
          return;
        }
        const [reply] = new ReplyReader().push(text);
        const caps = parseEhloReply(reply!);
        expect([caps.domain, caps.greeting, caps.keywords]).toEqual([domain, greeting, ['PIPELINING']]);
      }),
      { numRuns: 2000, examples: [['2.0.0', 'ESMTP ready'], ['2.0.0', ''], ['2.5.25', '']] },
    );
  });
});
