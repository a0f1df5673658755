/**
 * Is `classifyMessage` linear in its input? For each pathological shape (many MIME parts, many DSN
 * recipients, long lines, many folded lines, many free-text recipients...), the time at size n
 * and at size 2n, 4n: each doubling should roughly double the time (ratio about 2, never about 4).
 * A standalone script, not a unit test: timings depend on the machine, so the unit tests assert
 * counts and results only.
 *
 *   pnpm tsx packages/smtp-errors/test/message-linearity.ts [part of a shape's name]
 *
 * Prints one row per shape with the CPU times at n, 2n, 4n and 8n and the ratio of each doubling, and
 * exits 1 when eight times the input took over 24 times as long (linear is 8, quadratic 64; a
 * single ratio can reach 3 when the garbage collector runs in one measurement and not the other).
 */
import { argv, cpuUsage } from 'node:process';
import { classifyMessage } from '../src/message/index.js';

const H = 'From: MAILER-DAEMON@mx.sender.test\r\nTo: s@sender.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n';

function dsn(blocks: string, tail = ''): string {
  return `${H}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--rb\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sender.test\r\n\r\n${blocks}\r\n${tail}--rb--\r\n`;
}

/** A report whose human-readable part is `text` (its recipients' explanations) and whose delivery status part holds `blocks`. */
function dsnWithText(text: string, blocks: string): string {
  return `${H}Content-Type: multipart/report; report-type=delivery-status; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--rb\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sender.test\r\n\r\n${blocks}\r\n--rb--\r\n`;
}

