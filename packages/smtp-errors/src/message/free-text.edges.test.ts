// The free-text bounce reader, edge by edge: what counts as a failure report, where an address
// starts and ends, which lines name a recipient, and which text explains it.
import { describe, expect, it } from 'vitest';
import { extractFreeText, looksLikeBounce } from './free-text.js';

/** The addresses `extractFreeText` finds, with their explanations. */
function found(body: string): [string | undefined, string][] {
  return extractFreeText(body).map((r) => [r.address, r.diagnostic]);
}

describe('looksLikeBounce', () => {
  it.each([
    ['MAILER-DAEMON@mx.test', 'hello', '', true],
    ['postmaster', 'hello', '', true],
    ['alice@sender.test', 'Undeliverable: hello', '', true],
    ['alice@sender.test', 'hello', 'Hi. This is the qmail-send program at mx.test.', true],
    ['alice@sender.test', 'hello', 'Delivery to the following recipient failed permanently:', true],
    ['alice@sender.test', 'hello', 'Delivery to the following recipients has failed.', true],
    ['alice@sender.test', 'hello', 'The following address had permanent fatal errors', true],
    ['alice@sender.test', 'hello', 'Thanks for the report, it was delivered fine.', false],
  ])('from %s, subject %s, body %s: %s', (from, subject, body, expected) => {
    expect(looksLikeBounce(from, subject, body)).toBe(expected);
  });

  it('reads only the first 2,048 characters of the body', () => {
    expect(looksLikeBounce('a@b.test', 'hi', `${'x'.repeat(2040)} unable to deliver`)).toBe(false);
    expect(looksLikeBounce('a@b.test', 'hi', `${'x'.repeat(2020)} unable to deliver`)).toBe(true);
  });
});

describe('extractFreeText: addresses', () => {
  it('a local part is at most 64 characters: a longer run keeps its last 64, which no longer starts the line', () => {
    const body = `${'a'.repeat(10)}${'b'.repeat(64)}@rcpt.test: no such user`;
    expect(found(body)).toEqual([[`${'b'.repeat(64)}@rcpt.test`, body]]);
    expect(found(`${'b'.repeat(64)}@rcpt.test: no such user`)).toEqual([[`${'b'.repeat(64)}@rcpt.test`, 'no such user']]);
  });

  it('an address at the very start of the text is found; one with nothing before the @ is not', () => {
    expect(found('x@rcpt.test: gone')).toEqual([['x@rcpt.test', 'gone']]);
    expect(found('@rcpt.test: gone')).toEqual([[undefined, '@rcpt.test: gone']]);
  });

  it('trailing dots and dashes are not part of the domain', () => {
    expect(found('<user@rcpt.test.>: gone')[0]?.[0]).toBe('user@rcpt.test');
    expect(found('user@rcpt.test-- gone')[0]?.[0]).toBe('user@rcpt.test');
  });

  it('the domain needs a dot, must start with a letter or digit and has no empty label', () => {
    expect(found('user@localhost: gone')).toEqual([[undefined, 'user@localhost: gone']]);
    expect(found('user@-rcpt.test: gone')).toEqual([[undefined, 'user@-rcpt.test: gone']]);
    expect(found('user@rcpt..test: gone')).toEqual([[undefined, 'user@rcpt..test: gone']]);
  });

  it('a domain is read up to 256 characters after the @', () => {
    const long = `${'d'.repeat(300)}.test`;
    const r = extractFreeText(`user@${long}: gone`);
    expect(r).toHaveLength(1);
    expect(r[0]?.address).toBeUndefined();
    const fits = `${'d'.repeat(240)}.test`;
    expect(extractFreeText(`user@${fits}: gone`)[0]?.address).toBe(`user@${fits}`);
    const longest = `${'d'.repeat(250)}.test`; // 255 characters, all read
    expect(extractFreeText(`user@${longest}: gone`)[0]?.address).toBe(`user@${longest}`);
  });

  it('system senders are not recipients, and the second mention of an address adds nothing', () => {
    expect(found('postmaster@mx.test: see below\nuser@rcpt.test: gone\nUSER@rcpt.test: again')).toEqual([['user@rcpt.test', 'gone']]);
  });
});

