import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '@smtpkit/testkit';
import { BUILTIN_CLASSES, classify, createClassifier, isSmtpErrorsError, MAX_CLASS_ID, PROVIDER_CODES, type ProviderCode, type SmtpErrorsError } from './index.js';
import { providerCodeFrom } from './provider-codes.js';
import { RuleMatcher } from './rules.js';

const thrown = (fn: () => unknown): SmtpErrorsError => thrownBy(fn, isSmtpErrorsError);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Phrase rules off: only the provider codes and the status codes decide. */
const bare = createClassifier({ builtinRules: false });
const byCode = (provider: string): ProviderCode[] => PROVIDER_CODES.filter((c) => c.provider === provider);
const KEPT_IN_4XX = new Set([10, 22, 23]);

describe('the provider code table', () => {
  it('lists each code once, frozen, with provider, family, meaning, a built-in class and a source', () => {
    const builtin = new Set(BUILTIN_CLASSES.map((c) => c.id));
    expect(Object.isFrozen(PROVIDER_CODES)).toBe(true);
    for (const c of PROVIDER_CODES) {
      expect(Object.isFrozen(c), c.code).toBe(true);
      expect(c.meaning.length, c.code).toBeGreaterThan(10);
      expect(c.source, c.code).toMatch(/https?:\/\//);
      expect(builtin.has(c.id), c.code).toBe(true);
    }
    expect(new Set(PROVIDER_CODES.map((c) => c.code)).size).toBe(PROVIDER_CODES.length);
  });

  it.each([
    ['netease', /^[A-Z]{2}:[A-Z]{3}$/, 18],
    ['sophos', /^XGEMAIL_00(0[1-9]|1[0-5])$/, 15],
    ['comcast', /^(ES|BL)0[01]{5}$/, 10],
    ['att', /^net 00[1-9]$/, 8],
    ['cox', /^(CX[A-Z]{2,4}|CDRBL|IPBL[01]{4})$/, 17],
  ] as const)('%s: every code has its documented form and starts with its family', (provider, form, count) => {
    const codes = byCode(provider);
    expect(codes).toHaveLength(count);
    for (const c of codes) {
      expect(c.code).toMatch(form);
      expect(c.code.startsWith(c.family)).toBe(true);
    }
  });

  it('every code decides its own class in a permanent reply, and in a temporary one as the guide says', () => {
    for (const c of PROVIDER_CODES) {
      const permanent = classify(`550 5.7.1 [${c.code}] message refused`);
      expect([permanent.id, permanent.rule], c.code).toEqual([c.id, { kind: 'provider-code', provider: c.provider, code: c.code }]);
      const temporary = classify(`451 4.7.1 [${c.code}] try again later`);
      expect(temporary.id, c.code).toBe(KEPT_IN_4XX.has(c.id) ? c.id : 70);
      // a hard class (10) is never transient, whatever the reply (see Classification)
      expect(temporary.transient, c.code).toBe(temporary.id !== 10);
    }
  });
});

describe('each vendor, read by the meaning it documents', () => {
  it.each([
    // NetEase: one prefix, different meanings (a connection limit, a suspension, an allow list)
    ['554 HL:ICC 192.0.2.1 too many connections', 70],
    ['554 HL:IHU 192.0.2.1 mail sent from this IP is refused', 51],
    ['554 HL:IPB 192.0.2.1 not in the allowed list', 50],
    ['554 DT:SPM 192.0.2.1 mail content rejected', 52],
    ['550 WM:BLU user@example.com sender not allowed', 50],
    // Sophos Central Email
    ['550 5.7.1 Message rejected: the sending domain failed authentication (XGEMAIL_0003)', 50],
    ['554 5.7.1 Sender IP address failed a reputation check: XGEMAIL_0004', 51],
    ['554 5.7.1 XGEMAIL_0007 service not available for this domain', 40],
    ['550 5.7.1 Blocked by administrator policy XGEMAIL_0008', 50],
    ['550 5.7.1 Relay not allowed for this domain. XGEMAIL_0010', 54],
    ['550 5.1.1 <user@example.com>: XGEMAIL_0011 rejected', 10],
    ['552 5.3.4 XGEMAIL_0012 message exceeds the permitted size', 23],
    ['550 5.7.1 XGEMAIL_0015 too much mail for this recipient', 70],
    // Comcast
    ['554 resimta-h1p-000001.sys.comcast.net comcast 192.0.2.1 Comcast ES000010 See https://postmaster.comcast.net/', 51],
    ['550 5.7.1 mx.comcast.net 192.0.2.1 Comcast BL000000 Blocked for spam', 51],
    ['554 mx.example.net comcast 198.51.100.42 Comcast BL000110 (see the postmaster site)', 51],
    // AT&T / BellSouth
    ['550 Error: net 001: you are not allowed to send e-mail to user@bellsouth.net', 50],
    ['550 5.2.2 <user@att.net>... Mailbox unavailable [net 004]', 22],
    ['554 net 005 8-bit MIME content is not supported here', 40],
    ['552 Error: net 006 message too large for the destination system', 23],
    ['550 5.7.1 net 007 your current IP address may not relay to example.net', 54],
    ['550 5.7.1 Connections not accepted: net 008 no reverse DNS for 192.0.2.1', 50],
    ['550 5.1.1 <nobody@sbcglobal.net>... Error: net 009', 10],
    // Cox, after AUP#: the sending IP's standing, the sender's domain, connection and recipient limits
    ['554 cmsmtp 192.0.2.1 blocked. Refer to Error Codes section at https://www.cox.com/internet/support/email-error-codes.html for more information. AUP#CXBL', 51],
    ['550 5.1.0 <a@example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/internet/support/email-error-codes.html for more information. AUP#CDRBL', 51],
    ['554 cmsmtp 192.0.2.1 rejected. AUP#IPBL0101', 51],
    ['554 cmsmtp 192.0.2.1 rejected. AUP#IPBL1000', 51],
    ['554 cmsmtp 192.0.2.1 rejected. AUP#CXDNS', 50],
    ['550 5.1.0 <a@example.com> sender rejected. AUP#CXSNDR', 50],
    ['554 cmsmtp 192.0.2.1 rejected. AUP#CXSMTP', 50],
    ['421 4.7.1 cmsmtp blocked. AUP#CXCNCT: retry timeout exceeded', 70],
    ['550 5.7.1 cmsmtp too many recipients. AUP#CXMXRT', 70],
    ['550 5.7.1 Email sending limited due to suspicious account activity. AUP#CXTHRT', 50],
  ])('%s -> %i', (text, id) => {
    const c = classify(text);
    expect(c.id).toBe(id);
    expect(c.rule.kind).toBe('provider-code');
  });

  it('names the provider and the very code that decided', () => {
    expect(classify('554 HL:IHU').rule).toEqual({ kind: 'provider-code', provider: 'netease', code: 'HL:IHU' });
    expect(classify('550 XGEMAIL_0002 SPF failed').rule).toEqual({ kind: 'provider-code', provider: 'sophos', code: 'XGEMAIL_0002' });
    expect(classify('554 Comcast BL000001').rule).toEqual({ kind: 'provider-code', provider: 'comcast', code: 'BL000001' });
    expect(classify('550 [net 003]').rule).toEqual({ kind: 'provider-code', provider: 'att', code: 'net 003' });
    expect(classify('554 AUP#CXBL').rule).toEqual({ kind: 'provider-code', provider: 'cox', code: 'CXBL' });
  });

  it('leaves out what a vendor page does not explain: later Comcast rows, AT&T net 002', () => {
    // decided by the phrase rules and the words, not by a provider code
    expect(classify('421 192.0.2.1 Comcast RL000001 rate limited').rule.kind).not.toBe('provider-code');
    expect(classify('554 Comcast BL001000').rule.kind).not.toBe('provider-code');
    const c = classify('550 net 002: This e-mail was undeliverable due to the following reason: mailbox is full');
    expect(c.rule.kind).not.toBe('provider-code');
    expect(c.id).toBe(22);
  });
});

describe('a code must stand alone and match exactly', () => {
  it.each([
    ['XGEMAIL_0001', 'sophos'],
    ['(XGEMAIL_0001)', 'sophos'],
    ['rejected:XGEMAIL_0001.', 'sophos'],
    ['_XGEMAIL_0001_', 'sophos'],
    ['code=BL000001;', 'comcast'],
    ['#BL000000', 'comcast'],
    ['Error: net 009', 'att'],
    ['[net 009]', 'att'],
    // white space reads as one space, however it was padded or folded
    ['net  009', 'att'],
    ['net\r\n 009', 'att'],
    ['HL:IHU', 'netease'],
    [':HL:IHU:', 'netease'],
    ['550 DT:SPM.', 'netease'],
  ])('%s is read', (text, provider) => {
    expect(bare.classify(text).rule).toMatchObject({ kind: 'provider-code', provider });
  });

  it.each([
    'XGEMAIL_00011',
    'XGEMAIL_0001A',
    'AXGEMAIL_0001',
    '1XGEMAIL_0001',
    'XGEMAIL_001',
    'xgemail_0001',
    'AES000010',
    'ES0000100',
    'BL0000011',
    'bl000001',
    '9BL000001',
    'inet 001',
    'Ethernet 009',
    'net 0090',
    'NET 009',
    'XHL:IHU',
    'HL:IHUX',
    '1HL:IHU',
    'HL:IHU2',
    'HL:IH',
    'hl:ihu',
    'HL:ZZZ',
    '12:30 RE: HL:',
    '',
  ])('%j is not read', (text) => {
    expect(bare.classify(text).rule.kind).not.toBe('provider-code');
    expect(bare.classify(encode(text)).rule.kind).not.toBe('provider-code');
  });

  it('the first code to end decides; of two ending together, the longer', () => {
    expect(classify('550 net 009 (Comcast BL000001)').rule).toMatchObject({ code: 'net 009' });
    expect(classify('550 BL000001 then net 009').rule).toMatchObject({ code: 'BL000001' });
    // a near miss before a real code does not hide it
    expect(classify('550 XGEMAIL_00011 XGEMAIL_0011').rule).toMatchObject({ code: 'XGEMAIL_0011' });
    const c = createClassifier({
      providerCodes: [
        { code: '12', provider: 'short', id: 22 },
        { code: 'AB 12', provider: 'long', id: 23 },
      ],
    });
    expect(c.classify('550 AB 12').rule).toMatchObject({ provider: 'long' });
    expect(c.classify('550 XAB 12').rule).toMatchObject({ provider: 'short' });
  });

  it('a code cut by the length limit is not read; one that ends at the limit is', () => {
    expect(classify('550 5.7.1 XGEMAIL_0011', { length: 21 }).rule.kind).not.toBe('provider-code');
    expect(classify('550 5.7.1 XGEMAIL_0011', { length: 22 }).rule).toMatchObject({ code: 'XGEMAIL_0011' });
    expect(classify('550 5.7.1 XGEMAIL_00119', { length: 22 }).rule).toMatchObject({ code: 'XGEMAIL_0011' });
  });

  it('finds a code after a long run of near misses', () => {
    const text = `${'XGEMAIL_000 BL00000 net 00 HL:IH '.repeat(1500)}550 DT:SPM`;
    expect(bare.classify(text).rule).toMatchObject({ code: 'DT:SPM' });
    expect(bare.classify(encode(text)).rule).toMatchObject({ code: 'DT:SPM' });
  });
});

describe('strings and bytes read alike', () => {
  const texts = [
    '550 5.7.1 XGEMAIL_0004',
    '550 Comcast ES000001 ',
    '451 4.7.1 [net 007]',
    '554 HL:IHU',
    'XGEMAIL_00011',
    '550 5.1.1 Адресат не найден XGEMAIL_0011',
    '550 net 009 — адрес не найден',
    'ユーザー不明 BL000001',
  ];

  it.each(texts)('%s', (text) => {
    const fromText = classify(text);
    const fromBytes = classify(encode(text));
    expect([fromBytes.id, fromBytes.rule]).toEqual([fromText.id, fromText.rule]);
  });

  it('agree with the obvious definition on random texts, as strings and as bytes', () => {
    const codes = ['XGEMAIL_0011', 'BL000001', 'ES000010', 'net 009', 'HL:IHU', 'DT:SPM', 'AB 12', '12'];
    const matcher = new RuleMatcher([], [], codes);
    /** Reference: the code ending first (the longer of two ending together) with no letter or digit beside it. */
    const naive = (text: string): number => {
      const word = (k: number): boolean => k >= 0 && k < text.length && /[A-Za-z0-9]/.test(text[k]!);
      for (let end = 1; end <= text.length; end++) {
        let best = -1;
        codes.forEach((code, k) => {
          const start = end - code.length;
          if (start >= 0 && text.slice(start, end) === code && !word(start - 1) && !word(end) && (best < 0 || code.length > codes[best]!.length)) best = k;
        });
        if (best >= 0) return best;
      }
      return -1;
    };
    const piece = fc.constantFrom(...codes, 'xgemail_0011', 'XGEMAIL_001', 'BL00000', 'net 00', 'HL:', 'A', '9', ' ', ':', '_', '.', 'я', 'b');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        matcher.match(text, undefined);
        expect(matcher.code).toBe(naive(text));
        const bytes = encode(text);
        if (matcher.matchAscii(bytes, bytes.length, undefined)) expect(matcher.code).toBe(naive(text));
      }),
      { numRuns: process.env['SMTPKIT_MUTATION_PACKAGE'] === undefined ? 400 : 40 },
    );
  });
});

