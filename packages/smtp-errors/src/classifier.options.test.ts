import { describe, expect, it } from 'vitest';
import { createClassifier, isSmtpErrorsError, parseRules, type ClassifierOptions, type RuleInit } from './index.js';
import { errorCodeOf } from '@smtpkit/testkit';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpErrorsError);
const make = (options: unknown) => () => createClassifier(options as ClassifierOptions);

describe('createClassifier: options of the wrong type are typed errors', () => {
  it('options that are not an object', () => {
    for (const bad of [null, 5, 'rules', true]) expect(codeOf(make(bad))).toBe('ERR_SMTP_INVALID_OPTION');
    // a list is no options object: [rules] meant as { rules } would silently give the defaults
    for (const bad of [[], [',10,user unknown'], [{ pattern: 'x', id: 10 }]]) expect(codeOf(make(bad))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('limits that are not an object', () => {
    for (const bad of [5, 'small', true, null, [], [100, 10]]) expect(codeOf(make({ limits: bad }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('builtinRules that is not a boolean (a truthy string is not "on", 0 is not "off")', () => {
    for (const bad of ['no', 0, 1, null, {}]) expect(codeOf(make({ builtinRules: bad }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(createClassifier({ builtinRules: false }).rules()).toEqual([]);
  });

  it('classes and rules that are not lists (rules may also be text)', () => {
    for (const bad of [5, {}, true, 'x']) expect(codeOf(make({ classes: bad }))).toBe('ERR_SMTP_INVALID_OPTION');
    for (const bad of [5, {}, true]) expect(codeOf(make({ rules: bad }))).toBe('ERR_SMTP_INVALID_OPTION');
    // bytes are no list: an empty view is not an empty list of classes or rules
    for (const bytes of [new Uint8Array(0), new Uint16Array(2), new DataView(new ArrayBuffer(1))]) {
      expect(codeOf(make({ classes: bytes }))).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf(make({ rules: bytes }))).toBe('ERR_SMTP_INVALID_OPTION');
    }
    // one-shot iterables are read once, as before
    function* one() {
      yield { pattern: 'no such person here', id: 10 };
    }
    expect(createClassifier({ rules: one() as unknown as RuleInit[], builtinRules: false }).rules()).toHaveLength(1);
  });

  it('a class entry that is not an object is ERR_SMTP_CLASS_INVALID', () => {
    for (const bad of [null, 5, 'Profanity']) expect(codeOf(make({ classes: [bad] }))).toBe('ERR_SMTP_CLASS_INVALID');
    // a class given as a list ([id, name, description, category]) is no class object either
    for (const bad of [[], [99, 'Profanity', 'Rejected for language.', 'block']]) expect(codeOf(make({ classes: [bad] })), JSON.stringify(bad)).toBe('ERR_SMTP_CLASS_INVALID');
  });

  it('a rule domain that is not a string is ERR_SMTP_RULE_INVALID', () => {
    for (const bad of [5, null, {}, ['a']]) {
      expect(codeOf(make({ rules: [{ pattern: 'x', id: 10, domain: bad }] }))).toBe('ERR_SMTP_RULE_INVALID');
      expect(codeOf(() => createClassifier().addRule({ pattern: 'x', id: 10, domain: bad as string }))).toBe('ERR_SMTP_RULE_INVALID');
    }
  });

  it('rules text that is not a string is ERR_SMTP_RULE_INVALID', () => {
    for (const bad of [5, null, undefined, {}, [',10,x']]) {
      expect(codeOf(() => parseRules(bad as string))).toBe('ERR_SMTP_RULE_INVALID');
      expect(codeOf(() => createClassifier().addRules(bad as string))).toBe('ERR_SMTP_RULE_INVALID');
    }
  });

  it('registerClass options that are not an object', () => {
    for (const bad of [null, 5, 'replace']) {
      expect(codeOf(() => createClassifier().registerClass(99, 'P', 'd', 'block', bad as never))).toBe('ERR_SMTP_INVALID_OPTION');
    }
    // a list is no options object: [true] meant as { replace: true } would silently not replace
    for (const bad of [[], [true]]) {
      expect(codeOf(() => createClassifier().registerClass(99, 'P', 'd', 'block', bad as never)), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });
});
