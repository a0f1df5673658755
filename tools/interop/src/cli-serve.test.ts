// Independent SMTP clients against `smtp serve`: swaks (plain, STARTTLS, AUTH PLAIN and LOGIN,
// pipelining), Python smtplib (send_message, SMTPUTF8), nodemailer (pooled) and Postfix smtp-source
// (8 sessions, 1000 messages, 10 KB). Every case checks the stored bytes, the envelope and the counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { readStored, runProgram, serverAdapterAvailable, startServe, tempDir, testCertificate, waitForStored } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

const available = await serverAdapterAvailable();
const enc = new TextEncoder();
const dec = new TextDecoder();

function message(subject: string, body: string): string {
  return `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n\r\n${body}\r\n`;
}

describe.runIf(available)('clients against smtp serve (plain)', () => {
  const tmp = tempDir('cli-serve-');
  const store = join(tmp.dir, 'store');
  let serve: Running | undefined;

  beforeAll(async () => {
    serve = await startServe(['--dir', store, '--max-size', '10M']);
  });
  afterAll(async () => {
    await serve?.stop();
    tmp.cleanup();
  });

  async function clearStore(): Promise<number> {
    return (await readStored(store)).length;
  }

  it('swaks, plain and pipelined: bytes and envelope stored exactly (leading dots unstuffed)', async () => {
    const before = await clearStore();
    const body = message('swaks plain', 'line one\r\n.starts with a dot\r\n..two dots\r\nend');
    const file = join(tmp.dir, 'swaks.eml');
    // swaks ends the data with CRLF itself, so the file holds the message without its last CRLF.
    writeFileSync(file, body.slice(0, -2));
    for (const extra of [[], ['--pipeline']]) {
      const r = await runProgram('swaks', ['--server', '127.0.0.1', '--port', String(serve!.port), '--helo', 'swaks.example', '--from', 'alice@example.org', '--to', 'bob@example.net,carol@example.net', '--data', file, ...extra], { timeoutMs: 30_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const stored = (await waitForStored(store, before + 2)).slice(before);
    for (const s of stored) {
      expect(dec.decode(s.eml)).toBe(body);
      expect(s.envelope.from).toBe('alice@example.org');
      expect(s.envelope.to).toEqual(['bob@example.net', 'carol@example.net']);
      expect(s.envelope['helo']).toBe('swaks.example');
      expect(s.envelope.clientAddress).toBe('127.0.0.1');
      expect(s.envelope.size).toBe(enc.encode(body).length);
    }
  });

  it('Python smtplib send_message, ASCII and SMTPUTF8', async () => {
    const before = await clearStore();
    const script = String.raw`
import smtplib, sys, io
from email.message import EmailMessage
from email.generator import BytesGenerator
port = int(sys.argv[1]); out = sys.argv[2]
def build(frm, to, subject):
    m = EmailMessage(); m['From'] = frm; m['To'] = to; m['Subject'] = subject; m.set_content('Grüße aus Python\n.dot line\n'); return m
msgs = [build('alice@example.org', 'bob@example.net', 'ascii'), build('álice@exämple.org', 'bøb@example.net', 'utf8 ✓')]
with smtplib.SMTP('127.0.0.1', port, local_hostname='py.example') as s:
    for m in msgs:
        s.send_message(m)
with open(out, 'wb') as f:
    for m in msgs:
        b = io.BytesIO(); BytesGenerator(b, policy=m.policy.clone(utf8=True)).flatten(m, linesep='\r\n'); f.write(b.getvalue() + b'\0')
`;
    const expectedFile = join(tmp.dir, 'smtplib-expected.bin');
    const r = await runProgram('/usr/bin/python3', ['-c', script, String(serve!.port), expectedFile], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const stored = (await waitForStored(store, before + 2)).slice(before);
    const { readFileSync } = await import('node:fs');
    const expected = readFileSync(expectedFile).toString('utf8').split('\0').slice(0, 2);
    expect(stored.map((s) => dec.decode(s.eml))).toEqual(expected);
    expect(stored[0]!.envelope.from).toBe('alice@example.org');
    expect(stored[1]!.envelope.from).toBe('álice@exämple.org');
    expect(stored[1]!.envelope.to).toEqual(['bøb@example.net']);
    expect(JSON.stringify(stored[1]!.envelope['parameters'])).toContain('SMTPUTF8');
  });

  it('nodemailer, pooled (4 connections, 40 messages): each stored once, byte-exact', async () => {
    const before = await clearStore();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: serve!.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 4, maxMessages: 100, name: 'nodemailer.example' });
    try {
      const bodies = Array.from({ length: 40 }, (_, i) => message(`pooled ${i}`, `message number ${i}\r\n${'x'.repeat(i * 37)}`));
      await Promise.all(bodies.map((raw, i) => transport.sendMail({ envelope: { from: 'pool@example.org', to: [`r${i}@example.net`] }, raw })));
      const stored = (await waitForStored(store, before + 40)).slice(before);
      expect(stored.map((s) => dec.decode(s.eml)).sort()).toEqual([...bodies].sort());
      for (const s of stored) {
        const i = Number(/message number (\d+)/.exec(dec.decode(s.eml))![1]);
        expect(s.envelope.to).toEqual([`r${i}@example.net`]);
      }
    } finally {
      transport.close();
    }
  });

  it('Postfix smtp-source: 8 sessions, 1000 messages of 10 KB, none lost or duplicated', async () => {
    const before = await clearStore();
    const r = await runProgram('/usr/sbin/smtp-source', ['-s', '8', '-m', '1000', '-l', '10240', '-f', 'source@example.org', '-t', 'sink@example.net', `127.0.0.1:${serve!.port}`], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const stored = (await waitForStored(store, before + 1000, 60_000)).slice(before);
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((s) => s.id)).size).toBe(1000);
    for (const s of stored) {
      expect(s.envelope.from).toBe('source@example.org');
      expect(s.envelope.to).toEqual(['sink@example.net']);
      expect(s.eml.length).toBe(s.envelope.size);
      expect(s.eml.length).toBeGreaterThanOrEqual(10240);
    }
  }, 180_000);
});

describe.runIf(available)('swaks against smtp serve with STARTTLS and AUTH', () => {
  const tmp = tempDir('cli-serve-tls-');
  const store = join(tmp.dir, 'store');
  let serve: Running | undefined;

  beforeAll(async () => {
    const { cert, key } = testCertificate(tmp.dir);
    serve = await startServe(['--dir', store, '--tls-cert', cert, '--tls-key', key, '--auth', 'demo:s3cret']);
  });
  afterAll(async () => {
    await serve?.stop();
    tmp.cleanup();
  });

  it.each(['PLAIN', 'LOGIN'])('STARTTLS then AUTH %s: stored with tls and user in the envelope', async (mech) => {
    const before = (await readStored(store)).length;
    const body = message(`tls ${mech}`, 'secret body');
    const file = join(tmp.dir, `tls-${mech}.eml`);
    writeFileSync(file, body.slice(0, -2));
    const r = await runProgram('swaks', ['--server', '127.0.0.1', '--port', String(serve!.port), '--tls', '--auth', mech, '--auth-user', 'demo', '--auth-password', 's3cret', '--from', 'alice@example.org', '--to', 'bob@example.net', '--data', file], { timeoutMs: 30_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [s] = (await waitForStored(store, before + 1)).slice(before);
    expect(dec.decode(s!.eml)).toBe(body);
    expect(s!.envelope['tls']).toBe(true);
    expect(s!.envelope['user']).toBe('demo');
  });

  it('wrong password is refused and nothing is stored', async () => {
    const before = (await readStored(store)).length;
    const r = await runProgram('swaks', ['--server', '127.0.0.1', '--port', String(serve!.port), '--tls', '--auth', 'PLAIN', '--auth-user', 'demo', '--auth-password', 'wrong', '--from', 'a@example.org', '--to', 'b@example.net'], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/535/);
    expect((await readStored(store)).length).toBe(before);
  });
});
