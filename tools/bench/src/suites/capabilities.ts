/**
 * capabilities: EHLO replies parsed per second, smtp-capabilities against a baseline written the
 * way most SMTP client libraries read EHLO replies: a list of `/^KEYWORD\b/i`-style regexes run
 * against every line, capturing values for the few keywords they know (unknown ones are dropped).
 * Both start from the reply's lines (what a reply reader hands over) and produce typed values.
 * A second comparison feeds a hostile AUTH line to the baseline's whole-reply regex style.
 */
import { parseEhloReply } from 'smtp-capabilities';
import { interleaved, throughput, type Comparison, type Suite } from '../harness.js';

interface BaselineCaps {
  domain: string;
  greeting: string;
  keywords: Set<string>;
  size?: number;
  auth: Set<string>;
  deliverBy?: number;
  mtPriority?: string;
  limits?: Record<string, number>;
  xclient?: Set<string>;
}

/** One regex per known keyword, tried on every line (the common approach). */
const PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['PIPELINING', /^PIPELINING\b/i],
  ['SIZE', /^SIZE(?:\s+(\d+))?\s*$/i],
  ['STARTTLS', /^STARTTLS\b/i],
  ['AUTH', /^AUTH(?:\s+|=)(.*)$/i],
  ['8BITMIME', /^8BITMIME\b/i],
  ['BINARYMIME', /^BINARYMIME\b/i],
  ['CHUNKING', /^CHUNKING\b/i],
  ['DSN', /^DSN\b/i],
  ['ENHANCEDSTATUSCODES', /^ENHANCEDSTATUSCODES\b/i],
  ['SMTPUTF8', /^SMTPUTF8\b/i],
  ['REQUIRETLS', /^REQUIRETLS\b/i],
  ['DELIVERBY', /^DELIVERBY(?:\s+(\d+))?/i],
  ['MT-PRIORITY', /^MT-PRIORITY(?:\s+(\S+))?/i],
  ['LIMITS', /^LIMITS\s+(.*)$/i],
  ['XCLIENT', /^XCLIENT\s+(.*)$/i],
  ['VRFY', /^VRFY\b/i],
  ['ETRN', /^ETRN\b/i],
  ['HELP', /^HELP\b/i],
];

function baselineParse(reply: { code: number; lines: readonly string[] }): BaselineCaps {
  const [first = '', ...rest] = reply.lines;
  const m = /^(\S+)\s*(.*)$/.exec(first);
  const caps: BaselineCaps = { domain: m?.[1] ?? '', greeting: m?.[2] ?? '', keywords: new Set(), auth: new Set() };
  for (const line of rest) {
    for (const [name, re] of PATTERNS) {
      const match = re.exec(line);
      if (!match) continue;
      caps.keywords.add(name);
      const v = match[1];
      if (name === 'SIZE') caps.size = v ? Number(v) : 0;
      else if (name === 'AUTH' && v) for (const a of v.trim().split(/\s+/)) caps.auth.add(a.toUpperCase());
      else if (name === 'DELIVERBY') caps.deliverBy = v ? Number(v) : 0;
      else if (name === 'MT-PRIORITY') caps.mtPriority = v ?? '';
      else if (name === 'LIMITS' && v) {
        caps.limits = {};
        for (const kv of v.split(/\s+/)) {
          const [k, n] = kv.split('=');
          if (k && n) caps.limits[k.toUpperCase()] = Number(n);
        }
      } else if (name === 'XCLIENT' && v) caps.xclient = new Set(v.toUpperCase().split(/\s+/));
    }
  }
  return caps;
}

/** The whole-reply style (`/[ -]AUTH(...)PLAIN/im` on the raw text) that made CVE-2026-110869. */
function wholeReplyBaseline(text: string): { auth: boolean; pipelining: boolean } {
  return {
    pipelining: /[ -]PIPELINING\b/im.test(text),
    auth: /[ -]AUTH(?:(\s+|=)[^\n]*\s+|\s+|=)PLAIN/i.test(text),
  };
}

const TEN_KEYWORDS = {
  code: 250,
  lines: [
    'mail.example.com Hello client.example.net [192.0.2.1]',
    'PIPELINING',
    'SIZE 10240000',
    'VRFY',
    'ETRN',
    'STARTTLS',
    'AUTH PLAIN LOGIN',
    'ENHANCEDSTATUSCODES',
    '8BITMIME',
    'DSN',
    'SMTPUTF8',
  ],
} as const;


let sink = 0;

function typical(quick: boolean): Comparison {
  const batch = 1000;
  const rounds = quick ? 3 : 9;
  const opts = quick ? { runs: 1, ms: 60 } : { runs: 1, ms: 300 };
  const ours0 = parseEhloReply(TEN_KEYWORDS);
  const peer0 = baselineParse(TEN_KEYWORDS);
  if (ours0.size !== peer0.size || ours0.auth.size !== peer0.auth.size || ours0.count !== peer0.keywords.size) {
    throw new Error('baseline and smtp-capabilities disagree on the typical reply');
  }
  const [ours, peer] = interleaved(
    rounds,
    () =>
      throughput(
        'smtp-capabilities',
        'replies/s',
        () => {
          for (let i = 0; i < batch; i++) {
            const c = parseEhloReply(TEN_KEYWORDS);
            sink += c.size ?? 0;
          }
          return batch;
        },
        opts,
      ),
    () =>
      throughput(
        'regex-per-keyword baseline',
        'replies/s',
        () => {
          for (let i = 0; i < batch; i++) {
            const c = baselineParse(TEN_KEYWORDS);
            sink += c.size ?? 0;
          }
          return batch;
        },
        opts,
      ),
  );
  return {
    title: 'typical 10-keyword EHLO reply (Postfix-like)',
    ours,
    peer,
    aim: '>= 3x',
    notes: `from the reply's lines to typed values; baseline: ${PATTERNS.length} /^KEYWORD\\b/i regexes per line, drops unknown keywords; interleaved over ${rounds} rounds`,
  };
}

function hostile(quick: boolean): Comparison {
  const spaces = quick ? 300 : 600;
  const lines = ['mail.example', `AUTH${' '.repeat(spaces)}x`, 'OK'];
  const text = lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join('');
  const rounds = quick ? 3 : 5;
  const opts = { runs: 1, ms: quick ? 60 : 200 };
  const [ours, peer] = interleaved(
    rounds,
    () =>
      throughput('smtp-capabilities', 'replies/s', () => {
        sink += parseEhloReply({ code: 250, lines }).auth.size;
        return 1;
      }, opts),
    () =>
      throughput('whole-reply regex baseline', 'replies/s', () => {
        sink += wholeReplyBaseline(text).auth ? 1 : 0;
        return 1;
      }, opts),
  );
  return {
    title: `X-4 hostile reply: AUTH + ${spaces} spaces + x`,
    ours,
    peer,
    notes: 'baseline: /[ -]AUTH(?:(\\s+|=)[^\\n]*\\s+|\\s+|=)PLAIN/i over the raw reply (quadratic backtracking); ours is one pass',
  };
}

const suite: Suite = {
  name: 'capabilities',
  async run({ quick }) {
    const out = [typical(quick), hostile(quick)];
    if (sink === -1) console.log(sink);
    return Promise.resolve(out);
  },
};

export default suite;
