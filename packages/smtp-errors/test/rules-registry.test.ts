// Rules, the class registry, the result cache and typed errors: behaviours of the public API that
// the mutation run (tools/mutation/reports/smtp-errors) showed no test pinned down.
import { describe, expect, it } from 'vitest';
import { thrownBy } from '@smtpkit/testkit';
import {
  addRule,
  addRules,
  BUILTIN_RULES,
  classify,
  createClassifier,
  DEFAULT_LIMITS,
  forId,
  isSmtpErrorsError,
  MAX_CLASS_ID,
  parseRules,
  registerClass,
  SmtpErrorsError,
  type RuleInit,
} from 'smtp-errors';

const thrown = (fn: () => unknown): SmtpErrorsError => thrownBy(fn, isSmtpErrorsError);

describe('parseRules: the legacy domain,bounce_code,rule format', () => {
  it('trims the domain and the code, keeps the rule text as written', () => {
    expect(parseRules(' example.com , 22 ,box is full ')).toEqual([{ domain: 'example.com', pattern: 'box is full ', id: 22 }]);
    expect(parseRules('  ,10,no such person')).toEqual([{ pattern: 'no such person', id: 10 }]);
  });

  it('skips blank and comment lines even when indented', () => {
    expect(parseRules('   \n\t\n   # a comment, with commas\n,10,x')).toEqual([{ pattern: 'x', id: 10 }]);
  });

  it('accepts a wildcard rule with empty pieces as long as one piece has text', () => {
    expect(parseRules(',10,no||such|person')).toEqual([{ pattern: 'no||such|person', id: 10 }]);
    expect(parseRules(',10,|person')).toEqual([{ pattern: '|person', id: 10 }]);
  });

  it.each([
    ['no commas at all', 'garbage'],
    ['one comma', 'example.com,10'],
    ['a number glued to text', '10x'],
    ['a code with a letter before it', ',x10,rule'],
    ['a code with a letter after it', ',10x,rule'],
    ['a six-digit code', ',123456,rule'],
    ['an empty rule', ',10,'],
    ['a rule of wildcards only', ',10,||'],
  ])('rejects %s with ERR_SMTP_RULE_SYNTAX and the 1-based line', (_what, line) => {
    const e = thrown(() => parseRules(`,10,fine\n# comment\n${line}`));
    expect(e.code).toBe('ERR_SMTP_RULE_SYNTAX');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^line 3: /);
  });
});

