// Behaviours of classify() around reply codes, enhanced codes, stages, limits and input shapes that
// the mutation run (tools/mutation/reports/smtp-errors) showed no test pinned down.
import { describe, expect, it } from 'vitest';
import { classify, createClassifier, enhancedClass, type StructuredReply } from 'smtp-errors';

const enc = new TextEncoder();

describe('reply-code fallback: class boundaries of a bare reply code', () => {
  it.each([
    [250, 1],
    [354, 1],
    [399, 1],
    [400, 70],
    [499, 70],
    [500, 40],
    [551, 10],
    [552, 22],
    [553, 10],
    [571, 50],
    [599, 40],
  ])('reply code %i alone is class %i', (code, id) => {
    const c = classify({ code, text: '' });
    expect(c.id).toBe(id);
    expect(c.rule).toEqual({ kind: 'reply-code', code, stage: undefined });
  });

  it('a success reply found in text is undetermined, not a bounce', () => {
    expect(classify('250 2.0.0 Ok: queued')).toMatchObject({ id: 1, replyCode: 250, enhancedCode: '2.0.0', rule: { kind: 'reply-code' } });
  });
});

describe('structured replies: which codes are taken from the structure', () => {
  it('uses the structure\'s reply code even when the text has none', () => {
    const c = classify({ code: 552, text: 'no words of any family here' });
    expect(c).toMatchObject({ replyCode: 552, id: 22, transient: false });
  });

  it('takes the reply code from the text when the structure has none', () => {
    expect(classify({ enhanced: '5.2.2', text: '552 mailbox full' }).replyCode).toBe(552);
    expect(classify({ text: 'said: 421 later' }).replyCode).toBe(421);
  });

  it.each([200, 599])('accepts reply code %i (the valid range ends)', (code) => {
    expect(classify({ code, text: 'x' }).replyCode).toBe(code);
  });

  it.each([199, 600, 550.5, Number.NaN, '550'])('ignores an invalid reply code %s and falls back to the text', (code) => {
    const reply = { code, text: '421 4.3.2 later' } as unknown as StructuredReply;
    expect(classify(reply).replyCode).toBe(421);
    expect(classify({ ...reply, text: 'no digits here' }).replyCode).toBeUndefined();
  });

  it.each([
    [{ class: 4, subject: 2, detail: 2 }, '4.2.2'],
    [{ class: 2, subject: 0, detail: 0 }, '2.0.0'],
    [{ class: 5, subject: 0, detail: 0 }, '5.0.0'],
    [{ class: 5, subject: 1, detail: 0 }, '5.1.0'],
    [{ class: 5, subject: 999, detail: 999 }, '5.999.999'],
    [' 5.1.1 ', '5.1.1'],
  ])('accepts the enhanced code %j', (enhanced, text) => {
    expect(classify({ enhanced, text: 'x' }).enhancedCode).toBe(text);
  });

  it.each([
    { class: 3, subject: 1, detail: 1 },
    { class: 5, subject: -1, detail: 1 },
    { class: 5, subject: 1000, detail: 1 },
    { class: 5, subject: 1, detail: -1 },
    { class: 5, subject: 1, detail: 1000 },
    { class: 5, subject: 1.5, detail: 1 },
    '5.1',
    null,
    42,
  ])('ignores an invalid enhanced code %j (then the text\'s is used)', (enhanced) => {
    const reply = { code: 550, enhanced, text: 'nothing here' } as unknown as StructuredReply;
    expect(() => classify(reply)).not.toThrow();
    expect(classify(reply).enhancedCode).toBeUndefined();
    expect(classify({ ...reply, text: 'see 5.7.1' }).enhancedCode).toBe('5.7.1');
  });

  it('joins `lines` with line breaks (a code at the end of a line stays a code)', () => {
    expect(classify({ lines: ['Mailbox unavailable 5.2.2', 'Try later'] }).enhancedCode).toBe('5.2.2');
  });

  it('anything that is not a reply classifies as undetermined instead of throwing', () => {
    for (const junk of [null, undefined, 42, true]) {
      expect(classify(junk as unknown as string)).toMatchObject({ id: 1, rule: { kind: 'none' }, replyCode: undefined, enhancedCode: undefined });
    }
    expect(classify('550 5.1.1 user unknown', null as never).id).toBe(10);
  });
});