describe('temporary replies', () => {
  it.each([
    // reputation, content and policy meanings: deferrals
    ['450 DT:RBL http://www.example.org/rbl', 70],
    ['421 4.7.0 Comcast BL000001 try again later', 70],
    ['451 4.7.1 XGEMAIL_0001 temporary failure', 70],
    ['450 WM:BLU user@example.com', 70],
    ['451 4.7.1 HL:IHU 192.0.2.1', 70],
    ['451 DT:SPM', 70],
    ['451 net 007 relaying temporarily refused', 70],
    ['451 4.3.0 net 005', 70],
    // recipient, quota and size meanings keep their class
    ['450 4.1.1 XGEMAIL_0011', 10],
    ['452 4.2.2 [net 004]', 22],
    ['452 4.3.4 XGEMAIL_0012', 23],
    // a rate limit is a transient failure in either class of reply
    ['451 MI:SFQ', 70],
    ['554 HL:ICC', 70],
  ])('%s -> %i', (text, id) => {
    const c = classify(text);
    expect([c.id, c.rule.kind, c.transient]).toEqual([id, 'provider-code', id !== 10 && text.startsWith('4')]);
  });

  it('with no reply code, the enhanced code says whether the reply is temporary', () => {
    expect(classify('4.7.1 XGEMAIL_0004').id).toBe(70);
    expect(classify('5.7.1 XGEMAIL_0004').id).toBe(51);
    expect(classify('4.7.1 HL:IHU').id).toBe(70);
    expect(classify('5.7.1 HL:IHU').id).toBe(51);
    // no code at all: nothing says temporary
    expect(classify('XGEMAIL_0004')).toMatchObject({ id: 51, transient: true });
  });

  it("a custom class keeps its id in a temporary reply, a built-in block class does not", () => {
    const c = createClassifier({
      classes: [{ id: 99, name: 'Vendor hold', description: 'Held by the vendor.', category: 'soft' }],
      providerCodes: [
        { code: 'HOLD-1', provider: 'example', id: 99 },
        { code: 'HOLD-2', provider: 'example', id: 52 },
      ],
    });
    expect(c.classify('451 HOLD-1').id).toBe(99);
    expect(c.classify('451 HOLD-2').id).toBe(70);
    expect(c.classify('554 HOLD-2').id).toBe(52);
  });
});

