import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { classify, createClassifier, forId, isSmtpErrorsError, retrieveClass, type Classification } from './index.js';
import { errorCodeOf } from '@smtpkit/testkit';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpErrorsError);

describe('classify: the default classifier', () => {
  it('classifies a plain reply and says why', () => {
    const c = classify('550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table');
    expect(c).toMatchObject({ id: 10, name: 'Invalid Recipient', category: 'hard', transient: false, replyCode: 550, enhancedCode: '5.1.1' });
    expect(c.rule).toEqual({ kind: 'builtin-rule', name: 'user-unknown', pattern: 'user unknown' });
  });

  it('reads replies wrapped in MTA prose, multi-line replies and bytes', () => {
    expect(classify('host mx.example.com[192.0.2.1] said: 550-5.2.2 The mailbox is\n550 5.2.2 full (in reply to RCPT TO command)').id).toBe(22);
    expect(classify(new TextEncoder().encode('452-4.2.2 The email account that you tried to reach is over quota.\r\n452 4.2.2 see https://support.google.com/mail/?p=OverQuotaTemp')).id).toBe(22);
  });

  it('accepts the smtp-reply-reader Reply shape (enhanced as an object) and a string enhanced code', () => {
    const reply = { code: 550, enhanced: { class: 5 as const, subject: 1, detail: 1 }, lines: ['nope'], text: 'nope' };
    expect(classify(reply)).toMatchObject({ id: 10, rule: { kind: 'enhanced-code', code: '5.1.1' } });
    expect(classify({ code: 452, enhanced: '4.2.2', text: 'not now' })).toMatchObject({ id: 22, transient: true });
  });

  it('falls back to the enhanced code, then the reply code, then undetermined', () => {
    expect(classify('554 5.7.1 go away').rule).toEqual({ kind: 'enhanced-code', code: '5.7.1', stage: undefined });
    expect(classify('554 5.7.1 go away').id).toBe(50);
    expect(classify('552 go away')).toMatchObject({ id: 22, rule: { kind: 'reply-code', code: 552 } });
    expect(classify('421 go away')).toMatchObject({ id: 70, transient: true });
    expect(classify('the moon is made of cheese')).toMatchObject({ id: 1, rule: { kind: 'none' }, transient: true });
    expect(classify('')).toMatchObject({ id: 1 });
  });

  it('refines a generic code decision with the SMTP stage named in the prose', () => {
    expect(classify('host mx.example.com said: 550 no (in reply to RCPT TO command)')).toMatchObject({ id: 10, rule: { kind: 'reply-code', stage: 'rcpt' } });
    expect(classify('host mx.example.com said: 550 no (in reply to MAIL FROM command)')).toMatchObject({ id: 50, rule: { stage: 'mail' } });
    expect(classify('host mx.example.com said: 554 no (in reply to end of DATA command)')).toMatchObject({ id: 50, rule: { stage: 'data' } });
    // with no stage, a bare 550 is a refusal (RFC 5321 §4.2.1: "rejected for policy reasons"), as a
    // bare 554; a syntax reply stays a protocol error and a 555 a generic bounce
    expect(classify('550 no')).toMatchObject({ id: 50, rule: { kind: 'reply-code', code: 550, stage: undefined } });
    expect(classify('500 no')).toMatchObject({ id: 40 });
    expect(classify('555 no')).toMatchObject({ id: 40 });
  });

  it('falls back to keywords only when the code-based answer is generic', () => {
    expect(classify('550 address disabled by owner')).toMatchObject({ id: 10, rule: { kind: 'keyword', pattern: 'address disabled' } });
    expect(classify('Recipient refused')).toMatchObject({ id: 50, rule: { kind: 'keyword', pattern: 'refused' } });
    expect(classify('552 5.2.2 refused')).toMatchObject({ id: 22, rule: { kind: 'enhanced-code' } });
    expect(classify('host mx.example.com said: 550 refused (in reply to RCPT TO command)')).toMatchObject({ id: 10, rule: { kind: 'reply-code', stage: 'rcpt' } });
  });

  it('derives transient from category and reply class', () => {
    expect(classify('450 4.1.1 user unknown').transient).toBe(false); // hard stays permanent
    expect(classify('452 4.2.2 mailbox full').transient).toBe(true);
    expect(classify('552 5.2.2 mailbox full').transient).toBe(false);
    expect(classify('421 4.7.0 [TSS04] Messages temporarily deferred due to user complaints').transient).toBe(true);
    expect(classify('Connection timed out').transient).toBe(true);
  });

  it('length classifies only the first bytes (the _len variant)', () => {
    const text = '550 5.7.1 go away. Also: user unknown';
    expect(classify(text).id).toBe(10);
    expect(classify(text, { length: 17 })).toMatchObject({ id: 50, rule: { kind: 'enhanced-code', code: '5.7.1' } });
    expect(classify('xx user unknown', { length: 6 })).toMatchObject({ id: 1 });
    expect(classify('550 5.1.1 user unknown', { length: 9 })).toMatchObject({ id: 10, rule: { kind: 'enhanced-code' } });
  });

  it('forId and retrieveClass', () => {
    expect(forId(23)).toMatchObject({ name: 'Too Large', category: 'soft', builtin: true });
    expect(forId(12345)).toBeUndefined();
    expect(retrieveClass(24)).toEqual({ name: 'Timeout', description: 'The message timed out.' });
    expect(retrieveClass(2)).toBeUndefined();
  });

  it('TEST-4: never throws and returns a registered class for any input', () => {
    const c = createClassifier();
    const check = (r: Classification) => expect(c.forId(r.id)).toBeDefined();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), fc.option(fc.nat(300), { nil: undefined }), (input, length) => {
        check(c.classify(input, { length, domain: 'example.com' }));
      }),
      { numRuns: 500 },
    );
    for (const odd of [null, undefined, 42, {}, { code: 'x' }, { code: 999, enhanced: 7 }, { lines: [1, 2] }]) {
      check(c.classify(odd as never));
    }
  });

  it('X-4: a 1 MiB adversarial reply is classified in one pass (no catastrophic backtracking)', () => {
    const c = createClassifier({ limits: { maxTextBytes: 2 * 1024 * 1024 } });
    expect(c.classify('user unknow'.repeat(100_000)).id).toBe(1);
    expect(c.classify('a'.repeat(1024 * 1024) + ' mailbox full').id).toBe(22);
  });
});

