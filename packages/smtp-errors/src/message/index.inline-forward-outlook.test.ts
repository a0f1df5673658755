// A bounce forwarded inline in the two layouts the first inline-forward reader left out: Outlook's
// `-----Original Message-----` block (`From:`, `Sent:`, `To:`, `Subject:`, or the names a
// localized Outlook writes there, such as German `Von:`/`Gesendet:` or French `De :`/`Envoyé :`),
// and a forward of a forward, the inner forward note and header lines quoted once more. The
// forwarded bounce is read (its recipients, and the original message from the copy it returns); a
// forward of no bounce, and a double bounce, are not.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

const summary = async (raw: string): Promise<unknown[]> => {
  const r = await classifyMessage(raw);
  return [r.kind, r.recipients.map((x) => [x.address, x.status, x.class.id]), r.original.subject];
};

const person = (subject: string): string =>
  `From: "Alice" <alice@sender.test>\nTo: helpdesk@sender.test\nSubject: ${subject}\nDate: Wed, 6 May 2009 00:00:00 +0900\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n`;

const QMAIL_TEXT = [
  'Hi. This is the qmail-send program at mx.sender.test.',
  "I'm afraid I wasn't able to deliver your message to the following addresses.",
  "This is a permanent error; I've given up. Sorry it didn't work out.",
  '',
  '<y@rcpt.test>:',
  'Remote host said: 552 5.2.2 <y@rcpt.test>: mailbox full',
  '',
  '--- Below this line is a copy of the message.',
  '',
  'Return-Path: <alice@sender.test>',
  'From: alice@sender.test',
  'To: y@rcpt.test',
  'Subject: hello',
  '',
  'hi',
];
const QMAIL = ['y@rcpt.test', '5.2.2', 22];

/** A sendmail bounce, its report pasted as text and a copy of the returned message's header lines after it. */
const SENDMAIL_TEXT = [
  'The original message was received at Thu, 29 Apr 2009 23:45:01 +0900',
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
  'Diagnostic-Code: SMTP; 550 5.1.1 <x@rcpt.test>... User unknown',
  '',
  'Return-Path: <alice@sender.test>',
  'From: alice@sender.test',
  'To: x@rcpt.test',
  'Subject: hello',
  '',
  'hi',
];
const SENDMAIL = ['x@rcpt.test', '5.1.1', 10];

const quote = (lines: readonly string[], by = '> '): string => lines.map((l) => (l === '' ? by.trimEnd() : `${by}${l}`)).join('\n');

describe('classifyMessage: a bounce forwarded inline by Outlook (`-----Original Message-----`)', () => {
  it('English: From (in Outlook\'s `[mailto:]` form), Sent, To, Subject: the forwarded bounce is read', async () => {
    const raw = `${person('FW: failure notice')}Please look at this.\n\n-----Original Message-----\nFrom: Mail Delivery System [mailto:MAILER-DAEMON@mx.sender.test]\nSent: Thursday, April 29, 2009 11:45 PM\nTo: alice@sender.test\nSubject: failure notice\n\n${QMAIL_TEXT.join('\n')}\n`;
    expect(await summary(raw)).toEqual(['bounce', [QMAIL], 'hello']);
  });

  it('German: `-----Ursprüngliche Nachricht-----`, Von, Gesendet, An, Betreff, each line prefixed with `>` (Outlook\'s option for forwards)', async () => {
    const raw = `${person('WG: Unzustellbar')}Siehe unten.\n\n-----Ursprüngliche Nachricht-----\n${quote(['Von: Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.test>', 'Gesendet: Donnerstag, 29. April 2009 23:45', 'An: alice@sender.test', 'Betreff: Returned mail: see transcript for details', '', ...SENDMAIL_TEXT])}\n`;
    expect(await summary(raw)).toEqual(['bounce', [SENDMAIL], 'hello']);
  });

  it('German, unquoted: the qmail bounce under the block is read', async () => {
    const raw = `${person('WG: Unzustellbar')}Siehe unten.\n\n-----Ursprüngliche Nachricht-----\nVon: MAILER-DAEMON@mx.sender.test\nGesendet: Donnerstag, 29. April 2009 23:45\nAn: alice@sender.test\nBetreff: Unzustellbar\n\n${QMAIL_TEXT.join('\n')}\n`;
    expect(await summary(raw)).toEqual(['bounce', [QMAIL], 'hello']);
  });

  it('French: `-----Message d\'origine-----`, `De :`, `Envoyé :`, `À :`, `Objet :` (a space before each colon), prefixed with `>`', async () => {
    const raw = `${person('TR: Non remis')}Voir ci-dessous.\n\n-----Message d'origine-----\n${quote(['De : Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.test>', 'Envoyé : jeudi 29 avril 2009 23:45', 'À : alice@sender.test', 'Objet : Returned mail: see transcript for details', '', ...SENDMAIL_TEXT])}\n`;
    expect(await summary(raw)).toEqual(['bounce', [SENDMAIL], 'hello']);
  });

  it('an Outlook block quoted with `>` (a reply client quoting it) is read the same', async () => {
    const raw = `${person('FW: failure notice')}See below.\n\n${quote(['-----Original Message-----', 'From: MAILER-DAEMON@mx.sender.test', 'Sent: Thursday, April 29, 2009 11:45 PM', 'Subject: failure notice', '', ...QMAIL_TEXT])}\n`;
    expect(await summary(raw)).toEqual(['bounce', [QMAIL], 'hello']);
  });

  it('an Outlook block of a message that is no bounce is not read in place of the forward', async () => {
    const raw = `${person('FW: lunch')}See below.\n\n-----Original Message-----\nVon: Carol <carol@rcpt.test>\nGesendet: Donnerstag, 29. April 2009 23:45\nBetreff: lunch\n\nUser unknown is my favourite band: x@rcpt.test\n`;
    expect((await classifyMessage(raw)).kind).toBe('other');
  });

  it('a bounce whose returned copy opens with `----- Original message -----` and the message\'s own header lines (no `Sent:`) keeps its own recipient', async () => {
    const raw = `From: MAILER-DAEMON@mx.rcpt.test\nTo: alice@sender.test\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.rcpt.test.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<helpdesk@rcpt.test>:\nRemote host said: 550 5.1.1 user unknown\n\n----- Original message -----\nFrom: MAILER-DAEMON@mx.sender.test\nSubject: failure notice\n\n${QMAIL_TEXT.join('\n')}\n`;
    expect((await summary(raw)).slice(0, 2)).toEqual(['bounce', [['helpdesk@rcpt.test', '5.1.1', 10]]]);
  });

  it('localized names are read only in an Outlook block: `Von:` after a plain forward note is no From', async () => {
    const raw = `${person('Fwd: hello')}---------- Forwarded message ---------\nVon: MAILER-DAEMON@mx.sender.test\nSubject: hello\n\nUser unknown is my favourite band: x@rcpt.test\n`;
    expect((await classifyMessage(raw)).kind).toBe('other');
  });
});

