import { describe, expect, it } from 'vitest';
import { hostNameFault, validHeloArgument } from './peer-text.js';

// The U-label checks of IDNA2008 beyond the characters and contexts (peer-text.test.ts): the form
// (NFC, RFC 5891 §5.3) and stable code points (RFC 5892 §2.2).

describe('U-labels in Normalization Form C (RFC 5891 §5.3)', () => {
  it.each([
    ['bu\u0308cher.example', 'b\u00fccher.example'],
    ['e\u0301cole.example', '\u00e9cole.example'],
    // Hangul as conjoining jamo, and as its syllables
    ['\u1112\u1161\u11ab\u1100\u1173\u11af.example', '\ud55c\uae00.example'],
    // two marks out of canonical order on a letter that composes with the second
    ['a\u0301\u0323.example', '\u1ea1\u0301.example'],
  ])('refuses %s and accepts its NFC form %s', (nfd, nfc) => {
    expect(nfd.normalize('NFC')).toBe(nfc);
    expect([validHeloArgument(nfd, true), validHeloArgument(nfc, true)]).toEqual([false, true]);
    expect(hostNameFault(nfd, true, false)).toBe('invalid');
  });
});

describe('U-labels of stable code points (RFC 5892 §2.2: upper case and compatibility forms are DISALLOWED)', () => {
  it.each([
    ['Bücher.example', 'an ASCII capital in a U-label'],
    ['bÜcher.example', 'a non-ASCII capital'],
    ['ΑΒΓ.example', 'Greek capitals'],
    ['straẞe.example', 'the capital sharp s'],
    ['ａｂｃü.example', 'fullwidth letters'],
    ['\ufb01sch.example', 'the ligature fi'],
    ['ｶﾀ.example', 'halfwidth katakana'],
    ['x²ü.example', 'a superscript digit'],
    ['\u01c6ungla.example', 'a digraph letter (dž)'],
  ])('refuses %s (%s)', (name) => {
    expect(validHeloArgument(name, true)).toBe(false);
    expect(hostNameFault(name, true, false)).toBe('invalid');
  });

  it.each([
    'straße.example', // U+00DF and U+03C2 are PVALID by exception (RFC 5892 §2.6)
    'λόγος.example',
    '\u3007.example',
    'bücher.EXAMPLE', // an ASCII label keeps its case
    'col·legi.cat',
    'α͵β.example',
    'カ・タ.example',
    'ع١٢.example',
  ])('accepts %s', (name) => {
    expect(validHeloArgument(name, true)).toBe(true);
  });
});
