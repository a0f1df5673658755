import { describe, expect, it } from 'vitest';
import { extractFreeText } from './free-text.js';
import { classifyMessage } from './index.js';

describe('free-text status codes (review fixes)', () => {
  it('a dotted number such as an IP address is not read as an enhanced status code', () => {
    const r = extractFreeText('<user@rcpt.test>:\nConnected to 10.5.1.1 but the connection died. (#4.4.2)\n');
    expect(r).toEqual([{ address: 'user@rcpt.test', status: '4.4.2', diagnostic: 'Connected to 10.5.1.1 but the connection died. (#4.4.2)' }]);
  });

  it('a list of addresses followed by one reason gives every address that reason and its status', async () => {
    const body = 'This message could not be delivered to the following recipients:\n\na@rcpt.test\nb@rcpt.test\nc@rcpt.test\n\n550 5.1.1 mailbox unavailable\n';
    expect(extractFreeText(body).map((r) => [r.address, r.status, r.diagnostic])).toEqual([
      ['a@rcpt.test', '5.1.1', '550 5.1.1 mailbox unavailable'],
      ['b@rcpt.test', '5.1.1', '550 5.1.1 mailbox unavailable'],
      ['c@rcpt.test', '5.1.1', '550 5.1.1 mailbox unavailable'],
    ]);
    const r = await classifyMessage(`From: MAILER-DAEMON@mx.sender.test\nTo: alice@sender.test\nSubject: Undelivered Mail Returned to Sender\n\n${body}`);
    expect(r.recipients.map((x) => [x.address, x.status, x.class.id])).toEqual([
      ['a@rcpt.test', '5.1.1', 10],
      ['b@rcpt.test', '5.1.1', 10],
      ['c@rcpt.test', '5.1.1', 10],
    ]);
  });
});
