// classifyMessage on reports whose diagnostics carry raw 8-bit bytes, given as bytes: UTF-8 in an
// RFC 6533 message/global-delivery-status part (what Postfix writes for an SMTPUTF8 message), and
// the Latin-1 (or other legacy) bytes of a remote reply copied into a message/delivery-status part
// or a free-text bounce with no charset, or a wrong one. Each is read as the text it is: UTF-8 kept,
// anything else in the declared charset or windows-1252, never U+FFFD and never an exception.
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../test/message-outcome.js';
import { classifyMessage } from './index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** `s` in ISO-8859-1 (every character below U+0100), one byte each. */
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const diagnostics = async (raw: Uint8Array, maxBytes?: number): Promise<[string | undefined, string | undefined, number][]> =>
  (await classifyMessage(raw, maxBytes === undefined ? {} : { maxBytes })).recipients.map((r) => [r.address, r.diagnostic, r.class.id]);

/** A Postfix DSN of an SMTPUTF8 message: message/global-delivery-status and message/global-headers, 8bit. */
const POSTFIX_SMTPUTF8 = enc(
  [
    'Return-Path: <>',
    'From: MAILER-DAEMON@mail.sender.example (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    'To: jörg@sender.example',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="4F2A81C0A2.1733349542/mail.sender.example"',
    'Content-Transfer-Encoding: 8bit',
    'Message-Id: <20241204215902.5B1C81C0A3@mail.sender.example>',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--4F2A81C0A2.1733349542/mail.sender.example',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'This is the mail system at host mail.sender.example.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    '<bjørn@empfänger.example>: host mx.empfänger.example[192.0.2.25] said: 550',
    '    5.1.1 <bjørn@empfänger.example>: Empfänger unbekannt (in reply to RCPT TO',
    '    command)',
    '',
    '--4F2A81C0A2.1733349542/mail.sender.example',
    'Content-Description: Delivery report',
    'Content-Type: message/global-delivery-status',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Reporting-MTA: dns; mail.sender.example',
    'X-Postfix-Queue-ID: 4F2A81C0A2',
    'X-Postfix-Sender: rfc822; jörg@sender.example',
    'Arrival-Date: Wed,  4 Dec 2024 21:59:01 +0100 (CET)',
    '',
    'Final-Recipient: rfc822; bjørn@empfänger.example',
    'Original-Recipient: rfc822;bjørn@empfänger.example',
    'Action: failed',
    'Status: 5.1.1',
    'Remote-MTA: dns; mx.empfänger.example',
    'Diagnostic-Code: smtp; 550 5.1.1 <bjørn@empfänger.example>: Empfänger unbekannt',
    '',
    '--4F2A81C0A2.1733349542/mail.sender.example',
    'Content-Description: Undelivered Message Headers',
    'Content-Type: message/global-headers',
    'Content-Transfer-Encoding: 8bit',
    '',
    'From: jörg@sender.example',
    'To: bjørn@empfänger.example',
    'Subject: Grüße aus Köln',
    'Message-Id: <köln-1@sender.example>',
    '',
    '--4F2A81C0A2.1733349542/mail.sender.example--',
    '',
  ].join('\r\n'),
);

/** A DSN whose delivery-status part holds `diagnostic` as raw bytes (no charset, 8bit), the part's `type` given. */
function dsnWith(diagnostics: Uint8Array[], type = 'message/delivery-status', head = ''): Uint8Array {
  const blocks: (Uint8Array | string)[] = [];
  diagnostics.forEach((d, i) => blocks.push(`\r\nFinal-Recipient: rfc822; r${String(i)}@rcpt.example\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; `, d, '\r\n'));
  return concatBytes(
    'From: MAILER-DAEMON@mx.sender.example\r\nSubject: Delivery Status Notification (Failure)\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n\r\n',
    `--b\r\nContent-Type: ${type}${head}\r\nContent-Transfer-Encoding: 8bit\r\n\r\nReporting-MTA: dns; mx.sender.example\r\n`,
    ...blocks,
    '\r\n--b--\r\n',
  );
}

