import { describe, expect, it } from 'vitest';
import { bidiClass, hostNameFault, validHeloArgument } from './peer-text.js';

// The U-label checks of IDNA2008 beyond the characters and contexts (peer-text.test.ts): the form
// (NFC, RFC 5891 §5.3), stable code points (RFC 5892 §2.2) and the Bidi rule (RFC 5893 §2).

/** `name` is refused as a HELO argument (SMTPUTF8 allowed) and as a host name. */
function refused(name: string): void {
  expect(validHeloArgument(name, true)).toBe(false);
  expect(hostNameFault(name, true, false)).toBe('invalid');
}

/** `name` is accepted as a HELO argument (SMTPUTF8 allowed) and as a host name. */
function accepted(name: string): void {
  expect(validHeloArgument(name, true)).toBe(true);
  expect(hostNameFault(name, true, false)).toBeUndefined();
}

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

describe('U-labels of LetterDigits and the exceptions (RFC 5892 §2.1, §2.3, §2.4, §2.6, §2.9)', () => {
  it.each([
    ['\u16ee\u16ef.example', 'runic symbols (Nl, stable under NFKC)'],
    ['a\u0488b.example', 'an enclosing mark (Me)'],
    ['ب\u0640ب.example', 'the Arabic tatweel (DISALLOWED by exception)'],
    ['ߊ\u07faߊ.example', 'the NKo lajanyalan (DISALLOWED by exception)'],
    ['か\u3031.example', 'a vertical kana repeat mark (DISALLOWED by exception)'],
    ['한\u302e.example', 'a Hangul tone mark (DISALLOWED by exception)'],
    ['\u1100\u1100.example', 'old Hangul jamo, as NFC leaves them'],
    ['\ua960.example', 'old Hangul jamo (extended A)'],
    ['a\u20d7.example', 'a combining mark for symbols (an ignorable block)'],
    ['a\u{1d165}.example', 'a musical symbol mark (an ignorable block)'],
    ['a\ufe0fb.example', 'a variation selector (default ignorable)'],
    ['a\u3164b.example', 'the Hangul filler (default ignorable)'],
    ['\uabb3\uab83\uab79.example', 'Cherokee small letters (case folding makes them capitals)'],
    ['\u03b1\u0345.example', 'the Greek ypogegrammeni (case folding makes it iota)'],
  ])('refuses %s (%s)', refused);

  it.each([
    ['ب\u06fd.example', 'the Sindhi ampersand (PVALID by exception)'],
    ['ب\u06fe.example', 'the Sindhi postposition men (PVALID by exception)'],
    ['ཀ\u0f0bཁ.example', 'the Tibetan tsheg (PVALID by exception)'],
    ['\u3007\u3007.example', 'the ideographic zero (PVALID by exception)'],
    ['ąę.example', 'letters with an ogonek (Ll)'],
    ['\u0915\u094d\u0937.example', 'Devanagari with a virama (Mn)'],
    ['\u0e44\u0e17\u0e22.example', 'Thai'],
    ['\u13e3\u13b3\u13a9.example', 'Cherokee capitals (stable under case folding)'],
  ])('accepts %s (%s)', accepted);
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
  ])('refuses %s (%s)', refused);

  it.each([
    'straße.example', // U+00DF and U+03C2 are PVALID by exception (RFC 5892 §2.6)
    'λόγος.example',
    '\u3007.example',
    'bücher.EXAMPLE', // an ASCII label keeps its case
    'col·legi.cat',
    'α͵β.example',
    'カ・タ.example',
    'ع١٢.example',
  ])('accepts %s', accepted);
});

