/**
 * Reading replies from a server and writing replies as a server, with smtp-reply-reader.
 * Run: `npx tsx packages/smtp-reply-reader/examples/read-replies.ts`
 */
import { ReplyReader, expectReply, formatEnhancedStatusCode, formatReply, isReplyReaderError, isTransientNegative, parseReply } from 'smtp-reply-reader';

// Bytes as they might arrive from a socket: a greeting, then an EHLO reply split mid-line.
const chunks = [
  '220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250-PIPE',
  'LINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n',
  '450-4.2.1 The user you are trying to contact is receiving mail at a rate\r\n',
  '450 4.2.1 that prevents additional messages from being delivered.\r\n',
];

const reader = new ReplyReader({ maxReplyLines: 100 });
try {
  for (const chunk of chunks) {
    for (const reply of reader.push(chunk)) {
      const enhanced = reply.enhanced ? ` (${formatEnhancedStatusCode(reply.enhanced)})` : '';
      console.log(`${reply.code}${enhanced}: ${reply.lines.join(' | ')}`);
      if (isTransientNegative(reply)) console.log('  -> try again later');
    }
  }
  reader.end();
} catch (e) {
  if (isReplyReaderError(e) && e.kind === 'remote') console.log(`peer broke the protocol: ${e.code}; close the connection`);
  else throw e;
}

// read_smtp2: is this reply one of the codes we accept here?
const rcpt = parseReply('251 2.1.5 User not local; will forward\r\n');
console.log('RCPT accepted:', expectReply(rcpt, 250, 251));

// The server side: wrapped, multi-line, enhanced, injection-proof.
process.stdout.write(
  formatReply({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, lines: ['No such user here', 'Check the address'] }),
);