describe('rules: layers, domains and precedence', () => {
  it('a domain rule wins over a user rule for its domain, whatever the order they were added in', () => {
    const c = createClassifier({ builtinRules: false });
    c.addRule({ pattern: 'over quota', id: 10 });
    c.addRule({ pattern: 'quota', id: 22, domain: 'example.com' });
    expect(c.classify('552 over quota', { domain: 'example.com' })).toMatchObject({
      id: 22,
      rule: { kind: 'domain-rule', domain: 'example.com', pattern: 'quota' },
    });
    expect(c.classify('552 over quota')).toMatchObject({ id: 10, rule: { kind: 'user-rule', pattern: 'over quota' } });
    expect(c.rules()).toEqual([
      { layer: 'domain', pattern: 'quota', id: 22, domain: 'example.com' },
      { layer: 'user', pattern: 'over quota', id: 10 },
    ]);
  });

  it('domains are compared trimmed and case-insensitively, on both sides', () => {
    const c = createClassifier({ builtinRules: false, rules: [{ pattern: 'xyzzy', id: 22, domain: ' Example.COM ' }] });
    expect(c.classify('over xyzzy', { domain: 'example.com' }).id).toBe(22);
    expect(c.classify('over xyzzy', { domain: ' EXAMPLE.com ' }).id).toBe(22);
    expect(c.classify('over xyzzy', { domain: 'example.org' }).id).toBe(1);
    expect(c.classify('over xyzzy').id).toBe(1);
    expect(c.rules()[0]).toEqual({ layer: 'domain', pattern: 'xyzzy', id: 22, domain: 'example.com' });
  });

  it('an empty domain makes a user rule', () => {
    const c = createClassifier({ builtinRules: false, rules: [{ pattern: 'quota', id: 22, domain: '' }] });
    expect(c.rules()).toStrictEqual([{ layer: 'user', pattern: 'quota', id: 22 }]);
    expect(c.classify('over quota')).toMatchObject({ id: 22, rule: { kind: 'user-rule' } });
    const fromText = createClassifier({ builtinRules: false, rules: ' ,22,quota' });
    expect(fromText.rules()).toStrictEqual([{ layer: 'user', pattern: 'quota', id: 22 }]);
  });

  it('rules() names the built-in rules and gives user rules no name or domain key', () => {
    const c = createClassifier({ rules: ',10,no such person' });
    const all = c.rules();
    expect(all).toHaveLength(BUILTIN_RULES.length + 1);
    expect(all[0]).toStrictEqual({ layer: 'user', pattern: 'no such person', id: 10 });
    expect(all[1]).toStrictEqual({ layer: 'builtin', pattern: BUILTIN_RULES[0]!.pattern, id: BUILTIN_RULES[0]!.id, name: BUILTIN_RULES[0]!.name });
    expect(all.slice(1).map((r) => r.name)).toEqual(BUILTIN_RULES.map((r) => r.name));
  });

  it('the rule reported for a built-in decision is the one whose words are in the reply, with or without user rules', () => {
    const plain = createClassifier();
    const withUser = createClassifier({ rules: ',10,zzqq one\nexample.com,22,zzqq two' });
    for (const r of BUILTIN_RULES.slice(0, 120)) {
      const text = r.example;
      for (const c of [plain, withUser]) {
        const { rule } = c.classify(text);
        if (rule.kind !== 'builtin-rule') continue;
        const folded = text.toLowerCase();
        let at = 0;
        for (const piece of rule.pattern.toLowerCase().split('|').filter((p) => p !== '')) {
          at = folded.indexOf(piece, at);
          expect(at, `${rule.name} in ${text}`).toBeGreaterThanOrEqual(0);
          at += piece.length;
        }
        expect(BUILTIN_RULES.find((b) => b.name === rule.name)?.pattern).toBe(rule.pattern);
      }
    }
  });

  it('a wildcard rule needs its pieces in order; a one-piece rule anywhere', () => {
    const c = createClassifier({ builtinRules: false, rules: ',22,zq|wx\n,10,gone' });
    expect(c.classify('the zq is wx').id).toBe(22);
    expect(c.classify('wx zq').id).toBe(1);
    expect(c.classify('it is GONE').id).toBe(10);
  });

  it('a result remembered for a rule is not reused after rules are added (ranks move)', () => {
    const c = createClassifier();
    const pairs = BUILTIN_RULES.slice(0, -1).map((r, i) => [r, BUILTIN_RULES[i + 1]!] as const);
    let checked = 0;
    // The rules' own words (no codes): two neighbouring rules then decide with the same codes.
    const words = (r: (typeof BUILTIN_RULES)[number]): string => r.pattern.replace(/\|/g, ' ');
    const decides = (r: (typeof BUILTIN_RULES)[number]): boolean => {
      const got = createClassifier().classify(words(r));
      return got.rule.kind === 'builtin-rule' && got.rule.name === r.name;
    };
    for (const [a, b] of pairs) {
      if (a.id === b.id || !decides(a) || !decides(b)) continue;
      const want = createClassifier().classify(words(a));
      const probe = createClassifier();
      probe.classify(words(b));
      probe.addRule({ pattern: `zzqq${checked}`, id: 10 });
      expect(probe.classify(words(a))).toEqual(want);
      if (++checked === 5) break;
    }
    expect(checked).toBe(5);
    expect(c.classify('552 5.2.2 mailbox full').id).toBe(22);
  });

  it('the same rule with the same reply code but another enhanced code reports that code', () => {
    const c = createClassifier();
    expect(c.classify('550 5.1.1 user unknown').enhancedCode).toBe('5.1.1');
    expect(c.classify('550 5.1.2 user unknown').enhancedCode).toBe('5.1.2');
    expect(c.classify('550 user unknown').enhancedCode).toBeUndefined();
    expect(c.classify('551 5.1.2 user unknown').replyCode).toBe(551);
  });

  it('rules may name class 1 and the highest custom id', () => {
    const c = createClassifier({ builtinRules: false });
    c.addRule({ pattern: 'whatever', id: 1 });
    expect(c.classify('whatever')).toMatchObject({ id: 1, rule: { kind: 'user-rule' } });
    c.registerClass(MAX_CLASS_ID, 'Last', 'The last id.', 'soft');
    c.addRule({ pattern: 'last one', id: MAX_CLASS_ID });
    expect(c.classify('last one').id).toBe(MAX_CLASS_ID);
  });

  it.each([
    ['a missing pattern', { id: 10 }],
    ['a number as pattern', { pattern: 5, id: 10 }],
    ['a string instead of a rule', 'user unknown'],
    ['null', null],
    ['a pattern of wildcards only', { pattern: '||', id: 10 }],
  ])('addRule rejects %s with ERR_SMTP_RULE_INVALID', (_what, rule) => {
    expect(thrown(() => createClassifier().addRule(rule as unknown as RuleInit)).code).toBe('ERR_SMTP_RULE_INVALID');
  });
});

