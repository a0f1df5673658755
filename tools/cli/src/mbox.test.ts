// The mbox reader of `smtp classify --message`: the same messages for any split of the input,
// `>From ` quoting undone, and memory bounded by what is kept of each message, not by the input.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyMessage } from 'smtp-errors/message';
import { MboxSplitter, messageInputs, splitMbox, stdinMessages, type MessageInput } from './classify.js';
import { tempDir } from './testing/peers.js';

const tmp = tempDir('mbox-');
afterAll(() => tmp.cleanup());

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');
const text = (m: MessageInput): string => Array.from(m.raw, (b) => String.fromCharCode(b)).join('');

/** The mbox reading the splitter implements, on a whole string (the reference for the split tests). */
function reference(input: string, source: string): { source: string; body: string }[] {
  if (!input.startsWith('From ')) return [{ source, body: input }];
  const starts = [0];
  for (let i = input.indexOf('\nFrom '); i >= 0; i = input.indexOf('\nFrom ', i + 1)) starts.push(i + 1);
  return starts.map((s, k) => {
    const chunk = input.slice(s, k + 1 < starts.length ? starts[k + 1] : input.length);
    const nl = chunk.indexOf('\n');
    return { source: `${source}#${k + 1}`, body: (nl < 0 ? '' : chunk.slice(nl + 1)).replace(/^>(>*From )/gm, '$1') };
  });
}

const MBOX = [
  'From a@x.test Mon Nov 30 10:00:00 2026\r\n',
  'From: a@x.test\r\nSubject: one\r\n\r\n>From the start\r\n>>From deeper\r\n> From not quoted\r\nFrom\r\nFro\r\n>\r\n\xe9\xff 8-bit\r\n\r\n',
  'From b@x.test Mon Nov 30 10:01:00 2026\n',
  'From: b@x.test\n\n>>>From three\n>Fromage\nno newline at the end',
].join('');

function splitAt(input: Uint8Array, cuts: readonly number[]): MessageInput[] {
  const s = new MboxSplitter('box');
  const out: MessageInput[] = [];
  let from = 0;
  for (const c of [...cuts, input.length]) {
    out.push(...s.push(input.subarray(from, c)));
    from = c;
  }
  return [...out, ...s.end()];
}

