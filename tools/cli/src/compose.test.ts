// Built messages (`smtp send --subject/--text/--html/--attach/--header`): the builder's output read
// back with an independent MIME parser (postal-mime), and the real process against `smtp serve`.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { createComposer, parseHeaderField, readAttachments } from './compose.js';
import { runCli } from './run-cli.js';
import { startServe, tempDir, waitForStored } from './testing/peers.js';
import type { Running } from './testing/peers.js';

const dec = new TextDecoder();
const running: Running[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0)) c();
});

/** Every line ends with CRLF and none is longer than 998 characters (RFC 5322 §2.1.1). */
function expectWellFormedLines(raw: Uint8Array): void {
  const text = dec.decode(raw);
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
}

describe('readAttachments', () => {
  it('reads every file; past 48 MiB together, the file that crossed it is refused naming the option, the file and the cap', async () => {
    const { dir, cleanup } = tempDir('compose-attach-');
    cleanups.push(cleanup);
    const MiB = 1024 * 1024;
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(30 * MiB, 1));
    writeFileSync(join(dir, 'b.bin'), Buffer.alloc(18 * MiB, 2));
    writeFileSync(join(dir, 'c.bin'), Buffer.alloc(1, 3));
    const two = await readAttachments([join(dir, 'a.bin'), join(dir, 'b.bin')]);
    expect(two.map((f) => f.bytes.length)).toEqual([30 * MiB, 18 * MiB]);
    expect(two[1]!.bytes.every((b) => b === 2)).toBe(true);
    await expect(readAttachments([join(dir, 'a.bin'), join(dir, 'b.bin'), join(dir, 'c.bin')])).rejects.toThrow(`--attach ${join(dir, 'c.bin')}: over, with the --attach files before it, 48 MiB, the most --attach reads`);
    await expect(readAttachments([join(dir, 'missing.bin')])).rejects.toThrow(/ENOENT/);
  });
});

describe('createComposer', () => {
  it('text, HTML, a binary attachment and extra headers parse back to what was given', async () => {
    const { dir, cleanup } = tempDir('compose-');
    cleanups.push(cleanup);
    const bytes = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
    writeFileSync(join(dir, 'data.bin'), bytes);
    const compose = createComposer({ from: 'a@example.org', to: ['b@example.net', 'c@example.net'], subject: 'Grüße 🚀', text: 'first\n.\nlast ünï', html: '<p>hi</p>', attach: await readAttachments([join(dir, 'data.bin')]), headers: ['X-Campaign: spring', 'Reply-To: r@example.org', 'Cc: Carl <carl@example.com>', 'Cc: dora@example.com'] });
    const raw = compose();
    expectWellFormedLines(raw);
    const mail = await PostalMime.parse(raw);
    expect(mail.subject).toBe('Grüße 🚀');
    expect(mail.from).toMatchObject({ address: 'a@example.org' });
    expect(mail.to?.map((t) => t.address)).toEqual(['b@example.net', 'c@example.net']);
    expect(mail.text?.replace(/\r\n/g, '\n').trimEnd()).toBe('first\n.\nlast ünï');
    expect(mail.html?.trim()).toBe('<p>hi</p>');
    expect(mail.messageId).toMatch(/^<[^<>@\s]+@example\.org>$/);
    expect(mail.date).toBeTruthy();
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.filename).toBe('data.bin');
    expect(new Uint8Array(mail.attachments[0]!.content as ArrayBuffer)).toEqual(bytes);
    expect(mail.headers.find((h) => h.key === 'x-campaign')?.value).toBe('spring');
    expect(mail.replyTo?.[0]?.address).toBe('r@example.org');
    expect(mail.cc?.map((t) => [t.name, t.address])).toEqual([['Carl', 'carl@example.com'], ['', 'dora@example.com']]);
    // Each call is a new message.
    const again = await PostalMime.parse(compose());
    expect(again.messageId).not.toBe(mail.messageId);
  });

  it('ASCII text stays 7bit; a line over 998 characters is base64 and comes back intact', async () => {
    const plain = dec.decode(createComposer({ from: 'a@example.org', to: ['b@example.net'], subject: 's', text: 'hello' })());
    expect(plain).toContain('Content-Transfer-Encoding: 7bit');
    const long = 'x'.repeat(2000);
    const raw = createComposer({ from: 'a@example.org', to: ['b@example.net'], text: long })();
    expectWellFormedLines(raw);
    expect(dec.decode(raw)).toContain('Content-Transfer-Encoding: base64');
    expect((await PostalMime.parse(raw)).text?.trimEnd()).toBe(long);
  });

  it('a From header names the author (also for the null sender); without one the null sender is refused', async () => {
    const raw = createComposer({ from: '', to: ['b@example.net'], text: 't', headers: ['From: Ann Example <ann@example.org>'] })();
    const mail = await PostalMime.parse(raw);
    expect(mail.from).toMatchObject({ address: 'ann@example.org', name: 'Ann Example' });
    expect(dec.decode(raw).match(/^From:/gim)).toHaveLength(1);
    expect(() => createComposer({ from: '', to: ['b@example.net'], text: 't' })).toThrow(/null sender/);
  });

  it.each([
    ['ASCII, no spaces', 'x'.repeat(1500)],
    ['ASCII with spaces', 'word '.repeat(300).trim()],
    ['non-ASCII: 2-byte, 4-byte and mixed characters', `${'\u00fc'.repeat(600)} 🚀🚀🚀 ${'Grüße, 世界! '.repeat(80)}`],
  ])('a long --subject (%s) is folded as encoded words of at most 75 characters and parses back whole', async (_what, subject) => {
    const raw = createComposer({ from: 'a@example.org', to: ['b@example.net'], subject, text: 'hi' })();
    expectWellFormedLines(raw);
    const text = dec.decode(raw);
    const header = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
    for (const line of header) expect(line.length, line).toBeLessThanOrEqual(78);
    const subjectLines = header.slice(header.findIndex((l) => l.startsWith('Subject: ')));
    const words = subjectLines.slice(0, 1 + subjectLines.slice(1).findIndex((l) => !l.startsWith(' '))).join(' ').match(/=\?[^?]+\?B\?[^?]*\?=/g) ?? [];
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    // each word holds whole characters: it decodes alone to valid UTF-8
    for (const w of words) expect(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(w.slice(10, -2), 'base64'))).not.toThrow();
    expect((await PostalMime.parse(raw)).subject).toBe(subject);
  });

  it('a long --header value is folded before spaces and unfolds to the value; a Subject --header replaces --subject', async () => {
    const value = Array.from({ length: 120 }, (_, i) => `item-${i}`).join(' ');
    const raw = createComposer({ from: 'a@example.org', to: ['b@example.net'], subject: 'given', text: 'hi', headers: [`X-Long: ${value}`, 'Subject: from the header'] })();
    expectWellFormedLines(raw);
    const text = dec.decode(raw);
    for (const line of text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(78);
    const mail = await PostalMime.parse(raw);
    expect(mail.headers.find((h) => h.key === 'x-long')?.value).toBe(value);
    expect(mail.subject).toBe('from the header');
  });

  it.each([
    ['no colon', 'X-Foo bar', /Name: value/],
    ['space in the name', 'X Foo: bar', /field name/],
    ['CRLF injection', 'X-Foo: a\r\nBcc: evil@example.org', /CR, LF/],
    ['bare LF', 'X-Foo: a\nB: c', /CR, LF/],
    ['non-ASCII value', 'X-Foo: café', /ASCII/],
  ])('--header refuses %s', (_what, raw, message) => {
    expect(() => parseHeaderField(raw)).toThrow(message);
  });
});

