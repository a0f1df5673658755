// A keyword whose RFC defines no parameters (PIPELINING RFC 2920, STARTTLS RFC 3207, 8BITMIME RFC
// 6152, BINARYMIME and CHUNKING RFC 3030, DSN RFC 3461, ENHANCEDSTATUSCODES RFC 2034, SMTPUTF8 RFC
// 6531, REQUIRETLS RFC 8689), or one optional parameter (SIZE RFC 1870, DELIVERBY RFC 2852,
// MT-PRIORITY RFC 6710), is not written with more: parseEhloReply would read such a line with an
// `invalid-param` warning and drop the rest, so formatEhloReply refuses it.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { formatEhloReply, isCapabilitiesError, parseEhloReply } from 'smtp-capabilities';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isCapabilitiesError);
const NONE = ['PIPELINING', 'STARTTLS', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'REQUIRETLS'];
const ONE = ['SIZE', 'DELIVERBY', 'MT-PRIORITY'];

describe('formatEhloReply: parameters a keyword does not take', () => {
  it.each(NONE)('%s with a parameter: ERR_SMTP_EHLO_INVALID_PARAM, as a line or an object, in any case', (k) => {
    // what the parser makes of that line: a warning
    expect(parseEhloReply({ code: 250, lines: ['mx', `${k} foo`] }).warnings.map((w) => w.code)).toEqual(['invalid-param']);
    for (const keyword of [`${k} foo`, { keyword: k, params: ['foo'] }, `${k.toLowerCase()} foo`]) {
      expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [keyword] })), JSON.stringify(keyword)).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    }
    expect(formatEhloReply({ domain: 'mx', keywords: [k, { keyword: 'X-' + k } ] })).toEqual(['mx', k, 'X-' + k]);
    expect(formatEhloReply({ domain: 'mx', keywords: [{ keyword: k, params: [] }] })).toEqual(['mx', k]);
  });

  it.each(ONE)('%s with two parameters: ERR_SMTP_EHLO_INVALID_PARAM; with one, written', (k) => {
    expect(parseEhloReply({ code: 250, lines: ['mx', `${k} 1 2`] }).warnings.map((w) => w.code)).toEqual(['invalid-param']);
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [`${k} 1 2`] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(formatEhloReply({ domain: 'mx', keywords: [`${k} 1`] })).toEqual(['mx', `${k} 1`]);
  });

  it('a keyword with parameters of its own keeps them all', () => {
    expect(formatEhloReply({ domain: 'mx', keywords: ['AUTH PLAIN LOGIN', 'X-FOO a b c'] })).toEqual(['mx', 'AUTH PLAIN LOGIN', 'X-FOO a b c']);
  });
});
