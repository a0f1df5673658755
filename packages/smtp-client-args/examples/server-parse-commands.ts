// Server side: parse what a client sent after MAIL / RCPT and answer refusals with the reply the
// error carries. Run: pnpm exec tsx packages/smtp-client-args/examples/server-parse-commands.ts
import { defaultExtensionRegistry } from 'smtp-capabilities';
import { isClientArgsError, parseMailFrom, parseRcptTo } from 'smtp-client-args';
import type { ParseOptions } from 'smtp-client-args';

const advertised = ['SIZE', '8BITMIME', 'DSN', 'SMTPUTF8'];
const registry = defaultExtensionRegistry();
const mailOptions: ParseOptions = {
  allowedParameters: registry.mailParameters(advertised),
  limits: { messageSize: 10 * 1024 * 1024 },
  lenient: { spaceAfterColon: true }, // some old clients write "MAIL FROM: <a@b>"
};

const lines = [
  'FROM:<sender@example.com> SIZE=1200 BODY=8BITMIME ENVID=abc+2B1',
  'FROM: <sender@example.com>',
  'FROM:<sender@example.com> SIZE=99999999999',
  'FROM:<sender@example.com> ENVID=a+0D+0Ab',
  'FROM:<sender@example.com> MT-PRIORITY=3',
  'FROM:<sender@example.com>garbage',
];
for (const line of lines) {
  try {
    const { path, parameters } = parseMailFrom(line, mailOptions);
    console.log(`250 2.1.0 OK ${path.kind === 'mailbox' ? path.address : '<>'}`, parameters);
  } catch (e) {
    if (!isClientArgsError(e) || e.kind !== 'remote') throw e;
    console.log(`${e.reply.code} ${e.reply.enhanced} ${e.reply.text}`);
  }
}

for (const line of ['TO:<postmaster>', 'TO:<>', 'TO:<user@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user+2Bx@example.com']) {
  try {
    const { path, parameters } = parseRcptTo(line, { allowedParameters: registry.rcptParameters(advertised) });
    console.log('250 2.1.5 OK', path, parameters);
  } catch (e) {
    if (!isClientArgsError(e) || e.kind !== 'remote') throw e;
    console.log(`${e.reply.code} ${e.reply.enhanced} ${e.reply.text}`);
  }
}
