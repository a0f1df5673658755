import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isClientArgsError, xtextDecode, xtextEncode, type ClientArgsLocalError } from 'smtp-client-args';
import { hasControl } from '@smtpkit/testkit';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

describe('xtextEncode', () => {
  it('keeps printable ASCII except + and =', () => {
    expect(xtextEncode('abc!~<>@')).toBe('abc!~<>@');
  });
  it('INJ-2: encodes SP, =, +, CR, LF as +HH', () => {
    expect(xtextEncode('a b=c+d\r\n')).toBe('a+20b+3Dc+2Bd+0D+0A');
  });
  it('encodes non-ASCII as UTF-8 bytes (astral included)', () => {
    expect(xtextEncode('ü')).toBe('+C3+BC');
    expect(xtextEncode('😀')).toBe('+F0+9F+98+80');
  });
  it('refuses a lone surrogate (no UTF-8 form) with a typed error naming text', () => {
    for (const bad of ['\ud800', 'a\udc00', 'x\ud83d', '\ud83d\ud83d\ude00']) {
      expect(() => xtextEncode(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'text' }));
    }
  });
  it('INJ-2: output never holds SP, = or a control byte (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
          // a lone surrogate has no UTF-8 form: refused, never encoded as U+FFFD
          expect(() => xtextEncode(s)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_INVALID_ARGUMENT' }));
          return;
        }
        const out = xtextEncode(s);
        for (let i = 0; i < out.length; i++) {
          const c = out.charCodeAt(i);
          expect(c >= 33 && c <= 126 && c !== 0x3d).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('xtextDecode', () => {
  it('INJ-4: decodes +2B', () => {
    expect(xtextDecode('a+2Bb@c')).toBe('a+b@c');
  });
  it.each(['abc+', '+4', '+G1', 'a=b', 'a b', 'a\rb'])('INJ-4: refuses %j', (t) => {
    try {
      xtextDecode(t);
      expect.unreachable();
    } catch (e) {
      expect(isLocalError(e) && e.code).toBe('ERR_SMTP_XTEXT_SYNTAX');
    }
  });
  it('INJ-4: lower-case hex is accepted by default, refused on request', () => {
    expect(xtextDecode('a+2bb')).toBe('a+b');
    expect(() => xtextDecode('a+2bb', { lowercaseHex: false })).toThrow();
  });
  it('INJ-3/INJ-4: control characters after decoding are refused (+0d too)', () => {
    expect(() => xtextDecode('a+0D+0Ab')).toThrow(/control/);
    expect(() => xtextDecode('+0d')).toThrow(/control/);
    expect(() => xtextDecode('a+00')).toThrow(/control/);
    expect(xtextDecode('a+0D+0Ab', { allowControls: true })).toBe('a\r\nb');
  });
  it('refuses escapes that are not UTF-8', () => {
    expect(() => xtextDecode('+FF')).toThrow();
  });
  it('round trip: decode(encode(s)) === s for well-formed text without controls (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!hasControl(s));
        expect(xtextDecode(xtextEncode(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('xtext escapes, digit by digit', () => {
  it('decodes every hex digit of either case in both places', () => {
    expect(xtextDecode('+4A+4a+2B+30+39+7E')).toBe('JJ+09~');
  });

  it('says which is wrong: an escape cut short, or one that is not hex', () => {
    const reason = (t: string, lowercaseHex = true): string => {
      try {
        xtextDecode(t, { lowercaseHex });
        return 'decoded';
      } catch (e) {
        return isLocalError(e) ? e.message : 'untyped';
      }
    };
    expect(reason('a+4')).toBe('xtext: truncated xtext escape');
    expect(reason('a+')).toBe('xtext: truncated xtext escape');
    expect(reason('+ZZ')).toBe('xtext: invalid xtext escape');
    expect(reason('+4G')).toBe('xtext: invalid xtext escape');
    expect(reason('+4a', false)).toBe('xtext: invalid xtext escape');
    expect(reason('+C3')).toBe('xtext: xtext does not decode to UTF-8');
  });

  it('encodes a code point above U+FFFF as its four UTF-8 bytes, the first low surrogate included', () => {
    expect(xtextEncode('\u{10000}')).toBe('+F0+90+80+80');
    expect(xtextEncode('a\u{1F600}b')).toBe('a+F0+9F+98+80b');
  });
});