describe('classifyMessage: raw 8-bit diagnostics in a delivery status part', () => {
  it('a Postfix DSN of an SMTPUTF8 message (message/global-delivery-status, RFC 6533): UTF-8 addresses, diagnostic and returned headers', async () => {
    const r = await classifyMessage(POSTFIX_SMTPUTF8);
    expect([r.kind, r.truncated]).toEqual(['bounce', false]);
    expect(r.recipients.map((x) => [x.address, x.originalRecipient, x.status, x.remoteMta, x.diagnostic, x.class.id])).toEqual([
      ['bjørn@empfänger.example', 'bjørn@empfänger.example', '5.1.1', 'mx.empfänger.example', '550 5.1.1 <bjørn@empfänger.example>: Empfänger unbekannt', 10],
    ]);
    expect([r.original.messageId, r.original.from, r.original.subject]).toEqual(['<köln-1@sender.example>', 'jörg@sender.example', 'Grüße aus Köln']);
  });

  it('Latin-1 diagnostics, French and German, in a message/delivery-status part with no charset: decoded as windows-1252', async () => {
    const fr = latin1('552 5.2.2 <marie@exemple.fr>: Boîte aux lettres pleine, le message a été refusé');
    const de = latin1('550 5.1.1 <jürgen@beispiel.de>: Empfänger unbekannt, Zustellung nicht möglich');
    expect(await diagnostics(dsnWith([fr, de]))).toEqual([
      ['r0@rcpt.example', '552 5.2.2 <marie@exemple.fr>: Boîte aux lettres pleine, le message a été refusé', 22],
      ['r1@rcpt.example', '550 5.1.1 <jürgen@beispiel.de>: Empfänger unbekannt, Zustellung nicht möglich', 10],
    ]);
  });

  it('windows-1252 letters and punctuation (œ, ’, –, €) are read as windows-1252, not as Latin-1 control characters', async () => {
    const [[, diagnostic]] = (await diagnostics(dsnWith([Uint8Array.from([...latin1('550 5.1.1 Adresse inconnue '), 0x96, 0x20, ...latin1("l'utilisateur n"), 0x92, ...latin1('existe pas, c'), 0x9c, ...latin1('ur 10 '), 0x80])]))) as [[string, string, number]];
    expect(diagnostic).toBe('550 5.1.1 Adresse inconnue – l\'utilisateur n’existe pas, cœur 10 €');
  });

  it('one recipient in UTF-8 and one in Latin-1 in the same part: each line read as what it is', async () => {
    const utf8 = enc('550 5.1.1 Empfänger unbekannt');
    const legacy = latin1('550 5.1.1 Empfänger unbekannt');
    const rows = await diagnostics(dsnWith([utf8, legacy, utf8]));
    expect(rows.map((x) => x[1])).toEqual(Array(3).fill('550 5.1.1 Empfänger unbekannt'));
  });

  it('the charset the part declares is used for the lines that are not UTF-8 (ISO-8859-2, Polish)', async () => {
    // "Skrzynka pełna" (mailbox full): ł is B3 in ISO-8859-2 (³ in Latin-1)
    const pl = Uint8Array.from([...latin1('552 5.2.2 Skrzynka odbiorcza pe'), 0xb3, ...latin1('na')]);
    expect(await diagnostics(dsnWith([pl], 'message/delivery-status', '; charset=iso-8859-2'))).toEqual([['r0@rcpt.example', '552 5.2.2 Skrzynka odbiorcza pełna', 22]]);
    expect(await diagnostics(dsnWith([pl], 'message/delivery-status', '; charset="no-such-charset"'))).toEqual([['r0@rcpt.example', '552 5.2.2 Skrzynka odbiorcza pe³na', 22]]);
  });

  it('a message/global-delivery-status part with Latin-1 bytes in it (not the UTF-8 it should be) is still read', async () => {
    expect(await diagnostics(dsnWith([latin1('550 5.1.1 Destinataire inconnu à cette adresse')], 'message/global-delivery-status'))).toEqual([['r0@rcpt.example', '550 5.1.1 Destinataire inconnu à cette adresse', 10]]);
  });

  it('bytes that are no text at all: no exception, no U+FFFD, the class from the status and the codes', async () => {
    const junk = Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + 128) % 256);
    const noise = concatBytes('550 5.1.1 ', junk.filter((b) => b !== 10 && b !== 13));
    const [[address, diagnostic, id]] = (await diagnostics(dsnWith([noise]))) as [[string, string, number]];
    expect([address, id, diagnostic.includes('\ufffd')]).toEqual(['r0@rcpt.example', 10, false]);
  });

  it('an input cut inside a UTF-8 character: the lines before stay UTF-8, no exception', async () => {
    const at = POSTFIX_SMTPUTF8.indexOf(0xc3, new TextDecoder().decode(POSTFIX_SMTPUTF8).indexOf('Diagnostic-Code') + 40) + 1;
    const r = await classifyMessage(POSTFIX_SMTPUTF8, { maxBytes: at });
    expect(r.truncated).toBe(true);
    expect(r.recipients.map((x) => [x.address, x.status, x.remoteMta])).toEqual([['bjørn@empfänger.example', '5.1.1', 'mx.empfänger.example']]);
  });
});

