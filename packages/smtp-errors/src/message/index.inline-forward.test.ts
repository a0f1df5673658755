// A bounce a person forwarded inline, as mail clients write a forward in the body (Apple Mail's
// `Begin forwarded message:` with the original quoted by `>`, Gmail's `---------- Forwarded
// message ---------`, Thunderbird's `-------- Forwarded Message --------`): the forwarded bounce
// is read from its quoted header lines and text, not the forwarder's own note. A double bounce that
// only mentions a forwarded message, or returns a message holding such a forward, keeps its own
// recipient.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

const summary = async (raw: string): Promise<unknown[]> => {
  const r = await classifyMessage(raw);
  return [r.kind, r.recipients.map((x) => [x.address, x.status, x.class.id])];
};

const PERSON = 'From: "Alice" <alice@sender.test>\nTo: helpdesk@sender.test\nSubject: Fwd: Returned mail: see transcript for details\nDate: Wed, 6 May 2009 00:00:00 +0900\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n';

const SENDMAIL_TEXT = [
  'The original message was received at Thu, 29 Apr 2009 23:45:01 +0900',
  'from [192.0.2.31]',
  '',
  '   ----- The following addresses had permanent fatal errors -----',
  '<x@rcpt.test>',
  '    (reason: 550 5.1.1 <x@rcpt.test>... User unknown)',
  '',
  '   ----- Transcript of session follows -----',
  '... while talking to mx.rcpt.test.:',
  '>>> DATA',
  '<<< 550 5.1.1 <x@rcpt.test>... User unknown',
  '',
  'Reporting-MTA: dns; mx.sender.test',
  '',
  'Final-Recipient: RFC822; x@rcpt.test',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: DNS; mx.rcpt.test',
  'Diagnostic-Code: SMTP; 550 5.1.1 <x@rcpt.test>... User unknown',
];

const QMAIL_TEXT = [
  'Hi. This is the qmail-send program at mx.sender.test.',
  "I'm afraid I wasn't able to deliver your message to the following addresses.",
  "This is a permanent error; I've given up. Sorry it didn't work out.",
  '',
  '<y@rcpt.test>:',
  'Remote host said: 552 5.2.2 <y@rcpt.test>: mailbox full',
];

const quote = (lines: readonly string[]): string => lines.map((l) => (l === '' ? '>' : `> ${l}`)).join('\n');