describe('user rule literals: every occurrence is found, overlaps and suffixes included', () => {
  // One literal ending inside another (a suffix), or starting inside another (an overlap), must
  // still be reported, whichever was added first.
  it.each([
    [['xabcd', 'abc'], '550 xabc'],
    [['abc', 'xabcd'], '550 xabc'],
    [['mailbox full', 'box f'], 'mailbox fu'],
    [['abcd', 'bcx'], 'abcx'],
    [['abcd', 'cdxy', 'bcd'], 'abcdxz'],
  ])('literals %j in %j', (patterns, text) => {
    const want = patterns.findIndex((p) => text.includes(p));
    const rules = patterns.map((pattern, i) => ({ pattern, id: i === want ? 22 : 10 }));
    const c = createClassifier({ builtinRules: false, rules });
    expect(c.classify(text)).toMatchObject({ id: 22, rule: { kind: 'user-rule', pattern: patterns[want] } });
  });

  it('case folding covers letters outside ASCII and Latin-1', () => {
    const c = createClassifier({ builtinRules: false, rules: ',22,ｆｕｌｌ\n,10,ящик' });
    expect(c.classify('ＦＵＬＬ').id).toBe(22);
    expect(c.classify('ЯЩИК').id).toBe(10);
  });

  it('a code right where a user literal ends is read only at a 2, 4 or 5', () => {
    const c = createClassifier({ builtinRules: false, rules: ',10, x\n,10,(' });
    for (const input of [' x.1.2 then 550 5.1.1 nope', ' (12 then 550 5.1.1 nope']) {
      expect(c.classify(input)).toMatchObject({ replyCode: 550, enhancedCode: '5.1.1' });
      expect(c.classify(new TextEncoder().encode(input))).toMatchObject({ replyCode: 550, enhancedCode: '5.1.1' });
    }
  });
});

