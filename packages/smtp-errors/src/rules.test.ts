import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSmtpErrorsError } from './errors.js';
import { fold, makeRule, parseRules, RuleMatcher, type RuleInit } from './rules.js';

/**
 * Reference: the obvious (slow) first-match semantics. `skip(piece, at)` refuses an occurrence of a
 * piece (the next one is tried instead).
 */
function naive(rules: readonly RuleInit[], text: string, domain?: string, skip?: (piece: string, at: number) => boolean): number | undefined {
  const t = fold(text);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (rule.domain !== undefined && fold(rule.domain) !== domain) continue;
    let pos = 0;
    let ok = true;
    for (const piece of fold(rule.pattern).split('|').filter((p) => p)) {
      let at = t.indexOf(piece, pos);
      while (at >= 0 && skip?.(piece, at) === true) at = t.indexOf(piece, at + 1);
      if (at < 0) {
        ok = false;
        break;
      }
      pos = at + piece.length;
    }
    if (ok) return r;
  }
  return undefined;
}

/** Reference for `nameWords`: whether the word at [start, end) lies in a mailbox or host name. */
function naiveInName(text: string, start: number, end: number): boolean {
  const nameUnit = (c: string | undefined) => c !== undefined && /[A-Za-z0-9._+@-]/.test(c);
  const wordUnit = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  if (!/^[a-z0-9_-]+$/.test(fold(text.slice(start, end)))) return false;
  let a = start;
  while (nameUnit(text[a - 1])) a--;
  let b = end;
  while (nameUnit(text[b])) b++;
  const run = text.slice(a, b);
  const mailbox = /.@./.test(run);
  const dots = [...run].flatMap((c, k) => (c === '.' && k > 0 && k < run.length - 1 && wordUnit(run[k - 1]) && wordUnit(run[k + 1]) ? [k] : []));
  if (mailbox) return true;
  if (dots.length === 0 || /[a-z][A-Z]/.test(run)) return false;
  // An all upper-case dotted run in a text with lower case is a verdict (`HEURISTICS.PHISHING.EMAIL`)
  // unless its last label is as short as a top-level domain.
  const shouting = /[A-Z]/.test(run) && !/[a-z]/.test(run);
  return !shouting || run.length - dots.at(-1)! - 1 <= 3 || !/[a-z]/.test(text);
}

/** Reference: first-match semantics where a word piece inside a name does not count. */
function naiveOutsideNames(rules: readonly RuleInit[], text: string, nameWords: ReadonlySet<string>): number | undefined {
  return naive(rules, text, undefined, (piece, at) => !nameWords.has(piece) && naiveInName(text, at, at + piece.length));
}

function matcher(rules: readonly RuleInit[]) {
  const stored = rules.map((r) => makeRule(r, 'user'));
  const m = new RuleMatcher(stored);
  return (text: string, domain?: string) => {
    const hit = m.match(fold(text), domain);
    return hit ? stored.indexOf(hit) : undefined;
  };
}

describe('parseRules: legacy domain,bounce_code,rule format', () => {
  it('parses global and per-domain rules, keeps commas in the rule, skips blanks and comments', () => {
    expect(parseRules('# comment\r\n,10,no such user here\r\n\nexample.com,22,box|full, really\n')).toEqual([
      { pattern: 'no such user here', id: 10 },
      { domain: 'example.com', pattern: 'box|full, really', id: 22 },
    ]);
  });

  it.each([
    ['only-one-comma,10', 1],
    [',ten,user unknown', 1],
    [',10,user\n,10,|||', 2],
    [',10,', 1],
  ])('rejects %j with ERR_SMTP_RULE_SYNTAX and the line number', (text, line) => {
    try {
      parseRules(text);
      expect.unreachable();
    } catch (e) {
      expect(isSmtpErrorsError(e)).toBe(true);
      expect((e as { code: string }).code).toBe('ERR_SMTP_RULE_SYNTAX');
      expect((e as { line: number }).line).toBe(line);
    }
  });
});