describe('precedence', () => {
  it('decides with the phrase rules switched off, and gives way to the operator’s own rules', () => {
    expect(bare.classify('554 HL:ICC').id).toBe(70);
    expect(bare.classify('550 Error: net 009').id).toBe(10);
    expect(createClassifier({ rules: ',10,hl:icc' }).classify('554 HL:ICC')).toMatchObject({ id: 10, rule: { kind: 'user-rule' } });
    const domain = createClassifier({ rules: 'example.com,22,xgemail' });
    expect(domain.classify('550 XGEMAIL_0004', { domain: 'example.com' })).toMatchObject({ id: 22, rule: { kind: 'domain-rule' } });
    expect(domain.classify('550 XGEMAIL_0004', { domain: 'example.org' })).toMatchObject({ id: 51, rule: { kind: 'provider-code' } });
  });

  it('outranks a phrase rule and a status code in the same reply', () => {
    // "user unknown" and 5.1.1 say recipient; the documented code says the content
    expect(classify('550 5.1.1 user unknown DT:SPM').id).toBe(52);
    expect(classify('550 5.7.1 Client host rejected: Comcast ES000001').id).toBe(51);
  });
});

describe('the providerCodes option', () => {
  it('adds codes of your own, read like the built-in ones', () => {
    const c = createClassifier({
      providerCodes: [{ code: 'RX-0042', provider: 'example-mx', family: 'RX', id: 51, meaning: 'sending IP on our block list', source: 'https://mx.example/codes' }],
    });
    expect(c.classify('550 5.7.1 RX-0042 see https://mx.example/codes')).toMatchObject({ id: 51, rule: { kind: 'provider-code', provider: 'example-mx', code: 'RX-0042' } });
    expect(c.classify(encode('550 RX-0042')).rule).toMatchObject({ code: 'RX-0042' });
    expect(c.classify('550 RX-00421').rule.kind).not.toBe('provider-code');
    // the built-in codes are still read
    expect(c.classify('554 HL:IHU').rule).toMatchObject({ provider: 'netease' });
    // and nothing leaks into other classifiers
    expect(classify('550 RX-0042').rule.kind).not.toBe('provider-code');
    expect(createClassifier().classify('550 RX-0042').rule.kind).not.toBe('provider-code');
  });

  it('a code of the same text replaces the built-in one', () => {
    const c = createClassifier({ providerCodes: [{ code: 'HL:ICC', provider: 'mine', id: 51 }] });
    expect(c.classify('554 HL:ICC')).toMatchObject({ id: 51, rule: { kind: 'provider-code', provider: 'mine', code: 'HL:ICC' } });
    expect(classify('554 HL:ICC')).toMatchObject({ id: 70, rule: { provider: 'netease' } });
  });

  it('takes built-in entries as they are, an empty list, and classes registered in the same options', () => {
    const entry = PROVIDER_CODES.find((p) => p.code === 'net 009')!;
    expect(createClassifier({ providerCodes: [{ ...entry, id: 50 }] }).classify('550 net 009').id).toBe(50);
    expect(createClassifier({ providerCodes: [] }).classify('550 net 009').id).toBe(10);
    const c = createClassifier({
      classes: [{ id: 120, name: 'Vendor', description: 'A vendor class.', category: 'block' }],
      providerCodes: [{ code: 'V1', provider: 'v', id: 120 }],
    });
    expect(c.classify('550 V1').id).toBe(120);
  });

  it('keeps its own copy of each entry', () => {
    const entry = { code: 'ZZ 77', provider: 'z', id: 10 };
    const c = createClassifier({ providerCodes: [entry] });
    entry.id = 51;
    expect(c.classify('550 ZZ 77').id).toBe(10);
    expect(Object.isFrozen(providerCodeFrom(entry))).toBe(true);
    expect(providerCodeFrom({ code: 'AB', provider: 'p', id: 10 })).toEqual({ code: 'AB', provider: 'p', family: '', meaning: '', id: 10, source: '' });
  });

  it.each([
    ['a string', 'XGEMAIL_0001'],
    ['an object', { code: 'AB', provider: 'p', id: 10 }],
    ['null', null],
  ])('a value that is not an array (%s) throws ERR_SMTP_INVALID_OPTION', (_what, value) => {
    expect(thrown(() => createClassifier({ providerCodes: value as never })).code).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it.each([
    ['not an object', 'AB'],
    ['null', null],
    ['no code', { provider: 'p', id: 10 }],
    ['a code that is not a string', { code: 12, provider: 'p', id: 10 }],
    ['a code that is a bigint', { code: 12n, provider: 'p', id: 10 }],
    ['a one-character code', { code: 'A', provider: 'p', id: 10 }],
    ['a code of 65 characters', { code: 'A'.repeat(65), provider: 'p', id: 10 }],
    ['a code starting with a space', { code: ' AB', provider: 'p', id: 10 }],
    ['a code ending in punctuation', { code: 'AB:', provider: 'p', id: 10 }],
    ['a code with a control character', { code: 'A\tB', provider: 'p', id: 10 }],
    ['a code outside ASCII', { code: 'AÄB', provider: 'p', id: 10 }],
    ['no provider', { code: 'AB', id: 10 }],
    ['a blank provider', { code: 'AB', provider: '  ', id: 10 }],
    ['a family that is not a string', { code: 'AB', provider: 'p', id: 10, family: 1 }],
    ['a meaning that is not a string', { code: 'AB', provider: 'p', id: 10, meaning: null }],
    ['a source that is not a string', { code: 'AB', provider: 'p', id: 10, source: {} }],
  ])('an entry with %s throws ERR_SMTP_PROVIDER_CODE_INVALID', (_what, entry) => {
    const e = thrown(() => createClassifier({ providerCodes: [entry as never] }));
    expect(e.code).toBe('ERR_SMTP_PROVIDER_CODE_INVALID');
    expect(e.package).toBe('smtp-errors');
  });

  it('the same code twice throws ERR_SMTP_PROVIDER_CODE_INVALID', () => {
    const twice = [
      { code: 'AB', provider: 'p', id: 10 },
      { code: 'AB', provider: 'q', id: 22 },
    ];
    expect(thrown(() => createClassifier({ providerCodes: twice })).code).toBe('ERR_SMTP_PROVIDER_CODE_INVALID');
    // the same letters in another case are another code
    expect(createClassifier({ providerCodes: [twice[0]!, { code: 'ab', provider: 'q', id: 22 }] }).classify('550 ab').id).toBe(22);
  });

  it.each([0, 1.5, '51', MAX_CLASS_ID + 1])('a class id of %j throws ERR_SMTP_CLASS_INVALID_ID', (id) => {
    expect(thrown(() => createClassifier({ providerCodes: [{ code: 'AB', provider: 'p', id: id as number }] })).code).toBe('ERR_SMTP_CLASS_INVALID_ID');
  });

  it('a class that is not registered throws ERR_SMTP_CLASS_UNKNOWN', () => {
    expect(thrown(() => createClassifier({ providerCodes: [{ code: 'AB', provider: 'p', id: 99 }] })).code).toBe('ERR_SMTP_CLASS_UNKNOWN');
  });
});
