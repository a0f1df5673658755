// smtp classify as a process: text argument, stdin lines, --json, --domain with --rules.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliMain, repoRoot, runCli } from './run-cli.js';
import { createClassifier } from 'smtp-errors';
import { formatMessageRecord, messageFiles, messageInputs, splitMbox, terminalHint } from './classify.js';
import { jsonLine, printable } from './terminal.js';
import { tempDir } from './testing/peers.js';

const tmp = tempDir('classify-');
afterAll(() => tmp.cleanup());

describe('smtp classify', () => {
  it('classifies TEXT (words joined) and exits 0', async () => {
    const r = await runCli(['classify', '550', '5.1.1', 'user', 'unknown']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^10\s+Invalid Recipient\s+hard\s+.*<- 550 5\.1\.1 user unknown\n$/);
  });

  it('--json prints the documented object', async () => {
    const r = await runCli(['classify', '--json', '550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ id: 10, name: 'Invalid Recipient', category: 'hard', transient: false, replyCode: 550, enhancedCode: '5.1.1' });
    expect(typeof json.description).toBe('string');
    expect(json.rule.kind).toBeDefined();
  });

  it('piped into head: no EPIPE crash, for replies on stdin and for --message', async () => {
    const box = join(tmp.dir, 'epipe.mbox');
    writeFileSync(box, Array.from({ length: 3000 }, (_, i) => `From x@example.org\nFrom: MAILER-DAEMON@example.net\nSubject: Undelivered\n\nbody ${i}\n`).join(''));
    for (const command of [`yes '550 5.1.1 user unknown' | head -n 20000 | '${process.execPath}' --import tsx '${cliMain}' classify`, `'${process.execPath}' --import tsx '${cliMain}' classify --json --message '${box}'`]) {
      const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('sh', ['-c', `${command} | head -n 1 >/dev/null`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
      expect(out.stderr, command).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(out.code, command).toBe(0);
    }
  });

  it('reads one reply per stdin line, skipping blank lines', async () => {
    const input = '550 5.1.1 user unknown\r\n\n452 4.2.2 Mailbox full\n554 5.7.1 Relay access denied\n';
    const r = await runCli(['classify', '--json'], { stdin: input });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; input: string });
    expect(rows.map((x) => x.input)).toEqual(['550 5.1.1 user unknown', '452 4.2.2 Mailbox full', '554 5.7.1 Relay access denied']);
    expect(rows.map((x) => x.id)).toEqual([10, 22, 54]);
  });

  it('--rules adds legacy domain rules that apply only with --domain', async () => {
    const file = join(tmp.dir, 'rules.txt');
    writeFileSync(file, 'example.com,10,no thanks\n');
    const hit = await runCli(['classify', '--json', '--rules', file, '--domain', 'example.com', '550 no thanks']);
    expect(JSON.parse(hit.stdout)).toMatchObject({ id: 10, rule: { kind: 'domain-rule', domain: 'example.com' } });
    const miss = await runCli(['classify', '--json', '--rules', file, '--domain', 'example.org', '550 no thanks']);
    expect(JSON.parse(miss.stdout).rule.kind).not.toBe('domain-rule');
  });

  it('a missing --rules file is a usage error (exit 2)', async () => {
    const r = await runCli(['classify', '--rules', join(tmp.dir, 'nope.txt'), '550 x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.txt');
  });

  describe('--message: whole bounce emails', () => {
    const dsn = [
      'From: MAILER-DAEMON@mx.sender.test',
      'To: alice@sender.test',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.sender.test',
      '',
      'Final-Recipient: rfc822; nobody@rcpt.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '--b--',
      '',
    ].join('\r\n');
    const ooo = 'From: dave@rcpt.test\nTo: alice@sender.test\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied\n\nI am out of the office.\n';

    it('a file: the kind, then one line per recipient with its class and action', async () => {
      const file = join(tmp.dir, 'one.eml');
      writeFileSync(file, dsn);
      const r = await runCli(['classify', '--message', file]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${file}  bounce`);
      expect(r.stdout).toMatch(/\n\s+10\s+Invalid Recipient\s+suppress\s+nobody@rcpt\.test\s+5\.1\.1\s+<- 550 5\.1\.1 user unknown\n$/);
    });

    it("a DSN's envelope id is printed beside the kind, and is in the JSON with each Original-Recipient", async () => {
      const file = join(tmp.dir, 'envid.eml');
      writeFileSync(file, dsn.replace('Reporting-MTA: dns; mx.sender.test', 'Reporting-MTA: dns; mx.sender.test\r\nOriginal-Envelope-Id: run-17').replace('Action: failed', 'Original-Recipient: rfc822; team@sender.test\r\nAction: failed'));
      const human = await runCli(['classify', '--message', file]);
      expect(human.stdout).toContain(`${file}  bounce  envid run-17`);
      const json = await runCli(['classify', '--json', '--message', file]);
      const record = JSON.parse(json.stdout.trim()) as { original: { envelopeId: string }; recipients: { originalRecipient: string }[] };
      expect(record.original.envelopeId).toBe('run-17');
      expect(record.recipients[0]!.originalRecipient).toBe('team@sender.test');
    });

    it('a directory with --json: one object per file, in name order', async () => {
      const dir = join(tmp.dir, 'box');
      mkdirSync(dir);
      writeFileSync(join(dir, 'a.eml'), dsn);
      writeFileSync(join(dir, 'b.eml'), ooo);
      const r = await runCli(['classify', '--json', '--message', dir]);
      expect(r.code).toBe(0);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; kind: string; recipients: { address: string; class: { id: number; action: string } }[]; class?: { id: number } });
      expect(rows.map((x) => [x.source, x.kind])).toEqual([[join(dir, 'a.eml'), 'bounce'], [join(dir, 'b.eml'), 'auto-reply']]);
      expect(rows[0]!.recipients[0]).toMatchObject({ address: 'nobody@rcpt.test', class: { id: 10, action: 'suppress' } });
      expect(rows[1]!.class).toMatchObject({ id: 60 });
    });

    it('- reads an mbox from stdin and classifies each message', async () => {
      const mbox = `From MAILER-DAEMON Mon Nov 30 10:00:00 2026\n${dsn.replace(/\r\n/g, '\n')}\nFrom dave@rcpt.test Mon Nov 30 10:01:00 2026\n${ooo}`;
      const r = await runCli(['classify', '--json', '--message', '-'], { stdin: mbox });
      expect(r.code).toBe(0);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; kind: string });
      expect(rows.map((x) => [x.source, x.kind])).toEqual([['stdin#1', 'bounce'], ['stdin#2', 'auto-reply']]);
    });

    it('- reads an mbox whose bodies hold quoted From lines (>From, >>From): each message whole, the last one without a final newline', async () => {
      const first = 'From: MAILER-DAEMON@mx.test\nSubject: Undelivered\n\n<a@rcpt.test>: 550 5.1.1 user unknown\n\n>From the returned message\n>>From a quote in it\n<b@rcpt.test>: 552 5.2.2 mailbox full\n\n';
      const second = 'From: MAILER-DAEMON@mx.test\nSubject: Undelivered\n\n>From here on\n<c@rcpt.test>: 550 5.1.1 user unknown';
      const mbox = `From MAILER-DAEMON Mon Nov 30 10:00:00 2026\n${first}From MAILER-DAEMON Mon Nov 30 10:01:00 2026\n${second}`;
      for (const input of [mbox, mbox.replace(/\n/g, '\r\n')]) {
        const r = await runCli(['classify', '--json', '--message', '-'], { stdin: input });
        expect(r.code).toBe(0);
        const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; kind: string; recipients: { address: string; class: { id: number } }[] });
        expect(rows.map((x) => [x.source, x.kind, x.recipients.map((y) => [y.address, y.class.id])])).toEqual([
          ['stdin#1', 'bounce', [['a@rcpt.test', 10], ['b@rcpt.test', 22]]],
          ['stdin#2', 'bounce', [['c@rcpt.test', 10]]],
        ]);
      }
    });

    it('a message longer than what is read says truncated after its kind, in the text output too', async () => {
      const file = join(tmp.dir, 'long.eml');
      writeFileSync(file, `From: MAILER-DAEMON@mx.test\nSubject: Undelivered\n\n<a@rcpt.test>: 550 5.1.1 user unknown\n${'x'.repeat(76)}\n`.repeat(1) + `${'y'.repeat(76)}\n`.repeat(14000));
      const r = await runCli(['classify', '--message', file]);
      expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  bounce  truncated\n\\s+10\\s+Invalid Recipient`));
      const json = await runCli(['classify', '--json', '--message', file]);
      expect((JSON.parse(json.stdout) as { truncated: boolean }).truncated).toBe(true);
    });

    it('one message without a final newline, on stdin and in a file', async () => {
      const text = 'From: MAILER-DAEMON@mx.test\nSubject: Undelivered\n\n<a@rcpt.test>: 550 5.1.1 user unknown';
      const file = join(tmp.dir, 'no-newline.eml');
      writeFileSync(file, text);
      for (const r of [await runCli(['classify', '--message', '-'], { stdin: text }), await runCli(['classify', '--message', file])]) {
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/ bounce\n\s+10\s+Invalid Recipient\s+suppress\s+a@rcpt\.test\s+5\.1\.1\s+<- 550 5\.1\.1 user unknown\n$/);
      }
    });

    it('a directory with a subdirectory, a link to one, and an empty file: only files are read, the empty one is an error record', async () => {
      const dir = join(tmp.dir, 'with-dirs');
      mkdirSync(join(dir, 'sub'), { recursive: true });
      writeFileSync(join(dir, 'sub', 'inner.eml'), dsn);
      symlinkSync(join(dir, 'sub'), join(dir, 'link'));
      writeFileSync(join(dir, 'a.eml'), dsn);
      writeFileSync(join(dir, 'empty.eml'), '');
      const r = await runCli(['classify', '--json', '--message', dir]);
      expect(r.code).toBe(1);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; kind?: string; error?: { code: string } });
      expect(rows.map((x) => [x.source, x.kind ?? x.error?.code])).toEqual([
        [join(dir, 'a.eml'), 'bounce'],
        [join(dir, 'empty.eml'), 'ERR_SMTP_MESSAGE_INVALID'],
      ]);
    });

    it('input that is not a message is reported with its error code (exit 1)', async () => {
      const file = join(tmp.dir, 'not-a-message.txt');
      writeFileSync(file, 'just a sentence\n');
      const r = await runCli(['classify', '--json', '--message', file]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ source: file, error: { code: 'ERR_SMTP_MESSAGE_INVALID' } });
    });

    it('a directory entry that cannot be read (a dangling link) is reported with its error code and the rest are classified (exit 1)', async () => {
      const dir = join(tmp.dir, 'with-dangling');
      mkdirSync(dir);
      writeFileSync(join(dir, 'a.eml'), dsn);
      symlinkSync(join(dir, 'gone.eml'), join(dir, 'b.eml'));
      writeFileSync(join(dir, 'c.eml'), ooo);
      const r = await runCli(['classify', '--json', '--message', dir]);
      expect(r.code).toBe(1);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; kind?: string; error?: { code: string } });
      expect(rows.map((x) => [x.source, x.kind ?? x.error?.code])).toEqual([
        [join(dir, 'a.eml'), 'bounce'],
        [join(dir, 'b.eml'), 'ENOENT'],
        [join(dir, 'c.eml'), 'auto-reply'],
      ]);
      const human = await runCli(['classify', '--message', dir]);
      expect(human.stdout).toContain(`${join(dir, 'b.eml')}  error ENOENT: `);
    });

    it('a pipe or a link to a device in the directory is not read (reading it may never end)', async () => {
      const dir = join(tmp.dir, 'with-fifo');
      mkdirSync(dir);
      writeFileSync(join(dir, 'a.eml'), dsn);
      execFileSync('mkfifo', [join(dir, 'b.eml')]);
      symlinkSync('/dev/zero', join(dir, 'c.eml'));
      const r = await runCli(['classify', '--json', '--message', dir]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { source: string }).source)).toEqual([join(dir, 'a.eml')]);
    });

    it('control characters from a hostile message are shown escaped (no terminal escapes), JSON keeps them escaped', async () => {
      const file = join(tmp.dir, 'escapes.eml');
      const hostile = dsn
        .replace('Diagnostic-Code: smtp; 550 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 \u001b[2J\u001b]0;pwned\u0007\u009b31m\u202e')
        .replace('--b--', '--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <\u001b[5mm-1@sender.test>\r\n\r\n--b--');
      writeFileSync(file, hostile);
      const r = await runCli(['classify', '--message', file]);
      expect(r.code).toBe(0);
      const controls = [...r.stdout].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f') || c === '\u202e'));
      expect(controls).toEqual([]);
      expect(r.stdout).toContain('550 5.1.1 \\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202e');
      expect(r.stdout).toContain('original <\\x1b[5m');
      const json = await runCli(['classify', '--json', '--message', file]);
      expect((JSON.parse(json.stdout) as { recipients: { diagnostic: string }[] }).recipients[0]?.diagnostic).toContain('\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202e');
      // JSON.stringify leaves C1 controls and bidi overrides raw: they are escaped too
      expect([...json.stdout].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f') || c === '\u202e'))).toEqual([]);
      expect(json.stdout).toContain('\\u009b31m\\u202e');
    });

    it('a reply text is printed without its control characters too', async () => {
      const r = await runCli(['classify', '550 5.1.1 \u001b[31muser unknown']);
      expect(r.stdout).toMatch(/<- 550 5\.1\.1 \\x1b\[31muser unknown\n$/);
    });

    it('--domain and a reply text are usage errors with --message: each recipient is classified with its own domain', async () => {
      const file = join(tmp.dir, 'dom.eml');
      writeFileSync(file, dsn);
      const withDomain = await runCli(['classify', '--message', file, '--domain', 'other.test']);
      expect(withDomain.code).toBe(2);
      expect(withDomain.stderr).toContain('--domain');
      const withText = await runCli(['classify', '--message', file, '550', 'hello']);
      expect(withText.code).toBe(2);
      expect(withText.stderr).toContain('550 hello');
      // a domain rule applies to the recipient's own domain
      const rules = join(tmp.dir, 'dom-rules.txt');
      writeFileSync(rules, 'rcpt.test,51,user unknown\n');
      const ruled = await runCli(['classify', '--message', file, '--rules', rules, '--json']);
      expect((JSON.parse(ruled.stdout) as { recipients: { class: { id: number } }[] }).recipients[0]!.class.id).toBe(51);
    });

    it('a message that names no recipient and has no class of its own says so', async () => {
      const file = join(tmp.dir, 'plain.eml');
      writeFileSync(file, 'From: a@sender.test\nTo: b@rcpt.test\nSubject: hello\n\nJust a note.\n');
      const r = await runCli(['classify', '--message', file]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\n\s+-\s+no recipient, no class\n$/);
      const j = await runCli(['classify', '--message', file, '--json']);
      expect(JSON.parse(j.stdout)).toMatchObject({ recipients: [] });
      expect(JSON.parse(j.stdout)).not.toHaveProperty('class');
    });

    it('a missing path is a usage error (exit 2)', async () => {
      const r = await runCli(['classify', '--message', join(tmp.dir, 'nope.eml')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('nope.eml');
    });

    it('an empty directory: nothing on stdout, a note on stderr, exit 0 (an empty bounce folder is not an error)', async () => {
      const empty = join(tmp.dir, 'empty-dir');
      mkdirSync(empty, { recursive: true });
      const r = await runCli(['classify', '--message', empty, '--json']);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, '', `smtp classify: no messages in ${empty}\n`]);
    });
  });
});