describe('transient: derived from the category and the class of the codes', () => {
  it('an enhanced code alone decides permanence when there is no reply code', () => {
    expect(classify({ enhanced: '5.2.2', text: '' })).toMatchObject({ id: 22, category: 'soft', transient: false });
    expect(classify({ enhanced: '4.2.2', text: '' })).toMatchObject({ id: 22, transient: true });
    expect(classify('mailbox full 5.2.2')).toMatchObject({ replyCode: undefined, transient: false });
  });

  it('an admin-category class is never transient, even for a 4xx reply', () => {
    const c = createClassifier({ rules: ',25,held by local policy' });
    expect(c.classify('451 4.7.1 held by local policy')).toMatchObject({ id: 25, category: 'admin', transient: false });
    const custom = createClassifier({ classes: [{ id: 200, name: 'Review', description: 'Held for review.', category: 'admin' }], rules: ',200,held for review' });
    expect(custom.classify('451 held for review').transient).toBe(false);
    expect(custom.classify('451 held for review, soft').transient).toBe(false);
  });
});

describe('connection wording under a temporary reply: who wrote it', () => {
  it("a server's idle timeout or a bare network code under RFC 5321's 4yz replies: a deferral (70)", () => {
    expect(classify('421 Connection timeout').id).toBe(70);
    expect(classify("450 4.4.1 <user@example.com>: The recipient's server was temporarily unavailable to accept your message").id).toBe(70);
    expect(classify('421 4.4.2 mx.example.com Error: timeout exceeded').id).toBe(70);
  });

  it("what the sending MTA writes about a host it could not reach, and other codes, keep the connection failure (24)", () => {
    expect(classify('421 example.com (smtp)... Deferred: Connection timed out during user open with example.com').id).toBe(24);
    expect(classify('421 Connection refused').id).toBe(24);
    expect(classify('426 connection timed out').id).toBe(24);
    expect(classify('421 4.4.1 No answer from host').id).toBe(24);
    expect(classify('421 4.4.2 Connection dropped; giving up on this message').id).toBe(24);
    expect(classify('Connection timeout').id).toBe(24);
    expect(classify('4.4.1 The recipient server did not accept our requests to connect').id).toBe(24);
  });
});

describe('enhancedClass: the subject default when no registry row matches', () => {
  it.each([
    [5, 1, 99, 10],
    [4, 1, 99, 70],
    [5, 2, 99, 10],
    [4, 2, 99, 20],
    [5, 7, 99, 50],
    [4, 7, 99, 50],
  ])('%i.%i.%i is class %i', (cls, subject, detail, id) => {
    expect(enhancedClass({ class: cls, subject, detail })).toEqual({ id, entry: undefined });
  });

  it('an unknown subject or a success class has no class', () => {
    expect(enhancedClass({ class: 5, subject: 9, detail: 9 })).toBeUndefined();
    expect(enhancedClass({ class: 2, subject: 1, detail: 1 })).toBeUndefined();
  });

  it('classify uses the subject default for an unregistered detail', () => {
    expect(classify('550 5.1.99 x')).toMatchObject({ id: 10, rule: { kind: 'enhanced-code', code: '5.1.99' } });
    // 4.2.x defaults to a soft bounce (20); a temporary (4xx) reply makes that a transient failure.
    expect(classify('450 4.2.99 x')).toMatchObject({ id: 70, rule: { kind: 'enhanced-code', code: '4.2.99' } });
    expect(classify('550 5.2.99 x')).toMatchObject({ id: 10, rule: { kind: 'enhanced-code', code: '5.2.99' } });
  });
});

