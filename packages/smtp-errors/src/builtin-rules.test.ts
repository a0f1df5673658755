import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, classify, forId } from './index.js';
import { CONNECTION_RULE_NAMES, DEFERRAL_RULE_NAMES, EXPIRY_RULE_NAMES, GENERIC_RULE_NAMES } from './builtin-rules.js';

describe('built-in rules: every rule classifies its own example reply', () => {
  it('has unique names and valid classes', () => {
    expect(new Set(BUILTIN_RULES.map((r) => r.name)).size).toBe(BUILTIN_RULES.length);
    for (const r of BUILTIN_RULES) expect(forId(r.id), r.name).toBeDefined();
  });

  it('names only existing rules in the sets the classifier reads them by (a misspelt name would read nothing)', () => {
    const names = new Set(BUILTIN_RULES.map((r) => r.name));
    for (const set of [CONNECTION_RULE_NAMES, EXPIRY_RULE_NAMES, DEFERRAL_RULE_NAMES, GENERIC_RULE_NAMES]) {
      for (const name of set) expect(names.has(name), name).toBe(true);
    }
    // the deferral rules decide a transient failure (70), which a reason named beside them refines
    for (const name of DEFERRAL_RULE_NAMES) expect(BUILTIN_RULES.find((r) => r.name === name)!.id, name).toBe(70);
    expect(classify('452 4.2.2 Mailbox full, please try again later').id).toBe(22);
  });

  // Examples that carry a code its vendor documents (PROVIDER_CODES) are decided by that code, which
  // decides before the phrase rules; the vendor's page gives it the same class as the rule.
  const byProviderCode: Readonly<Record<string, string>> = { 'comcast-es-family': 'ES000010', 'comcast-spam-block': 'BL000000' };

  it.each(BUILTIN_RULES.map((r) => [r.name, r] as const))('%s', (_name, rule) => {
    const c = classify(rule.example);
    const code = byProviderCode[rule.name];
    expect(c.rule).toEqual(code === undefined ? { kind: 'builtin-rule', name: rule.name, pattern: rule.pattern } : { kind: 'provider-code', provider: 'comcast', code });
    // A soft bounce (20) in a temporary (4xx) reply reads as a transient failure (70).
    const temporary = /^4\d\d[ -]/.test(rule.example);
    expect(c.id).toBe(rule.id === 20 && temporary ? 70 : rule.id);
  });
});

describe('provider replies as they arrive', () => {
  it.each([
    ['Gmail no such user, wrapped by Postfix', "host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. (in reply to RCPT TO command)", 10],
    ['Microsoft banned IP', '550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/', 51],
    ['Microsoft 4.7.650 (code only)', '451 4.7.650 see https://aka.ms/postmaster', 51],
    ['Yahoo TS01', '421 4.7.0 [TS01] Messages from 192.0.2.1 temporarily deferred due to user complaints - 4.16.55.1', 51],
    ['Exim wrapper', 'SMTP error from remote mail server after RCPT TO:<a@example.jp>: host mx.example.jp [192.0.2.12]: 550 5.2.2 <a@example.jp>... Mailbox Full', 22],
    ['Exchange DSN', "Diagnostic information for administrators: Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient a@example.com not found by SMTP address lookup'", 10],
    ['qmail expiry', "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1) I'm not going to try again; this message has been in the queue too long.", 24],
    ['sender-side rejection wins over the DNS wording after it', '450 4.1.8 <bounce@example.invalid>: Sender address rejected: Domain not found', 50],
    ['sender-side rejection wins over recipient wording after it', '550 5.1.0 <bounce@example.com>: Sender address rejected: User unknown in local recipient table', 50],
    ['expiry notice wins over the last error it quotes', '554 4.4.7 Message expired: unable to deliver in 840 minutes.<451 4.3.0 please try again later>', 24],
    ['follow-on "no valid recipients" loses to the first rejection', '550 5.1.1 <a@example.com>: Recipient address rejected: User unknown 554 5.5.1 Error: no valid recipients', 10],
    ['non-ASCII reply with an enhanced code', '550 5.1.1 Адресат не найден / ユーザーが見つかりません', 10],
  ])('%s', (_n, text, id) => {
    expect(classify(text).id).toBe(id);
  });
});
