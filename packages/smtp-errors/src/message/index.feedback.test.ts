// RFC 5965 feedback reports: every Original-Rcpt-To of every report part is a recipient, in
// order; without any, the returned message's first To mailbox (parsed as an address list).
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

/** A feedback report with one message/feedback-report part per entry of `reports`. */
function arf(reports: string[][], to: string): string {
  const lines = ['From: fbl@isp.test', 'To: abuse@sender.test', 'Subject: FW: news', 'Content-Type: multipart/report; report-type=feedback-report; boundary="fb"', '', '--fb', 'Content-Type: text/plain', '', 'An abuse report.'];
  for (const fields of reports) lines.push('--fb', 'Content-Type: message/feedback-report', '', ...fields, '');
  lines.push('--fb', 'Content-Type: text/rfc822-headers', '', 'From: news@sender.test', to, 'Subject: news', '', '--fb--', '');
  return lines.join('\r\n');
}

async function fed(raw: string): Promise<[string | undefined, string | undefined, string | undefined][]> {
  const r = await classifyMessage(raw);
  expect(r.kind).toBe('feedback');
  return r.recipients.map((x) => [x.address, x.diagnostic, x.remoteMta]);
}

describe('classifyMessage: feedback report recipients', () => {
  it('a repeated Original-Rcpt-To gives one recipient each, a folded one read whole', async () => {
    const fields = ['Feedback-Type: abuse', 'Version: 1', 'Original-Rcpt-To: <a@rcpt.test>', 'Original-Rcpt-To:', ' <b@rcpt.test>', 'Reporting-MTA: dns; fbl.isp.test'];
    expect(await fed(arf([fields], 'To: x@rcpt.test'))).toEqual([
      ['a@rcpt.test', 'feedback-type: abuse', 'fbl.isp.test'],
      ['b@rcpt.test', 'feedback-type: abuse', 'fbl.isp.test'],
    ]);
  });

  it('several report parts: each one\'s recipients with its own feedback type, in order', async () => {
    const raw = arf(
      [
        ['Feedback-Type: abuse', 'Original-Rcpt-To: <a@rcpt.test>'],
        ['Feedback-Type: fraud', 'Original-Rcpt-To: <b@rcpt.test>'],
      ],
      'To: x@rcpt.test',
    );
    expect(await fed(raw)).toEqual([
      ['a@rcpt.test', 'feedback-type: abuse', undefined],
      ['b@rcpt.test', 'feedback-type: fraud', undefined],
    ]);
  });

  it.each([
    ['To: a@rcpt.test, b@rcpt.test', 'a@rcpt.test'],
    ['To: =?utf-8?Q?=3Cevil@x.test=3E?= <real@rcpt.test>', 'real@rcpt.test'],
    ['To: Friends: a@rcpt.test, b@rcpt.test;', 'a@rcpt.test'],
    ['To: "Doe, Jane" <jane@rcpt.test>', 'jane@rcpt.test'],
  ])('without Original-Rcpt-To, %s names %s', async (to, address) => {
    expect(await fed(arf([['Feedback-Type: abuse']], to))).toEqual([[address, 'feedback-type: abuse', undefined]]);
  });

  it('an original To with no mailbox (undisclosed recipients) names no recipient', async () => {
    expect(await fed(arf([['Feedback-Type: abuse']], 'To: undisclosed-recipients:;'))).toEqual([]);
  });
});