describe('classifyMessage: a bounce in a forward of a forward', () => {
  it('Gmail forwarding an Apple Mail forward: the inner note and bounce quoted with `>` once more', async () => {
    const inner = quote(['Begin forwarded message:', '', ...quote(['From: MAILER-DAEMON@mx.sender.test', 'Subject: failure notice', '', ...QMAIL_TEXT]).split('\n')]);
    const raw = `${person('Fwd: Fwd: failure notice')}FYI\n\n---------- Forwarded message ---------\nFrom: Bob <bob@sender.test>\nDate: Thu, 30 Apr 2009 at 09:00\nSubject: Fwd: failure notice\nTo: <alice@sender.test>\n\n\nCan you forward this to the helpdesk?\n\n${inner}\n`;
    expect(await summary(raw)).toEqual(['bounce', [QMAIL], 'hello']);
  });

  it('Apple Mail forwarding an Apple Mail forward under a subject of its own: `>` then `>>`', async () => {
    const inner = ['From: Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.test>', 'To: <alice@sender.test>', 'Subject: Returned mail: see transcript for details', '', ...SENDMAIL_TEXT];
    const outer = ['From: Bob <bob@sender.test>', 'Subject: can you help?', '', 'Look at this.', '', 'Begin forwarded message:', '', ...quote(inner, '>').split('\n')];
    const raw = `${person('Fwd: can you help?')}Begin forwarded message:\n\n${quote(outer, '>')}\n`;
    expect(await summary(raw)).toEqual(['bounce', [SENDMAIL], 'hello']);
  });

  it('Gmail forwarding an Outlook forward, neither quoted', async () => {
    const raw = `${person('Fwd: FW: failure notice')}---------- Forwarded message ---------\nFrom: Bob <bob@sender.test>\nSubject: FW: failure notice\n\nsee below\n\n-----Original Message-----\nFrom: MAILER-DAEMON@mx.sender.test\nSent: Thursday, April 29, 2009 11:45 PM\nSubject: failure notice\n\n${QMAIL_TEXT.join('\n')}\n`;
    expect(await summary(raw)).toEqual(['bounce', [QMAIL], 'hello']);
  });

  it('a forward of a forward whose inner message is no bounce is not read as one', async () => {
    const inner = quote(['Begin forwarded message:', '', ...quote(['From: Carol <carol@rcpt.test>', 'Subject: lunch', '', 'User unknown is my favourite band: x@rcpt.test']).split('\n')]);
    const raw = `${person('Fwd: Fwd: lunch')}---------- Forwarded message ---------\nFrom: Bob <bob@sender.test>\nSubject: Fwd: lunch\n\n${inner}\n`;
    expect((await classifyMessage(raw)).kind).toBe('other');
  });

  it('a double bounce whose own text reports a failure before a forward of a forward keeps its own recipient', async () => {
    const inner = quote(['Begin forwarded message:', '', ...quote(['From: MAILER-DAEMON@mx.sender.test', 'Subject: failure notice', '', ...QMAIL_TEXT]).split('\n')]);
    const raw = `From: MAILER-DAEMON@mx.rcpt.test\nTo: s@sender.test\nSubject: Mail delivery failed\n\nYour message could not be delivered.\n\n<s@sender.test>: 552 5.2.2 mailbox full\n\n---------- Forwarded message ---------\nFrom: Bob <bob@sender.test>\nSubject: Fwd: failure notice\n\n${inner}\n`;
    const r = await classifyMessage(raw);
    expect(r.recipients[0]?.address).toBe('s@sender.test');
  });
});
