import { describe, expect, test } from 'vitest';
import { formatReply, parseReply } from 'smtp-reply-reader';

// RFC 4954 §4: a server challenge is one `334 <base64>` line; the base64 string may be arbitrarily
// long, whatever line length limits apply elsewhere. Wrapping it gives a multi-line 334 whose
// lines a SASL client joins (or drops) into a challenge that was never sent.
describe('formatReply: a 334 SASL challenge is one line however long', () => {
  const challenge = 'YIIGHgYJKoZIhvcSAQICAQBuggYNMIIGCaADAgEFoQMCAQ6i'.repeat(40); // 1920 base64 characters

  test('a long challenge is not wrapped', () => {
    const wire = formatReply({ code: 334, text: challenge });
    expect(wire).toBe(`334 ${challenge}\r\n`);
    const reply = parseReply(wire);
    expect(reply.lines).toEqual([challenge]);
  });

  test('nor with an explicit maxLineLength, nor given as lines', () => {
    expect(formatReply({ code: 334, text: challenge }, { maxLineLength: 512 })).toBe(`334 ${challenge}\r\n`);
    expect(formatReply({ code: 334, lines: [challenge] })).toBe(`334 ${challenge}\r\n`);
  });

  test('other codes still wrap at 512 bytes', () => {
    const wire = formatReply({ code: 250, text: challenge });
    for (const line of wire.split('\r\n').slice(0, -1)) expect(line.length + 2).toBeLessThanOrEqual(512);
    expect(parseReply(wire).lines.join('')).toBe(challenge);
  });
});
