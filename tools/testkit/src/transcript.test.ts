import { describe, expect, it } from 'vitest';
import { crlfLines } from './lines.js';
import { byteByByte } from './split.js';
import { expectedOutcome, matchesPattern, parseTranscript, runTranscript, transcriptBytes, transcriptSplitters, type TranscriptServerSession } from './transcript.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A toy server session: greets, answers each CRLF-terminated line with "250 <line>", emits a
 * decision event for "MAIL ..." lines and closes on "QUIT" or EOF. Enough to exercise the runner.
 */
class EchoServer implements TranscriptServerSession {
  out = '';
  events: { type: string; [k: string]: unknown }[] = [{ type: 'connect', needsAnswer: true }];
  answers: string[] = [];
  private readonly lines = crlfLines((line) => {
    if (line.startsWith('MAIL ')) this.events.push({ type: 'mail', needsAnswer: true, from: line.slice(5) });
    else if (line === 'QUIT') {
      this.out += '221 bye\r\n';
      this.events.push({ type: 'closed', reason: 'quit' });
    } else this.out += `250 ${line}\r\n`;
  });
  constructor(readonly options: Record<string, unknown>) {}
  receiveData(data: Uint8Array): void {
    this.lines(dec.decode(data, { stream: true }));
  }
  receiveEof(): void {
    this.events.push({ type: 'closed', reason: 'eof' });
  }
  nextEvent(): { readonly type: string } {
    return this.events.shift() ?? { type: 'need-data' };
  }
  dataToSend(): Uint8Array {
    const o = enc.encode(this.out);
    this.out = '';
    return o;
  }
  tlsEstablished(): void {}
  accept(reply?: { code: number; text: string }): void {
    // The first decision is the connection: the default answer is the banner.
    this.out += reply ? `${reply.code} ${reply.text}\r\n` : this.answers.length === 0 ? '220 hi\r\n' : '250 ok\r\n';
    this.answers.push('accept');
  }
  reject(reply: { code: number; text: string }): void {
    this.out += `${reply.code} ${reply.text}\r\n`;
    this.answers.push('reject');
  }
}

describe('transcriptBytes', () => {
  it('decodes the escapes, \\xHH as one raw byte, the rest as UTF-8', () => {
    expect([...transcriptBytes('a\\r\\n\\0\\\\\\x80é')]).toEqual([0x61, 13, 10, 0, 0x5c, 0x80, 0xc3, 0xa9]);
    expect([...transcriptBytes('\\q\\x4')]).toEqual([...enc.encode('\\q\\x4')]);
  });
});

describe('parseTranscript', () => {
  const source = [
    '# a comment',
    '@options {"x":1}',
    '@reject mail bad => 550 5.7.1 no',
    'S: 220 hi',
    'C: A',
    'C+: B\\r\\n',
    'S: 250 A',
    'S: 250 B',
    'C: C',
    '@pause',
    'C: D',
    '@eof',
    'M: body\\r\\n',
    'E: {"type":"closed"}',
    'X: eof',
  ].join('\n');

  it('splits flights by side: a server reads C:, a client reads S:', () => {
    const server = parseTranscript(source, 'server');
    expect(server.steps.map((s) => [dec.decode(s.input), s.expected, s.eof, s.line])).toEqual([
      ['', '220 hi\r\n', false, 4],
      ['A\r\nB\r\n', '250 A\r\n250 B\r\n', false, 5],
      ['C\r\n', '', false, 9],
      ['D\r\n', '', true, 11],
    ]);
    expect(server.rules).toEqual([{ point: 'mail', match: 'bad', positive: false, reply: { code: 550, enhanced: '5.7.1', text: 'no' } }]);
    expect([server.options, server.messages, server.events, server.closed]).toEqual([{ x: 1 }, ['body\r\n'], [{ type: 'closed' }], 'eof']);
    const client = parseTranscript(source, 'client');
    expect(client.steps.map((s) => [dec.decode(s.input), s.expected])).toEqual([
      ['220 hi\r\n', 'A\r\nB\r\n'],
      ['250 A\r\n250 B\r\n', 'C\r\nD\r\n'],
    ]);
    expect(client.steps[1]!.eof).toBe(true);
  });

  it('client directives: messages in order and quit', () => {
    const t = parseTranscript('@message {"a":1}\n@message {"b":2}\n@quit\n', 'client');
    expect([t.messagesToSend, t.quit]).toEqual([[{ a: 1 }, { b: 2 }], true]);
  });

  it('refuses a line it does not know, so a typo never drops a check', () => {
    expect(() => parseTranscript('Q: what', 'server')).toThrow(/line 1/);
    expect(() => parseTranscript('@optoins {}', 'server')).toThrow(/line 1/);
    expect(() => parseTranscript('@reject mail 550 no', 'server')).toThrow(/line 1/);
  });
});

describe('runTranscript', () => {
  const source = ['@reject mail bad => 550 5.7.1 no', 'S: 220 hi', 'C: HELLO', 'C: MAIL bad', 'S: 250 HELLO', 'S: 550 no', 'C: QUIT', 'S: 221 bye', 'E: {"type":"mail","from":"bad"}', 'X: quit'].join('\n');

  it('passes a matching transcript at every splitting', () => {
    const t = parseTranscript(source, 'server');
    for (const { split } of transcriptSplitters(3)) {
      const { allEvents, ...outcome } = runTranscript(t, (o) => new EchoServer(o), split);
      expect(outcome).toEqual(expectedOutcome(t));
      expect(allEvents.map((e) => e.type)).toEqual(['connect', 'mail', 'closed']);
    }
  });

  it('reports a wrong line, a missing event and a wrong close reason', () => {
    const t = parseTranscript(source.replace('S: 550 no', 'S: 550 nope').replace('"from":"bad"', '"from":"good"').replace('X: quit', 'X: eof'), 'server');
    const { allEvents: _e, ...outcome } = runTranscript(t, (o) => new EchoServer(o), byteByByte);
    const want = expectedOutcome(t);
    expect(outcome.output[1]).toBe('line 3: 250 HELLO\r\n550 no\r\n');
    expect(want.output[1]).toBe('line 3: 250 HELLO\r\n550 nope\r\n');
    expect(outcome.events).toEqual([{ missing: { type: 'mail', from: 'good' }, after: ['connect', 'mail', 'closed'] }]);
    expect(outcome.closed).toBe('quit');
    expect(outcome).not.toEqual(want);
  });

  it('feeds EOF where @eof stands, unless the session already closed', () => {
    const t = parseTranscript('S: 220 hi\nC: X\n@eof\nS: 250 X\nX: eof\n', 'server');
    expect(runTranscript(t, (o) => new EchoServer(o)).closed).toBe('eof');
    const quit = parseTranscript('S: 220 hi\nC: QUIT\n@eof\nS: 221 bye\nX: quit\n', 'server');
    expect(runTranscript(quit, (o) => new EchoServer(o)).closed).toBe('quit');
  });
});

describe('matchesPattern', () => {
  it('objects by subset, arrays element by element', () => {
    expect(matchesPattern({ a: 1, b: [{ c: 2, d: 3 }] }, { b: [{ c: 2 }] })).toBe(true);
    expect(matchesPattern({ b: [{ c: 2 }, { c: 3 }] }, { b: [{ c: 2 }] })).toBe(false);
    expect(matchesPattern({ a: 1 }, { a: '1' })).toBe(false);
    expect(matchesPattern(null, {})).toBe(false);
  });
});