describe('MboxSplitter', () => {
  const bytes = Uint8Array.from(MBOX, (c) => c.charCodeAt(0));
  const want = reference(MBOX, 'box');

  it('reads an mbox as the reference does: envelope lines dropped, one level of >From quoting undone', () => {
    expect(want).toHaveLength(2);
    expect(want[0]!.body).toContain('\r\nFrom the start\r\n>From deeper\r\n> From not quoted\r\n');
    expect(splitMbox(bytes, 'box').map((m) => ({ source: m.source, body: text(m) }))).toEqual(want);
  });

  it('gives the same messages for every split of the input in two, and byte by byte', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(splitAt(bytes, [cut]).map((m) => ({ source: m.source, body: text(m) })), `cut at ${cut}`).toEqual(want);
    }
    expect(splitAt(bytes, Array.from({ length: bytes.length }, (_, i) => i)).map((m) => ({ source: m.source, body: text(m) }))).toEqual(want);
  });

  it('an mbox with bare CR line ends (old Mac mail programs) is split as the same mbox with LF ends, for every split of the input', () => {
    const crBox = MBOX.replace(/\r?\n/g, '\r');
    const crBytes = Uint8Array.from(crBox, (c) => c.charCodeAt(0));
    const asLf = (body: string): string => body.replace(/\r/g, '\n');
    const wantCr = reference(MBOX.replace(/\r?\n/g, '\n'), 'box').map((m) => ({ source: m.source, body: m.body }));
    for (let cut = 0; cut <= crBytes.length; cut++) {
      expect(splitAt(crBytes, [cut]).map((m) => ({ source: m.source, body: asLf(text(m)) })), `cut at ${cut}`).toEqual(wantCr);
    }
    // the bytes of each message are kept as they were (CR ends), only the envelope lines dropped
    expect(text(splitMbox(crBytes, 'box')[1]!)).toBe('From: b@x.test\r\r>>From three\r>Fromage\rno newline at the end');
  });

  it('CRLF split between two chunks is one line end, in a body and after an envelope line', () => {
    const box = enc.encode('From a Mon\r\nFrom: a@x.test\r\n\r\nbody\r\n>From quoted\r\nFrom b Mon\r\nFrom: b@x.test\r\n');
    const whole = splitMbox(box, 'box').map(text);
    expect(whole).toEqual(['From: a@x.test\r\n\r\nbody\r\nFrom quoted\r\n', 'From: b@x.test\r\n']);
    for (let cut = 0; cut < box.length; cut++) if (box[cut] === 0x0a) expect(splitAt(box, [cut]).map(text), `cut at ${cut}`).toEqual(whole);
  });

  it('an input that is not an mbox is one message, kept as it is (even when it is empty or short)', () => {
    for (const input of ['', 'Fro', 'From: a@x.test\n\n>From x\nFrom y\n']) {
      const out = splitAt(enc.encode(input), [1, 2]);
      expect(out.map((m) => ({ source: m.source, body: dec.decode(m.raw) }))).toEqual([{ source: 'box', body: input }]);
    }
  });

  it('keeps a copy: a chunk reused by its reader after push does not change a message', () => {
    const s = new MboxSplitter('box');
    const chunk = enc.encode('From a Mon\nSubject: x\n\nbody\n');
    s.push(chunk);
    chunk.fill(0x78);
    expect(dec.decode(s.end()[0]!.raw)).toBe('Subject: x\n\nbody\n');
  });

  it('keeps only the first keepBytes of a message, and classifyMessage marks such a message truncated', async () => {
    const s = new MboxSplitter('box', 64);
    const out = [...s.push(enc.encode(`From a Mon\nFrom: a@x.test\nSubject: long\n\n${'x'.repeat(500)}\nFrom b Mon\nshort\n`)), ...s.end()];
    expect(out.map((m) => m.raw.length)).toEqual([64, 6]);
    const [big] = splitMbox(enc.encode(`From a Mon\nFrom: a@x.test\n\n${'y'.repeat(2 * 1024 * 1024)}\n`), 'box');
    expect(big!.raw.length).toBe(1024 * 1024 + 1);
    expect((await classifyMessage(big!.raw)).truncated).toBe(true);
  });

  it('copies a chunk into its message in runs, not line by line: 200,000 lines of one chunk make a handful of copies', () => {
    // every way the splitter could copy or make bytes, counted while it reads
    const spies = [vi.spyOn(Uint8Array.prototype, 'slice'), vi.spyOn(Uint8Array.prototype, 'subarray'), vi.spyOn(Uint8Array.prototype, 'set'), vi.spyOn(Uint8Array, 'from'), vi.spyOn(Uint8Array, 'of')];
    const input = enc.encode(`From a Mon\nFrom: a@x.test\n\n${'\n'.repeat(50_000)}${'\r'.repeat(50_000)}${'line\r\n'.repeat(50_000)}${'> x\n'.repeat(50_000)}>From quoted\nFrom b Mon\nFrom: b@x.test\n\nbody\n`);
    const counted = (): number => spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
    try {
      const s = new MboxSplitter('box');
      const before = counted();
      const out = [...s.push(input), ...s.end()];
      expect(counted() - before).toBeLessThan(40);
      expect(out.map((m) => m.raw.length)).toEqual([input.length - 'From a Mon\n'.length - 'From b Mon\nFrom: b@x.test\n\nbody\n'.length - 1, 'From: b@x.test\n\nbody\n'.length]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('a run of > longer than the quoting depth is kept as content', () => {
    const line = `${'>'.repeat(1100)}From x\n`;
    expect(text(splitMbox(enc.encode(`From a Mon\n${line}`), 'box')[0]!)).toBe(line);
  });
});

describe('reading a mailbox larger than a JavaScript string can hold', () => {
  it('stdinMessages reads 640 MiB of one message and the message after it with bounded memory', async () => {
    const MiB = 1024 * 1024;
    const filler = new Uint8Array(MiB).fill(0x61);
    async function* source(): AsyncGenerator<Uint8Array> {
      // as a pipe delivers it: each chunk in a later turn
      await Promise.resolve();
      yield enc.encode('From a@x.test Mon Nov 30 10:00:00 2026\nFrom: a@x.test\nSubject: huge\n\n');
      // the same chunk again and again: 640 MiB, past V8's longest string (about 512 MiB)
      for (let i = 0; i < 640; i++) yield filler;
      yield enc.encode('\nFrom b@x.test Mon Nov 30 10:01:00 2026\nFrom: b@x.test\nSubject: after\n\nsmall\n');
    }
    const before = process.memoryUsage().rss;
    const out: MessageInput[] = [];
    for await (const m of stdinMessages(source())) out.push(m);
    expect(out.map((m) => m.source)).toEqual(['stdin#1', 'stdin#2']);
    expect(out[0]!.raw.length).toBe(MiB + 1);
    expect(dec.decode(out[1]!.raw)).toBe('From: b@x.test\nSubject: after\n\nsmall\n');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MiB);
  });

  it('messageInputs reads a file in chunks: messages across chunk edges come out whole', () => {
    const f = join(tmp.dir, 'box.mbox');
    const parts: string[] = [];
    for (let i = 0; i < 40; i++) parts.push(`From n${i}@x.test Mon Nov 30 10:00:00 2026\nFrom: n${i}@x.test\nSubject: ${i}\n\n${'z'.repeat(100_000 + i)}\n>From quoted ${i}\n`);
    writeFileSync(f, parts.join(''));
    const out = [...messageInputs([f])] as MessageInput[];
    expect(out).toHaveLength(40);
    out.forEach((m, i) => {
      expect(m.source).toBe(`${f}#${i + 1}`);
      expect(dec.decode(m.raw)).toBe(`From: n${i}@x.test\nSubject: ${i}\n\n${'z'.repeat(100_000 + i)}\nFrom quoted ${i}\n`);
    });
  });
});
