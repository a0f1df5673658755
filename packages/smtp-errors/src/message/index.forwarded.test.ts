// A delivery status report that reaches the handler inside another message: a gateway's
// top-level `message/rfc822` wrapper, or a person's forward of a bounce as an attachment. The
// report inside is read; the wrapper's own text never makes a recipient, and a report is never
// taken for the returned message.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

const DSN =
  'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn@mx.sender.test>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n' +
  '--R\nContent-Type: text/plain\n\nDelivery failed.\n\n--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.test\nOriginal-Envelope-Id: env-7\n\nFinal-Recipient: rfc822; x@rcpt.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n' +
  '--R\nContent-Type: text/rfc822-headers\n\nMessage-ID: <o@sender.test>\nFrom: s@sender.test\nSubject: hi\n\n--R--\n';

const summary = async (raw: string): Promise<unknown> => {
  const r = await classifyMessage(raw);
  return [r.kind, r.recipients.map((x) => [x.address, x.status, x.class.id]), r.original.messageId, r.original.envelopeId];
};

const READ = ['bounce', [['x@rcpt.test', '5.1.1', 10]], '<o@sender.test>', 'env-7'];

describe('classifyMessage: a report inside another message', () => {
  it('a top-level message/rfc822 wrapper (a gateway that wraps what it relays) is unwrapped', async () => {
    expect(await summary(`From: gateway@relay.test\nTo: bounces@sender.test\nSubject: wrapped\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n${DSN}`)).toEqual(READ);
  });

  it.each(['Fwd: Undelivered Mail Returned to Sender', 'FYI'])('a bounce forwarded as an attachment (subject %j): the attached report is read, not the forwarder\'s text', async (subject) => {
    const raw = `From: alice@sender.test\nTo: helpdesk@sender.test\nSubject: ${subject}\nMessage-ID: <fwd@sender.test>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="F"\n\n--F\nContent-Type: text/plain\n\nWhy did this bounce?\n\n--F\nContent-Type: message/rfc822\n\n${DSN}\n--F--\n`;
    expect(await summary(raw)).toEqual(READ);
  });

  it('a free-text bounce forwarded as an attachment is read as that bounce, not as a recipient made of the forwarder\'s text', async () => {
    const bounce = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.sender.test.\nI\'m afraid I wasn\'t able to deliver your message to the following addresses.\nThis is a permanent error; I\'ve given up. Sorry it didn\'t work out.\n\n<x@rcpt.test>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 <x@rcpt.test>: Recipient address rejected: User unknown\n';
    const raw = `From: alice@sender.test\nTo: helpdesk@sender.test\nSubject: Fwd: failure notice\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="F"\n\n--F\nContent-Type: text/plain\n\nWhy did this bounce?\n\n--F\nContent-Type: message/rfc822\n\n${bounce}\n--F--\n`;
    const r = await classifyMessage(raw);
    expect([r.kind, r.recipients.map((x) => [x.address, x.class.id])]).toEqual(['bounce', [['x@rcpt.test', 10]]]);
  });

  it('a person\'s message with an attached message that is no bounce is not unwrapped', async () => {
    const raw = `From: alice@sender.test\nTo: bob@rcpt.test\nSubject: Fwd: lunch\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="F"\n\n--F\nContent-Type: text/plain\n\nSee below.\n\n--F\nContent-Type: message/rfc822\n\nFrom: carol@rcpt.test\nTo: alice@sender.test\nSubject: Automatic reply: lunch\nAuto-Submitted: auto-replied\n\nI am away.\n\n--F--\n`;
    expect((await classifyMessage(raw)).kind).toBe('other');
  });

  it('a report that returns a message which is itself a report keeps its own recipients and takes the returned one for the original', async () => {
    const raw =
      'From: MAILER-DAEMON@mx.rcpt.test\nTo: MAILER-DAEMON@mx.sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="O"\n\n' +
      '--O\nContent-Type: text/plain\n\nThe bounce could not be returned.\n\n--O\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.rcpt.test\n\nFinal-Recipient: rfc822; s@sender.test\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full\n\n' +
      `--O\nContent-Type: message/rfc822\n\n${DSN}\n--O--\n`;
    const r = await classifyMessage(raw);
    expect([r.kind, r.recipients.map((x) => [x.address, x.class.id]), r.original.messageId]).toEqual(['bounce', [['s@sender.test', 22]], '<dsn@mx.sender.test>']);
  });

  it('a wrapper around a message that is no report is read as that message', async () => {
    const raw = `From: gateway@relay.test\nTo: bounces@sender.test\nSubject: wrapped\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\nFrom: bob@rcpt.test\nTo: s@sender.test\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied\n\nI am away.\n`;
    const r = await classifyMessage(raw);
    expect([r.kind, r.class?.id]).toEqual(['auto-reply', 60]);
  });

  // The sender alone does not decide: a person whose address is postmaster, or a mail system that
  // passes on what it received for postmaster, forwards as anyone does. The structure does: an
  // outer message that is itself a report (multipart/report, a delivery status part, its own text
  // reporting a failure or naming the attached message's recipient) is not a forward.
  const QMAIL =
    'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.sender.test.\nI\'m afraid I wasn\'t able to deliver your message to the following addresses.\nThis is a permanent error; I\'ve given up. Sorry it didn\'t work out.\n\n<x@rcpt.test>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 <x@rcpt.test>: Recipient address rejected: User unknown\n';
  const forward = (from: string, subject: string, note: string, inner: string): string =>
    `From: ${from}\nTo: helpdesk@sender.test\nSubject: ${subject}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="F"\n\n--F\nContent-Type: text/plain\n\n${note}\n\n--F\nContent-Type: message/rfc822\n\n${inner}\n--F--\n`;

  it.each([
    ['a person whose address is postmaster', '"Pat, Postmaster" <postmaster@sender.test>', 'Can you look at this one?'],
    ['MAILER-DAEMON passing on a bounce it received for postmaster', 'MAILER-DAEMON@relay.sender.test', 'The attached message was received for postmaster@relay.sender.test and is passed on to the help desk.'],
    ['a sender named bounce', 'bounce@sender.test', ''],
  ])('a report forwarded by %s is read as that report', async (_who, from, note) => {
    expect(await summary(forward(from, 'Report from the mail system', note, DSN))).toEqual(READ);
  });

  it('a free-text bounce forwarded by postmaster with a Fwd: subject is read, even when the note says the mail failed', async () => {
    const r = await classifyMessage(forward('postmaster@sender.test', 'Fwd: failure notice', 'This one could not be delivered, see the attached bounce.', QMAIL));
    expect([r.kind, r.recipients.map((x) => [x.address, x.class.id])]).toEqual(['bounce', [['x@rcpt.test', 10]]]);
  });

  it('a forward note (`---------- Forwarded message ---------`) says so too, whatever the words after it', async () => {
    const note = '---------- Forwarded message ---------\nFrom: Mail Delivery System <MAILER-DAEMON@mx.sender.test>\nSubject: failure notice\n\nThe message could not be delivered.';
    const r = await classifyMessage(forward('postmaster@sender.test', 'Bounce', note, QMAIL));
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['x@rcpt.test', 10]]);
  });

  it('a double bounce whose own text only mentions a forwarded message keeps its own recipient', async () => {
    const raw = forward('MAILER-DAEMON@mx.rcpt.test', 'failure notice', 'The forwarded message could not be delivered to the following addresses.\n\n<s@sender.test>:\n552 5.2.2 mailbox full\n', QMAIL);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['s@sender.test', 22]]);
  });

  it('a free-text double bounce from MAILER-DAEMON that returns a bounce keeps its own recipient, not the returned bounce\'s', async () => {
    const raw = forward(
      'MAILER-DAEMON@mx.rcpt.test',
      'failure notice',
      "Hi. This is the qmail-send program at mx.rcpt.test.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<s@sender.test>:\nRemote host said: 552 5.2.2 mailbox full\n",
      QMAIL,
    );
    const r = await classifyMessage(raw);
    expect([r.kind, r.recipients.map((x) => [x.address, x.class.id])]).toEqual(['bounce', [['s@sender.test', 22]]]);
  });

  it('a bounce in words the scan does not know that names the returned bounce\'s recipient keeps its own recipient', async () => {
    const raw = forward('MAILER-DAEMON@mx.rcpt.test', 'Zustellfehler', 'Ihre Nachricht an s@sender.test konnte nicht zugestellt werden.', QMAIL);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => x.address)).toEqual(['s@sender.test']);
  });

  it('a multipart/report from a bounce sender with no delivery status part is read as the report, not as a forward of what it returns', async () => {
    const raw = `From: MAILER-DAEMON@mx.rcpt.test\nTo: s@sender.test\nSubject: Returned mail\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="F"\n\n--F\nContent-Type: text/plain\n\nSee the returned message.\n\n--F\nContent-Type: message/rfc822\n\n${QMAIL}\n--F--\n`;
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => x.address)).not.toContain('x@rcpt.test');
  });

  it('wrappers nested deeper than a few levels are not unwrapped without end: the call ends, with a kind', async () => {
    let raw = DSN;
    for (let i = 0; i < 40; i++) raw = `From: gateway@relay.test\nSubject: wrapped ${i}\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n${raw}`;
    expect(typeof (await classifyMessage(raw)).kind).toBe('string');
  });
});
