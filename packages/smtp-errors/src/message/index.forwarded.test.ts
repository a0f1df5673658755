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

  it('wrappers nested deeper than a few levels are not unwrapped without end: the call ends, with a kind', async () => {
    let raw = DSN;
    for (let i = 0; i < 40; i++) raw = `From: gateway@relay.test\nSubject: wrapped ${i}\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n${raw}`;
    expect(typeof (await classifyMessage(raw)).kind).toBe('string');
  });
});