describe('stage refinement: only permanent replies, only the documented classes', () => {
  it('a recipient enhanced code at MAIL FROM is a block; at RCPT TO it stays a recipient problem', () => {
    expect(classify('550 5.1.1 (in reply to MAIL FROM command)')).toMatchObject({ id: 50, rule: { kind: 'enhanced-code', stage: 'mail' } });
    expect(classify('550 5.1.1 (in reply to RCPT TO command)')).toMatchObject({ id: 10, rule: { kind: 'enhanced-code', stage: 'rcpt' } });
  });

  it('a non-recipient class is not turned into a block at MAIL FROM', () => {
    expect(classify('552 5.2.2 (in reply to MAIL FROM command)')).toMatchObject({ id: 22, rule: { stage: 'mail' } });
    expect(classify('554 5.3.4 (in reply to MAIL FROM command)').id).toBe(23);
  });

  it('a temporary failure is not refined by the stage', () => {
    expect(classify('450 4.1.1 (in reply to MAIL FROM command)')).toMatchObject({ id: 10, transient: false, rule: { stage: 'mail' } });
    expect(classify({ enhanced: '4.1.1', text: '(in reply to MAIL FROM command)' }).id).toBe(10);
  });

  it('without a reply code, a permanent enhanced code (even 5.0.0) is refined', () => {
    expect(classify({ enhanced: '5.0.0', text: '(in reply to RCPT TO command)' })).toMatchObject({ id: 10, rule: { stage: 'rcpt' } });
    expect(classify({ enhanced: '5.0.0', text: '(in reply to MAIL FROM command)' }).id).toBe(50);
  });

  it('the first stage marker listed is recognised (in reply to RCPT TO command); 500 is already permanent', () => {
    expect(classify('550 no (in reply to RCPT TO command)')).toMatchObject({ id: 10, rule: { kind: 'reply-code', stage: 'rcpt' } });
    expect(classify('500 5.0.0 no (in reply to RCPT TO command)').id).toBe(10);
    expect(classify('510 no (in reply to RCPT TO command)').id).toBe(10);
    // a bare syntax reply (500-504) stays a protocol error at any stage
    expect(classify('500 no (in reply to RCPT TO command)').id).toBe(40);
    expect(classify('450 no (in reply to RCPT TO command)').id).toBe(70);
  });

  it('invalid-recipient wording at MAIL FROM (or after DATA at a Japanese carrier) is a block only when permanent', () => {
    expect(classify({ enhanced: '5.0.0', text: 'user unknown (in reply to MAIL FROM command)' })).toMatchObject({ id: 50, rule: { stage: 'mail' } });
    expect(classify({ enhanced: '4.0.0', text: 'user unknown (in reply to MAIL FROM command)' }).id).toBe(10);
    expect(classify('500 user unknown a@docomo.ne.jp (in reply to end of DATA command)').id).toBe(50);
    expect(classify('450 user unknown a@docomo.ne.jp (in reply to end of DATA command)').id).toBe(10);
    // elsewhere a recipient refused after the data is still the recipient (servers that check
    // recipients only once the message is in)
    expect(classify('500 user unknown (in reply to end of DATA command)').id).toBe(10);
  });

  it('other built-in wording keeps its class at MAIL FROM or after DATA', () => {
    expect(classify('552 5.2.2 mailbox full (in reply to end of DATA command)')).toMatchObject({ id: 22, rule: { kind: 'builtin-rule', name: 'mailbox-full' } });
  });

  it('a specific enhanced code that wins over generic wording is refined by the stage like a bare one', () => {
    expect(classify('550 5.1.1 refused by policy (in reply to RCPT TO command)')).toMatchObject({ id: 10, rule: { kind: 'enhanced-code', stage: 'rcpt' } });
    expect(classify('550 5.1.1 refused by policy (in reply to MAIL FROM command)')).toMatchObject({ id: 50, rule: { kind: 'enhanced-code', stage: 'mail' } });
  });

  it('generic wording with an enhanced code of no known class keeps the wording (never throws)', () => {
    expect(classify('550 5.9.9 refused by policy')).toMatchObject({ id: 50, rule: { kind: 'builtin-rule', name: 'policy' } });
    expect(classify('550 2.1.1 refused by policy').rule).toMatchObject({ kind: 'builtin-rule', name: 'policy' });
    // A registered code whose class is itself generic (5.4.5 congestion: transient failure) does not win either.
    expect(classify('550 5.4.5 refused by policy')).toMatchObject({ id: 50, rule: { kind: 'builtin-rule', name: 'policy' } });
  });
});

