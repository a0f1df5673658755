// Demo section: what smtp-reply-reader does with hostile input, and the formatter a server uses.
import { ReplyReader, formatReply, isReplyReaderError, parseReply } from 'smtp-reply-reader';
import { bold, dim, green, heading, red } from './style.js';

/** Prints the safety and formatting section; returns true when every check behaved as expected. */
export function runSafety(): boolean {
  console.log(heading('Hostile input and the reply formatter'));
  let ok = true;

  // A peer that never ends its line: the reader fails once the line limit is crossed, in one pass.
  const reader = new ReplyReader();
  const junk = new TextEncoder().encode('250-'.padEnd(64 * 1024, 'A'));
  let pushed = 0;
  let failure: unknown;
  try {
    for (let i = 0; i < 1024 * 1024; i += junk.length) {
      reader.push(junk);
      pushed += junk.length;
    }
  } catch (e) {
    failure = e;
  }
  if (isReplyReaderError(failure)) {
    console.log(`   endless line: ${red(failure.code)} after ${pushed + junk.length} bytes pushed, ${reader.bufferedBytes} still buffered`);
  } else {
    ok = false;
    console.log(red('   endless line: not rejected'));
  }

  // Replies a server writes: multi-line, enhanced code on every line, CRLF.
  const wire = formatReply({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, lines: ['<nobody@example.net>: Recipient address rejected:', 'User unknown in virtual mailbox table'] });
  console.log(`   formatReply -> ${dim(JSON.stringify(wire))}`);
  const back = parseReply(wire);
  const roundTrip = back.code === 550 && back.lines.length === 2;
  ok &&= roundTrip;
  console.log(`   parseReply(formatReply(x)) ${roundTrip ? green('round-trips') : red('differs')}: ${bold(String(back.code))} ${back.lines.join(' / ')}`);
  return ok;
}
