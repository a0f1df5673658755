// Recipients that are no run of address characters around an `@`: a quoted local part (`"john
// smith"@example.com`) and a pipe to a program (`"|/usr/bin/procmail"`, `|/path/prog`), the
// recipient a `.forward` or an alias expands to. The free-text scan finds them as recipients, with
// their own explanation, and a report's human-readable part gives them their own explanation where
// they were classified by their Status alone.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\n';

const rows = async (raw: string): Promise<unknown[]> => {
  const r = await classifyMessage(raw);
  return [r.kind, ...r.recipients.map((x) => [x.address, x.status, x.class.id])];
};

describe('classifyMessage: quoted local parts and pipes in a free-text bounce', () => {
  it('Postfix text: a quoted pipe with a domain and a quoted local part with a space are each a recipient, with their own text', async () => {
    const raw =
      `${HEAD}\nThis is the mail system at host mx.sender.test.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n` +
      '<"|/usr/bin/procmail -a team"@mx.sender.test> (expanded from <team@sender.test>): Command died\n    with status 73: "/usr/bin/procmail". Command output: procmail: mailbox is over quota\n\n' +
      '<"john smith"@rcpt.test>: host mx.rcpt.test[192.0.2.1] said: 550 5.1.1\n    <"john smith"@rcpt.test>: Recipient address rejected: User unknown in local\n    recipient table (in reply to RCPT TO command)\n';
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => x.address)).toEqual(['"|/usr/bin/procmail -a team"@mx.sender.test', '"john smith"@rcpt.test']);
    expect(r.recipients[0]?.diagnostic).toContain('Command died with status 73');
    expect(r.recipients[0]?.diagnostic).not.toContain('User unknown');
    expect([r.recipients[1]?.status, r.recipients[1]?.class.id]).toEqual(['5.1.1', 10]);
  });

  it('sendmail text: a quoted pipe alone on its line is the recipient (without its quotes), not the address it was expanded from', async () => {
    const raw =
      `${HEAD}\nThe original message was received at Thu, 29 Apr 2009 23:34:45 +0900\nfrom [192.0.2.34]\n\n   ----- The following addresses had permanent fatal errors -----\n` +
      '"|/home/u/bin/filter"\n    (reason: 255)\n    (expanded from: <u@rcpt.test>)\n\n   ----- Transcript of session follows -----\n554 5.3.0 unknown mailer error 255\n';
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.address, x.status])).toEqual([['|/home/u/bin/filter', '5.3.0']]);
    expect(r.recipients[0]?.diagnostic).toContain('reason: 255');
  });

  it('qmail text: an unquoted pipe in angle brackets is a recipient beside an address, each with its own text', async () => {
    const raw =
      `${HEAD}\nHi. This is the qmail-send program at mx.sender.test.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n` +
      '<|/usr/local/bin/autorespond>:\nUnable to run /usr/local/bin/autorespond: file does not exist. (#5.1.1)\n\n<u@rcpt.test>:\nSorry, this mailbox is over quota. (#5.2.2)\n';
    expect(await rows(raw)).toEqual(['bounce', ['|/usr/local/bin/autorespond', '5.1.1', 10], ['u@rcpt.test', '5.2.2', 22]]);
  });

  it('a banner of dashes between bars is no pipe recipient', async () => {
    const raw = `${HEAD}\nDelivery to the following recipient failed permanently:\n\n<u@rcpt.test>: 550 5.1.1 user unknown\n\n|------------------------- Message log follows: -------------------------|\n`;
    expect((await classifyMessage(raw)).recipients.map((x) => x.address)).toEqual(['u@rcpt.test']);
  });
});

describe('classifyMessage: quoted local parts and pipes in a report\'s text', () => {
  const report = (text: string, blocks: readonly string[]): string =>
    `${HEAD}MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n--R\nContent-Type: text/plain\n\n${text}\n--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.test\n\n${blocks.join('\n')}\n--R--\n`;

  it('a quoted local part with a space is given what the text says after it, not only its Status', async () => {
    const raw = report(
      '<"john smith"@rcpt.test>: host mx.rcpt.test said: 552 5.2.2 <"john smith"@rcpt.test>:\n    mailbox full, over quota\n\n<b@rcpt.test>: host mx.rcpt.test said: 550 5.1.1 <b@rcpt.test>: user unknown\n',
      ['Final-Recipient: rfc822; "john smith"@rcpt.test\nAction: failed\nStatus: 5.0.0\n', 'Final-Recipient: rfc822; b@rcpt.test\nAction: failed\nStatus: 5.0.0\n'],
    );
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['"john smith"@rcpt.test', 22], ['b@rcpt.test', 10]]);
    expect(r.recipients[0]?.diagnostic).toContain('mailbox full');
    expect(r.recipients[0]?.diagnostic).not.toContain('user unknown');
  });

  it('a pipe recipient is found in the text whether the report writes it quoted or not', async () => {
    const raw = report('"|/home/u/bin/filter"\n    (reason: mailbox is full)\n\n<b@rcpt.test>: host mx.rcpt.test said: 550 5.1.1 user unknown\n', [
      'Final-Recipient: X-Unix; |/home/u/bin/filter\nAction: failed\nStatus: 5.0.0\n',
      'Final-Recipient: rfc822; b@rcpt.test\nAction: failed\nStatus: 5.0.0\n',
    ]);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['|/home/u/bin/filter', 22], ['b@rcpt.test', 10]]);
    expect(r.recipients[0]?.diagnostic).toContain('reason: mailbox is full');
  });

  it('an address inside a quoted local part is not taken for another recipient written plain', async () => {
    const raw = report('<"smith@rcpt.test"@relay.test>: 552 5.2.2 mailbox full\n\n<smith@rcpt.test>: 550 5.1.1 user unknown\n', [
      'Final-Recipient: rfc822; "smith@rcpt.test"@relay.test\nAction: failed\nStatus: 5.0.0\n',
      'Final-Recipient: rfc822; smith@rcpt.test\nAction: failed\nStatus: 5.0.0\n',
    ]);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['"smith@rcpt.test"@relay.test', 22], ['smith@rcpt.test', 10]]);
  });
});
