// Real, independently written SMTP clients against esmtp-server-fsm/node createServer:
// swaks (plain, STARTTLS, AUTH PLAIN/LOGIN/CRAM-MD5, pipelining), Python smtplib (send_message,
// SMTPUTF8, AUTH OAUTHBEARER through its generic auth()), nodemailer (pooled) and Postfix smtp-source (8 sessions, 1000 messages, 10 KB).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, verifyCramMd5 } from 'esmtp-server-fsm/node';
import type { Envelope, SmtpServer } from 'esmtp-server-fsm/node';
import { throwawayCertificate } from '@smtpkit/testkit';

const run = promisify(execFile);

interface Stored {
  readonly envelope: Envelope;
  readonly data: Buffer;
}

let dir: string;
let key: string;
let cert: string;
let server: SmtpServer;
let port: number;
let lmtpServer: SmtpServer;
let lmtpPort: number;
const stored: Stored[] = [];
const USERS: Record<string, string> = { alice: 's3cret' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'esmtp-interop-'));
  // THROWAWAY, TEST-ONLY certificate
  ({ key, cert } = throwawayCertificate({ commonName: 'localhost', keyType: 'rsa-2048' }));
  const onData = async (envelope: Envelope, body: NodeJS.ReadableStream): Promise<void> => {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c as Buffer);
    stored.push({ envelope, data: Buffer.concat(parts) });
  };
  server = createServer({
    hostname: 'mx.interop.test',
    tls: { key, cert },
    auth: { mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER'] },
    maxConnections: 50,
    onAuth: (c) => {
      if (c.mechanism === 'CRAM-MD5') return verifyCramMd5(c, USERS[c.username]);
      if (c.mechanism === 'XOAUTH2' || c.mechanism === 'OAUTHBEARER') return c.username === 'alice' && c.token === 'good-token';
      return USERS[c.username] === c.password;
    },
    onRcptTo: (to) => (to.startsWith('reject') ? { code: 550, enhanced: '5.1.1', text: 'No such user' } : undefined),
    onData,
  });
  port = (await server.listen(0, '127.0.0.1')).port;
  lmtpServer = createServer({ hostname: 'lmtp.interop.test', lmtp: true, onData });
  lmtpPort = (await lmtpServer.listen(0, '127.0.0.1')).port;
});

afterAll(async () => {
  await server?.close({ timeout: 2000 });
  await lmtpServer?.close({ timeout: 2000 });
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  stored.length = 0;
});

const MESSAGE = 'From: a@example.org\r\nTo: b@example.net\r\nSubject: interop\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\nlast line\r\n';

async function swaks(args: string[]): Promise<string> {
  const file = join(dir, 'msg.eml');
  writeFileSync(file, MESSAGE);
  const r = await run('swaks', ['--server', `127.0.0.1:${String(port)}`, '--from', 'a@example.org', '--to', 'b@example.net', '--data', file, '--timeout', '20', ...args], { timeout: 30_000 });
  return r.stdout;
}

/** swaks ends the data with CRLF "." CRLF after the file, so a file ending in CRLF gains an empty line. */
const SWAKS_SENT = MESSAGE + '\r\n';

async function swaksFailure(args: string[]): Promise<string> {
  try {
    await swaks(args);
  } catch (e) {
    return String((e as { stdout?: unknown }).stdout);
  }
  throw new Error('swaks succeeded');
}

