// Stage 2 of the demo: a real round trip on loopback. A server from esmtp-server-fsm/node (STARTTLS
// with a throwaway test-only certificate, AUTH required, a policy that refuses one recipient) and a
// client from smtp-client-fsm/node sending one message to three recipients.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, SmtpReplyError } from 'esmtp-server-fsm/node';
import { connect } from 'smtp-client-fsm/node';
import type { TranscriptEntry } from 'smtp-client-fsm';
import { parseEhloReply } from 'smtp-capabilities';
import { formatEnhancedStatusCode } from 'smtp-reply-reader';
import { testOnlyCertificate } from './cert.js';
import { blue, bold, cyan, dim, green, heading, red, yellow } from './style.js';

const USER = 'demo';
const PASS = 'demo-password';
const FROM = 'alice@sender.example';
const RECIPIENTS = ['bob@receiver.example', 'carol@receiver.example', 'nobody@receiver.example'];

function message(): string {
  return [
    `From: Alice <${FROM}>`,
    `To: Bob <${RECIPIENTS[0]}>, Carol <${RECIPIENTS[1]}>, <${RECIPIENTS[2]}>`,
    'Subject: Hello from the smtpkit demo',
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'Message-ID: <demo.1@sender.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Hi both,',
    '',
    '.this line starts with a dot (the client dot-stuffs it, the server unstuffs it)',
    'Grüße, Alice',
    '',
  ].join('\r\n');
}

/** The EHLO reply the client saw after TLS, rebuilt from the transcript (server lines after the last EHLO). */
function lastEhlo(transcript: readonly TranscriptEntry[]): { code: number; lines: string[] } | undefined {
  let start = -1;
  transcript.forEach((e, i) => {
    if (e.direction === 'client' && /^EHLO /i.test(e.line)) start = i;
  });
  if (start < 0) return undefined;
  const lines: string[] = [];
  for (let i = start + 1; i < transcript.length; i++) {
    const e = transcript[i]!;
    if (e.direction !== 'server') break;
    lines.push(e.line.slice(4));
    if (e.line[3] === ' ') return { code: Number(e.line.slice(0, 3)), lines };
  }
  return undefined;
}

/** Runs the round trip and prints it; returns true when it went as designed. */
export async function runRoundTrip(): Promise<boolean> {
  console.log(heading('Round trip: esmtp-server-fsm/node <-> smtp-client-fsm/node on loopback'));
  const cert = testOnlyCertificate();
  console.log(dim('   throwaway TEST-ONLY certificate generated for localhost (self-signed, 1 day, never written to disk)'));
  const store = mkdtempSync(join(tmpdir(), 'smtpkit-demo-'));
  const stored: string[] = [];

  const server = createServer({
    hostname: 'mx.receiver.example',
    tls: { cert: cert.cert, key: cert.key },
    auth: { mechanisms: ['PLAIN', 'LOGIN'], required: true },
    onAuth: (c) => c.username === USER && c.password === PASS,
    onRcptTo: (to) => {
      // The server's policy: this mailbox does not exist.
      if (to.startsWith('nobody@')) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: `<${to}>: Recipient address rejected: User unknown in virtual mailbox table` });
    },
    onData: async (envelope, body) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(chunk as Uint8Array);
      const eml = join(store, `${envelope.id}.eml`);
      writeFileSync(eml, Buffer.concat(chunks));
      writeFileSync(join(store, `${envelope.id}.json`), `${JSON.stringify({ ...envelope, time: new Date().toISOString() }, null, 2)}\n`);
      stored.push(eml);
      return { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${envelope.id}` };
    },
  });
  const address = await server.listen(0, '127.0.0.1');
  console.log(`   server listening on ${bold(`127.0.0.1:${address.port}`)} (STARTTLS, AUTH PLAIN/LOGIN required)`);

  const transcript: TranscriptEntry[] = [];
  let ok = false;
  try {
    const client = await connect({
      host: '127.0.0.1',
      port: address.port,
      security: 'required',
      // Trust exactly the throwaway certificate, nothing else.
      tls: { ca: cert.cert, servername: 'localhost' },
      hostname: 'client.sender.example',
      auth: { user: USER, pass: PASS },
      transcript: (e) => transcript.push(e),
    });
    const result = await client.send({ from: FROM, to: RECIPIENTS, body: message() });
    await client.quit();

    console.log(heading('Transcript (C: client, S: server; credentials redacted by the client)'));
    for (const e of transcript) console.log(e.direction === 'client' ? `   ${cyan('C:')} ${e.line}` : `   ${blue('S:')} ${dim(e.line)}`);

    const ehlo = lastEhlo(transcript);
    if (ehlo !== undefined) {
      const caps = parseEhloReply(ehlo);
      console.log(heading(`Capabilities after STARTTLS (smtp-capabilities), server ${caps.domain}`));
      for (const entry of caps.entries()) console.log(`   ${entry.keyword.padEnd(20)} ${entry.params.join(' ')}`);
      console.log(dim(`   typed: size=${caps.size ?? '-'} pipelining=${caps.pipelining} auth=[${[...caps.auth].join(', ')}] startTls=${caps.startTls}`));
    }

    console.log(heading('Per-recipient results (bounce class from smtp-errors)'));
    for (const r of result.recipients) {
      const reply = r.reply !== undefined ? `${r.reply.code}${r.reply.enhanced !== undefined ? ` ${formatEnhancedStatusCode(r.reply.enhanced)}` : ''} ${r.reply.text}` : '';
      const status = r.accepted ? green('accepted') : r.transient ? yellow('deferred') : red('rejected');
      const bounce = !r.accepted && r.classification !== undefined ? `  ${bold(`class ${r.classification.id} ${r.classification.name}`)} (${r.classification.category})` : '';
      console.log(`   ${r.address.padEnd(26)} ${status}  ${dim(reply)}${bounce}`);
    }
    const final = result.reply !== undefined ? `${result.reply.code} ${result.reply.text}` : 'none';
    console.log(`   message outcome: ${bold(result.outcome)} (final reply: ${final})`);

    console.log(heading('Stored by the server'));
    for (const path of stored) console.log(`   ${path}\n   ${path.replace(/\.eml$/, '.json')}`);
    const accepted = result.recipients.filter((r) => r.accepted).length;
    const rejected = result.recipients.find((r) => !r.accepted);
    ok = stored.length === 1 && accepted === 2 && rejected?.address === RECIPIENTS[2] && rejected?.classification?.id === 10;
  } finally {
    await server.close({ timeout: 1000 });
  }
  return ok;
}