describe('classifyMessage: a bounce forwarded inline', () => {
  it('Apple Mail: `Begin forwarded message:`, the bounce quoted with `>`: the forwarded report is read', async () => {
    const raw = `${PERSON}Forward the message.\n\nBegin forwarded message:\n\n${quote(['From: Mail Delivery Subsystem <MAILER-DAEMON>', 'Date: Thu, 29 Apr 2009 23:45:01 +0900', 'To: <alice@sender.test>', 'Subject: Returned mail: see transcript for details', 'Message-Id: <b@mx.sender.test>', '', ...SENDMAIL_TEXT])}\n`;
    expect(await summary(raw)).toEqual(['bounce', [['x@rcpt.test', '5.1.1', 10]]]);
  });

  it('Gmail: `---------- Forwarded message ---------`, unquoted: the forwarded free-text bounce is read', async () => {
    const raw = `${PERSON}Can you check why?\n\n---------- Forwarded message ---------\nFrom: Mail Delivery System <MAILER-DAEMON@mx.sender.test>\nDate: Thu, 29 Apr 2009 at 23:45\nSubject: failure notice\nTo: <alice@sender.test>\n\n\n${QMAIL_TEXT.join('\n')}\n\n-- \nAlice\n`;
    expect(await summary(raw)).toEqual(['bounce', [['y@rcpt.test', '5.2.2', 22]]]);
  });

  it('Thunderbird: `-------- Forwarded Message --------`, Subject first, a bounce by its subject alone', async () => {
    const raw = `${PERSON}\n-------- Forwarded Message --------\nSubject:\tUndelivered Mail Returned to Sender\nDate:\tThu, 29 Apr 2009 23:45:01 +0900\nFrom:\tmail system <mail@mx.sender.test>\nTo:\talice@sender.test\n\n${QMAIL_TEXT.join('\n')}\n`;
    expect(await summary(raw)).toEqual(['bounce', [['y@rcpt.test', '5.2.2', 22]]]);
  });

  it('a quoted forward followed by the forwarder\'s own text: the forwarded bounce ends at the first line not quoted', async () => {
    const raw = `${PERSON}Begin forwarded message:\n\n${quote(['From: Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.test>', 'Subject: failure notice', '', ...QMAIL_TEXT])}\n\nThanks, Alice\n`;
    const r = await classifyMessage(raw);
    expect([r.kind, r.recipients.map((x) => x.address)]).toEqual(['bounce', ['y@rcpt.test']]);
  });

  it('a bounce forwarded inline by postmaster with a Fwd: subject is read as the forwarded bounce', async () => {
    const raw = `From: postmaster@sender.test\nTo: helpdesk@sender.test\nSubject: Fwd: failure notice\n\nThis one could not be delivered, see below.\n\n---------- Forwarded message ---------\nFrom: MAILER-DAEMON@mx.sender.test\nSubject: failure notice\nTo: <s@sender.test>\n\n${QMAIL_TEXT.join('\n')}\n`;
    expect(await summary(raw)).toEqual(['bounce', [['y@rcpt.test', '5.2.2', 22]]]);
  });

  it('a forwarded message that is no bounce is not read in place of the forward', async () => {
    const raw = `${PERSON.replace('Fwd: Returned mail: see transcript for details', 'Fwd: lunch')}See below.\n\n---------- Forwarded message ---------\nFrom: Carol <carol@rcpt.test>\nSubject: lunch\n\nUser unknown is my favourite band: x@rcpt.test\n`;
    expect((await classifyMessage(raw)).kind).toBe('other');
  });

  it('a double bounce whose text mentions a forwarded message, with no forwarded header lines, keeps its own recipient', async () => {
    const raw = 'From: MAILER-DAEMON@mx.rcpt.test\nTo: s@sender.test\nSubject: failure notice\n\nThe forwarded message could not be delivered to the following addresses.\n---------- Forwarded message ---------\n\n<s@sender.test>:\n552 5.2.2 mailbox full\n';
    expect(await summary(raw)).toEqual(['bounce', [['s@sender.test', '5.2.2', 22]]]);
  });

  it('a double bounce returning, inline, a forward of a bounce keeps its own recipient (the note comes after the copy of the returned message starts)', async () => {
    const returned = `From: alice@sender.test\nSubject: Fwd: failure notice\n\nBegin forwarded message:\n\n${quote(['From: MAILER-DAEMON@mx.sender.test', 'Subject: failure notice', '', ...QMAIL_TEXT])}\n`;
    const raw = `From: MAILER-DAEMON@mx.rcpt.test\nTo: alice@sender.test\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.rcpt.test.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<helpdesk@rcpt.test>:\nRemote host said: 550 5.1.1 user unknown\n\n--- Below this line is a copy of the message.\n\n${returned}`;
    expect(await summary(raw)).toEqual(['bounce', [['helpdesk@rcpt.test', '5.1.1', 10]]]);
  });

  it('a bounce sender whose own text reports a failure before a forward note, with no forward subject, keeps its own recipient', async () => {
    const raw = `From: MAILER-DAEMON@mx.rcpt.test\nTo: s@sender.test\nSubject: Mail delivery failed\n\nYour message could not be delivered.\n\n<s@sender.test>: 552 5.2.2 mailbox full\n\n---------- Forwarded message ---------\nFrom: MAILER-DAEMON@mx.sender.test\nSubject: failure notice\n\n${QMAIL_TEXT.join('\n')}\n`;
    const r = await classifyMessage(raw);
    expect(r.recipients[0]?.address).toBe('s@sender.test');
  });
});
