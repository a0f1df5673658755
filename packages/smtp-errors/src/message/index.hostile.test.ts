// classifyMessage on hostile and odd real-world input: every input gives a result or a typed
// error with a stable code (never an untyped exception), and a well-formed report keeps its kind
// and every recipient whatever its line ends, charsets and transfer encodings. Counts and results
// only: that the time is linear is measured by test/message-linearity.ts, not asserted here.
import { describe, expect, it } from 'vitest';
import { concatBytes, outcome, recipientRows } from '../../test/message-outcome.js';
import { classifyMessage } from './index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toB64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** Deterministic pseudo-random bytes. */
function garbage(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\r\nTo: s@sender.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n';

/** A multipart/report DSN: an explanation, the delivery-status part with `blocks`, then `tail` parts. */
function dsn(blocks: string, tail = ''): string {
  return `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sender.test\r\n\r\n${blocks}\r\n${tail}--rb--\r\n`;
}

const TWO = dsn(
  'Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\nFinal-Recipient: rfc822; b@rcpt.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n',
  '--rb\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m@sender.test>\r\nSubject: hello\r\n\r\n',
);
const TWO_ROWS = [
  ['a@rcpt.test', '5.1.1', 10],
  ['b@rcpt.test', '5.2.2', 22],
];

/** `bytes` after its buffer was transferred away: a view of length 0 whose subarray() throws. */
function detached(bytes: Uint8Array): Uint8Array {
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  return bytes;
}

describe('classifyMessage: input that is not a message is ERR_SMTP_MESSAGE_INVALID', () => {
  it.each([
    ['an empty string', ''],
    ['no bytes', new Uint8Array(0)],
    ['the bytes of a message whose buffer was transferred (detached)', detached(enc('From: a@example.com\r\n\r\nbody\r\n'))],
    ['only blank lines', '\r\n\r\n \t\n'],
    ['a line of prose', 'hello world, this is not mail\n'],
    ['64 KiB of random bytes', garbage(65536, 1)],
    ['1 MiB of NUL bytes', new Uint8Array(1024 * 1024)],
    ['invalid UTF-8 where the first field name would be', new Uint8Array([0xff, 0xfe, ...enc(': x\r\n\r\nbody')])],
  ])('%s', async (_, raw) => {
    expect(await outcome(raw)).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('random bytes after a first header field give a result', async () => {
    expect(await outcome(concatBytes(enc('X-Junk: y\n'), garbage(100000, 3)))).toBe('other');
  });
});

describe('classifyMessage: a lone header block', () => {
  it('with or without its line end, with or without the blank line: a result with no recipients', async () => {
    for (const raw of ['From: a@b.test\r\nSubject: hi', 'From: a@b.test\r\nSubject: hi\r\n', 'From: a@b.test\r\nSubject: hi\r\n\r\n']) {
      const r = await classifyMessage(raw);
      expect([r.kind, r.recipients.length]).toEqual(['other', 0]);
    }
  });

  it("a bounce's header block alone is a bounce whose recipient is not known", async () => {
    const r = await classifyMessage('From: MAILER-DAEMON@mx.test\r\nSubject: Undeliverable: hi');
    expect([r.kind, r.recipients.map((x) => x.address)]).toEqual(['bounce', [undefined]]);
  });
});

describe('classifyMessage: bytes that are not text', () => {
  it('invalid UTF-8 in a body: the recipient and its class stay', async () => {
    const raw = concatBytes(enc(`${HEAD}\r\n<a@rcpt.test>: 550 5.1.1 user `), new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), enc(' unknown\r\n'));
    const r = await classifyMessage(raw);
    expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.1.1', 10]]);
    expect(r.recipients[0]?.diagnostic).toMatch(/^550 5\.1\.1 user .+ unknown$/);
  });

  it('NUL bytes in a header field and in the body', async () => {
    const r = await classifyMessage('From: MAILER-DAEMON@mx.test\0\r\nSubject: Undeliverable\0\r\n\r\n<a@rcpt.test>: 550 5.1.1 user\0 unknown\0\r\n');
    expect([r.kind, ...recipientRows(r)]).toEqual(['bounce', ['a@rcpt.test', '5.1.1', 10]]);
  });

  it('lone surrogates in a string input', async () => {
    const r = await classifyMessage('From: MAILER-DAEMON@mx.test\r\nSubject: Undeliverable \ud800\r\n\r\n<a@rcpt.test>: 550 5.1.1 \udfff user unknown\r\n');
    expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.1.1', 10]]);
  });
});

describe('classifyMessage: long lines', () => {
  it('a header line of 1 MB is over the header limit: ERR_SMTP_MESSAGE_INVALID, also under a larger maxBytes', async () => {
    const raw = `From: a@b.test\r\nX-Long: ${'a'.repeat(1024 * 1024)}\r\n\r\nbody\r\n`;
    expect(await outcome(raw)).toBe('ERR_SMTP_MESSAGE_INVALID');
    expect(await outcome(raw, 4 * 1024 * 1024)).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('a body line of 1 MB: the recipient before it is found', async () => {
    const raw = `${HEAD}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n${'x'.repeat(1024 * 1024)}\r\n`;
    const r = await classifyMessage(raw, { maxBytes: 4 * 1024 * 1024 });
    expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.1.1', 10]]);
  });
});

describe('classifyMessage: MIME structure', () => {
  /** `n` parts of a multipart/mixed, the first holding a free-text failure. */
  const parts = (n: number): string =>
    `${HEAD}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${Array.from({ length: n }, (_, i) => `--b\r\n\r\n${i === 0 ? '<a@rcpt.test>: 550 5.1.1 user unknown' : `part ${String(i)}`}\r\n`).join('')}--b--\r\n`;

  /** `n` parts of a multipart/mixed, the last holding a free-text failure. */
  const lastHolds = (n: number): string =>
    `${HEAD}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${Array.from({ length: n }, (_, i) => `--b\r\n\r\n${i === n - 1 ? '<a@rcpt.test>: 550 5.1.1 user unknown' : `part ${String(i)}`}\r\n`).join('')}--b--\r\n`;

  it('9,999 parts are read whole; at 10,000 the parser gives up, and the recipients of the parts before are the result, truncated', async () => {
    expect(recipientRows(await classifyMessage(parts(9999)))).toEqual([['a@rcpt.test', '5.1.1', 10]]);
    const over = await classifyMessage(parts(10000));
    expect([over.truncated, over.kind, ...recipientRows(over)]).toEqual([true, 'bounce', ['a@rcpt.test', '5.1.1', 10]]);
  });

  it('10,000 parts whose only recipient is in a part after the one the parser gave up on: ERR_SMTP_MESSAGE_INVALID, never an untyped error', async () => {
    expect(await outcome(lastHolds(10000))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('header lines count at least 64 bytes each against the 256 KiB: 4,000 parts with a header line each are read whole, 4,200 up to the part the parser gave up on', async () => {
    const headed = (text: string): string => text.replace(/--b\r\n\r\n/g, '--b\r\nContent-Type: text/plain\r\n\r\n');
    expect(recipientRows(await classifyMessage(headed(parts(4000))))).toEqual([['a@rcpt.test', '5.1.1', 10]]);
    const cut = await classifyMessage(headed(parts(4200)));
    expect([cut.truncated, ...recipientRows(cut)]).toEqual([true, ['a@rcpt.test', '5.1.1', 10]]);
    expect(await outcome(headed(lastHolds(4200)))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('multipart nested 1,000 deep, closed or never closed: ERR_SMTP_MESSAGE_INVALID', async () => {
    let closed = 'Content-Type: text/plain\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n';
    let open = HEAD;
    for (let i = 0; i < 1000; i++) {
      closed = `Content-Type: multipart/mixed; boundary="b${String(i)}"\r\n\r\n--b${String(i)}\r\n${closed}\r\n--b${String(i)}--\r\n`;
      open += `Content-Type: multipart/mixed; boundary="b${String(i)}"\r\n\r\n--b${String(i)}\r\n`;
    }
    expect(await outcome(HEAD + closed, 8 * 1024 * 1024)).toBe('ERR_SMTP_MESSAGE_INVALID');
    expect(await outcome(`${open}Content-Type: text/plain\r\n\r\n550 5.1.1 user unknown\r\n`)).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('a boundary that never closes, or is never opened: the text is still read', async () => {
    for (const body of ['--never\r\nContent-Type: text/plain\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n', '<a@rcpt.test>: 550 5.1.1 user unknown\r\n']) {
      const r = await classifyMessage(`${HEAD}Content-Type: multipart/mixed; boundary="never"\r\n\r\n${body}`);
      expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.1.1', 10]]);
    }
  });

  it('a DSN whose closing boundary is missing keeps its recipients', async () => {
    const r = await classifyMessage(TWO.replace(/--rb--\r\n$/, ''));
    expect(recipientRows(r)).toEqual(TWO_ROWS);
  });

  it('message/rfc822 inside message/rfc822 inside a DSN: the outer returned message is the original', async () => {
    const inner = 'From: x@inner.test\r\nMessage-ID: <inner@inner.test>\r\nSubject: inner\r\n\r\ninner body\r\n';
    const middle = `From: s@sender.test\r\nMessage-ID: <orig@sender.test>\r\nSubject: original\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: message/rfc822\r\n\r\n${inner}--m--\r\n`;
    const r = await classifyMessage(
      dsn('Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n', `--rb\r\nContent-Type: message/rfc822\r\n\r\n${middle}\r\n`),
    );
    expect([r.kind, ...recipientRows(r)]).toEqual(['bounce', ['a@rcpt.test', '5.1.1', 10]]);
    expect([r.original.messageId, r.original.subject]).toEqual(['<orig@sender.test>', 'original']);
  });
});

describe('classifyMessage: delivery status reports', () => {
  it('a report of 5,000 recipients (550 KB, 25,000 lines) keeps every one, in order', async () => {
    const n = 5000;
    const raw = dsn(Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; u${String(i)}@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n`).join('\r\n'));
    expect(raw.length).toBeLessThan(1024 * 1024);
    for (const input of [raw, raw.replace(/\r\n/g, '\n')]) {
      const r = await classifyMessage(input);
      expect(r.truncated).toBe(false);
      expect(r.recipients).toHaveLength(n);
      expect(r.recipients.every((x, i) => x.address === `u${String(i)}@rcpt.test` && x.class.id === 10)).toBe(true);
    }
  });

  it('recipients not separated by a blank line are each kept', async () => {
    const r = await classifyMessage(
      dsn(
        'Original-Recipient: rfc822; A@rcpt.test\r\nFinal-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nOriginal-Recipient: rfc822; B@rcpt.test\r\nFinal-Recipient: rfc822; b@rcpt.test\r\nAction: failed\r\nStatus: 5.2.2\r\n',
      ),
    );
    expect(recipientRows(r)).toEqual(TWO_ROWS);
    expect(r.recipients.map((x) => x.originalRecipient)).toEqual(['A@rcpt.test', 'B@rcpt.test']);
  });

  it('two Final-Recipient fields in a row: both recipients kept, the fields after them go with the second', async () => {
    const r = await classifyMessage(dsn('Final-Recipient: rfc822; a@rcpt.test\r\nFinal-Recipient: rfc822; b@rcpt.test\r\nAction: failed\r\nAction: delivered\r\nStatus: 5.1.1\r\nStatus: 2.0.0\r\n'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients.map((x) => [x.address, x.action, x.status])).toEqual([
      ['a@rcpt.test', undefined, undefined],
      ['b@rcpt.test', 'failed', '5.1.1'],
    ]);
  });

  it('the same recipient in two contradictory blocks: given once, as the first block tells it', async () => {
    const r = await classifyMessage(dsn('Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\nFinal-Recipient: rfc822; a@rcpt.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n'));
    expect([r.kind, r.recipients.map((x) => [x.address, x.action, x.status])]).toEqual(['bounce', [['a@rcpt.test', 'failed', '5.1.1']]]);
  });

  it('a Diagnostic-Code folded over 200 lines is one diagnostic', async () => {
    const folds = Array.from({ length: 200 }, (_, i) => (i === 3 ? '    550 5.2.2 mailbox full\r\n' : `\tline ${String(i)}\r\n`)).join('');
    const r = await classifyMessage(dsn(`Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp;\r\n${folds}`));
    expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.2.2', 22]]);
    expect(r.recipients[0]?.diagnostic).toMatch(/^line 0 line 1 line 2 550 5\.2\.2 mailbox full line 4 .* line 199$/);
  });

  it('a report part labelled as a text/plain attachment (details.txt) is read as the report', async () => {
    const r = await classifyMessage(
      `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\nDelivery has failed to these recipients.\r\n--rb\r\nContent-Type: text/plain; name="details.txt"\r\nContent-Disposition: attachment; filename="details.txt"\r\n\r\nReporting-MTA: dns; mx.sender.test\r\n\r\nFinal-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\nFinal-Recipient: rfc822; b@rcpt.test\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n--rb--\r\n`,
    );
    expect([r.kind, recipientRows(r)]).toEqual(['bounce', TWO_ROWS]);
  });

  it('a text/plain attachment without report fields is not read as one', async () => {
    const r = await classifyMessage(`${HEAD}Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n--m\r\nContent-Type: text/plain; name="notes.txt"\r\nContent-Disposition: attachment\r\n\r\nAction: failed\r\nStatus: 5.2.2\r\n--m--\r\n`);
    expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.1.1', 10]]);
  });

  it('a delivery-status part in base64', async () => {
    const part = toB64(enc('Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n'));
    const r = await classifyMessage(`${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n${part}\r\n--rb--\r\n`);
    expect(recipientRows(r)).toEqual([['a@rcpt.test', '5.1.1', 10]]);
  });

  it('a Diagnostic-Code in ISO-2022-JP (7-bit, with its escapes) is decoded, not left with escape characters', async () => {
    // ユーザー不明 ("user unknown") in ISO-2022-JP
    const jis = b64('GyRCJWYhPCU2ITxJVExAGyhC');
    const raw = concatBytes(enc(dsn('Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 ').replace(/\r\n--rb--\r\n$/, '')), jis, enc('\r\n\r\n--rb--\r\n'));
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.diagnostic, x.class.id])).toEqual([['550 5.1.1 ユーザー不明', 10]]);
  });
});

describe('classifyMessage: line ends', () => {
  it.each([
    ['CRLF', TWO],
    ['LF', TWO.replace(/\r\n/g, '\n')],
    ['CR (old Mac mail)', TWO.replace(/\r\n/g, '\r')],
    ['CRLF and LF, line by line', TWO.split('\r\n').map((l, i) => l + (i % 2 === 0 ? '\r\n' : '\n')).join('')],
    ['CRLF and CR, line by line', TWO.split('\r\n').map((l, i) => l + (i % 2 === 0 ? '\r\n' : '\r')).join('')],
    ['LF CR (reversed)', TWO.replace(/\r\n/g, '\n\r')],
    ['no line end after the last line', TWO.replace(/\r\n$/, '')],
  ])('%s: the same kind, recipients and original, as a string and as bytes', async (_, text) => {
    for (const raw of [text, enc(text)]) {
      const r = await classifyMessage(raw);
      expect([r.kind, recipientRows(r), r.original.messageId]).toEqual(['bounce', TWO_ROWS, '<m@sender.test>']);
    }
  });

  it('a free-text bounce with CR line ends, in quoted-printable and in base64', async () => {
    const qp = `${HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<a@rcpt.test>: 550 5.1.1 The email account that you tried to reach does not exi=\r\nst.\r\n\r\n<b@rcpt.test>: 552 5.2.2 mailbox full=3D=3D\r\n`;
    const base64 = `${HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${toB64(enc('<a@rcpt.test>: 550 5.1.1 user unknown\r\n<b@rcpt.test>: 552 5.2.2 mailbox full\r\n')).replace(/.{76}/g, '$&\r\n')}\r\n`;
    for (const text of [qp, base64]) {
      for (const ends of ['\r\n', '\n', '\r']) {
        const r = await classifyMessage(text.replace(/\r\n/g, ends));
        expect(recipientRows(r)).toEqual(TWO_ROWS);
      }
    }
  });
});

describe('classifyMessage: charsets of free-text bounces', () => {
  // "<a@rcpt.test>: 550 5.1.1 " then "user unknown", and a Subject, in each charset
  const cases: [string, string, string, string, string][] = [
    ['ISO-2022-JP', 'GyRCMDhAaCROJWYhPCU2ITwkT0I4Ol8kNyReJDskcxsoQg==', '宛先のユーザーは存在しません', 'GyRCR1s/LiUoJWkhPBsoQg==', '配信エラー'],
    ['Shift_JIS', 'iLaQ5oLMg4aBW4NVgVuCzZG2jd2CtYLcgrmC8Q==', '宛先のユーザーは存在しません', 'lHqQTYNHg4mBWw==', '配信エラー'],
    ['GB18030', 'ytW8/sjLsru05tTa', '收件人不存在', 'zcvQxQ==', '退信'],
    ['windows-1251', '7+7r/Ofu4uDy5ev8IO3lIO3g6eTl7Q==', 'пользователь не найден', 'zeUg5O7x8uDi6+Xt7g==', 'Не доставлено'],
  ];

  it.each(cases)('%s: an encoded-word Subject, the body in 8 bits and in base64', async (charset, text, decoded, subject, subjectDecoded) => {
    const head = `From: MAILER-DAEMON@mx.test\r\nSubject: =?${charset}?B?${subject}?=\r\nMIME-Version: 1.0\r\n`;
    const body = concatBytes(enc('<a@rcpt.test>: 550 5.1.1 '), b64(text), enc('\r\n'));
    const eightBit = concatBytes(enc(`${head}Content-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`), body);
    const base64 = `${head}Content-Type: text/plain; charset="${charset}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${toB64(body)}\r\n`;
    for (const raw of [eightBit, base64]) {
      const r = await classifyMessage(raw);
      expect(r.recipients.map((x) => [x.address, x.diagnostic, x.class.id])).toEqual([['a@rcpt.test', `550 5.1.1 ${decoded}`, 10]]);
    }
    const headers = await classifyMessage(dsn('Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n', `--rb\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m@x>\r\nSubject: =?${charset}?B?${subject}?=\r\n\r\n`));
    expect(headers.original.subject).toBe(subjectDecoded);
  });
});

describe('classifyMessage: the size cap', () => {
  const cap = 65536;
  const base = TWO.replace('--rb--\r\n', '');
  const at = base + 'X'.repeat(cap - base.length);

  it('at the cap: read whole; one unit over: truncated, with the same recipients (string and bytes)', async () => {
    for (const [raw, truncated] of [
      [at, false],
      [`${at}X`, true],
      [enc(at), false],
      [enc(`${at}X`), true],
    ] as const) {
      const r = await classifyMessage(raw, { maxBytes: cap });
      expect([r.truncated, recipientRows(r)]).toEqual([truncated, TWO_ROWS]);
    }
  });

  it('is applied before parsing: 64 MiB of one header line under the default cap is cut to 1 MiB, then over the header limit', async () => {
    const huge = new Uint8Array(64 * 1024 * 1024).fill(0x61);
    huge.set(enc('X-Long: '));
    expect(await outcome(huge)).toBe('ERR_SMTP_MESSAGE_INVALID');
    const report = concatBytes(enc(TWO), huge);
    const r = await classifyMessage(report);
    expect([r.truncated, recipientRows(r)]).toEqual([true, TWO_ROWS]);
  });
});

describe('classifyMessage: the line budget counts every kind of line end', () => {
  it('a megabyte of bare CRs (or LF CR pairs) after a report is cut at 65,536 lines, as LFs are, bytes or string', async () => {
    const head = 'From: MAILER-DAEMON@mx.test\rSubject: failure notice\r\r<a@rcpt.test>:\r550 5.1.1 user unknown\r';
    for (const [filler, end] of [
      ['\r', '\r'],
      ['\n\r', '\n'],
      ['\r\n', '\n'],
    ] as const) {
      const text = head.replace(/\r/g, end) + filler.repeat((1024 * 1024 - head.length) / filler.length);
      for (const raw of [text, enc(text)]) {
        const r = await classifyMessage(raw);
        expect([r.truncated, recipientRows(r)]).toEqual([true, [['a@rcpt.test', '5.1.1', 10]]]);
      }
    }
  });

  it('maxBytes / 16 lines of any line end are read whole, one more is cut', async () => {
    // (not LF CR: its blank line, LF CR LF CR, reads as LF, CRLF, CR: one line more)
    for (const end of ['\r', '\n', '\r\n']) {
      const head = ['From: MAILER-DAEMON@mx.test', 'Subject: failure notice', '', '<a@rcpt.test>:', '550 5.1.1 user unknown', ''].join(end);
      const full = head + `x${end}`.repeat(1024 - 5);
      const whole = await classifyMessage(full, { maxBytes: 16384 });
      const over = await classifyMessage(`${full}x`, { maxBytes: 16384 });
      expect([end, whole.truncated, over.truncated, recipientRows(whole), recipientRows(over)]).toEqual([end, false, true, [['a@rcpt.test', '5.1.1', 10]], [['a@rcpt.test', '5.1.1', 10]]]);
    }
  });
});

describe('classifyMessage: line ends, any mix', () => {
  it('a string and its UTF-8 bytes give the same answer, whatever CR and LF they hold', async () => {
    const tokens = ['\r', '\n', '\r\n', '\n\r', 'Final-Recipient: rfc822; a@rcpt.test', 'Status: 5.1.1', 'Action: failed', ' folded', '--rb', 'x'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let k = 0; k < 300; k++) {
      let body = '';
      for (let i = next(40); i > 0; i--) body += tokens[next(tokens.length)]!;
      const text = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\n\r\n${body}`;
      const [a, b] = await Promise.all([outcome(text), outcome(enc(text))]);
      expect([k, a]).toEqual([k, b]);
      if (a.startsWith('ERR')) continue;
      expect(await classifyMessage(text)).toEqual(await classifyMessage(enc(text)));
    }
  });
});
