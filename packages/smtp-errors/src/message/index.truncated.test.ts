// classifyMessage on input it reads only part of: longer than maxBytes or its line budget, or a
// message its MIME parser gives up on part way (too many parts, header fields over the limit,
// parts nested too deep). The recipients of what was read are the result, `truncated` says so, a
// recipient whose fields the cut falls in is never reported with a cut address, and
// ERR_SMTP_MESSAGE_INVALID is left for input in which no recipient can be read.
import { describe, expect, it } from 'vitest';
import { outcome, recipientRows } from '../../test/message-outcome.js';
import { classifyMessage } from './index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\r\nTo: s@sender.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n';
const BLOCKS =
  'Final-Recipient: rfc822; alice@rcpt.test\r\nOriginal-Recipient: rfc822;alice@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.rcpt.test\r\nDiagnostic-Code: smtp; 550 5.1.1 <alice@rcpt.test>: Recipient address rejected:\r\n    User unknown in virtual mailbox table\r\n\r\n' +
  'Final-Recipient: rfc822; bob@rcpt.test\r\nOriginal-Recipient: rfc822;bob@rcpt.test\r\nAction: failed\r\nStatus: 5.2.2\r\nRemote-MTA: dns; mx.rcpt.test\r\nDiagnostic-Code: smtp; 552 5.2.2 <bob@rcpt.test>: mailbox full\r\n';
const ROWS = [
  ['alice@rcpt.test', '5.1.1', 10],
  ['bob@rcpt.test', '5.2.2', 22],
];

/** A Postfix-shaped DSN: the explanation, the delivery-status part (no blank line before the next boundary), then `tail`. */
function dsn(tail: string, blocks = BLOCKS): string {
  return `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sender.test\r\nOriginal-Envelope-Id: env-42\r\n\r\n${blocks}--rb\r\n${tail}`;
}

const RETURNED = 'Content-Type: message/rfc822\r\n\r\nFrom: s@sender.test\r\nTo: alice@rcpt.test\r\nMessage-ID: <m-42@sender.test>\r\nSubject: invoice\r\n\r\n';