describe('class registry', () => {
  it('class 1 is built in and the id range ends at MAX_CLASS_ID', () => {
    const c = createClassifier();
    expect(thrown(() => c.registerClass(1, 'Mine', 'Mine.', 'soft')).code).toBe('ERR_SMTP_CLASS_BUILTIN');
    expect(c.registerClass(MAX_CLASS_ID, 'Last', 'The last id.', 'soft').id).toBe(MAX_CLASS_ID);
    expect(thrown(() => c.registerClass(MAX_CLASS_ID + 1, 'Over', 'Over.', 'soft')).code).toBe('ERR_SMTP_CLASS_INVALID_ID');
    expect(thrown(() => c.registerClass(0, 'Zero', 'Zero.', 'soft')).code).toBe('ERR_SMTP_CLASS_INVALID_ID');
  });

  it.each([
    ['a number as name', 5, 'd'],
    ['a blank name', '   ', 'd'],
    ['a missing description', 'Name', undefined],
  ])('rejects %s with ERR_SMTP_CLASS_INVALID', (_what, name, description) => {
    expect(thrown(() => createClassifier().registerClass(200, name as string, description as unknown as string, 'soft')).code).toBe('ERR_SMTP_CLASS_INVALID');
  });

  it('registering the same values again is a no-op; any different value is ERR_SMTP_CLASS_EXISTS', () => {
    const c = createClassifier();
    const first = c.registerClass(200, 'Mine', 'My class.', 'soft');
    expect(c.registerClass(200, 'Mine', 'My class.', 'soft')).toBe(first);
    expect(thrown(() => c.registerClass(200, 'Other', 'My class.', 'soft')).code).toBe('ERR_SMTP_CLASS_EXISTS');
    expect(thrown(() => c.registerClass(200, 'Mine', 'Other.', 'soft')).code).toBe('ERR_SMTP_CLASS_EXISTS');
    expect(thrown(() => c.registerClass(200, 'Mine', 'My class.', 'hard')).code).toBe('ERR_SMTP_CLASS_EXISTS');
    expect(c.registerClass(200, 'Mine', 'My class.', 'hard', { replace: true }).category).toBe('hard');
  });

  it('classes() lists every class in ascending id order, custom ids between built-in ones included', () => {
    const c = createClassifier({ classes: [{ id: 15, name: 'Fifteen', description: 'x', category: 'soft' }, { id: 12, name: 'Twelve', description: 'x', category: 'soft' }] });
    const ids = c.classes().map((k) => k.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.slice(0, 4)).toEqual([1, 10, 12, 15]);
  });
});

