// The kinds a message without a delivery report can have, from its header fields and its text:
// RFC 3834 automatic replies and RFC 2369/2919 list notices.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';
import { dsnReport } from '../../test/dsn-report.js';

describe('classifyMessage: the Auto-Submitted field (RFC 3834 §5)', () => {
  const reply = (field: string): string => `From: bob@rcpt.test\r\nTo: alice@sender.test\r\nSubject: Re: hello\r\n${field}\r\n\r\nI will read your message later.\r\n`;

  it.each(['Auto-Submitted: auto-replied', 'Auto-Submitted: auto-replied (vacation)', 'Auto-Submitted: Auto-Replied; owner-email="bob@rcpt.test"', 'Auto-Submitted: (sieve) auto-replied', 'Auto-Submitted:\r\n\tauto-replied'])('%j is an auto-reply', async (field) => {
    const r = await classifyMessage(reply(field));
    expect([r.kind, r.class?.id]).toEqual(['auto-reply', 60]);
  });

  it.each(['Auto-Submitted: no', 'Auto-Submitted: auto-generated', 'Auto-Submitted: auto-repliedx', 'Auto-Submitted: (auto-replied) no'])('%j is not', async (field) => {
    expect((await classifyMessage(reply(field))).kind).toBe('other');
  });
});

describe('classifyMessage: list notices', () => {
  const post = (subject: string, body: string): string => `From: news@lists.test\r\nTo: alice@sender.test\r\nList-Id: <news.lists.test>\r\nList-Unsubscribe: <mailto:news-leave@lists.test>\r\nSubject: ${subject}\r\n\r\n${body}\r\n`;

  it.each([
    ['[news] Weekly digest', 'This week: three new articles.\r\n--\r\nTo unsubscribe, send a message to news-leave@lists.test.'],
    ['Re: [dev] patch review', 'Looks good to me.\r\n_______________\r\nUnsubscribe: https://lists.test/unsubscribe?u=alice'],
  ])('a list post whose footer says how to unsubscribe is not an unsubscribe notice (%s)', async (subject, body) => {
    const r = await classifyMessage(post(subject, body));
    expect([r.kind, r.class?.id]).toEqual(['other', undefined]);
  });

  it.each([
    'You have been removed from the mailing list.',
    'Your address alice@sender.test has been unsubscribed from news.',
    'alice@sender.test was removed from the news list.',
    'You are now unsubscribed.',
    'Goodbye from the news list!',
  ])('a list message saying the reader left is one: %j', async (body) => {
    const r = await classifyMessage(post('Notice', body));
    expect([r.kind, r.class?.id]).toEqual(['list', 90]);
  });
});

describe('classifyMessage: the kind of a delivery status notification', () => {
  const report = (...recipients: string[][]): string => dsnReport([], recipients.flatMap((fields, i) => [`Final-Recipient: rfc822; r${String(i)}@rcpt.test`, ...fields, '']));

  it.each([
    // an Action RFC 3464 §2.3.3 does not define is read by the Status class
    [[['Action: failed-permanently', 'Status: 5.1.1']], 'bounce'],
    [[['Action: bounced', 'Status: 5.1.1'], ['Action: delivered', 'Status: 2.0.0']], 'bounce'],
    [[['Action: deferred', 'Status: 4.4.1']], 'delayed'],
    [[['Action: sent', 'Status: 2.0.0']], 'delivered'],
    [[['Action: weird']], 'bounce'],
    // so is a missing one
    [[['Status: 2.0.0']], 'delivered'],
    [[['Status: 4.2.2']], 'delayed'],
    [[['Status: 5.1.1']], 'bounce'],
    [[[]], 'bounce'],
    // the defined ones decide whatever the status
    [[['Action: relayed', 'Status: 2.0.0'], ['Action: expanded', 'Status: 2.0.0']], 'delivered'],
    [[['Action: delayed', 'Status: 4.4.7'], ['Action: relayed', 'Status: 2.0.0']], 'delayed'],
    [[['Action: delayed', 'Status: 4.4.7'], ['Action: failed', 'Status: 4.4.7']], 'bounce'],
  ])('%j is %s', async (recipients, kind) => {
    const r = await classifyMessage(report(...recipients));
    expect(r.kind).toBe(kind);
    expect(r.recipients.map((x) => x.address)).toEqual(recipients.map((_, i) => `r${String(i)}@rcpt.test`));
  });
});

