// Stage 1 of the demo: real replies recorded from providers, parsed incrementally with
// smtp-reply-reader (fed in small random chunks, as a socket would deliver them).
import { readFileSync } from 'node:fs';
import { ReplyReader, formatEnhancedStatusCode } from 'smtp-reply-reader';
import type { Reply } from 'smtp-reply-reader';
import { bold, cyan, dim, green, heading, red, yellow } from './style.js';

/** The recorded sessions under tools/demo/fixtures (wire bytes, CRLF). */
export const RECORDINGS = [
  { file: 'gmail.wire', title: 'Gmail: greeting, EHLO, MAIL, unknown recipient', domain: 'gmail.com' },
  { file: 'outlook.wire', title: 'Outlook.com: greeting, EHLO, banned sending IP', domain: 'outlook.com' },
  { file: 'yahoo.wire', title: 'Yahoo: greeting, EHLO, deferral', domain: 'yahoo.com' },
  { file: 'postfix.wire', title: 'Postfix: greylisting, relay denied, DNSBL block', domain: 'example.com' },
] as const;

/** Splits `bytes` into chunks of 1..13 bytes with a fixed seed (so the output is reproducible). */
export function socketLikeChunks(bytes: Uint8Array, seed = 7): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let state = seed;
  for (let i = 0; i < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const n = 1 + (state % 13);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

/** Parses one recording: every reply in wire order. */
export function parseRecording(bytes: Uint8Array): { replies: Reply[]; chunks: number } {
  const reader = new ReplyReader();
  const chunks = socketLikeChunks(bytes);
  const replies: Reply[] = [];
  for (const chunk of chunks) replies.push(...reader.push(chunk));
  reader.end();
  return { replies, chunks: chunks.length };
}

function kind(code: number): string {
  if (code < 300) return green('positive');
  if (code < 400) return cyan('intermediate');
  if (code < 500) return yellow('transient negative');
  return red('permanent negative');
}

/** Hooks that later stages plug in (capabilities, bounce class) once those packages are used. */
export interface ReplyDecorators {
  /** Extra lines for an EHLO reply (the second reply of a session). */
  readonly ehlo?: (reply: Reply) => string[];
  /** Extra lines for a negative reply. */
  readonly negative?: (reply: Reply, domain: string) => string[];
}

/** Prints stage 1 to stdout; returns the number of replies parsed. */
export function runRecorded(fixturesDir: URL, decorate: ReplyDecorators = {}): number {
  let total = 0;
  for (const rec of RECORDINGS) {
    const bytes = new Uint8Array(readFileSync(new URL(rec.file, fixturesDir)));
    const { replies, chunks } = parseRecording(bytes);
    total += replies.length;
    console.log(heading(rec.title));
    console.log(dim(`   ${bytes.length} bytes fed to ReplyReader in ${chunks} chunks -> ${replies.length} replies`));
    replies.forEach((reply, index) => {
      const enhanced = reply.enhanced === undefined ? '' : ` ${formatEnhancedStatusCode(reply.enhanced)}`;
      const first = reply.lines[0] ?? '';
      const more = reply.lines.length > 1 ? dim(` (+${reply.lines.length - 1} lines)`) : '';
      console.log(`   ${bold(`${reply.code}${enhanced}`)} ${kind(reply.code)}  ${first.length > 70 ? `${first.slice(0, 67)}...` : first}${more}`);
      if (index === 1 && reply.code === 250 && decorate.ehlo !== undefined) for (const l of decorate.ehlo(reply)) console.log(`      ${l}`);
      if (reply.code >= 400 && decorate.negative !== undefined) for (const l of decorate.negative(reply, rec.domain)) console.log(`      ${l}`);
    });
  }
  return total;
}
