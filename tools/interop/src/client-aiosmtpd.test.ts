// smtp-client-fsm/node against Python aiosmtpd: plain, STARTTLS (self-signed cert via openssl)
// and AUTH (PLAIN, LOGIN, and OAUTHBEARER as an aiosmtpd handler mechanism); the Python side writes every received message (envelope + exact bytes) to a temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendMail } from 'smtp-client-fsm/node';
import { normalizeBody } from 'smtp-client-fsm';
import { pythonServeTail, startPython } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

const PY = '/usr/bin/python3';
const available = existsSync(PY) && existsSync('/usr/bin/openssl');

const SERVER = String.raw`
import asyncio, base64, json, os, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out, port, mode, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
n = [0]

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('bad'):
            return '550 5.1.1 no such user'
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        n[0] += 1
        base = os.path.join(out, '%04d' % n[0])
        with open(base + '.eml', 'wb') as f:
            f.write(envelope.original_content)
        with open(base + '.json', 'w') as f:
            json.dump({'from': envelope.mail_from, 'to': envelope.rcpt_tos, 'tls': session.ssl is not None}, f)
        return '250 2.0.0 stored'

def auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == b'user' and data.password in (b'secret', b'L' * 600)
    # handled=False: aiosmtpd sends the 535 itself (its default, True, means the hook already replied)
    return AuthResult(success=ok, handled=False)

class OAuthHandler(Handler):
    # RFC 7628 through aiosmtpd's handler-defined mechanism hook: the token in the initial
    # response decides; a bad one gets the JSON error challenge, whose answer (^A) is read, then 535
    async def auth_OAUTHBEARER(self, server, args):
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        fields = base64.b64decode(args[1]).decode().split('\x01')
        user = fields[0].split(',')[1][2:]
        token = [f[12:] for f in fields if f.lower().startswith('auth=bearer ')]
        if token == ['good-token'] and user == 'user':
            return AuthResult(success=True, auth_data=user)
        answer = await server.challenge_auth('{"status":"invalid_token"}')
        with open(os.path.join(out, 'oauth-answer'), 'wb') as f:
            f.write(answer if isinstance(answer, bytes) else b'MISSING')
        return AuthResult(success=False, handled=False)

kw = {}
if mode == 'oauth':
    kw['auth_exclude_mechanism'] = ['PLAIN', 'LOGIN']
if mode in ('starttls', 'auth', 'oauth'):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    kw['tls_context'] = ctx
    kw['require_starttls'] = True
if mode == 'auth':
    kw['authenticator'] = auth
if mode in ('auth', 'oauth'):
    kw['auth_require_tls'] = True
c = Controller(OAuthHandler() if mode == 'oauth' else Handler(), hostname='127.0.0.1', port=port, decode_data=False, **kw)
${pythonServeTail()}`;
import { freePort, throwawayCertificate } from '@smtpkit/testkit';


let work = '';
const servers: Running[] = [];

async function start(mode: 'plain' | 'starttls' | 'auth' | 'oauth'): Promise<{ port: number; out: string }> {
  const out = mkdtempSync(join(work, `${mode}-`));
  const port = await freePort();
  servers.push(await startPython(join(work, 'server.py'), [out, String(port), mode, join(work, 'cert.pem'), join(work, 'key.pem')], port));
  return { port, out };
}

function received(out: string): { meta: { from: string; to: string[]; tls: boolean }; bytes: Buffer }[] {
  return readdirSync(out).filter((f) => f.endsWith('.json')).sort().map((f) => ({
    meta: JSON.parse(readFileSync(join(out, f), 'utf8')) as { from: string; to: string[]; tls: boolean },
    bytes: readFileSync(join(out, f.replace('.json', '.eml'))),
  }));
}

