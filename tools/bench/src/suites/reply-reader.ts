/**
 * reply-reader: replies per second for a one-line and a ten-line reply, smtp-reply-reader against
 * a baseline written the way most SMTP client libraries read replies (decode the chunk to a string,
 * append to a buffer, split on /\r?\n/, match a regex per line, accumulate the lines).
 */
import { ReplyReader, type Reply } from 'smtp-reply-reader';
import { interleaved, throughput, type Comparison, type Suite } from '../harness.js';

/** The common approach, as a peer: string buffer, split, regex per line. */
class SplitRegexReader {
  #buffer = '';
  #lines: string[] = [];
  #code = 0;
  readonly #decoder = new TextDecoder();

  push(chunk: Uint8Array): Reply[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const parts = this.#buffer.split(/\r?\n/);
    this.#buffer = parts.pop() ?? '';
    const out: Reply[] = [];
    for (const line of parts) {
      if (!line) continue;
      const m = /^(\d{3})([- ])(.*)$/.exec(line) ?? /^(\d{3})()()$/.exec(line);
      if (!m) throw new Error(`bad reply line ${line}`);
      const code = Number(m[1]);
      if (this.#code && code !== this.#code) throw new Error('code mismatch');
      this.#code = code;
      this.#lines.push(m[3] ?? '');
      if (m[2] !== '-') {
        const lines = this.#lines;
        const e = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/.exec(lines[0] ?? '');
        const stripped = e ? lines.map((l) => l.replace(/^[245]\.\d{1,3}\.\d{1,3} ?/, '')) : lines;
        out.push(
          e
            ? { code, enhanced: { class: Number(e[1]) as 2 | 4 | 5, subject: Number(e[2]), detail: Number(e[3]) }, lines: stripped, text: stripped.join('\n') }
            : { code, lines: stripped, text: stripped.join('\n') },
        );
        this.#lines = [];
        this.#code = 0;
      }
    }
    return out;
  }
}

const enc = new TextEncoder();
const ONE_LINE = enc.encode('250 2.1.5 Ok\r\n');
const TEN_LINES = enc.encode(
  [
    '250-mail.example.com Hello client.example.net [192.0.2.1]',
    '250-PIPELINING',
    '250-SIZE 10240000',
    '250-VRFY',
    '250-ETRN',
    '250-STARTTLS',
    '250-ENHANCEDSTATUSCODES',
    '250-8BITMIME',
    '250-DSN',
    '250 SMTPUTF8',
    '',
  ].join('\r\n'),
);


function measure(title: string, wire: Uint8Array, quick: boolean): Comparison {
  const batch = 1000;
  const rounds = quick ? 3 : 9;
  const opts = quick ? { runs: 1, ms: 60 } : { runs: 1, ms: 300 };
  // Same input, one reply per push (each reply arrives in its own read), fresh reader per batch.
  const [ours, peer] = interleaved(
    rounds,
    () =>
      throughput(
        'smtp-reply-reader',
        'replies/s',
        () => {
          const r = new ReplyReader();
          let n = 0;
          for (let i = 0; i < batch; i++) n += r.push(wire).length;
          return n;
        },
        opts,
      ),
    () =>
      throughput(
        'split+regex baseline',
        'replies/s',
        () => {
          const r = new SplitRegexReader();
          let n = 0;
          for (let i = 0; i < batch; i++) n += r.push(wire).length;
          return n;
        },
        opts,
      ),
  );
  return {
    title,
    ours,
    peer,
    aim: '>= 3x',
    notes: `${wire.length} bytes per reply, one reply per push; ours and baseline interleaved over ${rounds} rounds; baseline: split on /\\r?\\n/ + regex per line`,
  };
}

/** A pipelined stream: 1 MiB of mixed replies fed in 64 KiB chunks, in MB/s. */
function stream(quick: boolean): Comparison {
  const unit = new Uint8Array([...ONE_LINE, ...TEN_LINES]);
  const copies = Math.ceil((1 << 20) / unit.length);
  const wire = new Uint8Array(unit.length * copies);
  for (let i = 0; i < copies; i++) wire.set(unit, i * unit.length);
  const step = 64 * 1024;
  const mb = wire.length / 1e6;
  const rounds = quick ? 3 : 9;
  const opts = quick ? { runs: 1, ms: 60 } : { runs: 1, ms: 300 };
  const run = (make: () => { push(c: Uint8Array): Reply[] }) => (): number => {
    const r = make();
    let n = 0;
    for (let i = 0; i < wire.length; i += step) n += r.push(wire.subarray(i, i + step)).length;
    if (n !== copies * 2) throw new Error(`expected ${copies * 2} replies, got ${n}`);
    return mb;
  };
  const [ours, peer] = interleaved(
    rounds,
    () => throughput('smtp-reply-reader', 'MB/s', run(() => new ReplyReader()), opts),
    () => throughput('split+regex baseline', 'MB/s', run(() => new SplitRegexReader()), opts),
  );
  return {
    title: 'pipelined stream, 1 MiB in 64 KiB chunks',
    ours,
    peer,
    notes: `${copies * 2} replies (one-line and 10-line alternating); ours and baseline interleaved over ${rounds} rounds`,
  };
}

/**
 * DOS-11 linear time: throughput on 4 MiB of input against 1 MiB of the same input. A ratio near 1
 * means the time grows linearly. The input is one 4000-byte line after another: long lines inside
 * maximal multi-line replies (500 lines, about 2 MB per reply, within raised limits).
 */
function linearity(quick: boolean): Comparison {
  const line = `250-${'x'.repeat(3994)}\r\n`;
  const reply = enc.encode(line.repeat(499) + `250 ${'x'.repeat(3994)}\r\n`);
  const make = (mib: number): Uint8Array => {
    const copies = Math.max(1, Math.round((mib << 20) / reply.length));
    const out = new Uint8Array(reply.length * copies);
    for (let i = 0; i < copies; i++) out.set(reply, i * reply.length);
    return out;
  };
  const small = make(1);
  const large = make(4);
  const opts = quick ? { runs: 1, ms: 60 } : { runs: 1, ms: 300 };
  const run = (wire: Uint8Array) => (): number => {
    const r = new ReplyReader({ maxReplyBytes: 4 << 20, maxReplyLines: 1000 });
    for (let i = 0; i < wire.length; i += 65536) r.push(wire.subarray(i, i + 65536));
    r.end();
    return wire.length / 1e6;
  };
  const [ours, peer] = interleaved(
    quick ? 3 : 7,
    () => throughput('smtp-reply-reader, 4 MiB', 'MB/s', run(large), opts),
    () => throughput('smtp-reply-reader, 1 MiB', 'MB/s', run(small), opts),
  );
  return {
    title: 'DOS-11 linear time: MB/s on 4 MiB vs on 1 MiB',
    ours,
    peer,
    aim: '~1x (linear)',
    notes: '4000-byte lines in 500-line replies, 64 KiB chunks; a ratio near 1 means linear time',
  };
}

const suite: Suite = {
  name: 'reply-reader',
  async run({ quick }) {
    return Promise.resolve([
      measure('one-line reply (250 2.1.5 Ok)', ONE_LINE, quick),
      measure('10-line EHLO reply', TEN_LINES, quick),
      stream(quick),
      linearity(quick),
    ]);
  },
};

export default suite;