/** Each shape: a message for a size parameter n. */
const SHAPES: Record<string, (n: number) => string | Uint8Array> = {
  'MIME parts (no part headers)': (n) => `${H}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${'--b\r\n\r\n550 5.1.1 user unknown\r\n'.repeat(n)}--b--\r\n`,
  'MIME parts (one header each)': (n) => `${H}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(n)}--b--\r\n`,
  'DSN recipients': (n) => dsn(Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; u${String(i)}@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n`).join('\r\n')),
  'DSN recipients, no diagnostic': (n) => dsn(Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; u${String(i)}@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n`).join('\r\n')),
  'DSN one recipient repeated': (n) => dsn('Final-Recipient: rfc822; same@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n'.repeat(n)),
  // repeats merged: each later block fills a field the first lacks, or names another Original-Recipient
  'DSN one recipient repeated, gaps filled': (n) =>
    dsn(`Final-Recipient: rfc822; same@rcpt.test\r\n\r\n${Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; same@rcpt.test\r\nAction: failed\r\nX-Field-${String(i)}: ${String(i)}\r\n`).join('\r\n')}`),
  'DSN one address, many Original-Recipients': (n) =>
    dsn(Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; same@rcpt.test\r\nOriginal-Recipient: rfc822; o${String(i % 2 === 0 ? i : i - 1)}@alias.test\r\nAction: failed\r\nStatus: 5.1.1\r\n`).join('\r\n')),
  'Diagnostic-Code folded lines': (n) => dsn(`Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n${' user unknown\r\n'.repeat(n)}`),
  'Diagnostic-Code one long line': (n) => dsn(`Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 ${'x'.repeat(n * 16)}\r\n`),
  'body one long line': (n) => `${H}\r\n<a@rcpt.test>: 550 5.1.1 user unknown ${'x'.repeat(n * 16)}\r\n`,
  'header one long line': (n) => `${H}X-Long: ${'y'.repeat(n)}\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n`,
  'header many folds': (n) => `${H}X-Folded: a\r\n${' b\r\n'.repeat(n)}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n`,
  'free-text recipients': (n) => `${H}\r\n${Array.from({ length: n }, (_, i) => `<u${String(i)}@rcpt.test>: 550 5.1.1 user unknown\r\n`).join('')}`,
  'empty lines': (n) => `${H}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n${'\r\n'.repeat(n)}`,
  'bare CR line ends': (n) => `${H}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r${'line\r'.repeat(n)}`.replace(/\r\n/g, '\r'),
  'at signs in one line': (n) => `${H}\r\n${'a@'.repeat(n)}\r\n`,
  'HTML-only body, open tags': (n) => `${H}Content-Type: text/html\r\n\r\n${'<a '.repeat(n)}\r\n`,
  'feedback Original-Rcpt-To': (n) =>
    `From: abuse@isp.test\r\nContent-Type: multipart/report; report-type=feedback-report; boundary="fb"\r\n\r\n--fb\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n${Array.from({ length: n }, (_, i) => `Original-Rcpt-To: <u${String(i)}@rcpt.test>\r\n`).join('')}\r\n--fb--\r\n`,
  'quoted-printable soft breaks': (n) => `${H}Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown ${'=\r\n'.repeat(n)}\r\n`,
  // raw 8-bit bytes: lines of UTF-8 and Latin-1 in turn (each run decoded on its own), a body
  // labelled UTF-8 that is Latin-1 (parsed again unlabelled), a report followed by more parts than
  // the parser takes (parsed again up to where it gave up)
  'DSN, UTF-8 and Latin-1 diagnostics': (n) =>
    latin1Bytes(dsn(Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; u${String(i)}@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 ${i % 2 === 0 ? 'EmpfÃ¤nger' : 'Empf\xe4nger'} unbekannt\r\n`).join('\r\n'))),
  'Latin-1 body labelled UTF-8': (n) => latin1Bytes(`${H}Content-Type: text/plain; charset=utf-8\r\n\r\n<a@rcpt.test>: 550 5.1.1 Empf\xe4nger unbekannt\r\n${'bo\xeete pleine\r\n'.repeat(n)}`),
  'DSN, then parts past the limit': (n) => dsn('Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n', '--rb\r\n\r\nx\r\n'.repeat(n)),
  // recipients the scan around `@` cannot find: quoted local parts and pipes, in a report's text
  // (Status 5.0.0 and two or more recipients, so each one's explanation is looked for) and as
  // free-text recipients; and the shapes that make their scans look far: quotes without an end,
  // runs of quotes, bars
  'DSN, quoted recipients in the text': (n) =>
    dsnWithText(
      Array.from({ length: n }, (_, i) => `<"u ${String(i)}"@rcpt.test>: host mx said: 550 5.1.1 user unknown\r\n`).join(''),
      Array.from({ length: n }, (_, i) => `Final-Recipient: rfc822; "u ${String(i)}"@rcpt.test\r\nAction: failed\r\nStatus: 5.0.0\r\n`).join('\r\n'),
    ),
  'DSN, pipe recipients, quotes in the text': (n) =>
    dsnWithText('"'.repeat(n * 8) + '\r\n' + '"a |/b '.repeat(n), 'Final-Recipient: X-Unix; |/bin/a\r\nAction: failed\r\nStatus: 5.0.0\r\n\r\nFinal-Recipient: rfc822; "a b"@rcpt.test\r\nAction: failed\r\nStatus: 5.0.0\r\n'),
  'free-text quoted and pipe recipients': (n) => `${H}\r\n${Array.from({ length: n }, (_, i) => `<"u ${String(i)}"@rcpt.test>: 550 5.1.1 user unknown\r\n<|/bin/p${String(i)}>: program failed\r\n`).join('')}`,
  'free-text lines of unclosed quotes': (n) => `${H}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n${`"${'a'.repeat(390)}\r\n`.repeat(n)}`,
  'free-text lines of bars': (n) => `${H}\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n${`|${'|/'.repeat(190)}\r\n`.repeat(n)}`,
  // a bounce forwarded inline: its quoted header lines and text unquoted once each; lines that
  // almost open a forward; a forward whose header lines are many folds
  'inline forward, quoted bounce text': (n) =>
    `From: alice@sender.test\r\nSubject: Fwd: failure notice\r\n\r\nBegin forwarded message:\r\n\r\n> From: MAILER-DAEMON@mx.sender.test\r\n> Subject: failure notice\r\n>\r\n> <a@rcpt.test>: 550 5.1.1 user unknown\r\n${'> >> quoted line of the returned message\r\n'.repeat(n)}`,
  'inline forward, near-miss note lines': (n) => `From: alice@sender.test\r\nSubject: Fwd: failure notice\r\n\r\n${'- forwarded message -- forwarded messag\r\n'.repeat(n)}Begin forwarded message:\r\nFrom: MAILER-DAEMON@mx.sender.test\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n`,
  'inline forward, folded header line': (n) =>
    `From: alice@sender.test\r\nSubject: Fwd: failure notice\r\n\r\n---------- Forwarded message ---------\r\nFrom: MAILER-DAEMON@mx.sender.test\r\nSubject: failure\r\n${' notice'.repeat(n)}\r\n\r\n<a@rcpt.test>: 550 5.1.1 user unknown\r\n`,
  // Outlook's block and a forward of a forward: a forwarded bounce quoted twice, its lines each
  // unquoted once; many Outlook blocks of no bounce (each header read once, a few tried); Outlook
  // header lines whose names almost end (the bounded lazy name)
  'inline forward of a forward, bounce quoted twice': (n) =>
    `From: alice@sender.test\r\nSubject: Fwd: help\r\n\r\nBegin forwarded message:\r\n\r\n> From: bob@sender.test\r\n> Subject: help\r\n>\r\n> Begin forwarded message:\r\n>\r\n>> From: MAILER-DAEMON@mx.sender.test\r\n>> Subject: failure notice\r\n>>\r\n>> <a@rcpt.test>: 550 5.1.1 user unknown\r\n${'>> > quoted line of the returned message\r\n'.repeat(n)}`,
  'inline forward, many Outlook blocks of no bounce': (n) =>
    `From: alice@sender.test\r\nSubject: FW: lunch\r\n\r\n${'-----Original Message-----\r\nFrom: bob@sender.test\r\nSent: Thursday\r\nSubject: lunch\r\n\r\nsee you\r\n'.repeat(n)}`,
  'inline forward, Outlook header lines without a colon': (n) =>
    `From: alice@sender.test\r\nSubject: FW: failure notice\r\n\r\n-----Original Message-----\r\nFrom: MAILER-DAEMON@mx.sender.test\r\nSent: Thursday\r\n${`${'a '.repeat(200)}\r\n`.repeat(n)}`,
  'nested rfc822 returned messages': (n) => dsn('Final-Recipient: rfc822; a@rcpt.test\r\nAction: failed\r\nStatus: 5.1.1\r\n', `--rb\r\nContent-Type: message/rfc822\r\n\r\n${'Content-Type: message/rfc822\r\n\r\n'.repeat(n)}Subject: x\r\n\r\nbody\r\n`),
};

/** `text` one byte per character (so `\xe4` is the Latin-1 byte E4, and `Ã¤` the UTF-8 of `ä`). */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** The largest n tried while looking for a size that takes long enough to time. */
const MAX_N = 1 << 20;
/**
 * The largest input timed (at 8n): 32 MiB, 32 times the default `maxBytes`. Past that the MIME
 * parser's own buffers of a single line of 64 MiB and more grow a little faster than the line
 * (2.6 times per doubling, memory more than work), which is not what this script looks for.
 */
const MAX_INPUT = 32 * 1024 * 1024;

/** CPU milliseconds of one classification, the best of five: the least disturbed by the garbage collector and, being CPU time, by other processes. */
async function time(raw: string | Uint8Array): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    const start = cpuUsage();
    await classifyMessage(raw, { maxBytes: 256 * 1024 * 1024 }).catch(() => undefined);
    const used = cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** The times at n, 2n, 4n and 8n. */
async function series(make: (n: number) => string | Uint8Array, n: number): Promise<number[]> {
  const times: number[] = [];
  for (const m of [n, n * 2, n * 4, n * 8]) times.push(await time(make(m)));
  return times;
}

/** t(8n) / t(n). */
const growth = (times: readonly number[]): number => times[3]! / Math.max(times[0]!, 0.01);

let bad = 0;
await time(SHAPES['DSN recipients']!(100)); // warm up the classifier and the JIT
console.log(`${'shape'.padEnd(34)} ${'n'.padStart(8)} ${['t(n)', 't(2n)', 't(4n)', 't(8n)'].map((h) => h.padStart(10)).join(' ')}   ratios   t(8n)/t(n)`);
// `pnpm tsx packages/smtp-errors/test/message-linearity.ts quoted` times only the shapes whose name holds `quoted`
const only = argv[2];
for (const [name, make] of Object.entries(SHAPES)) {
  if (only !== undefined && !name.includes(only)) continue;
  // the smallest n (a power of two from 1,000) whose time is over 30 ms, so that the clock's
  // noise does not decide the ratios
  let n = 1000;
  while (n < MAX_N && make(n * 2).length * 8 <= MAX_INPUT && (await time(make(n))) < 30) n *= 2;
  let times = await series(make, n);
  // a shape over the line is measured again (twice at most): a busy machine can make one series
  // look super-linear, a super-linear parser makes every series so
  for (let again = 0; again < 2 && growth(times) > 24; again++) {
    const retry = await series(make, n);
    if (growth(retry) < growth(times)) times = retry;
  }
  const ratios = times.slice(1).map((t, i) => t / Math.max(times[i]!, 0.01));
  const overall = growth(times);
  const superLinear = overall > 24;
  if (superLinear) bad++;
  console.log(`${name.padEnd(34)} ${String(n).padStart(8)} ${times.map((t) => `${t.toFixed(1)}ms`.padStart(10)).join(' ')}   ${ratios.map((r) => r.toFixed(2)).join(' ')}   ${overall.toFixed(1)}${superLinear ? '   SUPER-LINEAR' : ''}`);
}
process.exitCode = bad > 0 ? 1 : 0;
