// A recipient a report names more than once: in one delivery status part (an MTA that writes a
// block per attempt, or per MX it tried) as across parts, it is given once. The first block wins;
// a later block that tells the same outcome (its Action and Status the same where both have one)
// fills the fields the first lacks (a Diagnostic-Code, a Remote-MTA); one that tells another
// outcome is left out; one with another Original-Recipient is another recipient and kept.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n--R\nContent-Type: text/plain\n\nDelivery failed.\n\n';

/** A delivery status part holding `blocks` (each a recipient's fields, one a line). */
const part = (...blocks: string[]): string => `--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.test\n\n${blocks.map((b) => `${b}\n`).join('\n')}`;
const report = (...parts: string[]): string => `${HEAD}${parts.join('')}--R--\n`;

const rows = async (raw: string): Promise<unknown[]> =>
  (await classifyMessage(raw)).recipients.map((r) => [r.address, r.originalRecipient, r.action, r.status, r.diagnostic, r.remoteMta, r.class.id]);

const A_FULL = 'Final-Recipient: rfc822; a@rcpt.test\nAction: failed\nStatus: 5.2.2\nRemote-MTA: dns; mx.rcpt.test\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full';
const A_BARE = 'Final-Recipient: rfc822; a@rcpt.test\nAction: failed\nStatus: 5.2.2';
const B = 'Final-Recipient: rfc822; b@rcpt.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown';
const A_ROW = ['a@rcpt.test', undefined, 'failed', '5.2.2', '552 5.2.2 mailbox full', 'mx.rcpt.test', 22];
const B_ROW = ['b@rcpt.test', undefined, 'failed', '5.1.1', '550 5.1.1 user unknown', undefined, 10];

describe('classifyMessage: a recipient named more than once', () => {
  it('the same block twice in one part: one recipient', async () => {
    expect(await rows(report(part(A_FULL, B, A_FULL)))).toEqual([A_ROW, B_ROW]);
  });

  it('addresses are compared without ASCII case and with or without <>', async () => {
    expect(await rows(report(part(A_FULL, A_FULL.replace('a@rcpt.test', '<A@RCPT.test>'))))).toEqual([A_ROW]);
  });

  it('a later block in the same part fills what the first lacks (Diagnostic-Code, Remote-MTA), where the first stands', async () => {
    expect(await rows(report(part(A_BARE, B, A_FULL)))).toEqual([A_ROW, B_ROW]);
  });

  it('a later block with no Action or Status of its own fills them in too', async () => {
    const first = 'Final-Recipient: rfc822; a@rcpt.test\nRemote-MTA: dns; mx.rcpt.test\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full';
    expect(await rows(report(part(first, A_BARE)))).toEqual([A_ROW]);
  });

  it('the first block\'s fields win over a later block\'s', async () => {
    const later = `${A_BARE}\nRemote-MTA: dns; other.rcpt.test\nDiagnostic-Code: smtp; 552 5.2.2 over quota`;
    expect(await rows(report(part(A_FULL, later)))).toEqual([A_ROW]);
  });

  it('a later block that tells another outcome (another Status or Action) is left out, and fills nothing', async () => {
    const delayed = 'Final-Recipient: rfc822; a@rcpt.test\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: smtp; 421 4.4.1 try later';
    const other = 'Final-Recipient: rfc822; a@rcpt.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown';
    const r = await classifyMessage(report(part(A_BARE, delayed, other)));
    expect([r.kind, r.recipients.map((x) => [x.address, x.action, x.status, x.diagnostic, x.class.id])]).toEqual(['bounce', [['a@rcpt.test', 'failed', '5.2.2', 'Delivery failed.', 22]]]);
  });

  it('the same rule across parts: a later part fills what the first part lacks', async () => {
    expect(await rows(report(part(A_BARE), part(B, A_FULL)))).toEqual([A_ROW, B_ROW]);
  });

  it('two blocks with one Final-Recipient and different Original-Recipients are two recipients (two addresses the sender gave)', async () => {
    const one = 'Final-Recipient: rfc822; list@rcpt.test\nOriginal-Recipient: rfc822; x@alias.test\nAction: failed\nStatus: 5.2.2';
    const two = 'Final-Recipient: rfc822; list@rcpt.test\nOriginal-Recipient: rfc822; y@alias.test\nAction: failed\nStatus: 5.2.2';
    const r = await classifyMessage(report(part(one, two, two, one, 'Final-Recipient: rfc822; list@rcpt.test\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full')));
    expect(r.recipients.map((x) => [x.address, x.originalRecipient])).toEqual([
      ['list@rcpt.test', 'x@alias.test'],
      ['list@rcpt.test', 'y@alias.test'],
    ]);
    // a block without Original-Recipient is a repeat of the address's first block (the second
    // has the report's text, having no Diagnostic-Code of its own)
    expect(r.recipients.map((x) => x.diagnostic)).toEqual(['552 5.2.2 mailbox full', 'Delivery failed.']);
  });

  it('a report pasted into the body merges a repeated recipient the same way', async () => {
    const raw = `From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail\n\nReporting-MTA: dns; mx.sender.test\n\n${A_BARE}\n\n${A_FULL}\n`;
    expect(await rows(raw)).toEqual([A_ROW]);
  });
});