describe('extractFreeText: recipient lines', () => {
  it.each([
    ['To: <user@rcpt.test> mailbox unknown', 'mailbox unknown'],
    ['\t To: <user@rcpt.test> mailbox unknown', 'mailbox unknown'],
    [`To${'y'.repeat(20)}: user@rcpt.test mailbox unknown`, 'mailbox unknown'],
    ['  Recipient: user@rcpt.test, mailbox unknown', 'mailbox unknown'],
    ['Failed:\tuser@rcpt.test: mailbox unknown', 'mailbox unknown'],
    ['RCPT TO: "user@rcpt.test" mailbox unknown', 'mailbox unknown'],
    ['Address: <user@rcpt.test>: mailbox unknown', 'mailbox unknown'],
    ['user@rcpt.test (the sales desk)\nmailbox unknown', 'mailbox unknown'],
  ])('%j names the recipient', (body, why) => {
    expect(found(body)).toEqual([['user@rcpt.test', why]]);
  });

  it('a label far from its colon, or text before the address, is not a recipient line', () => {
    const far = `To${'y'.repeat(21)}: user@rcpt.test mailbox unknown`;
    expect(found(far)).toEqual([['user@rcpt.test', far]]);
    expect(found(`To whom it may concern, ${'x'.repeat(20)}: user@rcpt.test gone`)[0]?.[0]).toBe('user@rcpt.test');
    expect(extractFreeText(`To whom it may concern, ${'x'.repeat(20)}: user@rcpt.test gone`)[0]?.diagnostic).toContain('To whom it may concern');
    expect(found('see user@rcpt.test: gone')).toEqual([['user@rcpt.test', 'see user@rcpt.test: gone']]);
  });

  it('a label with its address in angle brackets before any colon keeps the brackets as the start', () => {
    expect(found('to <user@rcpt.test>: Note: gone')).toEqual([['user@rcpt.test', 'to <user@rcpt.test>: Note: gone']]);
  });

  it('an address glued to more text is not a recipient line', () => {
    expect(found('user@rcpt.test/gone\nuser2@rcpt.test gone')).toEqual([['user2@rcpt.test', 'gone']]);
  });

  it('a long parenthesised note is an explanation, a short one is not', () => {
    const note = `(${'n'.repeat(79)})`;
    expect(found(`user@rcpt.test ${note}\nwhy not`)).toEqual([['user@rcpt.test', 'why not']]);
    const longest = `(${'n'.repeat(80)})`;
    expect(found(`user@rcpt.test ${longest}\nwhy not`)).toEqual([['user@rcpt.test', 'why not']]);
    const longNote = `(${'n'.repeat(81)})`;
    expect(found(`user@rcpt.test ${longNote}\nwhy not`)).toEqual([['user@rcpt.test', `${longNote} why not`]]);
  });

  it('lines over 400 characters are not read for recipients', () => {
    // read as a report naming no recipient: its whole text, and the address found in it
    expect(found(`user@rcpt.test: ${'x'.repeat(390)}\nwhy`)).toEqual([['user@rcpt.test', `user@rcpt.test: ${'x'.repeat(390)} why`]]);
    expect(found(`user@rcpt.test: ${'x'.repeat(384)}\nwhy not`)).toEqual([['user@rcpt.test', `${'x'.repeat(384)} why not`]]);
  });
});

describe('extractFreeText: explanations', () => {
  it('each recipient is explained by the lines up to the next recipient, at most 30 lines', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `l${String(i)}`);
    const r = extractFreeText(['<a@rcpt.test>:', ...lines].join('\n'));
    expect(r[0]?.diagnostic).toBe(lines.slice(0, 29).join(' '));
  });

  it('the copy of the returned message ends the report (a marker on the first line does not count)', () => {
    expect(found('--- Below this line is a copy of the message.\n<a@rcpt.test>:\ngone\n--- Below this line is a copy of the message.\nTo: b@rcpt.test')).toEqual([['a@rcpt.test', 'gone']]);
    expect(found(`<a@rcpt.test>:\ngone\n${'-'.repeat(250)} original message\nmore`)).toEqual([['a@rcpt.test', `gone ${'-'.repeat(250)} original message more`]]);
  });

  it('qmail\'s "Giving up on <host>." is dropped from an explanation', () => {
    expect(found('<a@rcpt.test>:\n192.0.2.1 does not like recipient.\nGiving up on 192.0.2.1.')).toEqual([['a@rcpt.test', '192.0.2.1 does not like recipient.']]);
  });

  it.each([
    ['The mailbox is full.\na@rcpt.test\nb@rcpt.test', 'The mailbox is full.'],
    ['a@rcpt.test\nb@rcpt.test\nThe mailbox is full.', 'The mailbox is full.'],
    // four characters are enough, after or before
    ['a@rcpt.test\nb@rcpt.test\nfull', 'full'],
    ['full\na@rcpt.test\nb@rcpt.test', 'full'],
    // three are not: the whole text
    ['ok.\na@rcpt.test\nb@rcpt.test', 'ok. a@rcpt.test b@rcpt.test'],
  ])('recipients without an explanation share the text after the list, else before it, else the whole text: %j', (body, why) => {
    expect(found(body)).toEqual([
      ['a@rcpt.test', why],
      ['b@rcpt.test', why],
    ]);
  });

  it('a recipient with an explanation of its own keeps it; one without, beside it, gets the whole text', () => {
    expect(found('a@rcpt.test\nb@rcpt.test: quota exceeded for this one')).toEqual([
      ['a@rcpt.test', 'a@rcpt.test b@rcpt.test: quota exceeded for this one'],
      ['b@rcpt.test', 'quota exceeded for this one'],
    ]);
  });

  it('a shared explanation gives its status to recipients that have none', () => {
    const r = extractFreeText('a@rcpt.test\nb@rcpt.test: 4.2.2 over quota\n\n550 5.1.1 unknown');
    expect(r.map((x) => [x.address, x.status])).toEqual([
      ['a@rcpt.test', '5.1.1'],
      ['b@rcpt.test', '4.2.2'],
    ]);
  });

  it('a report naming no recipient gives one entry for its whole text, with an address found in it unless a system one', () => {
    expect(extractFreeText('Your message to  bob@rcpt.test  failed: 5.2.2 mailbox full')).toEqual([
      { address: 'bob@rcpt.test', status: '5.2.2', diagnostic: 'Your message to bob@rcpt.test failed: 5.2.2 mailbox full' },
    ]);
    expect(extractFreeText('Sent by postmaster@mx.test: mailbox full')).toEqual([{ address: undefined, status: undefined, diagnostic: 'Sent by postmaster@mx.test: mailbox full' }]);
    expect(extractFreeText(' \n\t\n')).toEqual([]);
    expect(extractFreeText('y'.repeat(5000))[0]?.diagnostic).toHaveLength(4000);
  });

  it('only the first 32 KiB of the body is read', () => {
    expect(found(`${'z\n'.repeat(16384)}<late@rcpt.test>: gone`)[0]?.[0]).toBeUndefined();
  });
});