describe('the Bidi rule in a name with a right-to-left character (RFC 5893 §2)', () => {
  it.each([
    'שלום.example', // Hebrew (R), then an LTR label
    'مثال.example', // Arabic (AL)
    'مثال.إختبار', // right-to-left only
    'موقع١٢.example', // Arabic-Indic digits (AN) at the end
    'موقع۱۲.example', // extended Arabic-Indic digits (EN) at the end
    'אב\u05b0.example', // an RTL label may end with a combining mark after its last letter
    'א׳ב.example', // a geresh (R) between Hebrew letters
    'a1.ab-c.bücher.שלום', // LTR labels ending with L or EN, ES inside
  ])('accepts %s', accepted);

  it.each([
    // 1: the first character is L, R or AL
    ['١ع.example', '1: an RTL label that starts with an Arabic-Indic digit (AN)'],
    ['1שלום.example', '1: an RTL label that starts with a digit (EN)'],
    ['1abc.שלום', '1: an ASCII label that starts with a digit, in a Bidi domain name'],
    ['_abc.שלום', '1: an ASCII label that starts with _ (ON), in a Bidi domain name'],
    // 2: an RTL label holds only R, AL, AN, EN, ES, CS, ET, ON, BN and NSM
    ['שaב.example', '2: Hebrew mixed with a Latin letter'],
    ['שלוםa.example', '2 and 3: an RTL label that ends with a Latin letter (L)'],
    // 3: an RTL label ends with R, AL, EN or AN, then NSM only
    ['ש_.example', '3: an RTL label that ends with _ (ON)'],
    // 4: not both EN and AN in an RTL label
    ['ع1١.example', '4: an ASCII digit (EN) and an Arabic-Indic one (AN)'],
    ['ש1١.example', '4: the same in a Hebrew label'],
    // 5: an LTR label holds only L, EN, ES, CS, ET, ON, BN and NSM
    ['aשb.example', '5: a Hebrew letter inside an LTR label'],
    ['a١b.example', '5: an Arabic-Indic digit inside an LTR label'],
    // 6: an LTR label ends with L or EN, then NSM only
    ['a_.שלום', '6: an ASCII label that ends with _ (ON), in a Bidi domain name'],
  ])('refuses %s (%s)', refused);

  it('leaves a name with no right-to-left character as it was', () => {
    for (const name of ['1abc.example', '_abc.example', 'a_.example', 'Example.COM', '1abc.bücher.example', 'a_.bücher']) {
      expect(validHeloArgument(name, true), name).toBe(true);
    }
  });
});

describe('bidiClass (the Bidi_Class table of scripts/bidi-table.py)', () => {
  it.each([
    ['05D0', 'R', 'HEBREW LETTER ALEF'],
    ['05F3', 'R', 'HEBREW PUNCTUATION GERESH'],
    ['0627', 'A', 'ARABIC LETTER ALEF (AL)'],
    ['0661', 'N', 'ARABIC-INDIC DIGIT ONE (AN)'],
    ['06F1', 'E', 'EXTENDED ARABIC-INDIC DIGIT ONE (EN)'],
    ['0031', 'E', 'DIGIT ONE (EN)'],
    ['0300', 'M', 'COMBINING GRAVE ACCENT (NSM)'],
    ['05B0', 'M', 'HEBREW POINT SHEVA (NSM)'],
    ['20DD', 'M', 'COMBINING ENCLOSING CIRCLE (Me, NSM)'],
    ['0CBF', 'L', 'KANNADA VOWEL SIGN I (Mn but L)'],
    ['11C3F', 'L', 'BHAIKSUKI SIGN VIRAMA (Mn but L)'],
    ['0041', 'L', 'LATIN CAPITAL LETTER A'],
    ['00FC', 'L', 'LATIN SMALL LETTER U WITH DIAERESIS'],
    ['4E00', 'L', 'a Han ideograph'],
    ['1E922', 'R', 'ADLAM SMALL LETTER ALIF (astral)'],
    ['1EE00', 'A', 'ARABIC MATHEMATICAL ALEF (astral AL)'],
    ['002D', 'O', 'HYPHEN-MINUS (ES)'],
    ['005F', 'O', 'LOW LINE (ON)'],
    ['00B7', 'O', 'MIDDLE DOT (ON)'],
    ['30FB', 'O', 'KATAKANA MIDDLE DOT (ON)'],
  ])('U+%s is %s (%s)', (hex, group) => {
    expect(bidiClass(parseInt(hex, 16))).toBe(group);
  });
});