describe('classifyMessage: recipients explained by the human-readable part', () => {
  it('a report naming one address thousands of times explains each from the 1,200 characters after it (an unclosed <a@a@... line does not end it)', async () => {
    // each with an Original-Recipient of its own, so that the 3,000 are 3,000 recipients (a
    // repeated recipient is given once)
    const blocks = Array.from({ length: 3000 }, (_, i) => ['', 'Final-Recipient: rfc822; x@rcpt.test', `Original-Recipient: rfc822; o${String(i)}@alias.test`, 'Action: failed']).flat();
    const raw = [
      'From: MAILER-DAEMON@mx.sender.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rb"',
      '',
      '--rb',
      'Content-Type: text/plain',
      '',
      '<x@rcpt.test>: mailbox full',
      `<${'a@'.repeat(600)}`,
      '<y@rcpt.test>:',
      'other',
      '--rb',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.sender.test',
      ...blocks,
      '',
      '--rb--',
      '',
    ].join('\n');
    const r = await classifyMessage(raw);
    expect(r.recipients).toHaveLength(3000);
    // the 1,200 characters after the address, less its ">: "
    const why = `mailbox full <${'a@'.repeat(600)}`.slice(0, 1197);
    expect(new Set(r.recipients.map((x) => `${x.diagnostic ?? ''}|${String(x.class.id)}`))).toEqual(new Set([`${why}|22`]));
  });
});

describe('classifyMessage: RFC 6533 internationalized reports', () => {
  it('a message/global-delivery-status with utf-8 recipients: raw UTF-8 and \\x{HEX} both read', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.sender.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=global-delivery-status; boundary="rb"',
      '',
      '--rb',
      'Content-Type: message/global-delivery-status',
      '',
      'Reporting-MTA: dns; mx.sender.test',
      '',
      'Final-Recipient: utf-8; δοκιμή@παράδειγμα.δοκιμή',
      'Action: failed',
      'Status: 5.1.1',
      '',
      'Original-Recipient: utf-8; \\x{E9}l\\x{E8}ve@rcpt.test',
      'Action: failed',
      'Status: 5.2.2',
      '',
      '--rb--',
      '',
    ].join('\r\n');
    const r = await classifyMessage(new TextEncoder().encode(raw));
    expect(r.recipients.map((x) => [x.address, x.class.id])).toEqual([
      ['δοκιμή@παράδειγμα.δοκιμή', 10],
      ['élève@rcpt.test', 22],
    ]);
  });
});

describe('classifyMessage: delivered recipients of a mixed report', () => {
  it('a delivered or relayed recipient without a Diagnostic-Code is not classified by the text about the failed ones', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.sender.test',
      'Subject: Delivery Status Notification',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rb"',
      '',
      '--rb',
      'Content-Type: text/plain',
      '',
      'Some recipients failed: the mailbox is unavailable, user unknown.',
      '--rb',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.sender.test',
      '',
      'Final-Recipient: rfc822; ok@rcpt.test',
      'Action: delivered',
      'Status: 2.0.0',
      '',
      'Final-Recipient: rfc822; gone@rcpt.test',
      'Action: failed',
      'Status: 5.1.1',
      '',
      'Final-Recipient: rfc822; relay@rcpt.test',
      'Action: relayed',
      'Status: 2.0.0',
      '',
      '--rb--',
      '',
    ].join('\r\n');
    const r = await classifyMessage(raw);
    expect(r.kind).toBe('bounce');
    expect(r.recipients.map((x) => [x.address, x.class.id, x.class.action])).toEqual([
      ['ok@rcpt.test', 1, 'review'],
      ['gone@rcpt.test', 10, 'suppress'],
      ['relay@rcpt.test', 1, 'review'],
    ]);
  });
});

