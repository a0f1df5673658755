// domainNamedUnknown reads the words after each subject one by one, and is asked only when the
// matcher's pass found a subject: both must answer as reading the text afresh does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleMatcher } from './rules.js';
import { domainNamedUnknown, G_NAMED_SUBJECT, GROUPS } from './word-readings.js';

/** Reference: every subject found by a fresh search, its next words split and lower-cased at once. */
function reference(text: string): 0 | 1 | 2 {
  const subject = /(?<![\w@.-])(?:domain|host) /gi;
  for (let m; (m = subject.exec(text)) !== null; ) {
    const own = /(client|sending|your|helo|ehlo|reverse|from) *$/i.test(text.slice(Math.max(0, m.index - 12), m.index));
    const words = text.slice(subject.lastIndex, subject.lastIndex + 300).toLowerCase().split(' ', 8);
    if (words[0] === 'name') words.shift();
    if (words[1] !== undefined && /[.]|^["<['’]/.test(words[0]!)) words.shift();
    let k = /^(does|is|was|could|can|did)$/.test(words[0]!) ? 1 : 0;
    if (!/^(not|cannot|unknown|doesnt)$|n't$/.test(words[k] ?? '')) continue;
    if (words[k] !== 'unknown' && words[++k] === 'be') k++;
    if (/^(unknown|exist|found|known|resolv)/.test(words[k] ?? '')) return own ? 2 : 1;
  }
  return 0;
}

const PARTS = ['domain ', 'DOMAIN ', 'Host ', 'hoſt ', 'host_', 'name ', 'example.com ', '"x" ', 'does ', 'could ', 'not ', "doesn't ", 'be ', 'found', 'UNKNOWN', 'exist', 'resolved', 'your ', 'client ', 'sub', '@', '.', ' ', 'x', 'İ', 'K'];

describe('domainNamedUnknown', () => {
  it('answers as splitting the 300 units after each subject does', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PARTS), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        expect(domainNamedUnknown(text)).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
    const long = `domain example.com ${'x'.repeat(290)} does not exist`;
    expect(domainNamedUnknown(long)).toBe(reference(long));
    expect(domainNamedUnknown('host mx.example.com does not exist')).toBe(1);
    expect(domainNamedUnknown('your domain name example.com could not be resolved')).toBe(2);
  });

  it('the matcher finds a subject wherever the subject search does', () => {
    const m = new RuleMatcher([], GROUPS);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PARTS), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        m.match(text, undefined);
        if (/(?<![\w@.-])(?:domain|host) /i.test(text)) expect(m.foundIndex(G_NAMED_SUBJECT)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 3000 },
    );
    m.match('no subject here', undefined);
    expect(m.foundIndex(G_NAMED_SUBJECT)).toBe(-1);
  });
});
