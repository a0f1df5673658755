// The returned message's identity (`original`) as a bounce handler reads it: RFC 2047 encoded words
// in From, To and Subject decoded, folded fields joined, in a report part and in a free-text bounce.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';
import { ONE_FAILED, dsnReport } from '../../test/dsn-report.js';

/** A DSN for one failed recipient whose third part (of `type`) holds `original`. */
const report = (type: string, original: string[]): string => dsnReport([], ONE_FAILED, type, original);

const ENCODED = [
  'Message-ID: <m-1@sender.test>',
  'From: =?UTF-8?B?w4lsb2RpZQ==?= <elodie@sender.test>',
  'To: =?ISO-8859-1?Q?J=F6rg?= <bob@rcpt.test>',
  'Subject: =?UTF-8?Q?Caf=C3=A9_menu?=',
  ' =?UTF-8?B?4pyT?=',
];
const DECODED = { messageId: '<m-1@sender.test>', from: 'Élodie <elodie@sender.test>', to: 'Jörg <bob@rcpt.test>', subject: 'Café menu✓' };

describe('classifyMessage: the original message identity', () => {
  it.each(['text/rfc822-headers', 'message/rfc822', 'message/global-headers'])('encoded words are decoded, from a %s part', async (type) => {
    const r = await classifyMessage(report(type, [...ENCODED, '', 'body']));
    expect(r.original).toEqual(DECODED);
  });

  it('a returned message whose part headers break on an unindented continuation line (as some Exchange reports do): its own fields are still read', async () => {
    // The part's header block ends at the line without a colon; the returned message's fields follow a blank line.
    const brokenPart = ['message/rfc822', 'X-Message-Info:', '5vMbyqxGkdfb86Tqlvb+ooiaK4miofpE0+yIiNadAlmGNL8EhFUX==', 'X-Message-Delivery: Vj0xLjE7dXM9MDtsPTA7', ''].join('\r\n');
    const r = await classifyMessage(report(brokenPart, ['Received: from mb0381.test by mx.sender.test; Sun, 17 Jun 2018 07:31:37 +0000', ...ENCODED, '', 'body']));
    expect(r.original).toEqual(DECODED);
    expect(r.recipients).toHaveLength(1);
  });

  it('a free-text bounce: the quoted headers decoded, a folded field joined', async () => {
    const r = await classifyMessage(
      ['From: MAILER-DAEMON@mx.sender.test', 'Subject: failure notice', '', '<bob@rcpt.test>:', '550 5.1.1 no such user', '', '--- Below this line is a copy of the message.', '', ...ENCODED, 'To-Be-Ignored: x', '', 'body'].join('\n'),
    );
    expect(r.original).toEqual(DECODED);
    const folded = await classifyMessage(['From: MAILER-DAEMON@mx.sender.test', 'Subject: failure notice', '', '<bob@rcpt.test>:', 'gone', '', 'Message-ID: <m-2@sender.test>', 'To: a@rcpt.test,', '\tb@rcpt.test', 'Subject: one', '  two'].join('\n'));
    expect(folded.original).toEqual({ messageId: '<m-2@sender.test>', from: undefined, to: 'a@rcpt.test, b@rcpt.test', subject: 'one two' });
  });

  it('words whose bytes are not in their stated charset are kept as written; text without words is untouched', async () => {
    const wrong = '=?ISO-2022-JP?B?gaGL2Yt9kmyJuoKwgUmBSQ==?=';
    const r = await classifyMessage(report('text/rfc822-headers', ['Message-ID: <=?x?Q?y?=@sender.test>', `Subject: ${wrong}`, 'From: a =? b <a@sender.test>']));
    expect(r.original).toEqual({ messageId: '<=?x?Q?y?=@sender.test>', from: 'a =? b <a@sender.test>', to: undefined, subject: wrong });
  });

  it('a free-text bounce quoting a message without a Message-ID: its fields are read from the first trace field on', async () => {
    const r = await classifyMessage(
      ['From: MAILER-DAEMON@mx.sender.test', 'To: alice@sender.test', 'Subject: failure notice', '', '<bob@rcpt.test>:', '550 5.1.1 no such user', '', '--- Below this line is a copy of the message.', '', 'Return-Path: <alice@sender.test>', 'Received: from mx.sender.test', '  by mx.rcpt.test; 1 Jul 2024 08:30:40 -0000', 'Subject: TEST #4', 'From: alice@sender.test', '', 'To: not-a-header@body.test'].join('\n'),
    );
    expect(r.original).toEqual({ messageId: undefined, from: 'alice@sender.test', to: undefined, subject: 'TEST #4' });
  });

  it('an Amazon SES notification: the sent message from mail.commonHeaders, address lists joined', async () => {
    const ses = (mail: unknown): string =>
      ['From: no-reply@sns.example.test', 'Subject: Notification Message', '', JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bob@rcpt.test' }] }, mail })].join('\r\n');
    const r = await classifyMessage(ses({ messageId: '0101-ses-id', commonHeaders: { from: ['Alice <alice@sender.test>'], to: ['bob@rcpt.test', 'carol@rcpt.test'], messageId: '<m-1@sender.test>', subject: 'Invoice' } }));
    expect(r.original).toEqual({ messageId: '<m-1@sender.test>', from: 'Alice <alice@sender.test>', to: 'bob@rcpt.test, carol@rcpt.test', subject: 'Invoice' });
    // missing or of the wrong type: nothing
    const odd = await classifyMessage(ses({ commonHeaders: { from: [1], to: 'bob@rcpt.test', subject: 7 } }));
    expect(odd.original).toEqual({ messageId: undefined, from: undefined, to: 'bob@rcpt.test', subject: undefined });
    expect((await classifyMessage(ses('x'))).original).toEqual({ messageId: undefined, from: undefined, to: undefined, subject: undefined });
  });
});

describe('classifyMessage: the DSN keys a sender correlates on (RFC 3464 §2.2.1, §2.3.1)', () => {
  it('Original-Envelope-Id is original.envelopeId, and each Original-Recipient its recipient\'s originalRecipient', async () => {
    const r = await classifyMessage(
      dsnReport(['Original-Envelope-Id: campaign-7 +batch 2'], [
        'Final-Recipient: rfc822; bob@rcpt.test',
        'Original-Recipient: rfc822; alias@list.test',
        'Action: failed',
        'Status: 5.1.1',
        '',
        'Final-Recipient: rfc822; carol@rcpt.test',
        'Action: failed',
        'Status: 5.2.2',
        '',
        'Final-Recipient: utf-8; d\\x{E9}nis@rcpt.test',
        'Original-Recipient: utf-8; d\\x{E9}nis@old.test',
        'Action: delayed',
        'Status: 4.4.1',
        '',
      ]),
    );
    expect(r.original.envelopeId).toBe('campaign-7 +batch 2');
    expect(r.recipients.map((x) => [x.address, x.originalRecipient])).toEqual([
      ['bob@rcpt.test', 'alias@list.test'],
      ['carol@rcpt.test', undefined],
      ['dénis@rcpt.test', 'dénis@old.test'],
    ]);
  });

  it('without them (and outside a DSN) both are undefined', async () => {
    const r = await classifyMessage(dsnReport([], ONE_FAILED));
    expect(r.original.envelopeId).toBeUndefined();
    expect(r.recipients[0]!.originalRecipient).toBeUndefined();
    const vacation = await classifyMessage('From: bob@rcpt.test\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n');
    expect(vacation.original.envelopeId).toBeUndefined();
  });
});
