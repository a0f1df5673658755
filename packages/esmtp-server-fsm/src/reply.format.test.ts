import { describe, expect, it } from 'vitest';
import { formatServerReply } from './reply.js';

describe('formatServerReply: replies without text', () => {
  it('no text and an empty list are the bare code (with the enhanced code when on); a 334 keeps its space', () => {
    expect(formatServerReply({ code: 250 }, false)).toBe('250\r\n');
    expect(formatServerReply({ code: 250 }, true)).toBe('250 2.0.0\r\n');
    expect(formatServerReply({ code: 550, enhanced: '5.7.1' }, true)).toBe('550 5.7.1\r\n');
    expect(formatServerReply({ code: 250, text: [] }, false)).toBe('250\r\n');
    expect(formatServerReply({ code: 451, text: [] }, true)).toBe('451 4.0.0\r\n');
    expect(formatServerReply({ code: 334 }, true)).toBe('334 \r\n');
    expect(formatServerReply({ code: 334, text: [] }, false)).toBe('334 \r\n');
    expect(formatServerReply({ code: 334, text: '' }, false)).toBe('334 \r\n');
  });
});

describe('formatServerReply: one-line replies shared across sessions never mix up', () => {
  it('the same text under codes two apart, with and without the enhanced code', () => {
    // each pair in both orders, so that whichever comes first is in the shared table
    for (const [a, b] of [
      [250, 252],
      [252, 250],
      [550, 552],
      [451, 453],
    ] as const) {
      const text = `Shared text ${String(a)}-${String(b)}`;
      expect(formatServerReply({ code: a, text }, true)).toBe(`${String(a)} ${String(Math.floor(a / 100))}.0.0 ${text}\r\n`);
      expect(formatServerReply({ code: b, text }, false)).toBe(`${String(b)} ${text}\r\n`);
      expect(formatServerReply({ code: b, text }, true)).toBe(`${String(b)} ${String(Math.floor(b / 100))}.0.0 ${text}\r\n`);
      expect(formatServerReply({ code: a, text }, false)).toBe(`${String(a)} ${text}\r\n`);
    }
  });
  it('a list of lines is formatted as it is at the call, even when the same array is reused with other lines', () => {
    const lines: string[] = ['first'];
    expect(formatServerReply({ code: 250, text: lines }, false)).toBe('250 first\r\n');
    lines[0] = 'changed';
    expect(formatServerReply({ code: 250, text: lines }, false)).toBe('250 changed\r\n');
    lines.push('more');
    expect(formatServerReply({ code: 250, text: lines }, true)).toBe('250-2.0.0 changed\r\n250 2.0.0 more\r\n');
    lines[1] = 'other';
    expect(formatServerReply({ code: 250, text: lines }, true)).toBe('250-2.0.0 changed\r\n250 2.0.0 other\r\n');
  });
});

describe('formatServerReply: a 334 SASL challenge is one line however long', () => {
  it.each([505, 506, 507, 508, 600, 2000])('a challenge of %d characters', (n) => {
    const challenge = 'QUJD'.repeat(Math.ceil(n / 4)).slice(0, n);
    expect(formatServerReply({ code: 334, text: challenge }, true)).toBe(`334 ${challenge}\r\n`);
    expect(formatServerReply({ code: 334, text: [challenge] }, false)).toBe(`334 ${challenge}\r\n`);
  });

  it('counted in octets: a text of 300 two-octet or 200 astral characters (under 506 UTF-16 units, over 506 octets) stays one line', () => {
    for (const text of ['é'.repeat(300), '😀'.repeat(200), `${'A'.repeat(505)}é`]) {
      expect(formatServerReply({ code: 334, text }, true)).toBe(`334 ${text}\r\n`);
    }
  });

  it('a 334 of several lines (a custom verb continuing) is written whole, not cut to its first line', () => {
    expect(formatServerReply({ code: 334, text: ['first', 'second'] }, false)).toBe('334-first\r\n334 second\r\n');
  });
});

describe('formatServerReply: a reply checkReply refuses throws, whatever was formatted before', () => {
  const refused = [
    { code: 250, enhanced: '', text: 'order x' },
    { code: 250, enhanced: '5.1.1', text: 'order x' },
    { code: 250, enhanced: '2.1', text: 'order x' },
    { code: 250, text: 'order\u0085x' },
    { code: 250, text: ['order x', 'line\rtwo'] },
    { code: 334, enhanced: '5.0.0', text: 'abc' },
    { code: 600, text: 'order x' },
  ];

  it.each(refused)('%o, before and after the valid reply with the same text', (reply) => {
    for (const enhanced of [true, false]) {
      expect(() => formatServerReply(reply, enhanced)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_INVALID_REPLY' }));
      expect(formatServerReply({ code: 250, text: 'order x' }, enhanced)).toBe(enhanced ? '250 2.0.0 order x\r\n' : '250 order x\r\n');
      expect(formatServerReply({ code: 250, enhanced: '2.1.1', text: 'order x' }, enhanced)).toBe(enhanced ? '250 2.1.1 order x\r\n' : '250 order x\r\n');
      expect(() => formatServerReply(reply, enhanced)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_INVALID_REPLY' }));
    }
  });
});
