// smtp-client-fsm/node and `smtp send` against a private Postfix smtpd, one listener per server
// behaviour a sender meets: connection reuse, per-recipient refusals and their DATA outcome, 4xx and
// 5xx to DATA and to the final dot, 421 at RCPT, DATA and the dot (with messages pipelined behind
// it), pipelining offered and not, SIZE declared and discovered, STARTTLS required but not offered,
// a certificate that does not verify, SMTPUTF8 and 8-bit bodies to a server without the extensions,
// and a server that closes an idle connection. Every status the client reports is checked against
// what Postfix logged: an accepted recipient was queued (and delivered) under the queue id of the
// reply, a refused one was never queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { connect, sendMail } from 'smtp-client-fsm/node';
import type { SendResult } from 'smtp-client-fsm/node';
import type { TranscriptEntry } from 'smtp-client-fsm';
import { freePort } from '@smtpkit/testkit';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';
import { runCli } from '../../cli/src/run-cli.js';
import { tempDir, testCertificate } from '../../cli/src/testing/peers.js';

const B = 'Subject: hi\r\n\r\nhello\r\n';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const queueIdOf = (text: string | undefined): string | undefined => /queued as ([0-9A-Za-z]+)/.exec(text ?? '')?.[1];

/** Records the transcript as `C: ...` / `S: ...` lines. */
function recorder(): { lines: string[]; transcript: (e: TranscriptEntry) => void } {
  const lines: string[] = [];
  return { lines, transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) };
}