describe('smtp classify on a terminal', () => {
  it('says what it waits for when stdin is a terminal, and nothing when input is piped', () => {
    const said: string[] = [];
    const stderr = { write: (t: string) => said.push(t) };
    expect(terminalHint({ isTTY: true }, stderr, 'replies, one per line,')).toBe(true);
    expect(said).toEqual(['smtp classify: reading replies, one per line, from the terminal; end with Ctrl-D (see smtp classify --help)\n']);
    expect(terminalHint({ isTTY: false }, stderr, 'x')).toBe(false);
    expect(terminalHint({}, stderr, 'x')).toBe(false);
    expect(said).toHaveLength(1);
  });
});

describe('classify --message helpers', () => {
  it('jsonLine escapes what JSON.stringify leaves raw (DEL, C1 controls, bidi controls, U+2028/9) and parses back to the same value', () => {
    const value = { a: 'x\u007f\u0085\u009b2J\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069 ユーザー é 😀', b: ['\u001b[0m'], c: 1 };
    const line = jsonLine(value);
    expect(jsonLine({ d: 'a\u009bb\u202ec ü' })).toBe('{"d":"a\\u009bb\\u202ec ü"}');
    expect([...line].filter((c) => c < ' ' || (c >= '\u007f' && c <= '\u009f') || /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(c))).toEqual([]);
    expect(JSON.parse(line)).toEqual(value);
  });

  it('printable shows every terminal control escaped and leaves other text as it is', () => {
    expect(printable('a\u0000b\u0007c\u001b[2Jd\u007fe\u0085f\u009b1mg\u202eh\u2066i\u200ej\u200fk\u061cl\r\n\t')).toBe(
      'a\\x00b\\x07c\\x1b[2Jd\\x7fe\\x85f\\x9b1mg\\u202eh\\u2066i\\u200ej\\u200fk\\u061cl\\x0d\\x0a\\x09',
    );
    for (const text of ['550 5.1.1 user unknown', 'ユーザー不明 收件人不存在 пользователь é ß 😀', '\u00a0\u00ff \\x1b as typed']) expect(printable(text)).toBe(text);
    // invisible characters that hide or glue text: zero-width space and joiners, word joiner, BOM
    expect(printable('a\u200bb\u200dc\u2060d\ufeffe')).toBe('a\\u200bb\\u200dc\\u2060d\\ufeffe');
    expect(jsonLine('a\u200bb\ufeff')).toBe('"a\\u200bb\\ufeff"');
    const hostile = formatMessageRecord({
      source: 'box\u001b]0;t\u0007',
      kind: 'bounce',
      recipients: [{ address: 'a\u001b[8m@rcpt.test', originalRecipient: undefined, action: 'failed', status: '5.1.1', diagnostic: '550\u009b2J', remoteMta: undefined, class: createClassifier().classify('550 5.1.1') }],
      original: { messageId: '<\u202em@x>', from: undefined, to: undefined, subject: undefined, envelopeId: 'e\u0008' },
      class: undefined,
      truncated: false,
    });
    expect([...hostile].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f') || c === '\u202e'))).toEqual([]);
    expect(hostile).toContain('box\\x1b]0;t\\x07  bounce  original <\\u202em@x>  envid e\\x08');
  });

  it('splitMbox keeps every 8-bit byte of a body (0x80-0xFF survive unchanged)', () => {
    const high = Array.from({ length: 128 }, (_, i) => 0x80 + i);
    const enc = new TextEncoder();
    const msg = (n: number): number[] => [...enc.encode(`From: a@x.test\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nbody ${n} `), ...high, 0x0a];
    const data = new Uint8Array([...enc.encode('From a@x.test Mon Nov 30 10:00:00 2026\n'), ...msg(1), ...enc.encode('From b@x.test Mon Nov 30 10:01:00 2026\n'), ...msg(2)]);
    // Some Node builds decode 'latin1' as ISO-8859-1; the WHATWG Encoding standard makes it windows-1252
    // (0x80 -> U+20AC...). Run with a conformant decoder so the result cannot depend on the Node build.
    class Whatwg1252 extends TextDecoder {
      override decode(input?: AllowSharedBufferSource, options?: TextDecodeOptions): string {
        const text = super.decode(input, options);
        return this.encoding === 'windows-1252' ? text.replace(/\x80/g, '\u20ac').replace(/\x99/g, '\u2122') : text;
      }
    }
    vi.stubGlobal('TextDecoder', Whatwg1252);
    let out: ReturnType<typeof splitMbox>;
    try {
      out = splitMbox(data, 'box');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(out.map((m) => m.source)).toEqual(['box#1', 'box#2']);
    expect(Array.from(out[0]!.raw)).toEqual(msg(1));
    expect(Array.from(out[1]!.raw)).toEqual(msg(2));
  });

  it('messageInputs reads a directory one file at a time, as it is iterated', () => {
    const dir = join(tmp.dir, 'lazy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.eml'), 'From: a@x.test\n\nfirst\n');
    writeFileSync(join(dir, 'b.eml'), 'From: b@x.test\n\nsecond\n');
    const it = messageInputs(messageFiles(dir));
    expect(it.next().value?.source).toBe(join(dir, 'a.eml'));
    writeFileSync(join(dir, 'b.eml'), 'From: b@x.test\n\nrewritten\n');
    const second = it.next().value;
    expect(new TextDecoder().decode(second?.raw)).toContain('rewritten');
    expect(it.next().done).toBe(true);
  });
});