describe('precedence: domain rules > user rules > built-in rules > enhanced code > reply code', () => {
  const text = '550 5.2.2 <a@example.com>: user unknown; widget rejected';
  const c = createClassifier({ rules: 'example.com,53,widget\n,51,widget' });

  it('domain rule first, for its domain only', () => {
    expect(c.classify(text, { domain: 'EXAMPLE.com' })).toMatchObject({ id: 53, rule: { kind: 'domain-rule', domain: 'example.com', pattern: 'widget' } });
  });
  it('then user rules', () => {
    expect(c.classify(text, { domain: 'other.example' })).toMatchObject({ id: 51, rule: { kind: 'user-rule', pattern: 'widget' } });
  });
  it('then built-in rules', () => {
    expect(createClassifier().classify(text)).toMatchObject({ id: 10, rule: { kind: 'builtin-rule' } });
  });
  it('then the enhanced code, then the reply code', () => {
    const bare = createClassifier({ builtinRules: false });
    expect(bare.classify(text)).toMatchObject({ id: 22, rule: { kind: 'enhanced-code', code: '5.2.2' } });
    expect(bare.classify('552 requested action aborted')).toMatchObject({ id: 22, rule: { kind: 'reply-code', code: 552 } });
    // A bare reply code is weak evidence: a word family in the text decides instead.
    expect(bare.classify('552 user unknown')).toMatchObject({ id: 10, rule: { kind: 'keyword', pattern: 'user unknown' } });
  });
  it('a specific enhanced code wins over a generic built-in phrase, not over a specific one', () => {
    expect(classify('550 5.1.1 Message rejected')).toMatchObject({ id: 10, rule: { kind: 'enhanced-code', code: '5.1.1' } });
    expect(classify('552 5.2.2 Message rejected')).toMatchObject({ id: 22, rule: { kind: 'enhanced-code', code: '5.2.2' } });
    // X.n.0 codes and codes whose class is itself generic leave the phrase in charge.
    expect(classify('550 5.7.0 Message rejected')).toMatchObject({ id: 50, rule: { kind: 'builtin-rule', name: 'message-rejected' } });
    expect(classify('550 5.3.0 Message rejected')).toMatchObject({ id: 50, rule: { kind: 'builtin-rule', name: 'message-rejected' } });
    // A specific phrase keeps precedence over the code.
    expect(classify('550 5.7.1 mailbox full')).toMatchObject({ id: 22, rule: { kind: 'builtin-rule' } });
    // User rules are never overridden.
    expect(createClassifier({ rules: ',51,message rejected' }).classify('550 5.1.1 Message rejected').rule.kind).toBe('user-rule');
  });
  it('a local delivery agent failure (X-Unix diagnostic type) is a mailer error; Postfix access denials are blocks', () => {
    expect(classify('X-Unix; mailbox delivery failed').id).toBe(40);
    expect(classify('550 5.7.1 <a@example.com>: Recipient address rejected: Access denied').id).toBe(50);
    expect(classify('550 5.4.1 [a@example.com]: Recipient address rejected: Access denied').id).toBe(10);
  });
  it('invalid-recipient wording at MAIL FROM, or after DATA at a Japanese carrier, is a block, with the stage that decided it', () => {
    // docomo, au and SoftBank accept every recipient and answer "Unknown user" after the data also
    // when the recipient's filter refuses the sender
    expect(classify('host mfsmx.docomo.ne.jp[192.0.2.1] said: 550 Unknown user a@docomo.ne.jp (in reply to end of DATA command)')).toMatchObject({
      id: 50,
      rule: { kind: 'builtin-rule', name: 'unknown-user', stage: 'data' },
    });
    expect(classify('SMTP error from remote mail server after end of data: host lsean.ezweb.ne.jp [192.0.2.1]: 550 : User unknown').id).toBe(50);
    // any other server that refuses a recipient after the data (it checks recipients late) refuses the recipient
    expect(classify('host mx.example.com[192.0.2.1] said: 550 Unknown user a@example.com (in reply to end of DATA command)')).toMatchObject({
      id: 10,
      rule: { kind: 'builtin-rule', name: 'unknown-user' },
    });
    expect(classify('550 5.1.1 <a@example.com>:  User   unknown (in reply to end of DATA command)').id).toBe(10);
    // a domain that only ends like a carrier's is not one
    expect(classify('550 Unknown user a@nau.com (in reply to end of DATA command)').id).toBe(10);
    expect(classify('host mx.example.com[192.0.2.1] said: 550 Unknown user a@example.com (in reply to RCPT TO command)')).toMatchObject({
      id: 10,
      rule: { kind: 'builtin-rule', name: 'unknown-user' },
    });
    expect(classify('SMTP error from remote mail server after MAIL FROM:<a@example.com>: 550 5.1.1 user unknown').id).toBe(50);
    // Only permanent replies, and only the built-in layer.
    expect(classify('450 4.1.1 user unknown (in reply to end of DATA command)').id).toBe(10);
    expect(createClassifier({ rules: ',10,user unknown' }).classify('550 user unknown (in reply to end of DATA command)').id).toBe(10);
  });
  it('a structural enhanced code outside RFC 3463 ranges is ignored (the text is scanned instead)', () => {
    expect(classify({ code: 550, enhanced: { class: 9, subject: 1, detail: 1 }, text: '5.2.2 box full' }).enhancedCode).toBe('5.2.2');
    expect(classify({ code: 550, enhanced: { class: 5, subject: -1, detail: 1 }, text: 'x' }).enhancedCode).toBeUndefined();
  });
  it('the rule list reflects the order', () => {
    expect(c.rules().slice(0, 2)).toEqual([
      { layer: 'domain', pattern: 'widget', id: 53, domain: 'example.com' },
      { layer: 'user', pattern: 'widget', id: 51 },
    ]);
  });
});

