// Metamorphic tests: changes to a reply's text that do not change what it means must not change
// its class. Each runs over every tune-half reply of the provider set and every dev reply of the
// sisimai set (never the held-out halves), so a reading that only holds for the text as it was
// written down shows up here, without any label.
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, classify, createClassifier } from '../src/index.js';
import { loadRows } from './bounce-eval.js';
import { loadProviderRows } from './provider-eval.js';

const TEXTS: readonly string[] = [
  ...loadProviderRows()
    .filter((r) => r.split === 'tune')
    .map((r) => r.text),
  ...loadRows()
    .filter((r) => r.split === 'dev')
    .map((r) => r.text),
];

/** The texts whose class `change` moves, as `before -> after | text`. */
function moved(change: (text: string) => string): string[] {
  const out: string[] = [];
  for (const text of TEXTS) {
    const before = classify(text).id;
    const after = classify(change(text)).id;
    if (after !== before) out.push(`${before} -> ${after} | ${text}`);
  }
  return out;
}

describe('white space is one space, however the reply was padded, folded or joined', () => {
  it.each([
    ['every space doubled', (t: string) => t.replace(/ /g, '  ')],
    ['every space a tab', (t: string) => t.replace(/ /g, '\t')],
    ['folded like an unfolded Diagnostic-Code (CRLF and an indent)', (t: string) => t.replace(/ /g, '\r\n    ')],
    ['no-break and ideographic spaces', (t: string) => t.replace(/ /g, '\u00a0').replace(/\u00a0(?=\u00a0)/g, '\u3000')],
    ['padded at both ends', (t: string) => ` \t${t}\r\n`],
  ])('%s', (_name, change) => {
    expect(TEXTS.length).toBeGreaterThan(600);
    expect(moved(change)).toEqual([]);
  });

  it('bytes take the same path as text', () => {
    const encoder = new TextEncoder();
    for (const text of ['550  5.1.1  user  unknown', '550\t5.1.1\tuser\tunknown', '550 5.2.2 mailbox\r\n full', 'net  009', '550 user\x7funknown']) {
      expect(classify(encoder.encode(text))).toEqual(classify(text));
    }
    expect(classify('550  user  unknown').id).toBe(10);
    expect(classify(encoder.encode('552 mailbox\r\n\tfull')).id).toBe(22);
  });
});

describe('the stage an MTA names refines a bare code but does not hide what the words say', () => {
  it('a specific word family decides under a stage-refined reply code', () => {
    const rcpt = (t: string): string => `host mx.example.net[192.0.2.1] said: ${t} (in reply to RCPT TO command)`;
    expect(classify(rcpt('550 Relay prohibited')).id).toBe(54);
    expect(classify(rcpt('550 Host unknown')).id).toBe(21);
    expect(classify(rcpt('510 The length of DATA content is achieved the maximum threshold')).id).toBe(23);
    expect(classify(rcpt('550 Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed storage space.')).id).toBe(22);
    // a generic refusal says no more than the stage: a bare 550 at RCPT TO is the recipient
    expect(classify(rcpt('550 rejected'))).toMatchObject({ id: 10, rule: { kind: 'reply-code', stage: 'rcpt' } });
  });

  it('recipient words after the end of data are the recipient, except at the Japanese carriers', () => {
    const data = (t: string): string => `host mx.example.net[192.0.2.1] said: ${t} (in reply to end of DATA command)`;
    const moves = moved((t) => (/docomo|ezweb|au\.com|softbank/i.test(t) ? t : data(t))).filter((m) => m.startsWith('10 -> 50'));
    expect(moves).toEqual([]);
    expect(classify(data('550 Unknown user a@docomo.ne.jp')).id).toBe(50);
    expect(classify(data('550 User unknown a@example.org')).id).toBe(10);
  });
});

describe('one phrase, other spellings', () => {
  it('typographic apostrophes and hyphens read as the ASCII ones', () => {
    expect(moved((t) => t.replace(/'/g, '\u2019'))).toEqual([]);
    expect(moved((t) => t.replace(/'/g, '\u00b4'))).toEqual([]);
    // a hyphen inside a word (`e-mail`, `auto-reply`), not the one after a reply code
    expect(moved((t) => t.replace(/([a-z])-([a-z])/gi, '$1\u2011$2'))).toEqual([]);
    expect(classify('550 This user doesn\u2019t have a example.com account').id).toBe(10);
  });

  it('a negation written out or contracted, and mailbox or mail box, match the same built-in phrase', () => {
    const swaps: [RegExp, string][] = [
      [/\bdoes not\b/gi, "doesn't"],
      [/\bdoesn't\b/gi, 'does not'],
      [/\bcannot\b/gi, "can't"],
      [/\bcouldn't\b/gi, 'could not'],
      [/\bis not\b/gi, "isn't"],
      [/\bmailbox/gi, 'mail box'],
    ];
    let checked = 0;
    for (const rule of BUILTIN_RULES) {
      for (const [from, to] of swaps) {
        const other = rule.example.replace(from, to);
        if (other === rule.example) continue;
        checked++;
        expect(classify(other).id, `${rule.name}: ${other}`).toBe(classify(rule.example).id);
      }
    }
    expect(checked).toBeGreaterThan(30);
    // the rules are listed as written, not with their other spellings
    expect(new Set(createClassifier().rules().map((r) => r.pattern)).has('mail box full')).toBe(false);
  });

  it.each([
    ['does not -> doesn\'t', /\bdoes not\b/gi, "doesn't"],
    ['doesn\'t -> does not', /\bdoesn't\b/gi, 'does not'],
    ['cannot -> can\'t', /\bcannot\b/gi, "can't"],
    ['is not -> isn\'t', /\bis not\b/gi, "isn't"],
    ['could not -> couldn\'t', /\bcould not\b/gi, "couldn't"],
    ['was not -> wasn\'t', /\bwas not\b/gi, "wasn't"],
    ['mailbox -> mail box', /\bmailbox/gi, 'mail box'],
    ['recipient -> recipients', /\brecipient\b(?!')/gi, 'recipients'],
    ['user -> users', /\buser\b(?!')/gi, 'users'],
    ['address -> addresses', /\baddress\b(?!')/gi, 'addresses'],
    ['account -> accounts', /\baccount\b(?!')/gi, 'accounts'],
  ] as const)('in every reply, not only the phrases: %s', (_name, from, to) => {
    // the word families, the stage markers and the word readings read the other spelling too
    let changed = 0;
    for (const text of TEXTS) if (text.replace(from, to) !== text) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(moved((t) => t.replace(from, to))).toEqual([]);
  });

  it('a reply written without its accents (7-bit) reads like the accented one', () => {
    const strip = (t: string): string => t.normalize('NFD').replace(/(?<=[A-Za-z])[\u0300-\u036f]+/g, '').normalize('NFC');
    let changed = 0;
    for (const text of TEXTS) if (strip(text) !== text) changed++;
    expect(changed).toBeGreaterThanOrEqual(20);
    expect(moved(strip)).toEqual([]);
  });

  it('plural subjects and a written-apart mailbox read like the singular', () => {
    expect(classify('550 recipients unknown').id).toBe(10);
    expect(classify('550 5.1.1 users unknown').id).toBe(10);
    expect(classify('procmail: mail box limit exceeded while appending message').id).toBe(22);
    expect(classify('552 mail box size exceeded').id).toBe(22);
    expect(classify('host mx.example.net[192.0.2.1] said: 550 5.7.1 recipients address rejected: Inactive (in reply to RCPT TO command)').id).toBe(10);
  });
});
