import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@smtpkit/testkit';
import { isSmtpErrorsError } from '../src/index.js';
import { classifyMessage, DEFAULT_MAX_MESSAGE_BYTES } from '../src/message/index.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'messages');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isSmtpErrorsError(e) ? e.code : `untyped: ${String(e)}`;
  }
}

describe('classifyMessage: RFC 3464 delivery status notifications', () => {
  it('reads every recipient, in report order, with its fields and class', async () => {
    const r = await classifyMessage(fixture('dsn-user-unknown.eml'));
    expect(r.kind).toBe('bounce');
    expect(r.class).toBeUndefined();
    expect(r.truncated).toBe(false);
    expect(r.recipients.map((x) => [x.address, x.action, x.status, x.remoteMta, x.class.id])).toEqual([
      ['nobody@rcpt.test', 'failed', '5.1.1', 'mx.rcpt.test', 10],
      ['full@rcpt.test', 'failed', '5.2.2', 'mx.rcpt.test', 22],
    ]);
    expect(r.recipients[0]?.diagnostic).toBe('550 5.1.1 <nobody@rcpt.test>: Recipient address rejected: User unknown in virtual mailbox table');
    expect(r.recipients[0]?.class.action).toBe('suppress');
    expect(r.recipients[1]?.class.action).toBe('retry');
  });

  it('returns the original message identity from the text/rfc822-headers part', async () => {
    const r = await classifyMessage(fixture('dsn-user-unknown.eml'));
    expect(r.original).toEqual({ messageId: '<invoice-42@sender.test>', from: 'Alice <alice@sender.test>', to: 'nobody@rcpt.test, full@rcpt.test', subject: 'Invoice 42' });
  });

  it('a report whose only action is delayed is kind delayed; its class is a timeout', async () => {
    const r = await classifyMessage(fixture('dsn-delayed.eml'));
    expect(r.kind).toBe('delayed');
    expect(r.recipients[0]?.address).toBe('slow@rcpt.test');
    expect(r.recipients[0]?.class.id).toBe(24);
  });

  it("a local report's made-up code with the DSN's 4.x.x status stays a timeout (24)", async () => {
    const text = readFileSync(join(DIR, 'dsn-user-unknown.eml'), 'utf8')
      .replace('Status: 5.2.2', 'Status: 4.0.0')
      .replace('smtp; 552 5.2.2 Mailbox full', 'smtp; 426 connection timed out');
    const r = await classifyMessage(text);
    expect(r.recipients[1]?.diagnostic).toBe('426 connection timed out');
    expect(r.recipients[1]?.class.id).toBe(24);
  });

  it('accepts the same message as a string', async () => {
    const r = await classifyMessage(readFileSync(join(DIR, 'dsn-user-unknown.eml'), 'utf8'));
    expect(r.recipients[0]?.class.id).toBe(10);
  });
});