describe('class registry', () => {
  it('registers custom classes usable by rules, per instance', () => {
    const a = createClassifier({ classes: [{ id: 99, name: 'Profanity', description: 'Rejected for language.', category: 'block' }] });
    a.addRules(',99,watch your language');
    expect(a.classify('550 watch your LANGUAGE')).toMatchObject({ id: 99, name: 'Profanity', category: 'block', transient: false });
    expect(createClassifier().forId(99)).toBeUndefined();
    expect(forId(99)).toBeUndefined();
    expect(a.classes().map((x) => x.id)).toContain(99);
  });

  it('a built-in id cannot be overwritten (typed error)', () => {
    const c = createClassifier();
    expect(codeOf(() => c.registerClass(10, 'Mine', 'x', 'soft'))).toBe('ERR_SMTP_CLASS_BUILTIN');
    expect(codeOf(() => c.registerClass(10, 'Mine', 'x', 'soft', { replace: true }))).toBe('ERR_SMTP_CLASS_BUILTIN');
    expect(c.forId(10)?.name).toBe('Invalid Recipient');
  });

  it('re-registering a custom id: same values is a no-op, different needs replace', () => {
    const c = createClassifier();
    c.registerClass(101, 'A', 'a', 'soft');
    expect(codeOf(() => c.registerClass(101, 'A', 'a', 'soft'))).toBeUndefined();
    expect(codeOf(() => c.registerClass(101, 'B', 'b', 'soft'))).toBe('ERR_SMTP_CLASS_EXISTS');
    c.registerClass(101, 'B', 'b', 'hard', { replace: true });
    expect(c.forId(101)).toMatchObject({ name: 'B', category: 'hard', builtin: false });
  });

  it('validates ids, names and categories', () => {
    const c = createClassifier();
    expect(codeOf(() => c.registerClass(0, 'A', 'a', 'soft'))).toBe('ERR_SMTP_CLASS_INVALID_ID');
    expect(codeOf(() => c.registerClass(1.5, 'A', 'a', 'soft'))).toBe('ERR_SMTP_CLASS_INVALID_ID');
    expect(codeOf(() => c.registerClass(70000, 'A', 'a', 'soft'))).toBe('ERR_SMTP_CLASS_INVALID_ID');
    expect(codeOf(() => c.registerClass(99, '', 'a', 'soft'))).toBe('ERR_SMTP_CLASS_INVALID');
    expect(codeOf(() => c.registerClass(99, 'A', 'a', 'fatal' as never))).toBe('ERR_SMTP_CLASS_INVALID');
  });

  it('rules naming an unknown class are refused, atomically for addRules', () => {
    const c = createClassifier();
    expect(codeOf(() => c.addRule({ pattern: 'x', id: 99 }))).toBe('ERR_SMTP_CLASS_UNKNOWN');
    expect(codeOf(() => c.addRules(',10,first\n,98,second'))).toBe('ERR_SMTP_CLASS_UNKNOWN');
    expect(c.rules().filter((r) => r.layer !== 'builtin')).toEqual([]);
    expect(codeOf(() => c.addRule({ pattern: '||', id: 10 }))).toBe('ERR_SMTP_RULE_INVALID');
    expect(codeOf(() => c.addRule(null as never))).toBe('ERR_SMTP_RULE_INVALID');
  });

  it('invalid limits are refused', () => {
    expect(codeOf(() => createClassifier({ limits: { maxTextBytes: -1 } }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('errors carry the shared brand, not only instanceof', () => {
    try {
      createClassifier().registerClass(10, 'x', 'x', 'hard');
    } catch (e) {
      expect((e as Record<symbol, unknown>)[Symbol.for('smtpkit.error')]).toBe('smtp-errors');
      expect(Object.keys(e as object)).not.toContain(Symbol.for('smtpkit.error').toString());
      expect((e as { kind: string }).kind).toBe('local');
    }
  });
});

describe('generic refusal refined by a keyword', () => {
  it('under a policy code (X.7) a recipient word does not make a refusal a suppress', () => {
    const r = classify('554 5.7.1 Message rejected: invalid HELO name');
    expect(r.id).toBe(50);
    expect(r.action).not.toBe('suppress');
  });

  it('under a policy code a block-family word still says which refusal; without one a recipient word still counts', () => {
    expect(classify('554 5.7.1 Message rejected: spam content detected').id).toBe(classify('554 Message rejected: spam content detected').id);
    expect(classify('554 Message rejected: the address is not valid').id).toBe(10);
    // an invalid HELO name is the sending host's, not the recipient's
    expect(classify('554 Message rejected: invalid HELO name').id).toBe(50);
  });
});

describe('non-bounce words (no reply or enhanced code)', () => {
  it.each(['DKIM verification failed', 'Sender verification failed', 'SPF challenge failed', 'verify your SPF record', 'recipient absent', 'mailbox on leave', 'please leave the queue', 'welcome to nowhere', 'abonnement expiré', 'ferie', '宛先不在'])(
    '%s is not read as an auto-reply, list notice or challenge',
    (text) => {
      expect([60, 80, 90, 100]).not.toContain(classify(text).id);
    },
  );

  it.each([
    ['I am out of the office until Monday', 60],
    ['現在不在にしております', 60],
    ['sono in ferie fino a lunedì', 60],
    ['Please confirm your subscription', 80],
    ['You have been removed from the list', 90],
    ['BoxTrapper: the sender must complete the verification process', 100],
    ['This address is protected by a challenge/response system', 100],
  ])('%s is still class %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('cache (legacy bounce_cache_size)', () => {
  it('returns the same result, and is invalidated when rules change', () => {
    const c = createClassifier({ limits: { cacheSize: 2 } });
    const a = c.classify('550 widget');
    expect(c.classify('550 widget')).toBe(a);
    c.addRule({ pattern: 'widget', id: 53 });
    expect(c.classify('550 widget').id).toBe(53);
    c.classify('x');
    c.classify('y');
    c.classify('z');
    expect(c.classify('550 widget').id).toBe(53);
  });

  it('caches replies up to 512 characters (domain included), not longer ones, so its memory stays bounded', () => {
    const c = createClassifier();
    const stored: string[] = [];
    const original = Map.prototype.set;
    const set = vi.spyOn(Map.prototype, 'set').mockImplementation(function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
      if (typeof key === 'string' && key.includes('cache-probe')) stored.push(key);
      return original.call(this, key, value);
    });
    try {
      const reply = (n: number): string => `550 5.1.1 cache-probe ${'x'.repeat(n - 22)}`;
      expect(reply(512)).toHaveLength(512);
      c.classify(reply(512));
      c.classify(reply(513));
      c.classify(reply(2048));
      c.classify(reply(500), { domain: 'example.com' });
      c.classify(reply(510), { domain: 'example.com' });
    } finally {
      set.mockRestore();
    }
    expect(stored.map((k) => k.length - k.lastIndexOf('\u0000') - 1)).toEqual([512, 500]);
  });
});

describe('results are frozen values', () => {
  it('a result and its rule cannot be mutated; equal decisions may share one object', () => {
    const c = createClassifier();
    for (const text of ['550 5.1.1 user unknown', '550 5.7.0 whatever', '451 try later', 'x']) {
      const r = c.classify(text);
      expect(Object.isFrozen(r)).toBe(true);
      expect(Object.isFrozen(r.rule)).toBe(true);
    }
    const a = c.classify('550 5.1.1 <a@example.com>: user unknown');
    const b = c.classify('550 5.1.1 <b@example.com>: User Unknown');
    expect(b).toEqual(a);
    expect(c.classify('450 4.1.1 <a@example.com>: user unknown')).toMatchObject({ replyCode: 450, enhancedCode: '4.1.1', transient: false });
  });

  it('registering a class with replace: true is reflected at once', () => {
    const c = createClassifier({ classes: [{ id: 99, name: 'A', description: 'a', category: 'block' }], rules: ',99,widget' });
    expect(c.classify('550 widget').name).toBe('A');
    c.registerClass(99, 'B', 'b', 'soft', { replace: true });
    expect(c.classify('550 widget')).toMatchObject({ name: 'B', category: 'soft' });
  });
});

describe('bytes input: ASCII is matched without decoding, anything else is decoded', () => {
  const enc = new TextEncoder();
  const piece = fc.constantFrom(
    '550', '5.1.1', ' ', '4.2.2', '452-', 'user unknown', 'Mailbox FULL', 'in reply to end of DATA command', 'müller', '5.7.', '.', '2', 'x', '\r\n', 'refused', 'policy',
  );
  it('classify(bytes) equals classify(string) for any mix, with length limits and a rule with a domain', () => {
    const c = createClassifier({ rules: 'example.com,50,unknown|full' });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.option(fc.nat(60), { nil: undefined }), fc.constantFrom(undefined, 'example.com'), (parts, length, domain) => {
        const text = parts.join('');
        const options = { length, domain };
        const b = enc.encode(text);
        // The string path truncates by UTF-8 bytes too, so both see the same prefix.
        expect(c.classify(b, options)).toEqual(c.classify(text, options));
      }),
      { numRuns: 500 },
    );
  });
});

describe('words inside mailbox and host names are not wording', () => {
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  it.each([
    // "invalid", "relay", "spam" as labels of a name or a local part
    ['550 message to <carol@shop.invalid> refused', 50],
    ['421 4.3.2 relay2.invalid.example: try again later', 70],
    ['550 5.7.1 <invalid-list@example.org>: sender rejected', 50],
    ['451 4.3.0 spamtrap.example.net: temporary failure', 70],
    ['550 5.7.1 delivery to alice@relay.example.org not allowed', 50],
    // the same words as wording still count
    ['550 5.1.1 <carol@shop.example>: address invalid.', 10],
    ['550 5.7.1 relaying not permitted for mx.example.net', 54],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
    expect(classify(new TextEncoder().encode(text)).id).toBe(id);
  });

  it('a name alone is not read as the recipient', () => {
    expect(classify('550 <dave@mail.invalid>').rule).toEqual({ kind: 'reply-code', code: 550, stage: undefined });
    expect(bare.classify('Delivery to dave@mail.invalid failed').id).toBe(1);
  });

  it('block lists are still read in their DNS zones', () => {
    expect(bare.classify('550 5.7.1 client 192.0.2.7 listed at dnsbl.sorbs.net').id).toBe(51);
    expect(bare.classify('554 rejected: 198.51.100.42 found in bl.spamcop.net').id).toBe(51);
  });

  it('an identifier with dots is not a host name, and the operator\'s rules match anywhere', () => {
    expect(bare.classify('554 5.2.2 STOREDRV.Deliver.Exception:QuotaExceededException').id).toBe(22);
    const own = createClassifier({ rules: ',51,invalid' });
    expect(own.classify('550 rejected by mx.invalid.example').id).toBe(51);
  });

  it('an upper-case dotted verdict in a text that is not upper case is an identifier, not a host name', () => {
    for (const text of ['550 Message rejected (HEURISTICS.PHISHING.EMAIL)', '554 5.7.1 Rejected by filter: VIRUS.DETECTED.TROJAN']) {
      expect(bare.classify(text).id, text).toBe(text.includes('VIRUS') ? 53 : 52);
      expect(bare.classify(new TextEncoder().encode(text)).id, text).toBe(text.includes('VIRUS') ? 53 : 52);
    }
    // a host name in upper case keeps its words out: a two- or three-letter last label, or a text
    // that is all upper case
    expect(bare.classify('451 4.4.1 no answer from SPAM.EXAMPLE.COM, try again later').id).toBe(
      bare.classify('451 4.4.1 no answer from spam.example.com, try again later').id,
    );
    expect(bare.classify('550 DELIVERY REFUSED BY MX.VIRUS.EXAMPLE').id).toBe(50);
    expect(bare.classify('550 delivery refused by MX.VIRUS.EXAMPLE.ORG').id).toBe(50);
  });
});

describe('a temporary reply that reports a timeout of the connection', () => {
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  it.each([
    ['421 4.4.2 smtp.example.org Error: timeout exceeded', 70],
    ['451 4.4.2 Idle timeout, closing connection', 70],
    ['421 4.4.2 relay.example.net lost connection after DATA: connection reset', 70],
    ['451 4.4.2 Read timed out waiting for the client', 70],
  ])('is a transient failure (70) whether the phrase rules are on or off: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });

  it('the local MTA\'s own account of a failed connection (no reply code) stays a timeout (24)', () => {
    expect(classify('connect to smtp.example.org[192.0.2.9]:25: Connection timed out').id).toBe(24);
    expect(classify('SMTP session timeout while talking to smtp.example.org').id).toBe(24);
  });

  it('a made-up code of a local report stays a timeout, even with a DSN status appended', () => {
    // 426 is no reply code a server sends; a bounce message adds its Status field to the text
    expect(classify('426 connection timed out 4.0.0').id).toBe(24);
    expect(classify('426 4.0.0 connection timed out').id).toBe(24);
    // the codes RFC 5321 and RFC 4954 define for a server's temporary replies
    for (const code of [421, 432, 450, 451, 452, 454, 455]) {
      expect(classify(`${code} 4.0.0 Connection timed out`).id, String(code)).toBe(70);
      expect(classify(`${code} 4.4.2 Connection timed out`).id, String(code)).toBe(70);
    }
  });
});
