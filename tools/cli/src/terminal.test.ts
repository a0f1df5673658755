// printable / jsonLine: every format (Cf) and default-ignorable code point is shown escaped, not
// only a list of them; text that is merely foreign stays as it is.
import { describe, expect, it } from 'vitest';
import { jsonLine, printable } from './terminal.js';

// U+061C ALM, U+180E, U+00AD, the Arabic number sign, U+034F, Hangul fillers, variation selectors,
// Khmer inherent vowels, U+2065, tags, Duployan and musical format controls
const INVISIBLE = ['\u061c', '\u180e', '\u00ad', '\u0600', '\u034f', '\u115f', '\u3164', '\uffa0', '\ufe0f', '\u17b4', '\u2065', '\u{e0041}', '\u{e0001}', '\u{1bca0}', '\u{1d173}'];

describe('printable and jsonLine', () => {
  it('escape every format and default-ignorable character: \\uHHHH, \\u{HHHHH} beyond the BMP; JSON as UTF-16 units that parse back', () => {
    for (const ch of INVISIBLE) {
      const c = ch.codePointAt(0)!;
      const name = `U+${c.toString(16)}`;
      const text = c < 0x100 ? `\\x${c.toString(16)}` : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u{${c.toString(16)}}`;
      expect([name, printable(`pay${ch}pal`)]).toEqual([name, `pay${text}pal`]);
      const line = jsonLine({ from: `pay${ch}pal` });
      expect([name, line.includes(ch)]).toEqual([name, false]);
      expect([name, (JSON.parse(line) as { from: string }).from]).toEqual([name, `pay${ch}pal`]);
    }
    expect(jsonLine('a\u{e0041}b')).toBe('"a\\udb40\\udc41b"');
    expect(printable('tag\u{e0041}\u{e007f}')).toBe('tag\\u{e0041}\\u{e007f}');
  });

  it('leave letters, marks, symbols and emoji (astral too) alone', () => {
    for (const text of ['\u0627\u0644\u0639\u0631\u0628\u064a\u0629', '\u1820\u1821', '\u17b6\u1780', '\u3131\uac00', '\u2764 \u{1f600} \u{20000}', 'é ß ü']) {
      expect(printable(text)).toBe(text);
      expect(jsonLine(text)).toBe(JSON.stringify(text));
    }
  });
});