describe('classifyMessage: automatic replies that read like failures', () => {
  it.each([
    ['Subject: Automatic reply: Undeliverable: invoice', 'I am out of the office until Monday.\r\n\r\n> Your message to carol@rcpt.test could not be delivered.'],
    ['Subject: Out of office', 'I am away. Mail to bob@rcpt.test was not delivered to me personally; contact carol@rcpt.test.'],
  ])('an auto-replied message from a person, with an auto-reply subject, is an auto-reply: %s', async (subject, body) => {
    const r = await classifyMessage(`From: bob@rcpt.test\r\nTo: alice@sender.test\r\n${subject}\r\nAuto-Submitted: auto-replied\r\n\r\n${body}\r\n`);
    expect([r.kind, r.class?.id, r.recipients]).toEqual(['auto-reply', 60, []]);
  });

  it.each([
    'Automatische Antwort: Angebot',
    'Abwesenheitsnotiz: Angebot',
    'Réponse automatique : devis',
    'Respuesta automática: presupuesto',
    'Risposta automatica: preventivo',
    'Resposta automática: orçamento',
    'Automatisch antwoord: offerte',
    'Automatyczna odpowiedź: oferta',
    'Automatická odpověď: nabídka',
    'Automatiskt svar: offert',
    'Automatisk svar: tilbud',
    'Automaattinen vastaus: tarjous',
    'Otomatik yanıt: teklif',
    'Automatikus válasz: ajánlat',
    'Răspuns automat: ofertă',
    'Автоматический ответ: предложение',
    'Αυτόματη απάντηση: προσφορά',
    '自動回覆: 報價',
    '自动回复: 报价',
    '자동 회신: 견적',
  ])('the subject a mail client writes on an automatic reply, in its language: %s', async (subject) => {
    const r = await classifyMessage(`From: bob@rcpt.test\r\nTo: alice@sender.test\r\nSubject: ${subject}\r\n\r\nBack on Monday.\r\n`);
    expect([r.kind, r.class?.id]).toEqual(['auto-reply', 60]);
  });

  it('a subject that only mentions a newsletter or a reply is no automatic reply', async () => {
    for (const subject of ['Re: our newsletter', 'Antwort auf Ihre Frage', 'Automation report']) {
      const r = await classifyMessage(`From: bob@rcpt.test\r\nTo: alice@sender.test\r\nSubject: ${subject}\r\n\r\nHello.\r\n`);
      expect(r.kind, subject).toBe('other');
    }
  });

  it('a bounce marked auto-replied (as Exim marks them) is still a bounce', async () => {
    for (const from of ['Mail Delivery System <Mailer-Daemon@mx.sender.test>', 'bob@rcpt.test']) {
      const r = await classifyMessage(`From: ${from}\r\nTo: alice@sender.test\r\nSubject: Mail delivery failed: returning message to sender\r\nAuto-Submitted: auto-replied\r\n\r\nThis message was created automatically by mail delivery software.\r\n\r\n  carol@rcpt.test\r\n    550 5.1.1 user unknown\r\n`);
      expect([from, r.kind, r.recipients.map((x) => [x.address, x.class.id])]).toEqual([from, 'bounce', [['carol@rcpt.test', 10]]]);
    }
    const daemon = await classifyMessage('From: MAILER-DAEMON@mx.sender.test\r\nSubject: Automatic reply: delivery failed\r\nAuto-Submitted: auto-replied\r\n\r\n<carol@rcpt.test>:\r\n550 5.1.1 user unknown\r\n');
    expect(daemon.kind).toBe('bounce');
  });
});

describe('classifyMessage: the explanation after a recipient in the human-readable part', () => {
  it('is found at the address, case-insensitively, whatever non-ASCII text comes before it (İ lower-cases to two units)', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.sender.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rb"',
      '',
      '--rb',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'İ'.repeat(40),
      '<A@Rcpt.Test>: mailbox full, over quota',
      '',
      '',
      'User unknown.',
      '--rb',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; a@rcpt.test',
      'Action: failed',
      'Status: 5.0.0',
      '',
      '--rb--',
      '',
    ].join('\r\n');
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.diagnostic, x.class.id])).toEqual([['mailbox full, over quota', 22]]);
  });
});