describe.runIf(postfixAvailable())('smtp-client-fsm/node and smtp send against Postfix smtpd behaviours', () => {
  let pf: PrivatePostfix;
  const tmp = tempDir('client-behaviours-');
  let cert = '';
  const port: Record<'bare' | 'idle' | 'tls' | 'smtps' | 'data4' | 'data5' | 'data421' | 'dot421' | 'dot451', number> = { bare: 0, idle: 0, tls: 0, smtps: 0, data4: 0, data5: 0, data421: 0, dot421: 0, dot451: 0 };

  beforeAll(async () => {
    for (const k of Object.keys(port) as (keyof typeof port)[]) port[k] = await freePort();
    const c = testCertificate(tmp.dir);
    cert = c.cert;
    const tlsOpts = `\n  -o smtpd_tls_cert_file=${c.cert}\n  -o smtpd_tls_key_file=${c.key}`;
    pf = await startPrivatePostfix({
      transport: { 'pf.test': 'discard:', 'xn--bcher-kva.test': 'discard:' },
      maps: {
        rcpt: { 'gone@pf.test': '550 5.1.1 No such user', 'busy@pf.test': '450 4.2.1 Mailbox busy', 'bye@pf.test': '421 4.7.0 Closing now' },
        hdr: { '/^Subject: reject-me/': 'REJECT 5.7.1 content refused' },
        c451: { '127.0.0.1': '451 4.3.0 DATA later' },
        c554: { '127.0.0.1': '554 5.7.1 no DATA for you' },
        c421: { '127.0.0.1': '421 4.3.2 Shutting down' },
      },
      main: {
        message_size_limit: 50_000,
        smtpd_recipient_restrictions: 'check_recipient_access texthash:{dir}/rcpt, permit_mynetworks, reject',
        header_checks: 'regexp:{dir}/hdr',
      },
      services: [
        `127.0.0.1:${port.bare} inet n - n - - smtpd\n  -o smtpd_discard_ehlo_keywords=pipelining,8bitmime,smtputf8,size,chunking`,
        `127.0.0.1:${port.idle} inet n - n - - smtpd\n  -o smtpd_timeout=1s`,
        `127.0.0.1:${port.tls} inet n - n - - smtpd\n  -o smtpd_tls_security_level=may${tlsOpts}`,
        `127.0.0.1:${port.smtps} inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_security_level=encrypt${tlsOpts}`,
        `127.0.0.1:${port.data4} inet n - n - - smtpd\n  -o smtpd_data_restrictions=check_client_access,texthash:{dir}/c451`,
        `127.0.0.1:${port.data5} inet n - n - - smtpd\n  -o smtpd_data_restrictions=check_client_access,texthash:{dir}/c554`,
        `127.0.0.1:${port.data421} inet n - n - - smtpd\n  -o smtpd_data_restrictions=check_client_access,texthash:{dir}/c421`,
        `127.0.0.1:${port.dot451} inet n - n - - smtpd\n  -o smtpd_end_of_data_restrictions=check_client_access,texthash:{dir}/c451`,
        `127.0.0.1:${port.dot421} inet n - n - - smtpd\n  -o smtpd_end_of_data_restrictions=check_client_access,texthash:{dir}/c421`,
      ],
    });
    const version = execFileSync('/usr/sbin/postconf', ['-d', 'mail_version'], { encoding: 'utf8' }).trim().replace(/^mail_version = /, '');
    console.log(`peers: Postfix ${version} (private instance), OpenSSL ${execFileSync('/usr/bin/openssl', ['version'], { encoding: 'utf8' }).split(' ')[1]!}`);
  });

  afterAll(async () => {
    await pf?.stop();
    tmp.cleanup();
  });

  const plain = { host: '127.0.0.1', security: 'off' as const };

  /** The Postfix log agrees with a result: accepted ones were queued under their reply's queue id and delivered; the others were never queued. */
  async function agreesWithLog(r: Pick<SendResult, 'recipients'>): Promise<void> {
    const accepted = r.recipients.filter((x) => x.status === 'accepted');
    const ids = new Set(accepted.map((x) => queueIdOf(x.reply?.text)));
    expect([...ids].every((id) => id !== undefined)).toBe(true);
    const seen = await pf.waitForDeliveries(accepted.length, { filter: (d) => ids.has(d.queueId), timeoutMs: 30_000 });
    for (const x of accepted) expect(seen.some((d) => d.to === x.address && d.queueId === queueIdOf(x.reply?.text) && d.status === 'sent')).toBe(true);
    const others = new Set(r.recipients.filter((x) => x.status !== 'accepted').map((x) => x.address));
    expect(pf.deliveries().filter((d) => others.has(d.to))).toEqual([]);
  }

  it('connection reuse: 40 messages over one connection, one smtpd session, each delivered once under its own queue id', async () => {
    const client = await connect({ ...plain, port: pf.smtpPort });
    const results: SendResult[] = [];
    for (let i = 0; i < 20; i++) results.push(await client.send({ from: 'reuse@c.test', to: [`reuse${i}@pf.test`], body: `Subject: ${i}\r\n\r\nmessage ${i}\r\n` }));
    // and 20 more in flight at once (pipelined across messages)
    results.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => client.send({ from: 'reuse@c.test', to: [`reuse${20 + j}@pf.test`], body: `Subject: ${20 + j}\r\n\r\nm\r\n` })))));
    await client.quit();
    expect(results.map((r) => r.outcome)).toEqual(Array(40).fill('delivered'));
    expect(new Set(results.map((r) => queueIdOf(r.reply?.text))).size).toBe(40);
    for (const r of results) await agreesWithLog(r);
    // smtpd's end-of-session line counts the commands of the one session that carried all 40; the
    // 19 messages written ahead behind an unanswered dot each went behind an RSET
    for (let i = 0; i < 50 && !/disconnect from [^\n]* mail=40 rcpt=40 data=40 rset=19 quit=1/.test(pf.log()); i++) await sleep(100);
    expect(pf.log()).toMatch(/disconnect from [^\n]* ehlo=1 mail=40 rcpt=40 data=40 rset=19 quit=1 commands=141/);
  });

  it('RCPT refusals (550, 450) and the DATA outcome for the rest: 250, 5xx (header_checks) and 4xx (end-of-data restriction) at the final dot; library and CLI agree with the log', async () => {
    // the accepted addresses differ per message, so that the log tells their deliveries apart
    const mix = (k: string): string[] => [`ok1-${k}@pf.test`, 'gone@pf.test', 'busy@pf.test', `ok2-${k}@pf.test`];
    const ok = await sendMail({ ...plain, port: pf.smtpPort, from: 'mix@c.test', to: mix('a'), body: B });
    expect(ok.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual([['ok1-a@pf.test', 'accepted', 250], ['gone@pf.test', 'rejected', 550], ['busy@pf.test', 'deferred', 450], ['ok2-a@pf.test', 'accepted', 250]]);
    expect(ok).toMatchObject({ outcome: 'partial', transient: true });
    await agreesWithLog(ok);
    const refused = await sendMail({ ...plain, port: pf.smtpPort, from: 'mix@c.test', to: mix('b'), body: 'Subject: reject-me\r\n\r\nx\r\n' });
    expect(refused.recipients.map((x) => [x.status, x.reply?.code])).toEqual([['rejected', 550], ['rejected', 550], ['deferred', 450], ['rejected', 550]]);
    expect(refused.outcome).toBe('failed');
    const deferred = await sendMail({ ...plain, port: port.dot451, from: 'mix@c.test', to: mix('c'), body: B });
    expect(deferred.recipients.map((x) => [x.status, x.reply?.code])).toEqual([['deferred', 451], ['rejected', 550], ['deferred', 450], ['deferred', 451]]);
    expect(deferred).toMatchObject({ outcome: 'failed', transient: true });
    for (const r of [refused, deferred]) await agreesWithLog(r);
    expect(pf.log()).toMatch(/reject: header Subject: reject-me/);
    expect(pf.log()).toMatch(/reject: END-OF-MESSAGE from [^:]*: 451 4\.3\.0/);

    const run = await runCli(['send', '-H', '127.0.0.1', '-p', String(pf.smtpPort), '--starttls', 'off', '-f', 'cli-mix@c.test', ...mix('cli').flatMap((t) => ['-t', t]), '-n', '3', '--json', '--no-progress'], { timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; recipients?: { address: string; status: string; code?: number; text?: string }[]; accepted?: number; rejected?: number; deferred?: number });
    const messages = lines.filter((l) => l.type === 'message');
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      expect(m.recipients!.map((x) => [x.address, x.status, x.code])).toEqual([['ok1-cli@pf.test', 'accepted', 250], ['gone@pf.test', 'rejected', 550], ['busy@pf.test', 'deferred', 450], ['ok2-cli@pf.test', 'accepted', 250]]);
      await agreesWithLog({ recipients: m.recipients!.map((x) => ({ address: x.address, status: x.status, ...(x.code !== undefined ? { reply: { code: x.code, text: x.text ?? '', lines: [] } } : {}) })) as unknown as SendResult['recipients'] });
    }
    expect(lines.at(-1)).toMatchObject({ type: 'summary', accepted: 6, rejected: 3, deferred: 3 });
  });

  it('4xx and 5xx to DATA: the accepted recipients deferred or rejected with that reply, nothing queued; the connection goes on', async () => {
    for (const [p, code, status] of [[port.data4, 451, 'deferred'], [port.data5, 554, 'rejected']] as const) {
      const client = await connect({ ...plain, port: p });
      const whole = await client.send({ from: 'd@c.test', to: ['x@pf.test', 'gone@pf.test'], body: B });
      const streamed = await client.send({ from: 'd@c.test', to: ['y@pf.test'], body: Readable.from([B]) });
      await client.quit();
      expect(whole.recipients.map((x) => [x.status, x.reply?.code])).toEqual([[status, code], ['rejected', 550]]);
      expect(streamed.recipients.map((x) => [x.status, x.reply?.code])).toEqual([[status, code]]);
      for (const r of [whole, streamed]) await agreesWithLog(r);
    }
  });

  it('421 at RCPT, at DATA and at the final dot (messages pipelined behind it): nothing reported accepted, nothing queued, no hang; a new connection works', async () => {
    const atRcpt = await sendMail({ ...plain, port: pf.smtpPort, from: 'q@c.test', to: ['a@pf.test', 'bye@pf.test', 'b@pf.test'], body: B });
    expect(atRcpt).toMatchObject({ outcome: 'deferred', transient: true, deferred: ['a@pf.test', 'bye@pf.test', 'b@pf.test'], reply: { code: 421 } });
    const atData = await sendMail({ ...plain, port: port.data421, from: 'q@c.test', to: ['d@pf.test'], body: B });
    expect(atData).toMatchObject({ outcome: 'deferred', deferred: ['d@pf.test'], reply: { code: 421 } });
    const rec = recorder();
    const client = await connect({ ...plain, port: port.dot421, transcript: rec.transcript });
    const three = await Promise.all([1, 2, 3].map((i) => client.send({ from: 'q@c.test', to: [`m${i}@pf.test`], body: B })));
    expect(client.closed).toBe(true);
    expect(three.map((r) => [r.outcome, r.reply?.code])).toEqual([['deferred', 421], ['deferred', 421], ['deferred', 421]]);
    // the second message was written ahead with the first one's dot (PIPELINING)
    expect(rec.lines.filter((l) => l.startsWith('C: MAIL'))).toHaveLength(2);
    await expect(client.send({ from: 'q@c.test', to: ['late@pf.test'], body: B })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', reply: { code: 421 } });
    for (const r of [atRcpt, atData, ...three]) await agreesWithLog(r);
    const again = await sendMail({ ...plain, port: pf.smtpPort, from: 'q@c.test', to: ['after421@pf.test'], body: B });
    expect(again.outcome).toBe('delivered');
    await agreesWithLog(again);
    // the CLI: each message deferred with the 421 to its own dot (a new connection after each close), never a hang
    const run = await runCli(['send', '-H', '127.0.0.1', '-p', String(port.dot421), '--starttls', 'off', '-f', 'q@c.test', '-t', 'x@pf.test', '-n', '2', '--json'], { timeoutMs: 60_000 });
    expect(run.signal).toBeNull();
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; reply?: { code: number } });
    expect(lines.filter((l) => l.type === 'message').map((l) => l.reply?.code)).toEqual([421, 421]);
    expect(lines.at(-1)).toMatchObject({ accepted: 0, deferred: 2, connectionErrors: 0 });
    expect(run.code).toBe(1);
  });

  it('pipelining when offered (MAIL, RCPTs and DATA in one flight) and not offered (one command per reply)', async () => {
    const on = recorder();
    const offered = await sendMail({ ...plain, port: pf.smtpPort, transcript: on.transcript, from: 'p@c.test', to: ['p1@pf.test', 'gone@pf.test', 'p2@pf.test'], body: B });
    const off = recorder();
    const notOffered = await sendMail({ ...plain, port: port.bare, transcript: off.transcript, from: 'p@c.test', to: ['p1@pf.test', 'gone@pf.test', 'p2@pf.test'], body: B });
    for (const r of [offered, notOffered]) {
      expect(r.recipients.map((x) => x.status)).toEqual(['accepted', 'rejected', 'accepted']);
      await agreesWithLog(r);
    }
    const from = (lines: string[]): string[] => lines.slice(lines.findIndex((l) => l.startsWith('C: MAIL')), lines.findIndex((l) => l.startsWith('S: 354')) + 1).map((l) => l.slice(0, 7));
    expect(from(on.lines)).toEqual(['C: MAIL', 'C: RCPT', 'C: RCPT', 'C: RCPT', 'C: DATA', 'S: 250 ', 'S: 250 ', 'S: 550 ', 'S: 250 ', 'S: 354 ']);
    expect(from(off.lines)).toEqual(['C: MAIL', 'S: 250 ', 'C: RCPT', 'S: 250 ', 'C: RCPT', 'S: 550 ', 'C: RCPT', 'S: 250 ', 'C: DATA', 'S: 354 ']);
    expect(pf.log()).not.toMatch(/improper command pipelining/);
  });

  it('SIZE: over the advertised limit fails before MAIL (whole body, or a stream with size given); discovered at the dot (a stream without size, a server not advertising SIZE): 552, rejected', async () => {
    const big = `Subject: big\r\n\r\n${`${'y'.repeat(78)}\r\n`.repeat(1000)}`;
    const rec = recorder();
    const client = await connect({ ...plain, port: pf.smtpPort, transcript: rec.transcript });
    expect(client.capabilities.size).toBe(50_000);
    const declared = await client.send({ from: 's@c.test', to: ['s1@pf.test'], body: big });
    const declaredStream = await client.send({ from: 's@c.test', to: ['s2@pf.test'], body: Readable.from([big]), size: big.length });
    expect(rec.lines.filter((l) => l.startsWith('C: MAIL'))).toEqual([]);
    const discovered = await client.send({ from: 's@c.test', to: ['s3@pf.test'], body: Readable.from([big]) });
    const after = await client.send({ from: 's@c.test', to: ['s4@pf.test'], body: B });
    await client.quit();
    for (const r of [declared, declaredStream]) expect(r).toMatchObject({ outcome: 'failed', transient: false, rejected: [r.recipients[0]!.address], errorCode: 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE' });
    expect(discovered).toMatchObject({ outcome: 'failed', transient: false, reply: { code: 552, enhanced: { class: 5, subject: 3, detail: 4 } } });
    expect(after.outcome).toBe('delivered');
    const hidden = await sendMail({ ...plain, port: port.bare, from: 's@c.test', to: ['s5@pf.test'], body: big });
    expect(hidden).toMatchObject({ outcome: 'failed', reply: { code: 552 } });
    for (const r of [declared, declaredStream, discovered, after, hidden]) await agreesWithLog(r);
  });

  it('STARTTLS required but not offered: connect fails with ERR_SMTP_CLIENT_TLS_REQUIRED before MAIL; smtp send exits 3', async () => {
    const rec = recorder();
    await expect(sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'required', transcript: rec.transcript, from: 't@c.test', to: ['t@pf.test'], body: B })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_REQUIRED' });
    expect(rec.lines.some((l) => l.startsWith('C: MAIL'))).toBe(false);
    const run = await runCli(['send', '-H', '127.0.0.1', '-p', String(pf.smtpPort), '--starttls', 'required', '-f', 't@c.test', '-t', 't@pf.test']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('ERR_SMTP_CLIENT_TLS_REQUIRED');
  });

  it('a certificate that does not verify: STARTTLS required and implicit TLS fail unless told otherwise, the CA makes it verify; smtp send needs --insecure', async () => {
    const msg = { from: 'tls@c.test', to: ['tls@pf.test'], body: B };
    await expect(sendMail({ host: '127.0.0.1', port: port.tls, security: 'required', ...msg })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    await expect(sendMail({ host: '127.0.0.1', port: port.smtps, security: 'implicit', ...msg })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    // the right CA but the wrong name does not verify either
    await expect(sendMail({ host: '127.0.0.1', port: port.tls, security: 'required', tls: { ca: readFileSync(cert), servername: 'mx.elsewhere.test' }, ...msg })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    const verified = await sendMail({ host: 'localhost', port: port.tls, security: 'required', tls: { ca: readFileSync(cert) }, ...msg });
    const unverified = await sendMail({ host: '127.0.0.1', port: port.smtps, security: 'implicit', tls: { rejectUnauthorized: false }, ...msg });
    for (const r of [verified, unverified]) {
      expect(r.outcome).toBe('delivered');
      await agreesWithLog(r);
    }
    const refused = await runCli(['send', '-H', '127.0.0.1', '-p', String(port.tls), '--starttls', 'required', '-f', 'tls@c.test', '-t', 'tls@pf.test']);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/self-signed certificate/);
    const tlsRefused = await runCli(['send', '-H', '127.0.0.1', '-p', String(port.smtps), '--tls', '-f', 'tls@c.test', '-t', 'tls@pf.test']);
    expect(tlsRefused.code).toBe(3);
    const insecure = await runCli(['send', '-H', '127.0.0.1', '-p', String(port.tls), '--starttls', 'required', '--insecure', '-f', 'tls@c.test', '-t', 'tls@pf.test']);
    expect(insecure.code).toBe(0);
  });

  it('SMTPUTF8 recipients to a server without SMTPUTF8: the message fails for good before MAIL (a non-ASCII domain alone goes in A-labels); with SMTPUTF8 offered it is delivered', async () => {
    const rec = recorder();
    const r = await sendMail({ ...plain, port: port.bare, transcript: rec.transcript, from: 'u@c.test', to: ['j\u00f6rg@pf.test', 'plain@pf.test'], body: B });
    expect(r).toMatchObject({ outcome: 'failed', transient: false, rejected: ['j\u00f6rg@pf.test', 'plain@pf.test'], errorCode: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE' });
    expect(rec.lines.some((l) => l.startsWith('C: MAIL'))).toBe(false);
    const idn = await sendMail({ ...plain, port: port.bare, from: 'u@c.test', to: ['user@b\u00fccher.test'], body: B });
    expect(idn.outcome).toBe('delivered');
    expect((await pf.waitForDeliveries(1, { filter: (d) => d.to === 'user@xn--bcher-kva.test' }))[0]!.status).toBe('sent');
    const offered = await sendMail({ ...plain, port: pf.smtpPort, from: 'u@c.test', to: ['j\u00f6rg@pf.test'], body: B });
    expect(offered.outcome).toBe('delivered');
    const cli = await runCli(['send', '-H', '127.0.0.1', '-p', String(port.bare), '--starttls', 'off', '-f', 'u@c.test', '-t', 'j\u00f6rg@pf.test', '--json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout.split('\n')[0]!)).toMatchObject({ outcome: 'failed', recipients: [{ status: 'rejected' }], error: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE' });
  });

  it('an 8-bit body to a server without 8BITMIME: a whole body fails before MAIL, a streamed one fails at its first 8-bit chunk before the final dot; Postfix queues nothing', async () => {
    const eight = 'Subject: x\r\n\r\nGr\u00fc\u00dfe\r\n';
    const rec = recorder();
    const whole = await sendMail({ ...plain, port: port.bare, transcript: rec.transcript, from: 'e@c.test', to: ['e1@pf.test'], body: eight });
    expect(whole).toMatchObject({ outcome: 'failed', transient: false, errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
    expect(rec.lines.some((l) => l.startsWith('C: MAIL'))).toBe(false);
    const client = await connect({ ...plain, port: port.bare });
    const streamed = await client.send({ from: 'e@c.test', to: ['e2@pf.test'], body: Readable.from(['Subject: x\r\n\r\n', 'Gr\u00fc\u00dfe\r\n']) });
    expect(streamed).toMatchObject({ outcome: 'failed', transient: false, rejected: ['e2@pf.test'], errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
    expect(client.closed).toBe(true);
    const seven = await sendMail({ ...plain, port: port.bare, from: 'e@c.test', to: ['e3@pf.test'], body: Readable.from(['Subject: x\r\n\r\n', 'Gruesse\r\n']) });
    expect(seven.outcome).toBe('delivered');
    for (const r of [whole, streamed, seven]) await agreesWithLog(r);
    // smtpd saw the session end in the middle of the DATA
    expect(pf.log()).toMatch(/lost connection after DATA/);
  });

  it('a server that closes an idle connection (421 after smtpd_timeout): the next send is a connection error at once, never a hang or a delivery claim', async () => {
    const client = await connect({ ...plain, port: port.idle });
    const first = await client.send({ from: 'i@c.test', to: ['idle1@pf.test'], body: B });
    expect(first.outcome).toBe('delivered');
    for (let i = 0; i < 50 && !client.closed; i++) await sleep(100);
    expect(client.closed).toBe(true);
    await expect(client.send({ from: 'i@c.test', to: ['idle2@pf.test'], body: B })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', reply: { code: 421 } });
    await agreesWithLog(first);
    expect(pf.deliveries().filter((d) => d.to === 'idle2@pf.test')).toEqual([]);
    expect(pf.log()).toMatch(/timeout after END-OF-MESSAGE/);
  });
});