describe('RuleMatcher (Aho-Corasick, one pass)', () => {
  it('matches substrings case-insensitively, first rule in order wins', () => {
    const m = matcher([
      { pattern: 'Mailbox FULL', id: 22 },
      { pattern: 'user unknown', id: 10 },
      { pattern: 'full', id: 1 },
    ]);
    expect(m('550 USER UNKNOWN')).toBe(1);
    expect(m('552 mailbox full, user unknown')).toBe(0);
    expect(m('disk is full')).toBe(2);
    expect(m('nothing')).toBeUndefined();
  });

  it('| is an ordered wildcard: pieces in order, not overlapping', () => {
    const m = matcher([{ pattern: 'user|unknown', id: 10 }, { pattern: 'ab|b', id: 1 }, { pattern: 'x|x', id: 2 }]);
    expect(m('the user is unknown')).toBe(0);
    expect(m('unknown user')).toBeUndefined();
    expect(m('ab')).toBeUndefined();
    expect(m('abb')).toBe(1);
    expect(m('x')).toBeUndefined();
    expect(m('x x')).toBe(2);
  });

  it('domain rules apply only to their domain', () => {
    const m = matcher([{ pattern: 'nope', id: 10, domain: 'Example.COM' }, { pattern: 'nope', id: 50 }]);
    expect(m('550 nope', 'example.com')).toBe(0);
    expect(m('550 nope', 'other.example')).toBe(1);
    expect(m('550 nope')).toBe(1);
  });

  it('handles non-ASCII patterns and text', () => {
    const m = matcher([{ pattern: 'Benutzer UNBEKANNT', id: 10 }, { pattern: 'ユーザー|存在しません', id: 10 }]);
    expect(m('550 benutzer unbekannt')).toBe(0);
    expect(m('ユーザー kijitora は存在しません')).toBe(1);
  });

  it('groups report their own first-listed member from the same pass, whatever wins', () => {
    const rules = [makeRule({ pattern: 'user unknown', id: 10 }, 'user')];
    const hints = [makeRule({ pattern: 'rcpt to', id: 4 }, 'builtin'), makeRule({ pattern: 'mail from', id: 3 }, 'builtin')];
    const words = [makeRule({ pattern: 'account|suspended', id: 10 }, 'builtin'), makeRule({ pattern: 'unknown', id: 10 }, 'builtin')];
    const m = new RuleMatcher(rules, [hints, words]);
    expect(m.match('550 user unknown (in reply to mail from, then rcpt to)', undefined)).toBe(rules[0]);
    expect(m.foundIndex(0)).toBe(0);
    expect(m.found(1)).toBe(words[1]);
    expect(m.match('the account was suspended; unknown', undefined)).toBeUndefined();
    expect(m.found(0)).toBeUndefined();
    expect(m.foundIndex(0)).toBe(-1);
    expect(m.found(1)).toBe(words[0]);
    const bytes = new TextEncoder().encode('suspended account, mail from');
    expect(m.matchAscii(bytes, bytes.length, undefined)).toBe(true);
    expect(m.foundIndex(0)).toBe(1);
    expect(m.found(1)).toBeUndefined();
  });

  it('an all upper-case dotted run is a host name only when short-ended or the whole text shouts', () => {
    const dash = [makeRule({ pattern: '-', id: 10 }, 'builtin')];
    const m = new RuleMatcher(dash, [], [], new Set());
    // a verdict-like run in a text with lower case: its words count
    expect(m.match('a B.B-B1', undefined)).toBe(dash[0]);
    // the same run alone, or ending in a label as short as a top-level domain: a host name
    expect(m.match('B.B-B1', undefined)).toBeUndefined();
    expect(m.match('a B-B.B1', undefined)).toBeUndefined();
  });

  it('each group agrees with the naive first-match definition, as do the rules beside it', () => {
    // ASCII units take the dense table; é/É, 存 and я/Я the failure links (see Automaton)
    const alphabet = fc.constantFrom('a', 'b', 'c', 'A', '|', ' ', 'é', 'É', '存', 'я', 'Я');
    const piece = fc.string({ unit: alphabet, minLength: 1, maxLength: 5 }).filter((p) => p.split('|').some((x) => x));
    const list = fc.array(fc.record({ pattern: piece, id: fc.constant(10) }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(list, list, list, fc.string({ unit: alphabet, maxLength: 40 }), (rules, g1, g2, text) => {
        const stored = rules.map((r) => makeRule(r, 'user'));
        const m = new RuleMatcher(stored, [g1.map((r) => makeRule(r, 'builtin')), g2.map((r) => makeRule(r, 'builtin'))]);
        const hit = m.match(text, undefined);
        expect(hit ? stored.indexOf(hit) : undefined).toBe(naive(rules, text));
        expect(m.foundIndex(0)).toBe(naive(g1, text) ?? -1);
        expect(m.foundIndex(1)).toBe(naive(g2, text) ?? -1);
      }),
      { numRuns: process.env['SMTPKIT_MUTATION_PACKAGE'] === undefined ? 300 : 30 },
    );
  });

  it('with nameWords, built-in words inside mailbox and host names do not count; user rules and name words do', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', 'B', '1', '.', '@', '-', ' ', '|');
    const piece = fc.string({ unit: alphabet, minLength: 1, maxLength: 4 }).filter((p) => p.split('|').some((x) => x));
    const list = fc.array(fc.record({ pattern: piece, id: fc.constant(10) }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(list, list, fc.string({ unit: alphabet, maxLength: 40 }), (rules, group, text) => {
        const user = rules.map((r) => makeRule(r, 'user'));
        const builtin = rules.map((r) => makeRule(r, 'builtin'));
        const names = new Set(['ab']);
        const m = new RuleMatcher(builtin, [group.map((r) => makeRule(r, 'builtin'))], [], names);
        const hit = m.match(text, undefined);
        expect(hit ? builtin.indexOf(hit) : undefined).toBe(naiveOutsideNames(rules, text, names));
        expect(m.foundIndex(0)).toBe(naiveOutsideNames(group, text, names) ?? -1);
        // the same text as bytes, matched in place
        const bytes = new TextEncoder().encode(text);
        // two spaces in a row: matchAscii leaves the text to be collapsed and matched as a string
        const plain = !text.includes('  ');
        expect(m.matchAscii(bytes, bytes.length, undefined)).toBe(plain);
        if (plain) {
          expect(m.matched ? builtin.indexOf(m.matched) : undefined).toBe(naiveOutsideNames(rules, text, names));
          expect(m.foundIndex(0)).toBe(naiveOutsideNames(group, text, names) ?? -1);
        }
        const own = new RuleMatcher(user, [], [], new Set()).match(text, undefined);
        expect(own ? user.indexOf(own) : undefined).toBe(naive(rules, text));
      }),
      { numRuns: process.env['SMTPKIT_MUTATION_PACKAGE'] === undefined ? 400 : 40 },
    );
  });

  it('agrees with the naive first-match definition on random rules and texts', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', 'A', '|', ' ', 'é');
    const piece = fc.string({ unit: alphabet, minLength: 1, maxLength: 5 }).filter((p) => p.split('|').some((x) => x));
    fc.assert(
      fc.property(
        fc.array(fc.record({ pattern: piece, id: fc.constant(10), domain: fc.option(fc.constantFrom('d1', 'd2'), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.string({ unit: alphabet, maxLength: 40 }),
        fc.option(fc.constantFrom('d1', 'd2'), { nil: undefined }),
        (rules, text, domain) => {
          const clean = rules.map((r) => (r.domain === undefined ? { pattern: r.pattern, id: r.id } : r));
          expect(matcher(clean)(text, domain)).toBe(naive(clean, text, domain));
        },
      ),
      // Under mutation testing (instrumented code, tens of times slower) fewer cases per mutant.
      { numRuns: process.env['SMTPKIT_MUTATION_PACKAGE'] === undefined ? 400 : 40 },
    );
  });
});