describe('classifyMessage: raw 8-bit text in a free-text bounce', () => {
  const bounce = (contentType: string, body: Uint8Array): Uint8Array =>
    concatBytes(`From: MAILER-DAEMON@mx.sender.example\r\nSubject: Unzustellbar\r\nMIME-Version: 1.0\r\n${contentType}Content-Transfer-Encoding: 8bit\r\n\r\n`, body);
  // 0x92 is the windows-1252 apostrophe
  const body = concatBytes('<jean@exemple.fr>: ', latin1('550 5.1.1 Adresse électronique inconnue, boîte supprimée, l'), Uint8Array.of(0x92), latin1('utilisateur a quitté'), '\r\n');
  const expected = [['jean@exemple.fr', '550 5.1.1 Adresse électronique inconnue, boîte supprimée, l’utilisateur a quitté', 10]];

  it.each([
    ['no Content-Type', ''],
    ['text/plain with no charset', 'Content-Type: text/plain\r\n'],
    ['charset=iso-8859-1', 'Content-Type: text/plain; charset=iso-8859-1\r\n'],
    ['charset=utf-8, which the bytes are not', 'Content-Type: text/plain; charset=utf-8\r\n'],
    ['charset="UTF8", folded, which the bytes are not', 'Content-Type: text/plain;\r\n\tcharset="UTF8"\r\n'],
  ])('Latin-1 bytes, %s: decoded', async (_, contentType) => {
    expect(await diagnostics(bounce(contentType, body))).toEqual(expected);
  });

  it('charset=utf-8 with UTF-8 bytes (and a U+FFFD the sender wrote) is left as it is', async () => {
    const r = await diagnostics(bounce('Content-Type: text/plain; charset=utf-8\r\n', enc('<jean@exemple.fr>: 550 5.1.1 Adresse électronique inconnue \ufffd\r\n')));
    expect(r).toEqual([['jean@exemple.fr', '550 5.1.1 Adresse électronique inconnue \ufffd', 10]]);
  });

  it('a multipart bounce whose UTF-8 labelled part is Latin-1 and whose other part is UTF-8: both read', async () => {
    const raw = concatBytes(
      'From: MAILER-DAEMON@mx.sender.example\r\nSubject: Undeliverable\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n',
      body,
      '\r\n--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n',
      enc('<anna@beispiel.de>: 552 5.2.2 Postfach voll, Größe überschritten\r\n'),
      '\r\n--m--\r\n',
    );
    expect(await diagnostics(raw)).toEqual([...expected, ['anna@beispiel.de', '552 5.2.2 Postfach voll, Größe überschritten', 22]]);
  });
});
