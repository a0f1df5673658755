// A report with several delivery status parts whose diagnostics carry raw 8-bit bytes, each part
// declaring its own charset (the replies of different servers, copied as they came): each part is
// read in the charset it declares, not in that of the first delivery status part of the message,
// and a part whose charset no decoder knows is read as one with none (windows-1252), without an
// exception and without losing the other parts.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from './index.js';

/** `s` one byte per character: ASCII as it is, Greek letters in ISO-8859-7, anything else below U+0100 as Latin-1. */
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => {
  const cp = c.charCodeAt(0);
  return cp >= 0x0386 && cp <= 0x03ce ? cp - 0x2d0 : cp & 0xff;
});

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n';

/** A delivery status part with the given `Content-Type` parameters and one failed recipient. */
const part = (params: string, address: string, diagnostic: string): string =>
  `--R\nContent-Type: message/delivery-status${params}\nContent-Transfer-Encoding: 8bit\n\nReporting-MTA: dns; mx.sender.test\n\nFinal-Recipient: rfc822; ${address}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 ${diagnostic}\n`;

const GERMAN = 'Empfänger unbekannt';
const GREEK = 'άγνωστος παραλήπτης';

const diagnostics = async (raw: string): Promise<[string | undefined, string | undefined][]> =>
  (await classifyMessage(bytes(raw))).recipients.map((r) => [r.address, r.diagnostic]);

describe('classifyMessage: each delivery status part in its own charset', () => {
  it('a Latin-1 part then a Greek (ISO-8859-7) part: each diagnostic read in its part\'s charset', async () => {
    const raw = `${HEAD}${part('; charset=iso-8859-1', 'a@rcpt.test', GERMAN)}${part('; charset=iso-8859-7', 'b@other.test', GREEK)}--R--\n`;
    expect(await diagnostics(raw)).toEqual([
      ['a@rcpt.test', `550 5.1.1 ${GERMAN}`],
      ['b@other.test', `550 5.1.1 ${GREEK}`],
    ]);
  });

  it('a Greek part then a Latin-1 part: the second is not read in the first one\'s charset', async () => {
    const raw = `${HEAD}${part('; charset="ISO-8859-7"', 'b@other.test', GREEK)}${part('; charset=windows-1252', 'a@rcpt.test', GERMAN)}--R--\n`;
    expect(await diagnostics(raw)).toEqual([
      ['b@other.test', `550 5.1.1 ${GREEK}`],
      ['a@rcpt.test', `550 5.1.1 ${GERMAN}`],
    ]);
  });

  it('a first part that declares no charset leaves the second part its own', async () => {
    const raw = `${HEAD}${part('', 'a@rcpt.test', GERMAN)}${part('; charset=iso-8859-7', 'b@other.test', GREEK)}--R--\n`;
    expect(await diagnostics(raw)).toEqual([
      ['a@rcpt.test', `550 5.1.1 ${GERMAN}`],
      ['b@other.test', `550 5.1.1 ${GREEK}`],
    ]);
  });

  it.each(['x-no-such-charset', 'utf-7', '"', 'iso-2022-kr'])('a part labelled %j is read as one with no charset, and the other parts keep theirs', async (label) => {
    const raw = `${HEAD}${part(`; charset=${label}`, 'a@rcpt.test', GERMAN)}${part('; charset=iso-8859-7', 'b@other.test', GREEK)}--R--\n`;
    expect(await diagnostics(raw)).toEqual([
      ['a@rcpt.test', `550 5.1.1 ${GERMAN}`],
      ['b@other.test', `550 5.1.1 ${GREEK}`],
    ]);
  });

  it('a delivery status Content-Type quoted in the human-readable text before the parts does not decide their charset', async () => {
    const text = '--R\nContent-Type: text/plain\n\nThe report below was written with\nContent-Type: message/delivery-status; charset=iso-8859-7\nas its header.\n\n';
    const raw = `${HEAD}${text}${part('; charset=iso-8859-1', 'a@rcpt.test', GERMAN)}--R--\n`;
    expect(await diagnostics(raw)).toEqual([['a@rcpt.test', `550 5.1.1 ${GERMAN}`]]);
  });
});