describe('limits and the result cache', () => {
  it('limits reports the limits in force, defaults filled in', () => {
    expect(createClassifier().limits).toEqual(DEFAULT_LIMITS);
    expect(createClassifier({ limits: { cacheSize: 8 } }).limits).toEqual({ maxTextBytes: DEFAULT_LIMITS.maxTextBytes, cacheSize: 8 });
  });

  it.each([1.5, '8', Number.NaN, -1])('rejects a limit of %j with ERR_SMTP_INVALID_OPTION', (v) => {
    expect(thrown(() => createClassifier({ limits: { cacheSize: v as number } })).code).toBe('ERR_SMTP_INVALID_OPTION');
    expect(thrown(() => createClassifier({ limits: { maxTextBytes: v as number } })).code).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('a cached classifier answers each reply, domain and length on its own (DOS-safe cache gives the uncached answers)', () => {
    const rules = 'a.example,22,quota\nb.example,23,quota';
    const cached = createClassifier({ rules, limits: { cacheSize: 4 } });
    const plain = createClassifier({ rules });
    const calls: [Parameters<typeof plain.classify>[0], { domain?: string; length?: number }][] = [
      ['552 over quota', { domain: 'a.example' }],
      ['552 over quota', { domain: 'b.example' }],
      ['552 over quota', {}],
      ['552 over quota', { length: 2 }],
      ['552 over quota', { length: 3 }],
      ['552 over quota', { length: 12 }],
      ['552 over quota', { length: 14, domain: 'a.example' }],
      [{ code: 550, text: 'user unknown' }, {}],
      [{ code: 452, text: 'mailbox full' }, {}],
      [new TextEncoder().encode('550 5.1.1 x'), {}],
      [new TextEncoder().encode('452 4.2.2 x'), {}],
      ['550 5.1.1 user unknown', {}],
      ['452 4.2.2 mailbox full', {}],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [reply, options] of calls) expect(cached.classify(reply, options)).toEqual(plain.classify(reply, options));
    }
  });
});

describe('typed errors: the brand', () => {
  it('the brand is a non-enumerable property (a spread copy is not a smtp-errors error)', () => {
    const e = new SmtpErrorsError('ERR_SMTP_RULE_INVALID', 'x');
    const brand = Symbol.for('smtpkit.error');
    expect(Object.getOwnPropertyDescriptor(e, brand)).toMatchObject({ value: 'smtp-errors', enumerable: false });
    expect(isSmtpErrorsError({ ...e, name: 'SmtpErrorsError' })).toBe(false);
  });

  it("recognises only errors with this package's brand, and never throws", () => {
    expect(isSmtpErrorsError(new SmtpErrorsError('ERR_SMTP_CLASS_EXISTS', 'x'))).toBe(true);
    for (const other of [null, undefined, 0, 'SmtpErrorsError', new Error('x'), { name: 'SmtpErrorsError', code: 'ERR_SMTP_RULE_INVALID' }]) {
      expect(isSmtpErrorsError(other)).toBe(false);
    }
    const otherPackage = Object.defineProperty(new Error('x'), Symbol.for('smtpkit.error'), { value: 'smtp-reply-reader' });
    otherPackage.name = 'SmtpErrorsError';
    expect(isSmtpErrorsError(otherPackage)).toBe(false);
    const legacyBrand = Object.defineProperty(new Error('x'), Symbol.for('smtpkit.error'), { value: true });
    expect(isSmtpErrorsError(legacyBrand)).toBe(false);
  });

  it('messages name what was wrong', () => {
    const c = createClassifier();
    expect(thrown(() => c.registerClass(0, 'x', 'x', 'soft')).message).toMatch(/class id.*1 to 65535.*got 0/);
    expect(thrown(() => c.registerClass(10, 'x', 'x', 'soft')).message).toMatch(/class 10 is built in \(Invalid Recipient\)/);
    expect(thrown(() => c.registerClass(200, '', 'x', 'soft')).message).toMatch(/non-empty name/);
    expect(thrown(() => c.registerClass(200, 'x', 'x', 'nope' as 'soft')).message).toMatch(/category must be one of hard, soft, block/);
    c.registerClass(200, 'Mine', 'x', 'soft');
    expect(thrown(() => c.registerClass(200, 'Other', 'x', 'soft')).message).toMatch(/class 200 is already registered as Mine/);
    expect(thrown(() => c.addRule({ pattern: 'x', id: 0 })).message).toMatch(/rule class id/);
    expect(thrown(() => c.addRule({ pattern: 'x', id: 300 })).message).toMatch(/rule "x" names class 300/);
    expect(thrown(() => c.addRules(',300,y')).message).toMatch(/rule "y" names class 300/);
    expect(thrown(() => c.addRule(null as unknown as RuleInit)).message).toMatch(/must be an object/);
    expect(thrown(() => c.addRule({ id: 10 } as unknown as RuleInit)).message).toMatch(/pattern must be a string/);
    expect(thrown(() => c.addRule({ pattern: '|', id: 10 })).message).toMatch(/rule pattern "\|" has no literal text/);
    expect(thrown(() => createClassifier({ limits: { cacheSize: -1 } })).message).toMatch(/limits\.cacheSize/);
    expect(thrown(() => parseRules('\n,x,y')).message).toMatch(/^line 2: bounce_code "x"/);
    expect(thrown(() => parseRules('\n\nnope')).message).toMatch(/^line 3: expected domain,bounce_code,rule/);
    expect(thrown(() => parseRules(',1,')).message).toMatch(/^line 1: empty rule/);
  });
});

describe('module-level functions act on the default classifier', () => {
  it('registerClass, addRule and addRules change what classify answers', () => {
    registerClass(4242, 'Default Instance Class', 'Registered through the module function.', 'block');
    expect(forId(4242)?.name).toBe('Default Instance Class');
    addRule({ pattern: 'zzqq module rule', id: 4242 });
    expect(classify('550 zzqq module rule')).toMatchObject({ id: 4242, rule: { kind: 'user-rule' } });
    expect(addRules('dflt.example,4242,zzqq domain rule\n,4242,zzqq text rule')).toBe(2);
    expect(classify('550 zzqq domain rule', { domain: 'dflt.example' })).toMatchObject({ id: 4242, rule: { kind: 'domain-rule' } });
    expect(classify('550 zzqq text rule').id).toBe(4242);
  });
});