describe('classifyMessage: input longer than maxBytes', () => {
  it('a DSN whose returned message is 5 MB: the report comes first and is read whole, truncated, the original identified', async () => {
    const big = dsn(`${RETURNED}${'a line of the returned message, and the next one\r\n'.repeat(100_000)}--rb--\r\n`);
    expect(big.length).toBeGreaterThan(5_000_000);
    for (const raw of [enc(big), big]) {
      const r = await classifyMessage(raw);
      expect([r.truncated, r.kind, recipientRows(r), r.original.messageId, r.original.envelopeId]).toEqual([true, 'bounce', ROWS, '<m-42@sender.test>', 'env-42']);
      expect(r.recipients[0]?.diagnostic).toBe('550 5.1.1 <alice@rcpt.test>: Recipient address rejected: User unknown in virtual mailbox table');
    }
  });

  it('the same report cut anywhere: never an address cut short, never a field of the recipient the cut falls in, and truncated', async () => {
    const whole = enc(dsn(`${RETURNED}body\r\n--rb--\r\n`));
    const start = new TextDecoder().decode(whole).indexOf('Final-Recipient');
    const seen = new Set<string>();
    for (let cut = start; cut < whole.length; cut += 3) {
      const r = await classifyMessage(whole.subarray(0, cut + 1), { maxBytes: cut });
      expect(r.truncated).toBe(true);
      for (const x of r.recipients) {
        // undefined: before any recipient is read, the bounce whose recipient is not known
        expect([undefined, 'alice@rcpt.test', 'bob@rcpt.test']).toContain(x.address);
        expect(x.originalRecipient === undefined || x.originalRecipient === x.address).toBe(true);
        expect([undefined, '5.1.1', '5.2.2']).toContain(x.status);
        if (x.remoteMta !== undefined) expect(x.remoteMta).toBe('mx.rcpt.test');
      }
      seen.add(JSON.stringify(r.recipients.map((x) => x.address)));
    }
    expect([...seen]).toEqual(['[null]', '["alice@rcpt.test"]', '["alice@rcpt.test","bob@rcpt.test"]']);
  });

  it('a cut in the last Diagnostic-Code, folded: the recipient stays, without the cut diagnostic; once the block is closed it is whole', async () => {
    const text = dsn(`${RETURNED}body\r\n--rb--\r\n`);
    const cut = text.indexOf('    User unknown') + 8;
    const r = await classifyMessage(text, { maxBytes: cut });
    expect([r.truncated, r.recipients.map((x) => [x.address, x.status, x.diagnostic])]).toEqual([true, [['alice@rcpt.test', '5.1.1', 'Your message could not be delivered.']]]);
    const closed = await classifyMessage(text, { maxBytes: text.indexOf('Final-Recipient: rfc822; bob') });
    expect([closed.truncated, closed.recipients[0]?.diagnostic]).toEqual([true, '550 5.1.1 <alice@rcpt.test>: Recipient address rejected: User unknown in virtual mailbox table']);
  });

  it('a free-text bounce cut inside its second address: the first recipient only', async () => {
    const text = `${HEAD}\r\n<alice@rcpt.test>: 550 5.1.1 user unknown\r\n<bob@rcpt.test>: 552 5.2.2 mailbox full\r\n`;
    const r = await classifyMessage(text, { maxBytes: text.indexOf('bob@rcpt') + 7 });
    expect([r.truncated, recipientRows(r)]).toEqual([true, [['alice@rcpt.test', '5.1.1', 10]]]);
  });

  it('a multipart cut inside a boundary line, a part header or an encoded part: a result, never an error', async () => {
    const text = dsn(`Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: base64\r\n\r\n${btoa('Message-ID: <m@sender.test>\r\nSubject: hi\r\n\r\n')}\r\n--rb--\r\n`);
    const from = text.indexOf('--rb\r\nContent-Type: text/rfc822-headers');
    for (let cut = from; cut <= text.length; cut++) {
      const r = await classifyMessage(text.slice(0, cut));
      expect(recipientRows(r)).toEqual(ROWS);
    }
  });
});