describe('smtp send builds messages (process)', () => {
  it('--subject/--text/--html/--attach/--header: what smtp serve stored parses back, for every message', async () => {
    const { dir, cleanup } = tempDir('compose-serve-');
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const attachment = join(dir, 'notes.txt');
    writeFileSync(attachment, 'line one\nline two\n');
    const serve = await startServe(['--dir', store, '--quiet']);
    running.push(serve);
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(serve.port), '-f', 'a@client.test', '-t', 'b@srv.test', '--starttls', 'off', '--no-progress', '-n', '2', '--subject', 'Réunion', '--text', 'Bonjour', '--html', '<b>Bonjour</b>', '--attach', attachment, '--header', 'X-Mailer-Test: yes'], { timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    const stored = await waitForStored(store, 2);
    const ids = new Set<string>();
    for (const s of stored) {
      expect(s.envelope).toMatchObject({ from: 'a@client.test', to: ['b@srv.test'] });
      expectWellFormedLines(s.eml);
      const mail = await PostalMime.parse(s.eml);
      expect(mail.subject).toBe('Réunion');
      expect(mail.text?.trim()).toBe('Bonjour');
      expect(mail.html?.trim()).toBe('<b>Bonjour</b>');
      expect(mail.attachments.map((a) => [a.filename, dec.decode(a.content as ArrayBuffer)])).toEqual([['notes.txt', 'line one\nline two\n']]);
      expect(mail.headers.find((h) => h.key === 'x-mailer-test')?.value).toBe('yes');
      ids.add(mail.messageId ?? '');
    }
    expect(ids.size).toBe(2);
  });

  it.each([
    ['--file with --subject', ['--subject', 's', '--file', 'package.json'], /excludes --file/],
    ['--size with --text', ['--text', 't', '--size', '1k'], /excludes --size/],
    ['a missing attachment', ['--text', 't', '--attach', '/nonexistent/smtpkit-attach'], /no such file/],
    ['a header injection', ['--text', 't', '--header', 'X-A: b\r\nBcc: c@d.test'], /CR, LF/],
  ])('%s is a usage error (exit 2), nothing sent', async (_what, extra, message) => {
    // Port 9 is never contacted: the usage error comes first.
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', '9', '-f', 'a@client.test', '-t', 'b@srv.test', '--starttls', 'off', '--no-progress', ...extra], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
