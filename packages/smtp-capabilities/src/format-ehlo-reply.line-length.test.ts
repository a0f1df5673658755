// formatEhloReply's line limit is RFC 5321 §4.5.3.1.5's: a reply line of at most 512 octets counting
// the code, its separator and the CRLF. A keyword line of 506 octets is a wire line of 512, which a
// reader held to the RFC's minimum (smtp-reply-reader with maxLineLength 512) reads back whole.
import { ReplyReader } from 'smtp-reply-reader';
import { describe, expect, test } from 'vitest';
import { formatEhloReply, formatEhloReplyText } from './format-ehlo-reply.js';
import { parseEhloReply } from './parse-ehlo-reply.js';

const octets = (s: string) => new TextEncoder().encode(s).length;
const code = (run: () => unknown) => {
  try {
    run();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('the longest EHLO reply line', () => {
  test('`X` and 504 octets of parameter: 512 octets on the wire, read back by a 512-octet reader', () => {
    for (const last of [false, true]) {
      const keywords = [{ keyword: 'X', params: ['a'.repeat(504)] }, ...(last ? [] : ['PIPELINING'])];
      const wire = formatEhloReplyText({ domain: 'mx', keywords });
      const line = wire.split('\r\n')[1]! + '\r\n';
      expect(octets(line)).toBe(512);
      const reply = new ReplyReader({ maxLineLength: 512 }).push(wire)[0]!;
      expect(parseEhloReply(reply).params('X')).toEqual(['a'.repeat(504)]);
    }
  });

  test('one octet more is ERR_SMTP_EHLO_LINE_TOO_LONG, and a 512-octet reader refuses its wire form', () => {
    const keywords = [{ keyword: 'X', params: ['a'.repeat(505)] }];
    expect(code(() => formatEhloReply({ domain: 'mx', keywords }))).toBe('ERR_SMTP_EHLO_LINE_TOO_LONG');
    expect(code(() => new ReplyReader({ maxLineLength: 512 }).push(`250 X ${'a'.repeat(505)}\r\n`))).toBe('ERR_SMTP_LINE_TOO_LONG');
  });

  test('octets, not characters: a greeting of two-octet letters', () => {
    // "mx " and 251 é: 505 octets, 511 on the wire; 252 é: 513
    expect(code(() => formatEhloReply({ domain: 'mx', greeting: 'é'.repeat(251), keywords: [] }))).toBe('ok');
    expect(code(() => formatEhloReply({ domain: 'mx', greeting: 'é'.repeat(252), keywords: [] }))).toBe('ERR_SMTP_EHLO_LINE_TOO_LONG');
  });
});