describe('classifyMessage: free-text bounces', () => {
  it('qmail: the recipient in angle brackets and the remote reply under it', async () => {
    const r = await classifyMessage(fixture('qmail-free-text.eml'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients).toHaveLength(1);
    expect(r.recipients[0]?.address).toBe('gone@rcpt.test');
    expect(r.recipients[0]?.status).toBe('5.1.1');
    expect(r.recipients[0]?.class.id).toBe(10);
    expect(r.original.messageId).toBe('<hello-1@sender.test>');
  });

  it('Exim: the indented address and the SMTP error after it', async () => {
    const r = await classifyMessage(fixture('exim-free-text.eml'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients[0]?.address).toBe('quota@rcpt.test');
    expect(r.recipients[0]?.diagnostic).toContain('552 5.2.2 Mailbox full');
    expect(r.recipients[0]?.class.id).toBe(22);
    expect(r.original.subject).toBe('Weekly report');
  });
});

describe('classifyMessage: other report formats', () => {
  it('an Amazon SES bounce notification (JSON in the body)', async () => {
    const r = await classifyMessage(fixture('ses-bounce.eml'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients.map((x) => [x.address, x.action, x.status, x.diagnostic, x.remoteMta, x.class.id])).toEqual([
      ['gone@rcpt.test', 'failed', '5.1.1', '550 5.1.1 user unknown', 'out.sender.test', 10],
    ]);
  });

  it('delivery-status fields pasted into a body whose MIME parts are missing', async () => {
    const r = await classifyMessage(fixture('text-dsn.eml'));
    expect(r.kind).toBe('bounce');
    expect(r.recipients.map((x) => [x.address, x.status, x.class.id])).toEqual([['quota@rcpt.test', '5.2.2', 22]]);
  });
});

describe('classifyMessage: messages that are not bounces', () => {
  it.each([
    ['auto-reply.eml', 'auto-reply', 60],
    ['challenge.eml', 'challenge', 100],
    ['list-welcome.eml', 'list', 80],
    ['list-goodbye.eml', 'list', 90],
  ])('%s is %s with message class %i and no recipients', async (file, kind, id) => {
    const r = await classifyMessage(fixture(file));
    expect(r.kind).toBe(kind);
    expect(r.recipients).toEqual([]);
    expect(r.class?.id).toBe(id);
  });

  it('an RFC 5965 feedback report names the original recipient', async () => {
    const r = await classifyMessage(fixture('arf.eml'));
    expect(r.kind).toBe('feedback');
    expect(r.recipients[0]?.address).toBe('reader@isp.test');
    expect(r.recipients[0]?.diagnostic).toBe('feedback-type: abuse');
    expect(r.original.messageId).toBe('<news-7@sender.test>');
  });

  it('an ordinary message is other', async () => {
    const r = await classifyMessage(fixture('plain.eml'));
    expect(r).toMatchObject({ kind: 'other', recipients: [], class: undefined });
  });
});

describe('classifyMessage: limits and bad input', () => {
  it('reads only the first maxBytes and says so', async () => {
    const raw = fixture('dsn-user-unknown.eml');
    const r = await classifyMessage(raw, { maxBytes: 400 });
    expect(r.truncated).toBe(true);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(1024 * 1024);
  });

  it('a huge input is cut at the cap and still classified', async () => {
    const head = readFileSync(join(DIR, 'dsn-user-unknown.eml'), 'utf8');
    const r = await classifyMessage(head + 'x'.repeat(3 * 1024 * 1024));
    expect(r.truncated).toBe(true);
    expect(r.recipients[0]?.class.id).toBe(10);
  });

  it.each([
    ['empty', ''],
    ['binary', new Uint8Array([0, 1, 2, 3, 255, 254])],
    ['prose', 'this is just a sentence, not a message'],
    ['a reply line', '550 5.1.1 user unknown'],
  ])('%s input throws ERR_SMTP_MESSAGE_INVALID', async (_name, input) => {
    expect(await codeOf(classifyMessage(input))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('a value of the wrong type throws ERR_SMTP_MESSAGE_INVALID', async () => {
    expect(await codeOf(classifyMessage(42 as unknown as string))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it.each([0, -1, 1.5, Number.NaN])('maxBytes %s throws ERR_SMTP_INVALID_OPTION', async (maxBytes) => {
    expect(await codeOf(classifyMessage('From: a@b.test\n\nx', { maxBytes }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('never throws on any prefix of a report (cut anywhere)', async () => {
    const raw = fixture('dsn-user-unknown.eml');
    for (let n = 1; n <= raw.length; n += 37) {
      const code = await codeOf(classifyMessage(raw.subarray(0, n)));
      expect(code === undefined || code === 'ERR_SMTP_MESSAGE_INVALID').toBe(true);
    }
  });

  it('a short body cut by maxBytes: the line the cut falls in is never read (no cut address, no cut diagnostic)', async () => {
    const free = 'From: MAILER-DAEMON@mx.example.com\r\nSubject: Undelivered Mail\r\n\r\n<someone@example.net>: host mx said: 550 5.1.1 user unknown (in reply to RCPT TO command)\r\n';
    const lines = new Set(free.split('\r\n'));
    for (let cut = 1; cut < free.length; cut++) {
      if (free.slice(cut, cut + 2) === '\r\n') continue;
      const partial = free.slice(free.lastIndexOf('\r\n', cut - 1) + 2, cut);
      let r;
      try {
        r = await classifyMessage(free, { maxBytes: cut });
      } catch (e) {
        expect((e as { code?: string }).code).toBe('ERR_SMTP_MESSAGE_INVALID');
        continue;
      }
      for (const x of r.recipients) {
        if (x.address !== undefined) expect(x.address, `cut at ${cut}`).toBe('someone@example.net');
        const d = x.diagnostic ?? '';
        if (d !== '' && partial !== '') expect(lines.has(d) || !partial.endsWith(d), `cut at ${cut}: ${d}`).toBe(true);
      }
    }
  });

  it('random bytes after a header, deep nesting and a huge header line give a result or a typed error', async () => {
    const rnd = seededRandom(19);
    const inputs: (string | Uint8Array)[] = [];
    for (let n = 0; n < 40; n++) {
      const body = new Uint8Array(1 + Math.floor(rnd() * 4000));
      for (let i = 0; i < body.length; i++) body[i] = Math.floor(rnd() * 256);
      const head = new TextEncoder().encode('From: MAILER-DAEMON@x.test\r\nContent-Type: multipart/report; boundary="b"\r\n\r\n');
      const raw = new Uint8Array(head.length + body.length);
      raw.set(head);
      raw.set(body, head.length);
      inputs.push(raw);
    }
    let nested = 'From: a@x.test\nContent-Type: multipart/mixed; boundary="b0"\n\n';
    for (let d = 1; d < 200; d++) nested += `--b${d - 1}\nContent-Type: multipart/mixed; boundary="b${d}"\n\n`;
    inputs.push(nested);
    inputs.push(`From: a@x.test\nSubject: ${'x'.repeat(500_000)}\n\nbody`);
    inputs.push(`From: MAILER-DAEMON@x.test\nSubject: failure notice\n\n${'<a@b.test>:\n'.repeat(20_000)}`);
    for (const input of inputs) {
      const code = await codeOf(classifyMessage(input));
      expect(code === undefined || code === 'ERR_SMTP_MESSAGE_INVALID').toBe(true);
    }
  });
});

describe('classifyMessage: review fixes', () => {
  it('an HTML-only bounce with a megabyte of unclosed `<` is still classified', async () => {
    const html = `<p>550 5.1.1 &lt;nobody@rcpt.test&gt;: user unknown</p>${'<'.repeat(1000 * 1000)}`;
    const raw = `From: MAILER-DAEMON@x.test\nTo: alice@sender.test\nSubject: Undelivered Mail Returned to Sender\nContent-Type: text/html; charset=utf-8\n\n${html}`;
    const r = await classifyMessage(raw, { maxBytes: 2 * 1024 * 1024 });
    expect(r.kind).toBe('bounce');
    expect(r.recipients.some((x) => x.class.id === 10)).toBe(true);
  });

  it.each(['不在通知', '【不在】山田', '自動応答: お問い合わせ'])('a CJK auto-reply subject %s (no Auto-Submitted header) is an auto-reply', async (subject) => {
    const r = await classifyMessage(`From: Taro <taro@rcpt.test>\nTo: alice@sender.test\nSubject: ${subject}\nContent-Type: text/plain; charset=utf-8\n\n来週まで不在です。`);
    expect(r.kind).toBe('auto-reply');
    expect(r.class?.id).toBe(60);
  });
});
