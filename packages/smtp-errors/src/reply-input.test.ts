import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';
import { parseEnhanced, scanCodes, truncateUtf8 } from './reply-input.js';

const enc = new TextEncoder();

describe('scanCodes: first reply code and enhanced code inside MTA prose', () => {
  it.each([
    ['550 5.1.1 <a@example.com>: User unknown', 550, '5.1.1'],
    ['host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: nope (in reply to RCPT TO command)', 550, '5.1.1'],
    ['SMTP error from remote mail server after RCPT TO:<a@example.jp>: host mx.example.jp [192.0.2.153]: 550 5.2.1 gone', 550, '5.2.1'],
    ['#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##', 550, '5.1.1'],
    ['550-5.7.1 first line\n550 5.7.1 second line', 550, '5.7.1'],
    ['Remote Server returned \'550 5.1.10 RESOLVER.ADR.RecipientNotFound\'', 550, '5.1.10'],
    ['smtp;554 5.7.606 Access denied', 554, '5.7.606'],
    ['Sorry, I couldn\'t find a mail exchanger or IP address. (#5.4.4)', undefined, '5.4.4'],
    ['connect to 250.1.2.3[250.1.2.3]:25: Connection timed out', undefined, undefined],
    ['received from IP address 192.0.2.89 on Thu, 29 Apr 2009 00:00:00 -0000 (GMT)', undefined, undefined],
    ['listed at 5.5.5.5 today', undefined, undefined],
    ['ERROR_CODE :550, ERROR_CODE :5.2.2 <a@example.co.jp>... Mailbox Full', undefined, '5.2.2'],
    ['Receiving server: 421 4.4.2 Connection timed out', 421, '4.4.2'],
    ['ユーザーは存在しません 550 5.1.1 ユーザー不明', 550, '5.1.1'],
    ['999 9.9.9 nothing', undefined, undefined],
  ])('%s', (text, code, enhanced) => {
    const found = scanCodes(text);
    expect(found.code).toBe(code);
    expect(found.enhanced ? `${found.enhanced.class}.${found.enhanced.subject}.${found.enhanced.detail}` : undefined).toBe(enhanced);
  });

  it('X-4: finishes on adversarial digit runs (each position is visited a bounded number of times)', () => {
    const nasty = '5.5.'.repeat(250_000) + '550';
    expect(scanCodes(nasty)).toEqual({ code: undefined, enhanced: undefined });
    expect(scanCodes(nasty + ' 550 5.1.1 x')).toEqual({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 } });
    expect(scanCodes('5'.repeat(1_000_000)).code).toBeUndefined();
  });
});

/** Reference definition of the code scan (regexes are fine in a test: the input is ours). */
function referenceCodes(text: string): { code: number | undefined; enhanced: string | undefined } {
  let code: number | undefined;
  let enhanced: string | undefined;
  for (let i = 0; i < text.length; i++) {
    if (i > 0 && /[A-Za-z0-9.]/.test(text[i - 1]!)) continue;
    const rest = text.slice(i);
    const e = /^([245])\.(\d{1,3})\.(\d{1,3})(?!\d)/.exec(rest);
    if (e) {
      if (enhanced === undefined && !/^[A-Za-z0-9]|^\.\d/.test(rest.slice(e[0].length))) {
        enhanced = `${e[1]}.${Number(e[2])}.${Number(e[3])}`;
      }
      continue;
    }
    const c = /^[245][0-5]\d(?=[ \t\r\n-]|$)/.exec(rest);
    if (c && code === undefined) code = Number(c[0]);
  }
  return { code, enhanced };
}

describe('code scan inside the matcher pass', () => {
  const text = fc.string({ unit: fc.constantFrom('2', '4', '5', '0', '1', '9', '.', ' ', '-', 'a', 'X', '\n', '[', ':'), maxLength: 40 });
  const classifier = createClassifier();

  it('scanCodes agrees with a reference definition on digit-heavy text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const found = scanCodes(t);
        const e = found.enhanced;
        expect({ code: found.code, enhanced: e ? `${e.class}.${e.subject}.${e.detail}` : undefined }).toEqual(referenceCodes(t));
      }),
      { numRuns: 600 },
    );
  });

  it('classify finds the same codes in its single pass as scanCodes, with and without rules matching', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('', 'user unknown ', ' mailbox full', 'in reply to rcpt to command '), (t, extra) => {
        const input = extra + t + extra;
        const c = classifier.classify(input);
        const found = scanCodes(input);
        const e = found.enhanced;
        expect(c.replyCode).toBe(found.code);
        expect(c.enhancedCode).toBe(e ? `${e.class}.${e.subject}.${e.detail}` : undefined);
        const fromBytes = classifier.classify(new TextEncoder().encode(input));
        expect([fromBytes.replyCode, fromBytes.enhancedCode]).toEqual([c.replyCode, c.enhancedCode]);
      }),
      { numRuns: 600 },
    );
  });
});

describe('parseEnhanced', () => {
  it('parses exact codes only', () => {
    expect(parseEnhanced('5.1.1')).toEqual({ class: 5, subject: 1, detail: 1 });
    expect(parseEnhanced('4.7.650')).toEqual({ class: 4, subject: 7, detail: 650 });
    expect(parseEnhanced('5.1.1 x')).toBeUndefined();
    expect(parseEnhanced('3.1.1')).toBeUndefined();
    expect(parseEnhanced('5.1234.1')).toBeUndefined();
  });
});

describe('truncateUtf8 (the legacy _len variant counts bytes)', () => {
  it('never splits a character and never exceeds the byte count', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(120), (s, n) => {
        const t = truncateUtf8(s, n);
        expect(s.startsWith(t)).toBe(true);
        expect(enc.encode(t).length).toBeLessThanOrEqual(n);
        const next = s.slice(t.length, t.length + (s.codePointAt(t.length)! > 0xffff ? 2 : 1));
        if (t.length < s.length) expect(enc.encode(t + next).length).toBeGreaterThan(n);
      }),
      { numRuns: 300 },
    );
  });
});