describe('swaks', () => {
  it('plain session with pipelining: message stored byte-exact with its envelope', async () => {
    const out = await swaks(['--pipeline']);
    expect(out).toContain('250 2.0.0 Message accepted');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.data.toString('latin1')).toBe(SWAKS_SENT);
    expect(stored[0]!.envelope.from).toBe('a@example.org');
    expect(stored[0]!.envelope.to).toEqual(['b@example.net']);
    expect(stored[0]!.envelope.size).toBe(SWAKS_SENT.length);
  });
  it('STARTTLS then AUTH PLAIN', async () => {
    const out = await swaks(['-tls', '-a', 'PLAIN', '-au', 'alice', '-ap', 's3cret']);
    expect(out).toContain('235 2.7.0');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.envelope.secure).toBe(true);
    expect(stored[0]!.envelope.user).toBe('alice');
    expect(stored[0]!.envelope.protocol).toBe('ESMTPSA');
    expect(stored[0]!.data.toString('latin1')).toBe(SWAKS_SENT);
  });
  it('STARTTLS then AUTH LOGIN; a wrong password is refused', async () => {
    const ok = await swaks(['-tls', '-a', 'LOGIN', '-au', 'alice', '-ap', 's3cret']);
    expect(ok).toContain('235 2.7.0');
    expect(await swaksFailure(['-tls', '-a', 'LOGIN', '-au', 'alice', '-ap', 'wrong'])).toContain('535 5.7.8');
    expect(stored).toHaveLength(1);
  });
  it('STARTTLS then AUTH CRAM-MD5', async () => {
    const out = await swaks(['-tls', '-a', 'CRAM-MD5', '-au', 'alice', '-ap', 's3cret']);
    expect(out).toContain('235 2.7.0');
    expect(stored).toHaveLength(1);
  });
  it('AUTH is not offered without TLS', async () => {
    const out = await swaksFailure(['-a', 'PLAIN', '-au', 'alice', '-ap', 's3cret']);
    expect(out).toContain('250-STARTTLS');
    expect(out).not.toMatch(/250[- ]AUTH/);
    expect(stored).toHaveLength(0);
  });
});

describe('Python smtplib', () => {
  it('send_message, with a rejected recipient and an SMTPUTF8 message', async () => {
    const script = `
import smtplib, sys
from email.message import EmailMessage
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
m = EmailMessage()
m['From'] = 'py@example.org'; m['To'] = 'rcpt@example.net, reject@example.net'; m['Subject'] = 'hi'
m.set_content('hello\\n.dot line\\n')
refused = s.send_message(m)
print('refused', sorted(refused))
u = EmailMessage()
u['From'] = 'pÿ@exämple.org'; u['To'] = 'dést@example.net'; u['Subject'] = 'utf8'
u.set_content('héllo wörld\\n')
s.send_message(u)
s.quit()
`;
    const r = await run('/usr/bin/python3', ['-c', script, String(port)], { timeout: 30_000 });
    expect(r.stdout).toContain("refused ['reject@example.net']");
    expect(stored).toHaveLength(2);
    const first = stored[0]!;
    expect(first.envelope.to).toEqual(['rcpt@example.net']);
    const text = first.data.toString('utf8');
    expect(text).toContain('Subject: hi\r\n');
    expect(text).toContain('\r\n.dot line\r\n');
    expect(text.endsWith('\r\n')).toBe(true);
    const second = stored[1]!;
    expect(second.envelope.from).toBe('pÿ@exämple.org');
    expect(second.envelope.to).toEqual(['dést@example.net']);
    expect(second.envelope.mailParameters.SMTPUTF8).toBe(true);
  });

  it('STARTTLS with AUTH OAUTHBEARER (RFC 7628) by smtplib.auth(): a good token sends; a bad one gets the JSON error, answers ^A, then 535', async () => {
    // smtplib has no OAUTHBEARER of its own: auth() sends the initial response the callable gives
    // and answers each 334 with what it returns for the decoded challenge, as its docs describe
    const script = `
import smtplib, ssl, sys
def login(token):
    s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
    s.starttls(context=ssl._create_unverified_context())
    s.ehlo()
    print('offered', s.esmtp_features.get('auth', '').split())
    seen = []
    def obj(challenge=None):
        if challenge is None:
            return 'n,a=alice,\\x01auth=Bearer ' + token + '\\x01\\x01'
        seen.append(challenge.decode())
        return '\\x01'
    try:
        print('auth', s.auth('OAUTHBEARER', obj)[0])
        s.sendmail('py@example.org', ['ob@example.net'], 'Subject: ob\\r\\n\\r\\nbearer\\r\\n')
    except smtplib.SMTPAuthenticationError as e:
        print('refused', e.smtp_code, seen)
    s.quit()
login('good-token')
login('bad-token')
`;
    const r = await run('/usr/bin/python3', ['-c', script, String(port)], { timeout: 30_000 });
    expect(r.stdout).toContain('OAUTHBEARER');
    expect(r.stdout).toContain('auth 235');
    expect(r.stdout).toContain(`refused 535 ['{"status":"invalid_token","schemes":"bearer"}']`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.envelope).toMatchObject({ to: ['ob@example.net'], user: 'alice', secure: true });
  });
});