beforeAll(() => {
  if (!available) return;
  work = mkdtempSync(join(tmpdir(), 'client-aiosmtpd-'));
  writeFileSync(join(work, 'server.py'), SERVER);
  const pems = throwawayCertificate({ commonName: '127.0.0.1', keyType: 'rsa-2048' });
  writeFileSync(join(work, 'cert.pem'), pems.cert);
  writeFileSync(join(work, 'key.pem'), pems.key, { mode: 0o600 });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

const BODY = 'Subject: interop\n\n.dot first\r\nbare\rCR and bare\nLF\n';

describe.skipIf(!available)('client -> aiosmtpd', () => {
  it('plain: byte-exact delivery and per-recipient results', async () => {
    const { port, out } = await start('plain');
    const r = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@client.test', to: ['b@srv.test', 'bad@srv.test'], body: BODY });
    expect(r.outcome).toBe('partial');
    expect(r.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual([['b@srv.test', 'accepted', 250], ['bad@srv.test', 'rejected', 550]]);
    const [m] = received(out);
    expect(m!.meta).toMatchObject({ from: 'a@client.test', to: ['b@srv.test'] });
    expect([...m!.bytes]).toEqual([...normalizeBody(BODY)]);
  });

  it('STARTTLS required: upgrades, re-EHLOs and delivers over TLS', async () => {
    const { port, out } = await start('starttls');
    const r = await sendMail({ host: '127.0.0.1', port, security: 'required', tls: { rejectUnauthorized: false }, from: 'a@client.test', to: ['b@srv.test'], body: BODY });
    expect(r.outcome).toBe('delivered');
    const [m] = received(out);
    expect(m!.meta.tls).toBe(true);
    expect([...m!.bytes]).toEqual([...normalizeBody(BODY)]);
  });

  it('AUTH after STARTTLS: PLAIN and LOGIN accepted, a PLAIN response too long for the AUTH line sent after the 334, AUTH only offered (and used) over TLS', async () => {
    const { port, out } = await start('auth');
    for (const mechanisms of [['PLAIN'], ['LOGIN']]) {
      const r = await sendMail({ host: '127.0.0.1', port, security: 'required', tls: { rejectUnauthorized: false }, auth: { user: 'user', pass: 'secret', mechanisms }, from: 'a@client.test', to: ['b@srv.test'], body: 'x' });
      expect(r.outcome).toBe('delivered');
    }
    // a 600-character password makes a PLAIN initial response too long for the 512-octet AUTH
    // line (RFC 4954 §4): it goes as the answer to aiosmtpd's empty 334
    const lines: string[] = [];
    const long = await sendMail({ host: '127.0.0.1', port, security: 'required', tls: { rejectUnauthorized: false }, auth: { user: 'user', pass: 'L'.repeat(600), mechanisms: ['PLAIN'] }, from: 'a@client.test', to: ['b@srv.test'], body: 'x', transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) });
    expect(long.outcome).toBe('delivered');
    expect(lines.find((l) => l.startsWith('C: AUTH '))).toBe('C: AUTH PLAIN');
    expect(received(out)).toHaveLength(3);
    // a wrong password: aiosmtpd's 535 fails the AUTH, nothing is sent
    const wrong = await sendMail({ host: '127.0.0.1', port, security: 'required', tls: { rejectUnauthorized: false }, auth: { user: 'user', pass: 'wrong', mechanisms: ['PLAIN'] }, from: 'a@client.test', to: ['b@srv.test'], body: 'x' }).then(
      (r) => r.outcome,
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(wrong).toBe('ERR_SMTP_CLIENT_AUTH_FAILED');
    expect(received(out)).toHaveLength(3);
  });

  it('AUTH OAUTHBEARER (RFC 7628) against a mechanism aiosmtpd runs: an access token picks it when XOAUTH2 is not offered; a bad token answers the JSON error challenge with ^A and fails', async () => {
    const { port, out } = await start('oauth');
    const base = { host: '127.0.0.1', port, security: 'required' as const, tls: { rejectUnauthorized: false }, from: 'a@client.test', to: ['b@srv.test'], body: 'x' };
    const good = await sendMail({ ...base, auth: { user: 'user', accessToken: 'good-token' } });
    expect(good.outcome).toBe('delivered');
    expect(received(out)).toHaveLength(1);
    const lines: string[] = [];
    const bad = await sendMail({ ...base, auth: { user: 'user', accessToken: 'bad-token' }, transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) }).then(
      (r) => r.outcome,
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(bad).toBe('ERR_SMTP_CLIENT_AUTH_FAILED');
    // the transcript redacts SASL answers: the server saw what followed its 334 (^A, below)
    const challenge = lines.indexOf(`S: 334 ${btoa('{"status":"invalid_token"}')}`);
    expect(challenge).toBeGreaterThan(0);
    expect(lines[challenge + 1]).toBe('C: <redacted>');
    expect(lines.some((l) => l.startsWith('S: 535'))).toBe(true);
    expect(readFileSync(join(out, 'oauth-answer'), 'latin1')).toBe('\x01');
    expect(received(out)).toHaveLength(1);
  });
});
