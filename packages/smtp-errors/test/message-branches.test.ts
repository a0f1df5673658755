// classifyMessage, one path at a time: each message below is written to reach one branch of the
// pipeline (RFC 3464 reports and their variants, Amazon SES notifications, RFC 5965 feedback
// reports, free-text bounces, automatic replies, list notices) and its whole answer is pinned.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/index.js';
import { classifyMessage, type MessageClassification } from '../src/message/index.js';

/** A message from header and body lines (CRLF line ends). */
function mail(...lines: string[]): string {
  return lines.join('\r\n');
}

/** What a handler reads of one recipient. */
function recipients(r: MessageClassification): unknown[] {
  return r.recipients.map((x) => ({ address: x.address, action: x.action, status: x.status, diagnostic: x.diagnostic, remoteMta: x.remoteMta, id: x.class.id }));
}

/** A multipart/report delivery status notification with the given per-recipient fields. */
function dsn(fields: string[], options: { human?: string[]; original?: { type: string; lines: string[] } } = {}): string {
  const original = options.original ?? { type: 'text/rfc822-headers', lines: ['From: Alice <alice@sender.test>', 'To: bob@rcpt.test', 'Subject: Hello', 'Message-ID: <m-1@sender.test>'] };
  return mail(
    'From: Mail Delivery System <MAILER-DAEMON@mx.sender.test>',
    'To: alice@sender.test',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="rb"',
    '',
    '--rb',
    'Content-Type: text/plain',
    '',
    ...(options.human ?? ['Your message could not be delivered.']),
    '',
    '--rb',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.sender.test',
    '',
    ...fields,
    '',
    '--rb',
    `Content-Type: ${original.type}`,
    '',
    ...original.lines,
    '',
    '--rb--',
    '',
  );
}

/** An Amazon SES notification delivered by email, its JSON in the body. */
function ses(json: unknown, prefix = ''): string {
  return mail('From: no-reply@sns.example.test', 'To: ops@sender.test', 'Subject: Notification Message', 'Content-Type: text/plain; charset=UTF-8', '', prefix + JSON.stringify(json), '', '--', 'Manage your {subscriptions} at the console.');
}

