/**
 * Classify rejected recipients: decide to retry, suppress or alert, and see why.
 * Run: pnpm tsx packages/smtp-errors/examples/classify-bounces.ts
 */
import { classify, createClassifier, isSmtpErrorsError } from 'smtp-errors';

const replies = [
  'host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.1.1 The email account that you tried to reach does not exist. (in reply to RCPT TO command)',
  '452 4.2.2 The email account that you tried to reach is over quota.',
  '550 5.7.606 Access denied, banned sending IP [192.0.2.1].',
  '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints',
  '552 mailbox full',
];
for (const reply of replies) {
  const c = classify(reply);
  // `action` is the one field to switch on: suppress, retry, alert, ignore or review.
  console.log(`${c.id} ${c.name} (${c.category}, transient=${c.transient}) -> ${c.action}; decided by ${JSON.stringify(c.rule)}`);
}

// Your own classes and rules, isolated from the default instance.
const mine = createClassifier({
  classes: [{ id: 99, name: 'Profanity', description: 'Rejected for language.', category: 'block' }],
  rules: ['# domain,bounce_code,rule', ',99,watch your language', 'example.com,10,box|not here'].join('\n'),
});
console.log(mine.classify('550 Watch your language!').name);
console.log(mine.classify('550 mailbox is not here', { domain: 'example.com' }).rule);

// Structural replies, e.g. from smtp-reply-reader:
console.log(mine.classify({ code: 552, enhanced: { class: 5, subject: 3, detail: 4 }, text: 'too big' }).name);

try {
  mine.registerClass(10, 'Mine', 'Taken', 'hard');
} catch (e) {
  if (isSmtpErrorsError(e)) console.log(e.code); // ERR_SMTP_CLASS_BUILTIN
}
