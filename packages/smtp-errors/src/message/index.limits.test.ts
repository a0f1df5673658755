// classifyMessage's documented limits: a report that is only malformed still gives a result, while
// input the MIME parser gives up on (header fields over 256 KiB in all, parts nested deeper than
// 32) is ERR_SMTP_MESSAGE_INVALID, never an untyped error.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { outcome } from '../../test/message-outcome.js';
import { classifyMessage } from './index.js';

/** A bounce text inside `depth` nested multipart/mixed parts. */
function nested(depth: number): string {
  let m = 'Subject: x\r\nContent-Type: text/plain\r\n\r\n550 5.1.1 user unknown\r\n';
  for (let i = 0; i < depth; i++) m = `From: a@b.example\r\nContent-Type: multipart/mixed; boundary="b${String(i)}"\r\n\r\n--b${String(i)}\r\n${m}\r\n--b${String(i)}--\r\n`;
  return m;
}

/** A message whose header fields take about `kib` KiB. */
function padded(kib: number): string {
  return 'From: a@b.example\r\n' + `X-Pad: ${'y'.repeat(1016)}\r\n`.repeat(kib) + '\r\n550 5.1.1 user unknown\r\n';
}

describe('classifyMessage: what its MIME parser gives up on', () => {
  it('parts nested 30 deep are read; 40 deep is ERR_SMTP_MESSAGE_INVALID', async () => {
    expect(await outcome(nested(30))).not.toMatch(/^ERR_|^untyped/);
    expect(await outcome(nested(40))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('header fields of 200 KiB are read; 300 KiB is ERR_SMTP_MESSAGE_INVALID', async () => {
    expect(await outcome(padded(200))).not.toMatch(/^ERR_|^untyped/);
    expect(await outcome(padded(300))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });
});

describe('classifyMessage: the line budget', () => {
  // The MIME parser's cost is per line, whatever its length: a megabyte of empty lines (within
  // maxBytes) once took about half a minute. Only the first maxBytes / 16 lines are read.
  it('at most maxBytes / 16 lines (at least 1,024) are read; the rest is cut and the result says so', async () => {
    const head = 'From: MAILER-DAEMON@mx.test\nSubject: failure notice\n\n<a@rcpt.test>:\n550 5.1.1 user unknown\n';
    const full = head + 'x\n'.repeat(1024 - 5);
    const whole = await classifyMessage(full, { maxBytes: 16384 });
    expect([whole.truncated, whole.kind, whole.recipients[0]?.class.id]).toEqual([false, 'bounce', 10]);
    const over = await classifyMessage(`${full}x`, { maxBytes: 16384 });
    expect([over.truncated, over.kind, over.recipients[0]?.class.id]).toEqual([true, 'bounce', 10]);
    expect((await classifyMessage(`${full}x`, { maxBytes: 16400 })).truncated).toBe(false);
  });

  it('a megabyte of empty lines after a report is cut at 65,536 lines by default, bytes or string', async () => {
    const head = 'From: MAILER-DAEMON@mx.test\r\nSubject: failure notice\r\n\r\n<a@rcpt.test>:\r\n550 5.1.1 user unknown\r\n';
    const text = head + '\n'.repeat(1024 * 1024 - head.length);
    for (const raw of [text, new TextEncoder().encode(text)]) {
      const r = await classifyMessage(raw);
      expect([r.truncated, r.kind, r.recipients.map((x) => [x.address, x.class.id])]).toEqual([true, 'bounce', [['a@rcpt.test', 10]]]);
    }
  });
});

describe('classifyMessage: the bytes it is given', () => {
  const text = 'From: postmaster@mx.sender.test\r\nSubject: Undeliverable: hello\r\nContent-Type: multipart/mixed; boundary="never"\r\n\r\nThe mailbox is full, delivery failed.';

  it('reads a copy: a caller that reuses its buffer once the call has returned gets the answer for what it passed', async () => {
    const buf = new TextEncoder().encode(text);
    const pending = classifyMessage(buf);
    buf.fill(0x41);
    const r = await pending;
    expect(r.recipients.map((x) => [x.diagnostic, x.class.id])).toEqual([['The mailbox is full, delivery failed.', 22]]);
  });

  it('a Uint8Array from another realm (a vm context, an iframe) is bytes too', async () => {
    const foreign = runInNewContext('(codes) => Uint8Array.from(codes)', {}) as (codes: number[]) => Uint8Array;
    const bytes = foreign(Array.from(new TextEncoder().encode(text)));
    expect(bytes instanceof Uint8Array).toBe(false);
    const r = await classifyMessage(bytes);
    expect([r.kind, r.recipients[0]?.class.id]).toEqual(['bounce', 22]);
  });
});

describe('classifyMessage: a report naming thousands of recipients', () => {
  it('every recipient of a delivery-status part over 256 KiB is read, in order', async () => {
    const n = 4000;
    const blocks = Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; user-${String(i).padStart(5, '0')}@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n`).join('\r\n');
    const raw = `From: MAILER-DAEMON@mx.sender.test\r\nSubject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sender.test\r\n\r\n${blocks}\r\n--rb--\r\n`;
    expect(raw.length).toBeGreaterThan(256 * 1024);
    const r = await classifyMessage(raw, { maxBytes: 1024 * 1024 });
    expect(r.truncated).toBe(false);
    expect(r.recipients).toHaveLength(n);
    expect(r.recipients[n - 1]?.address).toBe(`user-0${String(n - 1)}@rcpt.test`);
    expect(r.recipients.every((x, i) => x.address === `user-${String(i).padStart(5, '0')}@rcpt.test` && x.class.id === 10)).toBe(true);
  });
});

describe('classifyMessage: truncated when the part holding the recipients is longer than what is read of it', () => {
  const head = 'From: MAILER-DAEMON@mx.sender.test\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\n';

  it('a free-text bounce over 32 Ki characters: the recipients found, and truncated', async () => {
    const short = await classifyMessage(`${head}<a@rcpt.test>: 550 5.1.1 user unknown\r\n`);
    expect([short.truncated, short.recipients.map((x) => x.address)]).toEqual([false, ['a@rcpt.test']]);
    const long = await classifyMessage(`${head}<a@rcpt.test>: 550 5.1.1 user unknown\r\n${'filler text line\r\n'.repeat(3000)}<b@rcpt.test>: 550 5.1.1 user unknown\r\n`);
    expect([long.truncated, long.recipients.map((x) => x.address)]).toEqual([true, ['a@rcpt.test']]);
  });

  it('a report pasted into the body that runs past 64 KiB from its first field: truncated', async () => {
    const blocks = Array.from({ length: 2500 }, (_, i) => `Final-Recipient: rfc822; u${String(i)}@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n`).join('\r\n');
    const r = await classifyMessage(`${head}Reporting-MTA: dns; mx.sender.test\r\n\r\n${blocks}`);
    expect(r.truncated).toBe(true);
    expect(r.recipients.length).toBeGreaterThan(100);
    expect(r.recipients.length).toBeLessThan(2500);
    const few = await classifyMessage(`${head}Reporting-MTA: dns; mx.sender.test\r\n\r\n${blocks.slice(0, 2000)}`);
    expect(few.truncated).toBe(false);
  });
});

describe('classifyMessage: a byte order mark before the first header field', () => {
  const m = 'From: MAILER-DAEMON@mx.sender.test\r\nSubject: Undelivered\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n';

  it('is skipped, in bytes (EF BB BF) and in a string (U+FEFF), before blank lines too, with the same answer', async () => {
    const plain = await classifyMessage(m);
    const bytes = await classifyMessage(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`\r\n${m}`)]));
    const text = await classifyMessage(`\ufeff${m}`);
    for (const r of [bytes, text]) expect(r).toEqual(plain);
    expect([plain.kind, plain.recipients[0]?.class.id]).toEqual(['bounce', 10]);
  });

  it('only at the very start: U+FEFF after a blank line is not a header field', async () => {
    expect(await outcome(`\r\n\ufeff${m}`)).toBe('ERR_SMTP_MESSAGE_INVALID');
  });
});