describe('nodemailer', () => {
  it('pooled transport, 2 connections, 30 messages: every one stored exactly once, byte-exact', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, pool: true, maxConnections: 2, maxMessages: 100, ignoreTLS: true, secure: false });
    try {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        const raw = `From: n@example.org\r\nTo: r${String(i)}@example.net\r\nSubject: m${String(i)}\r\n\r\nbody ${String(i)}\r\n.\r\n..\r\n`;
        sends.push(transport.sendMail({ envelope: { from: 'n@example.org', to: [`r${String(i)}@example.net`] }, raw }));
      }
      await Promise.all(sends);
    } finally {
      transport.close();
    }
    expect(stored).toHaveLength(30);
    const seen = new Set(stored.map((s) => s.envelope.to[0]));
    expect(seen.size).toBe(30);
    for (const s of stored) {
      const i = s.envelope.to[0]!.slice(1).split('@')[0]!;
      expect(s.data.toString()).toBe(`From: n@example.org\r\nTo: r${i}@example.net\r\nSubject: m${i}\r\n\r\nbody ${i}\r\n.\r\n..\r\n`);
    }
  });
  it('STARTTLS with AUTH PLAIN', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: 's3cret' } });
    await transport.sendMail({ envelope: { from: 'n@example.org', to: ['x@example.net'] }, raw: 'Subject: t\r\n\r\nx\r\n' });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.envelope.secure).toBe(true);
  });
  it('STARTTLS with AUTH XOAUTH2: a good token sends; a bad one gets the JSON error step, then 535', async () => {
    const options = { host: '127.0.0.1', port, requireTLS: true, tls: { rejectUnauthorized: false } };
    const good = nodemailer.createTransport({ ...options, auth: { type: 'OAuth2', user: 'alice', accessToken: 'good-token' } });
    await good.sendMail({ envelope: { from: 'n@example.org', to: ['x@example.net'] }, raw: 'Subject: t\r\n\r\nx\r\n' });
    expect(stored).toHaveLength(1);
    const lines: string[] = [];
    const logger = { level: () => undefined, trace: () => undefined, debug: (_: unknown, m: string) => void lines.push(m), info: (_: unknown, m: string) => void lines.push(m), warn: () => undefined, error: () => undefined, fatal: () => undefined };
    const bad = nodemailer.createTransport({ ...options, logger, debug: true, auth: { type: 'OAuth2', user: 'alice', accessToken: 'bad-token' } });
    const err = await bad.sendMail({ envelope: { from: 'n@example.org', to: ['x@example.net'] }, raw: 'Subject: t\r\n\r\nx\r\n' }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; responseCode?: number },
    );
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(lines.join('\n')).toContain('334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=');
    expect(stored).toHaveLength(1);
  });
});

describe('Postfix smtp-source', () => {
  it('8 sessions, 1000 messages of 10 KB: none lost or duplicated, envelope and size right', async () => {
    await run('/usr/sbin/smtp-source', ['-s', '8', '-m', '1000', '-l', '10240', '-d', '-N', '-f', 'src@example.org', '-t', 'dst@example.net', '-M', 'source.test', `127.0.0.1:${String(port)}`], { timeout: 120_000 });
    expect(stored).toHaveLength(1000);
    const rcpts = new Set(stored.map((s) => s.envelope.to.join(',')));
    expect(rcpts.size).toBe(1000);
    for (const s of stored) {
      expect(s.envelope.from).toBe('src@example.org');
      expect(s.envelope.helo).toBe('source.test');
      expect(s.envelope.size).toBe(s.data.length);
      expect(s.data.length).toBeGreaterThanOrEqual(10240);
      expect(s.data.subarray(-2).toString()).toBe('\r\n');
    }
  });
  it('LMTP mode with smtp-source -L: per-recipient replies, every message stored', async () => {
    await run('/usr/sbin/smtp-source', ['-L', '-s', '2', '-m', '50', '-r', '3', '-l', '1000', '-d', '-f', 'src@example.org', '-t', 'dst@example.net', `127.0.0.1:${String(lmtpPort)}`], { timeout: 60_000 });
    expect(stored).toHaveLength(50);
    for (const s of stored) expect(s.envelope.to).toHaveLength(3);
  });
});