describe('limits: maxTextBytes and the per-call length', () => {
  const tail = `${'x'.repeat(100)} mailbox full`;

  it('wording beyond maxTextBytes is not seen, with or without a per-call length', () => {
    const small = createClassifier({ limits: { maxTextBytes: 50 } });
    expect(small.classify(tail).id).toBe(1);
    expect(small.classify(enc.encode(tail)).id).toBe(1);
    expect(small.classify({ text: tail }).id).toBe(1);
    expect(small.classify(tail, { length: 1000 }).id).toBe(1);
    expect(createClassifier().classify(tail).id).toBe(22);
  });

  it('a length of 0 examines nothing; a negative or non-number length is ignored', () => {
    expect(classify('552 5.2.2 mailbox full', { length: 0 })).toMatchObject({ id: 1, replyCode: undefined });
    expect(classify('552 5.2.2 mailbox full', { length: -1 }).id).toBe(22);
    expect(classify('552 5.2.2 mailbox full', { length: '2' as unknown as number }).id).toBe(22);
    expect(classify(enc.encode('552 5.2.2 mailbox full'), { length: 2 })).toMatchObject({ id: 1, replyCode: undefined });
    expect(classify(enc.encode('552 5.2.2 mailbox full'), { length: 3 })).toMatchObject({ id: 22, replyCode: 552, enhancedCode: undefined });
  });

  // The byte length of `lead` is counted as UTF-8 (as TextEncoder would): "550" right after it is
  // whole with one byte more than `lead + ' 55'` and missing at exactly that many.
  it.each([
    '\u007f',
    '\u0080',
    '\u07ff',
    '\u0800',
    '\ud7ff',
    '\uffff',
    '\ud800\udc00',
    '\udbff\udfff',
    '\ud800',
    '\udc00\udc00',
    '\ud800\ud800',
    '\ud800\u0800',
    '\ud800\ue000',
    '\u0800\udc00',
    'ab\ud83d\ude00',
  ])('length counts %j as its UTF-8 bytes', (lead) => {
    const bytes = enc.encode(lead).length;
    const text = `${lead} 550 x`;
    expect(classify(text, { length: bytes + 4 }).replyCode).toBe(550);
    expect(classify(text, { length: bytes + 3 }).replyCode).toBeUndefined();
  });
});

describe('bytes input: same answers as the string', () => {
  it.each([
    '550 5.1.1 user unknown',
    '550 5.1.1 Benutzer unbekannt: Müller',
    '5.1.1 first, 5.2.2 second',
    '550 5.12.3 x',
    '550 5.1234.5 x',
    '550 5.1-1 x',
    '452 4.5.3 100 recipients is too many',
    '5.1.1 then 550 rejected',
  ])('%s', (text) => {
    const s = classify(text);
    const b = classify(enc.encode(text));
    expect([b.id, b.replyCode, b.enhancedCode, b.rule]).toEqual([s.id, s.replyCode, s.enhancedCode, s.rule]);
  });

  it('finds both codes in ASCII bytes, in either order', () => {
    expect(classify(enc.encode('550 5.1.1 user unknown'))).toMatchObject({ replyCode: 550, enhancedCode: '5.1.1' });
    expect(classify(enc.encode('5.1.1 then 550 rejected'))).toMatchObject({ replyCode: 550, enhancedCode: '5.1.1' });
    expect(classify(enc.encode('5.1.1 first, 5.2.2 second')).enhancedCode).toBe('5.1.1');
    expect(classify(enc.encode('550 5.12.3 x')).enhancedCode).toBe('5.12.3');
    expect(classify(enc.encode('550 5.1234.5 x')).enhancedCode).toBeUndefined();
    expect(classify(enc.encode('550 5.1-1 x')).enhancedCode).toBeUndefined();
    expect(classify(enc.encode('452 4.5.3 100 recipients is too many')).enhancedCode).toBe('4.5.3');
  });

  it('non-ASCII wording in bytes matches a rule written with those characters', () => {
    const c = createClassifier({ builtinRules: false, rules: ',22,boîte pleine' });
    expect(c.classify(enc.encode('550 boîte pleine')).id).toBe(22);
    expect(c.classify(enc.encode('550 BOÎTE PLEINE')).id).toBe(22);
    expect(c.classify(enc.encode('550 boite remplie')).id).toBe(50);
    const cyrillic = createClassifier({ builtinRules: false, rules: ',10,ящик' });
    expect(cyrillic.classify(enc.encode('ЯЩИК')).id).toBe(10);
  });
});