describe('classifyMessage: a message its MIME parser gives up on part way', () => {
  it('a DSN followed by 12,000 parts (over the part and header limits): the report is read, truncated', async () => {
    const raw = dsn('Content-Type: text/plain\r\n\r\nx\r\n--rb\r\n'.repeat(12_000));
    const r = await classifyMessage(enc(raw), { maxBytes: 4 * 1024 * 1024 });
    expect([r.truncated, r.kind, recipientRows(r), r.original.envelopeId]).toEqual([true, 'bounce', ROWS, 'env-42']);
  });

  it('a DSN followed by 12,000 empty parts (over the part limit only): the report is read, truncated', async () => {
    const r = await classifyMessage(dsn('\r\n--rb\r\n'.repeat(12_000)));
    expect([r.truncated, recipientRows(r)]).toEqual([true, ROWS]);
  });

  it('a DSN followed by a part whose header fields are 300 KiB: the report is read, truncated', async () => {
    const r = await classifyMessage(dsn(`${`X-Pad: ${'y'.repeat(1000)}\r\n`.repeat(300)}\r\nbody\r\n--rb--\r\n`));
    expect([r.truncated, recipientRows(r)]).toEqual([true, ROWS]);
  });

  it('a DSN followed by multiparts nested 40 deep, closed or never closed: the report is read, truncated', async () => {
    let closed = 'Content-Type: text/plain\r\n\r\nx\r\n';
    let open = '';
    for (let i = 0; i < 40; i++) {
      closed = `Content-Type: multipart/mixed; boundary="n${String(i)}"\r\n\r\n--n${String(i)}\r\n${closed}\r\n--n${String(i)}--\r\n`;
      open += `Content-Type: multipart/mixed; boundary="n${String(i)}"\r\n\r\n--n${String(i)}\r\n`;
    }
    for (const tail of [`${closed}--rb--\r\n`, `${open}Content-Type: text/plain\r\n\r\nx\r\n`]) {
      const r = await classifyMessage(dsn(tail));
      expect([r.truncated, recipientRows(r)]).toEqual([true, ROWS]);
    }
  });

  it('the report itself past the part where the parser gives up: ERR_SMTP_MESSAGE_INVALID, as is a top-level header over the limit', async () => {
    const report = `--rb\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sender.test\r\n\r\n${BLOCKS}--rb--\r\n`;
    const many = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n${'--rb\r\n\r\nx\r\n'.repeat(12_000)}${report}`;
    expect(await outcome(many, 4 * 1024 * 1024)).toBe('ERR_SMTP_MESSAGE_INVALID');
    expect(await outcome(`${HEAD}${`X-Pad: ${'y'.repeat(1000)}\r\n`.repeat(300)}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n`)).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('a subject that says it failed is not enough: parts nested too deep before any recipient is ERR_SMTP_MESSAGE_INVALID', async () => {
    let open = HEAD;
    for (let i = 0; i < 40; i++) open += `Content-Type: multipart/mixed; boundary="n${String(i)}"\r\n\r\n--n${String(i)}\r\n`;
    expect(await outcome(`${open}Content-Type: text/plain\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n`)).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('the same answer for concurrent calls, each parser gives up where its own input says', async () => {
    const a = dsn('\r\n--rb\r\n'.repeat(12_000));
    const b = dsn('\r\n--rb\r\n'.repeat(12_000), BLOCKS.replace(/alice/g, 'carol'));
    const [ra, rb] = await Promise.all([classifyMessage(a), classifyMessage(b)]);
    expect(recipientRows(ra).map((x) => x[0])).toEqual(['alice@rcpt.test', 'bob@rcpt.test']);
    expect(recipientRows(rb).map((x) => x[0])).toEqual(['carol@rcpt.test', 'bob@rcpt.test']);
  });
});

/** `text` as it is, in base64 lines of 76 characters, or in quoted-printable (`=` escaped, soft breaks every 70). */
const ENCODINGS: Record<string, (text: string) => string> = {
  '7bit': (text) => text,
  base64: (text) => btoa(text).replace(/.{76}/g, '$&\r\n'),
  'quoted-printable': (text) => text.replace(/=/g, '=3D').replace(/(.{70})/g, '$1=\r\n'),
};

describe('classifyMessage: input cut inside a part in 7bit, base64 or quoted-printable', () => {
  const report = `Reporting-MTA: dns; mx.sender.test\r\n\r\n${BLOCKS}\r\nFinal-Recipient: rfc822; second.person@example-customer.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n`;
  const addresses = [undefined, 'alice@rcpt.test', 'bob@rcpt.test', 'second.person@example-customer.test'];
  const diagnostics = [undefined, 'Your message could not be delivered.', '550 5.1.1 <alice@rcpt.test>: Recipient address rejected: User unknown in virtual mailbox table', '552 5.2.2 <bob@rcpt.test>: mailbox full', '550 5.1.1 user unknown'];

  it.each(Object.keys(ENCODINGS))('a delivery-status part in %s cut at every byte: never a field the cut falls in', async (cte) => {
    const body = ENCODINGS[cte]!(report);
    const text = `${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}\r\n--rb\r\n${RETURNED}body\r\n--rb--\r\n`;
    const start = text.indexOf(body);
    const seen = new Set<string>();
    for (let cut = start; cut <= start + body.length + 8; cut++) {
      const r = await classifyMessage(text, { maxBytes: cut });
      expect(r.truncated).toBe(true);
      for (const x of r.recipients) {
        expect(addresses).toContain(x.address);
        expect([undefined, '5.1.1', '5.2.2']).toContain(x.status);
        expect(diagnostics).toContain(x.diagnostic);
        expect([undefined, 'failed']).toContain(x.action);
      }
      seen.add(JSON.stringify(r.recipients.map((x) => x.address)));
    }
    // every recipient is read once its block is whole
    expect(seen).toContain('["alice@rcpt.test","bob@rcpt.test","second.person@example-customer.test"]');
    // the whole message, and the same cut just after the part: every recipient, not one left out
    for (const maxBytes of [undefined, text.indexOf('--rb\r\nContent-Type: message/rfc822') + 6]) {
      const whole = await classifyMessage(text, { maxBytes });
      expect(whole.recipients.map((x) => x.address)).toEqual(addresses.slice(1));
    }
  });

  it.each(Object.keys(ENCODINGS))('a free-text bounce in %s cut at every byte: never an address cut short', async (cte) => {
    const people = Array.from({ length: 4 }, (_, i) => `person.number${String(i)}@customer-domain${String(i)}.example`);
    const plain = `Hi. This is the qmail-send program at mx.sender.test.\r\nI'm afraid I wasn't able to deliver your message to the following addresses.\r\nThis is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n${people.map((a) => `<${a}>:\r\n192.0.2.1 does not like recipient.\r\nRemote host said: 550 5.1.1 user unknown\r\nGiving up on 192.0.2.1.\r\n\r\n`).join('')}`;
    const body = ENCODINGS[cte]!(plain);
    const text = `From: MAILER-DAEMON@mx.sender.test\r\nTo: s@sender.test\r\nSubject: failure notice\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}`;
    const start = text.indexOf(body);
    const seen = new Set<number>();
    for (let cut = start + 200; cut < text.length; cut++) {
      const r = await classifyMessage(text, { maxBytes: cut });
      for (const x of r.recipients) if (x.address !== undefined) expect(people).toContain(x.address);
      seen.add(r.recipients.length);
    }
    expect(seen).toContain(people.length);
    expect((await classifyMessage(text)).recipients.map((x) => x.address)).toEqual(people);
  });
});

describe('classifyMessage: a report cut after a long run of blank lines', () => {
  const H = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n';
  const rcpt = (i: number): string => `Final-Recipient: rfc822; u${String(i)}@rcpt.test\nAction: failed\nStatus: 5.1.1\n`;

  // One pass over the run (a pattern anchored at the end after `\s*` read it again from each line
  // end: a 1 MiB report took half a minute). The input is sized to finish at once when linear.
  it('a delivery-status part of 1 MiB, 55,000 lines of spaces in it, cut by maxBytes: the recipients before the cut', async () => {
    const maxBytes = 1 << 20;
    let raw = `${H}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\n\n--rb\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--rb\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.test\n\n${rcpt(0)}${'               \n'.repeat(55_000)}\n`;
    const blocks: string[] = [];
    for (let i = 1; raw.length + blocks.length * 60 < maxBytes + 4096; i++) blocks.push(`${rcpt(i)}\n`);
    raw += blocks.join('');
    const r = await classifyMessage(raw, { maxBytes });
    expect(r.truncated).toBe(true);
    expect(r.recipients.length).toBeGreaterThan(1000);
    for (const [i, x] of r.recipients.entries()) expect(x.address).toBe(`u${String(i)}@rcpt.test`);
  });

  it('a report pasted into the body, longer than is read of it, with 60,800 blank lines: both recipients', async () => {
    const raw = `${H}\nYour message could not be delivered.\n\nReporting-MTA: dns; mx.sender.test\n\n${rcpt(0)}${'\n'.repeat(60_800)}${rcpt(1)}${'x'.repeat(70_000)}\n`;
    const r = await classifyMessage(raw);
    expect([r.truncated, r.recipients.map((x) => x.address)]).toEqual([true, ['u0@rcpt.test', 'u1@rcpt.test']]);
  });
});
