// A report with more than one delivery status part (one per recipient group, as some MTAs send
// them; or a report nested in a multipart of the same message): every such part of the message
// read is read, in order, and a recipient two parts name is given once. A report inside an
// attached or returned message (`message/rfc822`) belongs to that other message and is not merged.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n';

/** A delivery status part: a per-message block, then one block per recipient `[address, action, status, diagnostic?]`. */
function statusPart(boundary: string, recipients: readonly (readonly string[])[], perMessage = 'Reporting-MTA: dns; mx.sender.test'): string {
  const blocks = recipients.map(([a, action, status, diag]) => `Final-Recipient: rfc822; ${a!}\nAction: ${action!}\nStatus: ${status!}\n${diag === undefined ? '' : `Diagnostic-Code: smtp; ${diag}\n`}`);
  return `--${boundary}\nContent-Type: message/delivery-status\n\n${perMessage}\n\n${blocks.join('\n')}\n`;
}

const rows = async (raw: string): Promise<unknown[]> => {
  const r = await classifyMessage(raw);
  return [r.kind, ...r.recipients.map((x) => [x.address, x.action, x.status, x.class.id])];
};

const A = ['a@rcpt.test', 'failed', '5.1.1', '550 5.1.1 user unknown'] as const;
const B = ['b@rcpt.test', 'failed', '5.2.2', '552 5.2.2 mailbox full'] as const;
const C = ['c@other.test', 'delayed', '4.4.1'] as const;

describe('classifyMessage: every delivery status part of the report', () => {
  it('two delivery status parts in one multipart/report: the recipients of both, in order', async () => {
    const raw = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n--R\nContent-Type: text/plain\n\nDelivery failed.\n\n${statusPart('R', [A, B])}${statusPart('R', [C])}--R--\n`;
    expect(await rows(raw)).toEqual(['bounce', ['a@rcpt.test', 'failed', '5.1.1', 10], ['b@rcpt.test', 'failed', '5.2.2', 22], ['c@other.test', 'delayed', '4.4.1', 24]]);
  });

  it('a second part that only has delayed recipients does not hide the first part\'s failure, nor the other way round', async () => {
    const raw = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [C])}${statusPart('R', [A])}--R--\n`;
    expect(await rows(raw)).toEqual(['bounce', ['c@other.test', 'delayed', '4.4.1', 24], ['a@rcpt.test', 'failed', '5.1.1', 10]]);
  });

  it('a recipient both parts name is given once, as the first part gives it (addresses compared without case)', async () => {
    const again = ['B@RCPT.test', 'failed', '5.0.0'] as const;
    const raw = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [A, B])}${statusPart('R', [again, C])}--R--\n`;
    expect(await rows(raw)).toEqual(['bounce', ['a@rcpt.test', 'failed', '5.1.1', 10], ['b@rcpt.test', 'failed', '5.2.2', 22], ['c@other.test', 'delayed', '4.4.1', 24]]);
  });

  it('a delivery status part in a nested multipart of the same message is read after the first', async () => {
    const raw =
      `${HEAD}Content-Type: multipart/mixed; boundary="M"\n\n--M\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [A])}--R--\n` +
      `--M\nContent-Type: multipart/report; report-type=delivery-status; boundary="S"\n\n${statusPart('S', [B])}--S--\n--M--\n`;
    expect(await rows(raw)).toEqual(['bounce', ['a@rcpt.test', 'failed', '5.1.1', 10], ['b@rcpt.test', 'failed', '5.2.2', 22]]);
  });

  it('the Original-Envelope-Id of a later part is read when the first part has none', async () => {
    const raw = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [A])}${statusPart('R', [B], 'Reporting-MTA: dns; mx.sender.test\nOriginal-Envelope-Id: env-42')}--R--\n`;
    expect((await classifyMessage(raw)).original.envelopeId).toBe('env-42');
  });

  it('a report inside the returned message (message/rfc822) is that message\'s: its recipients are not merged into the report\'s own two parts', async () => {
    const returned = `From: MAILER-DAEMON@mx.rcpt.test\nTo: s@sender.test\nSubject: Undelivered Mail\nMessage-ID: <inner@mx.rcpt.test>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="I"\n\n${statusPart('I', [['inner@elsewhere.test', 'failed', '5.1.1']])}--I--\n`;
    const raw = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [A])}${statusPart('R', [B])}--R\nContent-Type: message/rfc822\n\n${returned}\n--R--\n`;
    const r = await classifyMessage(raw);
    expect([r.recipients.map((x) => x.address), r.original.messageId]).toEqual([['a@rcpt.test', 'b@rcpt.test'], '<inner@mx.rcpt.test>']);
  });

  it('a bounce with two delivery status parts forwarded as an attachment: both parts of the forwarded report are read', async () => {
    const bounce = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [A])}${statusPart('R', [B])}--R--\n`;
    const raw = `From: alice@sender.test\nTo: helpdesk@sender.test\nSubject: Fwd: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="F"\n\n--F\nContent-Type: text/plain\n\nWhy?\n\n--F\nContent-Type: message/rfc822\n\n${bounce}\n--F--\n`;
    expect(await rows(raw)).toEqual(['bounce', ['a@rcpt.test', 'failed', '5.1.1', 10], ['b@rcpt.test', 'failed', '5.2.2', 22]]);
  });

  it('a cut in the second part leaves out only the recipient it falls in', async () => {
    const raw = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n${statusPart('R', [A])}${statusPart('R', [B, C])}--R--\n`;
    const at = raw.indexOf('Final-Recipient: rfc822; c@other.test') + 'Final-Recipient: rfc822; c@oth'.length;
    const r = await classifyMessage(raw, { maxBytes: at });
    expect([r.truncated, r.recipients.map((x) => x.address)]).toEqual([true, ['a@rcpt.test', 'b@rcpt.test']]);
  });
});
