// Client side: build MAIL FROM / RCPT TO lines that are safe to write to the socket, after checking
// them against what the server advertised. Run: pnpm exec tsx packages/smtp-client-args/examples/client-build-commands.ts
import { parseEhloReply } from 'smtp-capabilities';
import { SmtpClientArgs, checkArgsAgainst, formatMailFrom, formatRcptTo, isClientArgsError, mailboxPath, withoutUnadvertised } from 'smtp-client-args';

const capabilities = parseEhloReply({
  code: 250,
  lines: ['mx.example.com at your service', 'SIZE 35882577', '8BITMIME', 'DSN', 'SMTPUTF8', 'PIPELINING'],
});

const from = mailboxPath('bounces+1234', 'sender.example');
const mailArgs = new SmtpClientArgs({ command: 'mail' })
  .setSize(48_213)
  .setBody('8BITMIME')
  .setRet('HDRS')
  .setEnvid('campaign 42/msg 7')
  .setMtPriority(2); // not advertised by this server

const problems = checkArgsAgainst(capabilities, mailArgs, { paths: [from], messageSize: 48_213, eightBit: true });
for (const p of problems) console.log(`will not send: ${p.message}`);

const safeArgs = withoutUnadvertised(capabilities, mailArgs);
console.log(JSON.stringify(formatMailFrom(from, safeArgs) + '\r\n'));

const rcptArgs = new SmtpClientArgs({ command: 'rcpt' }).setNotify(['FAILURE', 'DELAY']).setOrcpt('rfc822', 'alice+news@example.org');
console.log(JSON.stringify(formatRcptTo('alice+news@example.org', rcptArgs) + '\r\n'));

// Anything that would inject a command is refused before a byte is written; the error names the
// argument, never its value.
try {
  formatRcptTo('victim@example.org>\r\nRCPT TO:<attacker@evil.example', rcptArgs);
} catch (e) {
  if (isClientArgsError(e) && e.kind === 'local') console.log(`refused: ${e.code} (${e.argument})`);
}
