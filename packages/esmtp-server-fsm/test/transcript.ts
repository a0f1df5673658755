/**
 * Transcript runner for server fixtures. Format (one directive per line):
 *   # comment
 *   @options {json}                       ServerOptions for the session
 *   @reject <point> [<substring>] => <code> <enhanced> <text>   negative answer to a decision
 *   @accept <point> [<substring>] => <code> <enhanced> <text>   custom positive answer
 *   @tls                                  call tlsEstablished() when tls-start is seen
 *   C: <text>     client line (CRLF appended);  C+: <text>  client bytes without CRLF
 *   S: <text>     expected server line (CRLF implied)
 *   M: <text>     expected content of the next accepted message (escapes, CRLF explicit)
 *   A: <reason>   expected message-abort reason
 *   X: <reason>   the session is closed with this reason (at the end of the transcript)
 * Escapes in C/C+/S/M: \r \n \0 \\ \xHH. Consecutive client lines form one flight, fed with the
 * given splitting; the server output after each flight must equal the S: lines that follow.
 */
import { endErrorDelay } from '@smtpkit/testkit';
import { ServerConnection } from '../src/server-connection.js';
import type { ServerOptions } from '../src/server-connection.js';
import type { ReplyInit } from '../src/reply.js';
import type { ServerEvent } from '../src/events.js';

export function unescape(s: string): string {
  return s.replace(/\\(r|n|0|\\|x[0-9a-fA-F]{2})/g, (_, e: string) =>
    e === 'r' ? '\r' : e === 'n' ? '\n' : e === '0' ? '\0' : e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16)),
  );
}

interface Rule {
  readonly point: string;
  readonly match: string;
  readonly positive: boolean;
  readonly reply: ReplyInit;
}

export interface Step {
  readonly client: Uint8Array;
  readonly expected: string;
}

export interface Transcript {
  readonly options: ServerOptions;
  readonly rules: readonly Rule[];
  readonly tls: boolean;
  readonly steps: readonly Step[];
  readonly messages: readonly string[];
  readonly aborts: readonly string[];
  readonly closed: string | undefined;
}

const enc = new TextEncoder();

export function parseTranscript(text: string): Transcript {
  let options: ServerOptions = {};
  const rules: Rule[] = [];
  let tls = false;
  const steps: { client: string; expected: string }[] = [];
  const messages: string[] = [];
  const aborts: string[] = [];
  let closed: string | undefined;
  let cur: { client: string; expected: string } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('@options ')) options = legacyOptions(JSON.parse(line.slice(9)) as ServerOptions & { commands?: readonly { verb: string; keyword?: string }[] });
    else if (line === '@tls') tls = true;
    else if (line.startsWith('@reject ') || line.startsWith('@accept ')) {
      const [lhs, rhs] = line.slice(8).split(' => ') as [string, string];
      const sp = lhs.indexOf(' ');
      const point = sp < 0 ? lhs : lhs.slice(0, sp);
      const match = sp < 0 ? '' : lhs.slice(sp + 1);
      const m = /^(\d{3}) (\d\.\d{1,3}\.\d{1,3}) ?(.*)$/.exec(rhs);
      const reply: ReplyInit = m ? { code: Number(m[1]), enhanced: m[2]!, text: m[3]! } : { code: Number(rhs.slice(0, 3)), text: rhs.slice(4) };
      rules.push({ point, match, positive: line.startsWith('@accept'), reply });
    } else if (line.startsWith('C: ') || line.startsWith('C+: ')) {
      const data = line.startsWith('C: ') ? unescape(line.slice(3)) + '\r\n' : unescape(line.slice(4));
      if (!cur || cur.expected !== '') {
        cur = { client: '', expected: '' };
        steps.push(cur);
      }
      cur.client += data;
    } else if (line.startsWith('S: ')) {
      if (!cur) {
        cur = { client: '', expected: '' };
        steps.push(cur);
      }
      cur.expected += unescape(line.slice(3)) + '\r\n';
    } else if (line.startsWith('M: ')) messages.push(unescape(line.slice(3)));
    else if (line.startsWith('A: ')) aborts.push(line.slice(3));
    else if (line.startsWith('X: ')) closed = line.slice(3);
    else throw new Error(`bad transcript line: ${line}`);
  }
  return { options, rules, tls, steps: steps.map((s) => ({ client: enc.encode(s.client), expected: s.expected })), messages, aborts, closed };
}