describe('classifyMessage: RFC 3464 report variants', () => {
  it('a report without a diagnostic explains each recipient from the text about it in the human-readable part', async () => {
    const r = await classifyMessage(
      dsn(['Final-Recipient: rfc822; gone@rcpt.test', 'Action: failed', 'Status: 5.1.1'], {
        human: ['Delivery to these recipients failed:', '', '<gone@rcpt.test>:', 'the mailbox does not exist here', '', '', '', 'Other notes that are not about it.'],
      }),
    );
    expect(r.kind).toBe('bounce');
    expect(recipients(r)).toEqual([{ address: 'gone@rcpt.test', action: 'failed', status: '5.1.1', diagnostic: 'the mailbox does not exist here', remoteMta: undefined, id: 10 }]);
  });

  it('the explanation stops at a line of dashes and at the next recipient', async () => {
    const r = await classifyMessage(
      dsn(['Final-Recipient: rfc822; a@rcpt.test', 'Action: failed', 'Status: 5.2.2', '', 'Final-Recipient: rfc822; b@rcpt.test', 'Action: failed', 'Status: 5.1.1'], {
        human: ['a@rcpt.test: mailbox full, over quota', '<b@rcpt.test>:', 'no such user here', '- ask the postmaster', '-----', 'trailer words'],
      }),
    );
    expect(r.recipients.map((x) => [x.address, x.diagnostic, x.class.id])).toEqual([
      ['a@rcpt.test', 'mailbox full, over quota', 22],
      ['b@rcpt.test', 'no such user here - ask the postmaster', 10],
    ]);
  });

  it('text of three characters or fewer after the recipient is no explanation: the whole part explains it', async () => {
    const r = await classifyMessage(dsn(['Final-Recipient: rfc822; d@rcpt.test', 'Action: failed', 'Status: 5.0.0'], { human: ['Failed: d@rcpt.test: 550', '', '', '', 'More.'] }));
    expect(r.recipients[0]?.diagnostic).toBe('Failed: d@rcpt.test: 550 More.');
    const four = await classifyMessage(dsn(['Final-Recipient: rfc822; d@rcpt.test', 'Action: failed', 'Status: 5.0.0'], { human: ['Failed: d@rcpt.test: 5500', '', '', '', 'More.'] }));
    expect(four.recipients[0]?.diagnostic).toBe('5500');
  });

  it('a recipient the human-readable part does not name is explained by the whole part', async () => {
    const r = await classifyMessage(dsn(['Final-Recipient: rfc822; c@rcpt.test', 'Action: failed', 'Status: 5.0.0'], { human: ['  The   mailbox   is disabled.  '] }));
    expect(r.recipients[0]?.diagnostic).toBe('The mailbox is disabled.');
  });

  it('an Original-Recipient stands in for a missing Final-Recipient; the action is its first word, lower-cased', async () => {
    const r = await classifyMessage(dsn(['Original-Recipient: rfc822; Orig@Rcpt.test', 'Action: FAILED (permanent)', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 unknown user', 'Remote-MTA: dns; mx.rcpt.test']));
    expect(recipients(r)).toEqual([{ address: 'Orig@Rcpt.test', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown user', remoteMta: 'mx.rcpt.test', id: 10 }]);
  });

  it('a block with neither a recipient nor an action is not a recipient; one with an action and no address is', async () => {
    const r = await classifyMessage(dsn(['Arrival-Date: Mon, 1 Jan 2024 00:00:00 +0000', '', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 no such user']));
    expect(recipients(r)).toEqual([{ address: undefined, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user', remoteMta: undefined, id: 10 }]);
    expect(r.kind).toBe('bounce');
  });

  it('kinds: all delivered is delivered; delayed beside delivered is delayed; a recipient without an action is a bounce', async () => {
    const delivered = await classifyMessage(dsn(['Final-Recipient: rfc822; a@rcpt.test', 'Action: delivered', 'Status: 2.0.0', '', 'Final-Recipient: rfc822; b@rcpt.test', 'Action: relayed', 'Status: 2.0.0']));
    expect(delivered.kind).toBe('delivered');
    const mixed = await classifyMessage(dsn(['Final-Recipient: rfc822; a@rcpt.test', 'Action: delivered', 'Status: 2.0.0', '', 'Final-Recipient: rfc822; b@rcpt.test', 'Action: delayed', 'Status: 4.4.1']));
    expect(mixed.kind).toBe('delayed');
    const noAction = await classifyMessage(dsn(['Final-Recipient: rfc822; a@rcpt.test', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 unknown']));
    expect(noAction.kind).toBe('bounce');
    expect(noAction.recipients[0]?.action).toBeUndefined();
  });

  it('the status joins a diagnostic that lacks it, so a bare diagnostic is read with its status', async () => {
    const r = await classifyMessage(dsn(['Final-Recipient: rfc822; a@rcpt.test', 'Action: failed', 'Status: 5.2.2', 'Diagnostic-Code: smtp; rejected']));
    expect(r.recipients[0]?.diagnostic).toBe('rejected');
    expect(r.recipients[0]?.class.id).toBe(22);
  });

  it('a diagnostic nothing can place falls back to the status alone', async () => {
    const r = await classifyMessage(dsn(['Final-Recipient: rfc822; a@rcpt.test', 'Action: failed', 'Status: 5.2.2', 'Diagnostic-Code: x-unix; qqq'], { human: [''] }));
    expect(r.recipients[0]?.class.id).toBe(22);
  });

  it('the recipient domain reaches the classifier: a domain rule applies to that domain only', async () => {
    const classifier = createClassifier({ rules: [{ pattern: 'zorg', id: 21, domain: 'special.test' }] });
    const one = (address: string): string => dsn([`Final-Recipient: rfc822; ${address}`, 'Action: failed', 'Status: 5.0.0', 'Diagnostic-Code: smtp; 550 zorg']);
    expect((await classifyMessage(one('x@Special.TEST'), { classifier })).recipients[0]?.class.id).toBe(21);
    expect((await classifyMessage(one('x@other.test'), { classifier })).recipients[0]?.class.id).not.toBe(21);
    expect((await classifyMessage(one('no-at-sign'), { classifier })).recipients[0]?.class.id).not.toBe(21);
  });

  it.each([
    ['message/rfc822', ['From: Alice <alice@sender.test>', 'To: bob@rcpt.test', 'Subject: Attached', 'Message-ID: <att@sender.test>', '', 'body']],
    ['message/rfc822-headers', ['From: Alice <alice@sender.test>', 'To: bob@rcpt.test', 'Subject: Attached', 'Message-ID: <att@sender.test>']],
    ['message/global-headers', ['From: Alice <alice@sender.test>', 'To: bob@rcpt.test', 'Subject: Attached', 'Message-ID: <att@sender.test>']],
  ])('the original identity comes from a %s part, each field trimmed', async (type, lines) => {
    const r = await classifyMessage(dsn(['Final-Recipient: rfc822; bob@rcpt.test', 'Action: failed', 'Status: 5.1.1'], { original: { type, lines } }));
    expect(r.original).toEqual({ messageId: '<att@sender.test>', from: 'Alice <alice@sender.test>', to: 'bob@rcpt.test', subject: 'Attached' });
  });

  it('an original part without those fields gives none of them', async () => {
    const r = await classifyMessage(dsn(['Final-Recipient: rfc822; bob@rcpt.test', 'Action: failed', 'Status: 5.1.1'], { original: { type: 'text/rfc822-headers', lines: ['X-Other: 1', 'Subject:   '] } }));
    expect(r.original).toEqual({ messageId: undefined, from: undefined, to: undefined, subject: undefined });
  });
});

describe('classifyMessage: Amazon SES notifications', () => {
  it('a transient bounce is delayed; recipient fields come from the JSON, the sub-type explains a recipient without a diagnostic', async () => {
    const r = await classifyMessage(
      ses({
        notificationType: 'Bounce',
        bounce: {
          bounceType: 'Transient',
          bounceSubType: 'MailboxFull',
          reportingMTA: 'dsn; out.sender.test',
          bouncedRecipients: [
            { emailAddress: 'full@rcpt.test', status: '4.2.2' },
            { emailAddress: 'x@rcpt.test', action: 'Delayed', status: '', diagnosticCode: 'smtp; 452 4.2.2 mailbox full' },
            'not an object',
            { emailAddress: 42, action: '', status: 4 },
          ],
        },
      }),
    );
    expect(r.kind).toBe('delayed');
    expect(recipients(r)).toEqual([
      { address: 'full@rcpt.test', action: 'failed', status: '4.2.2', diagnostic: undefined, remoteMta: 'out.sender.test', id: 22 },
      { address: 'x@rcpt.test', action: 'delayed', status: undefined, diagnostic: '452 4.2.2 mailbox full', remoteMta: 'out.sender.test', id: 22 },
      { address: undefined, action: 'failed', status: undefined, diagnostic: undefined, remoteMta: 'out.sender.test', id: 1 },
      // values that are not strings, or empty, count as absent
      { address: undefined, action: 'failed', status: undefined, diagnostic: undefined, remoteMta: 'out.sender.test', id: 1 },
    ]);
  });

  it('a complaint is feedback, one recipient per complained address with the feedback type', async () => {
    const r = await classifyMessage(ses({ notificationType: 'Complaint', complaint: { complaintFeedbackType: 'not-spam', complainedRecipients: [{ emailAddress: 'reader@isp.test' }] } }));
    expect(r.kind).toBe('feedback');
    expect(recipients(r)).toEqual([{ address: 'reader@isp.test', action: undefined, status: undefined, diagnostic: 'feedback-type: not-spam', remoteMta: undefined, id: 1 }]);
    // an SES event (configuration-set publishing) names its type eventType
    const plain = await classifyMessage(ses({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'reader@isp.test' }] } }));
    expect(plain.kind).toBe('feedback');
    expect(plain.recipients[0]?.diagnostic).toBe('feedback-type: abuse');
  });

  it('a delivery is delivered, with the SMTP response and the remote address', async () => {
    const r = await classifyMessage(ses({ notificationType: 'Delivery', delivery: { recipients: ['ok@rcpt.test'], smtpResponse: '250 2.0.0 OK', remoteMtaIp: '192.0.2.9' } }));
    expect(r.kind).toBe('delivered');
    expect(recipients(r)).toEqual([{ address: 'ok@rcpt.test', action: 'delivered', status: '2.0.0', diagnostic: '250 2.0.0 OK', remoteMta: '192.0.2.9', id: 1 }]);
    expect(r.recipients[0]?.class).toMatchObject({ name: 'Undetermined', transient: false, rule: { kind: 'none' } });
  });

  it('a sections that is missing or not a list gives no recipients', async () => {
    const r = await classifyMessage(ses({ notificationType: 'Delivery', delivery: 'x' }));
    expect(r).toMatchObject({ kind: 'delivered', recipients: [] });
    const b = await classifyMessage(ses({ notificationType: 'Bounce', bounce: { bouncedRecipients: 7 } }));
    expect(b).toMatchObject({ kind: 'bounce', recipients: [] });
  });

  it('a JSON line broken by the transport (each break marked with "!") is joined again', async () => {
    const json = JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@rcpt.test', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] } });
    const cut = 60;
    const body = `${json.slice(0, cut)}!\r\n ${json.slice(cut)}`;
    const r = await classifyMessage(mail('From: no-reply@sns.example.test', 'Subject: Notification Message', '', body, '', 'trailer'));
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['gone@rcpt.test', 10]]);
  });

  it('the JSON may start up to 64 characters into the body', async () => {
    const r = await classifyMessage(ses({ notificationType: 'Bounce', bounce: { bouncedRecipients: [{ emailAddress: 'a@rcpt.test', status: '5.1.1' }] } }, 'x'.repeat(64)));
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['a@rcpt.test', 10]]);
  });

  it('not read as a notification: JSON too far into the body, an unknown type, a body that does not parse', async () => {
    const far = await classifyMessage(ses({ notificationType: 'Bounce', bounce: { bouncedRecipients: [{ emailAddress: 'a@rcpt.test' }] } }, 'x'.repeat(65)));
    expect(far.kind).toBe('other');
    const unknown = await classifyMessage(ses({ notificationType: 'Open', open: {} }));
    expect(unknown.kind).toBe('other');
    const broken = await classifyMessage(mail('From: a@sender.test', 'Subject: Notification Message', '', '{"notificationType": "Bounce", oops'));
    expect(broken.kind).toBe('other');
    const notObject = await classifyMessage(mail('From: a@sender.test', 'Subject: Notification Message', '', '{} "notificationType"'));
    expect(notObject.kind).toBe('other');
  });
});

describe('classifyMessage: feedback reports', () => {
  const arf = (fields: string[], to = 'To: reader@isp.test'): string =>
    mail(
      'From: feedback@isp.test',
      'To: abuse@sender.test',
      'Subject: FW: news',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="fb"',
      '',
      '--fb',
      'Content-Type: text/plain',
      '',
      'An abuse report.',
      '--fb',
      'Content-Type: message/feedback-report',
      '',
      ...fields,
      '',
      '--fb',
      'Content-Type: message/rfc822',
      '',
      'From: news@sender.test',
      to,
      'Subject: news',
      '',
      'hello',
      '--fb--',
      '',
    );

  it('without Original-Rcpt-To the original To names the recipient; the feedback type and reporting MTA are kept', async () => {
    const r = await classifyMessage(arf(['Feedback-Type: fraud', 'Version: 1', 'Reporting-MTA: dns; fbl.isp.test']));
    expect(r.kind).toBe('feedback');
    expect(recipients(r)).toEqual([{ address: 'reader@isp.test', action: undefined, status: undefined, diagnostic: 'feedback-type: fraud', remoteMta: 'fbl.isp.test', id: 1 }]);
  });

  it('no recipient anywhere gives a feedback report with no recipients; no feedback type reads as abuse', async () => {
    const r = await classifyMessage(arf(['Version: 1'], 'X-To: nobody'));
    expect(r).toMatchObject({ kind: 'feedback', recipients: [] });
    const typeless = await classifyMessage(arf(['Version: 1', 'Original-Rcpt-To: <r@isp.test>']));
    expect(recipients(typeless)).toEqual([{ address: 'r@isp.test', action: undefined, status: undefined, diagnostic: 'feedback-type: abuse', remoteMta: undefined, id: 1 }]);
  });
});

describe('classifyMessage: free-text reports and non-bounces', () => {
  it('the original identity of a free-text bounce comes from the quoted headers after the first Message-ID line', async () => {
    const r = await classifyMessage(
      mail(
        'From: MAILER-DAEMON@mx.sender.test',
        'Subject: failure notice',
        '',
        'Hi. This is the qmail-send program at mx.sender.test.',
        "I'm afraid I wasn't able to deliver your message to the following addresses.",
        '',
        '<gone@rcpt.test>:',
        '550 5.1.1 no such user',
        '',
        '--- Below this line is a copy of the message.',
        '',
        'Return-Path: <alice@sender.test>',
        'Message-ID: <q-1@sender.test>',
        'From: Alice <alice@sender.test>',
        'To: gone@rcpt.test',
        'Subject: Quoted',
        'Subject: second subject is ignored',
        ': no name',
        '',
        'body',
      ),
    );
    expect(r.kind).toBe('bounce');
    expect(r.original).toEqual({ messageId: '<q-1@sender.test>', from: 'Alice <alice@sender.test>', to: 'gone@rcpt.test', subject: 'Quoted' });
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([['gone@rcpt.test', 10]]);
  });

  it('a free-text bounce that only warns of a delay is delayed; one with a permanent failure is a bounce', async () => {
    const warn = await classifyMessage(
      mail('From: MAILER-DAEMON@mx.sender.test', 'Subject: Warning: could not send message for past 4 hours', '', 'This is a warning message only.', 'Delivery to the following recipient has failed temporarily:', '', '<slow@rcpt.test>:', '451 4.4.1 try again later', ''),
    );
    expect(warn.kind).toBe('delayed');
    expect(warn.recipients.map((x) => [x.address, x.action])).toEqual([['slow@rcpt.test', 'delayed']]);
    const hard = await classifyMessage(
      mail('From: MAILER-DAEMON@mx.sender.test', 'Subject: Warning: could not send message for past 4 hours', '', 'Delivery to the following recipient failed permanently:', '', '<gone@rcpt.test>:', '550 5.1.1 no such user', ''),
    );
    expect(hard.kind).toBe('bounce');
    expect(hard.recipients.map((x) => [x.address, x.action])).toEqual([['gone@rcpt.test', 'failed']]);
  });

  it('a delay warning that says delivery goes on is delayed whatever its reason: with no reply code (a connection that timed out) too', async () => {
    const exim = (reason: string): string =>
      mail(
        'From: Mail Delivery System <Mailer-Daemon@mx.sender.test>',
        'Subject: Warning: message 1jXYZ-0001Ab-Cd delayed 24 hours',
        'Auto-Submitted: auto-replied',
        '',
        'This message was created automatically by mail delivery software.',
        'A message that you sent has not yet been delivered to one or more of its',
        'recipients after more than 24 hours on the queue on mx.sender.test.',
        '',
        'The address to which the message has not yet been delivered is:',
        '',
        '  slow@rcpt.test',
        '    host mx.rcpt.test [192.0.2.1]',
        `    ${reason}`,
        '',
        'No action is required on your part. Delivery attempts will continue for',
        'some time, and this warning may be repeated at intervals if the message',
        'remains undelivered. Eventually the mail delivery software will give up,',
        'and when that happens, the message will be returned to you.',
        '',
      );
    for (const reason of ['Connection timed out', 'Connection refused', 'all relevant MX records point to non-existent hosts', 'SMTP error from remote mail server after RCPT TO:<slow@rcpt.test>: 451 4.7.1 Greylisted']) {
      const r = await classifyMessage(exim(reason));
      expect([reason, r.kind, r.recipients.map((x) => [x.address, x.action])]).toEqual([reason, 'delayed', [['slow@rcpt.test', 'delayed']]]);
    }
    // Postfix's and sendmail's warnings say so in their own words
    const postfix = await classifyMessage(
      mail('From: MAILER-DAEMON@mx.sender.test', 'Subject: Delayed Mail (still being retried)', '', '#### THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. ####', '', '<slow@rcpt.test>: connect to mx.rcpt.test[192.0.2.1]:25: Connection refused', ''),
    );
    expect([postfix.kind, postfix.recipients.map((x) => x.action)]).toEqual(['delayed', ['delayed']]);
    // a report that also says the delivery failed for good is a bounce
    const final = await classifyMessage(
      mail('From: MAILER-DAEMON@mx.sender.test', 'Subject: Mail delivery failed', '', 'A message that you sent has not yet been delivered to one recipient; it has now failed permanently:', '', '<gone@rcpt.test>:', 'Connection timed out', ''),
    );
    expect([final.kind, final.recipients.map((x) => x.action)]).toEqual(['bounce', ['failed']]);
  });

  it('a failure notice with no recipient in it is a bounce with one unnamed recipient read from the text', async () => {
    const r = await classifyMessage(mail('From: postmaster@mx.sender.test', 'Subject: Undeliverable: hello', '', 'Your   message was not delivered because the mailbox is full.'));
    expect(r.kind).toBe('bounce');
    expect(recipients(r)).toEqual([{ address: undefined, action: 'failed', status: undefined, diagnostic: 'Your message was not delivered because the mailbox is full.', remoteMta: undefined, id: 22 }]);
  });

  it('a mailer daemon sender alone makes a failure report, also as the first member of a group', async () => {
    for (const from of ['From: MAILER-DAEMON@mx.sender.test', 'From: Daemons: MAILER-DAEMON@mx.sender.test;']) {
      const r = await classifyMessage(mail(from, 'Subject: note', '', 'Your note about the mailbox quota.'));
      expect([from, r.kind, r.recipients.length]).toEqual([from, 'bounce', 1]);
    }
    const person = await classifyMessage(mail('From: Team: alice@sender.test;', 'Subject: note', '', 'Your note about the mailbox quota.'));
    expect(person.kind).toBe('other');
  });

  it('automatic replies by header: Auto-Submitted, X-Autoreply, X-Autorespond, Precedence auto_reply', async () => {
    for (const header of ['Auto-Submitted: Auto-Replied', 'X-Autoreply: yes', 'X-Autorespond: yes', 'Precedence: AUTO_REPLY']) {
      const r = await classifyMessage(mail('From: bob@rcpt.test', header, 'Subject: Re: hello', '', 'Thanks for your note.'));
      expect([header, r.kind, r.class?.id]).toEqual([header, 'auto-reply', 60]);
    }
  });

  it('list notices: the subject decides, or a list body with the list headers; bulk and list precedence count as lists', async () => {
    const cases: [string[], string, string | undefined, number | undefined][] = [
      [['Precedence: bulk', 'Subject: You have been removed'], 'ok', 'list', 90],
      [['List-Id: <news.sender.test>', 'Subject: Notice'], 'You have been removed from the mailing list.', 'list', 90],
      [['List-Id: <news.sender.test>', 'Subject: Welcome to the news list'], 'To unsubscribe, send a message to news-leave.', 'list', 80],
      [['List-Id: <news.sender.test>', 'Subject: Notice'], 'Please confirm your subscription.', 'list', 80],
      [['Precedence: list', 'Subject: Notice'], 'Please confirm your subscription.', 'other', undefined],
      [['Subject: Notice'], 'You have been removed from the mailing list.', 'other', undefined],
    ];
    for (const [headers, body, kind, id] of cases) {
      const r = await classifyMessage(mail('From: news@sender.test', ...headers, '', body));
      expect([headers, body, r.kind, r.class?.id]).toEqual([headers, body, kind, id]);
    }
  });

  it('a message starting with blank lines and spaces before its first header is still a message', async () => {
    const r = await classifyMessage(`\r\n \t\n${mail('From: a@sender.test', 'Subject: hi', '', 'hello')}`);
    expect(r.kind).toBe('other');
  });

  it('an HTML-only failure notice is read without its tags', async () => {
    const r = await classifyMessage(mail('From: postmaster@mx.sender.test', 'Subject: Undeliverable: hello', 'Content-Type: text/html', '', '<html><body><p>Delivery&nbsp;failed:</p><b>mailbox</b> <i>full</i></body></html>'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients[0]?.diagnostic).not.toContain('<');
    expect(r.recipients[0]?.class.id).toBe(22);
  });

  it('a body the MIME parser yields nothing for is read from the raw text after the header', async () => {
    const r = await classifyMessage(mail('From: postmaster@mx.sender.test', 'Subject: Undeliverable: hello', 'Content-Type: multipart/mixed; boundary="never"', '', 'The mailbox is full, delivery failed.'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients[0]?.diagnostic).toBe('The mailbox is full, delivery failed.');
  });
});