export interface TranscriptResult {
  readonly output: readonly string[];
  readonly messages: readonly string[];
  readonly aborts: readonly string[];
  readonly closed: string | undefined;
  readonly events: readonly string[];
}

const dec = new TextDecoder();

function pointOf(e: ServerEvent): { point: string; subject: string } | undefined {
  if (!('needsAnswer' in e) || !e.needsAnswer) return undefined;
  switch (e.type) {
    case 'connect':
      return { point: 'connect', subject: '' };
    case 'helo':
      return { point: 'helo', subject: e.domain };
    case 'auth':
      return { point: 'auth', subject: `${e.credentials.username}:${e.credentials.password ?? e.credentials.token ?? e.credentials.response ?? ''}` };
    case 'mail':
      return { point: 'mail', subject: e.from };
    case 'rcpt':
      return { point: 'rcpt', subject: e.to };
    case 'data-start':
      return { point: 'data-start', subject: e.mode };
    case 'message-end':
      return { point: 'message-end', subject: '' };
    case 'vrfy':
    case 'expn':
      return { point: e.type, subject: e.argument };
    case 'command':
      return { point: 'command', subject: `${e.verb} ${e.argument}` };
    case 'xclient':
      return { point: 'xclient', subject: JSON.stringify(e.attributes) };
    default:
      return undefined;
  }
}

/**
 * Fixtures written before custom verbs moved to `registry` name them in `commands`
 * ({ verb, keyword }); they become registry definitions (a verb without keyword: a private,
 * never-advertised one).
 */
function legacyOptions(o: ServerOptions & { commands?: readonly { verb: string; keyword?: string }[] }): ServerOptions {
  const { commands, ...rest } = o;
  if (commands === undefined) return rest;
  return { ...rest, registry: commands.map((c) => ({ keyword: c.keyword ?? c.verb, advertise: c.keyword !== undefined, verbs: [{ name: c.verb, mustBeLastInGroup: true }] })) };
}

/** Runs a transcript, feeding every client flight split by `split`. */
export function runTranscript(t: Transcript, split: (data: Uint8Array) => readonly Uint8Array[]): TranscriptResult {
  const conn = new ServerConnection({ hostname: 'mx.test', ...t.options });
  const output: string[] = [];
  const messages: string[] = [];
  const aborts: string[] = [];
  const events: string[] = [];
  let body: Uint8Array[] = [];
  let closed: string | undefined;
  const drain = (): void => {
    for (let guard = 0; guard < 100000; guard++) {
      const e = conn.nextEvent();
      if (e.type === 'need-data') return;
      if (e.type === 'closed') {
        closed = e.reason;
        return;
      }
      if (e.type === 'paused') {
        if (endErrorDelay(conn)) continue; // the fixture's clock jumps past a DOS-5 tarpit
        if (conn.pendingDecision === undefined) return;
        throw new Error('paused with a pending decision not answered');
      }
      events.push(e.type);
      if (e.type === 'data-chunk') body.push(e.bytes);
      if (e.type === 'data-start') body = [];
      if (e.type === 'message-abort') {
        aborts.push(e.reason);
        body = [];
      }
      if (e.type === 'tls-start' && t.tls) conn.tlsEstablished();
      const p = pointOf(e);
      if (!p) continue;
      const rule = t.rules.find((r) => r.point === p.point && p.subject.includes(r.match));
      if (e.type === 'message-end' && (!rule || rule.positive)) {
        const all = new Uint8Array(body.reduce((n, b) => n + b.length, 0));
        let o = 0;
        for (const b of body) {
          all.set(b, o);
          o += b.length;
        }
        messages.push(dec.decode(all));
        body = [];
      }
      if (!rule) conn.accept();
      else if (rule.positive) conn.accept(rule.reply);
      else conn.reject(rule.reply);
    }
    throw new Error('event loop did not settle');
  };
  drain();
  let carry = dec.decode(conn.dataToSend());
  for (const step of t.steps) {
    if (step.client.length > 0) {
      for (const piece of split(step.client)) {
        if (conn.state === 'closed' || conn.state === 'awaiting-tls') break;
        conn.receiveData(piece);
        drain();
      }
    }
    drain();
    output.push(carry + dec.decode(conn.dataToSend()));
    carry = '';
  }
  return { output, messages, aborts, closed, events };
}
