// Mutual TLS of createServer with real node:tls clients on loopback: client certificates asked
// (requestCert) and recorded in the session's `tls`, for STARTTLS, implicit TLS and SNI names;
// refused at the handshake only with rejectUnauthorized. THROWAWAY, TEST-ONLY certificates: a
// client CA, a second CA nobody trusts, and client certificates they sign, made here with openssl.
import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, connect as tlsConnect, createSecureContext } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf as errorCodeOfAny, throwawayCertificate } from '@smtpkit/testkit';
import { isSmtpServerError } from '../errors.js';
import { createServer } from './create-server.js';
import type { CreateServerOptions, SessionContext } from './options.js';
import type { ServerLogger } from './logger.js';
import { sessionTls } from './tls.js';
import type { NodeSniCallback, ServerTlsOptions } from './tls.js';
import { serversPerTest } from '../../test/servers.js';

const errorCodeOf = (fn: () => unknown): string | undefined => errorCodeOfAny(fn, isSmtpServerError);

interface Pem {
  readonly key: string;
  readonly cert: string;
}

let dir = '';
const pem: Record<string, Pem> = {};
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore', timeout: 15_000 });
}

/** A CA certificate (self-signed, CA:TRUE) named `cn`. */
function makeCa(name: string, cn: string): Pem {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl(['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/** A client certificate with `subject` and `san`, signed by the CA `ca` (its files in `dir`). */
function makeClient(name: string, ca: string, subject: string, san: string): Pem {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  openssl(['req', ...EC, '-keyout', key, '-out', csr, '-subj', subject, '-addext', `subjectAltName=${san}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, `${ca}.pem`), '-CAkey', join(dir, `${ca}.key`), '-days', '1', '-out', cert, '-copy_extensions', 'copyall']);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `smtpkit-mtls-${String(process.pid)}-`));
  pem.ca = makeCa('ca', 'Test Client CA');
  pem.otherCa = makeCa('other-ca', 'Untrusted CA');
  pem.relay = makeClient('relay', 'ca', '/CN=relay.test/O=Relay\\, Inc', 'DNS:relay.test,email:postmaster@relay.test');
  pem.stranger = makeClient('stranger', 'other-ca', '/CN=stranger.test', 'DNS:stranger.test');
  pem.server = throwawayCertificate({ commonName: 'mx.test', dns: ['mx.test'] });
  pem.sni = throwawayCertificate({ commonName: 'sni.test', dns: ['sni.test'] });
}, 60_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const servers = serversPerTest('mtls.test');

/** The server's TLS options asking for client certificates of the test CA. */
const mutual = (extra: Partial<ServerTlsOptions> = {}): ServerTlsOptions => ({ ...pem.server!, ca: pem.ca!.cert, requestCert: true, ...extra });

/** The message of the ERR_SMTP_INVALID_OPTION createServer throws for `tls` (undefined: accepted). */
const invalidTlsMessage = (tls: ServerTlsOptions): string | undefined => {
  try {
    createServer({ tls });
  } catch (e) {
    return isSmtpServerError(e) && e.code === 'ERR_SMTP_INVALID_OPTION' ? e.message : `other: ${String(e)}`;
  }
  return undefined;
};
/** A PEM block that is not a certificate, and a certificate block that does not parse. */
const notACertificate = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
const corrupt = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

/** What one hook saw of the session's TLS. */
type Seen = SessionContext['tls'];

/** A server recording the session's `tls` as each hook sees it; non-local recipients relayed only for the relay certificate. */
async function start(options: Partial<CreateServerOptions>): Promise<{ port: number; seen: Record<string, Seen>; errors: unknown[] }> {
  const seen: Record<string, Seen> = {};
  const errors: unknown[] = [];
  const relayFingerprint = new X509Certificate(pem.relay!.cert).fingerprint256;
  const { port } = await servers.start({
    onConnect: (s) => void (seen.connect = s.tls),
    onMailFrom: (_from, _params, s) => void (seen.mail = s.tls),
    onRcptTo: (to, _params, s) => {
      seen.rcpt = s.tls;
      const cert = s.tls?.clientCertificate;
      if (to.endsWith('@local.test') || (cert?.authorized === true && cert.fingerprint256 === relayFingerprint)) return undefined;
      return { code: 554, enhanced: '5.7.1', text: 'Relay access denied' };
    },
    onError: (e) => void errors.push(e),
    ...options,
  });
  return { port, seen, errors };
}

/** Reads replies off `socket` one final reply at a time. */
function replyReader(socket: Socket): { next: () => Promise<string>; closed: Promise<void> } {
  let text = '';
  let wake = (): void => undefined;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    wake();
  });
  let done = false;
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      done = true;
      wake();
      resolve();
    });
  });
  return {
    closed,
    next: () =>
      new Promise<string>((resolve) => {
        wake = () => {
          const m = /^\d{3} [^\r\n]*\r\n/m.exec(text);
          if (m) {
            const end = m.index + m[0].length;
            const reply = text.slice(0, end);
            text = text.slice(end);
            resolve(reply);
          } else if (done) resolve('(closed)');
        };
        wake();
      }),
  };
}

/**
 * STARTTLS as a client with `extra` TLS options (a certificate or none), then MAIL and a relayed
 * RCPT: the replies, or where it ended.
 */
async function starttlsRelay(port: number, extra: ConnectionOptions = {}): Promise<string[]> {
  const raw = connect(port, '127.0.0.1');
  raw.on('error', () => undefined);
  const plain = replyReader(raw);
  const out: string[] = [];
  out.push((await plain.next()).slice(0, 3));
  raw.write('EHLO client.test\r\n');
  await plain.next();
  raw.write('STARTTLS\r\n');
  out.push((await plain.next()).slice(0, 3));
  raw.removeAllListeners('data');
  const secure = tlsConnect({ socket: raw, rejectUnauthorized: false, ...extra });
  const handshake = await new Promise<string>((resolve) => {
    secure.once('secureConnect', () => resolve('secure'));
    secure.once('error', (e: NodeJS.ErrnoException) => resolve(`error ${String(e.code)}`));
  });
  secure.on('error', () => undefined);
  if (handshake !== 'secure') return [...out, handshake];
  const replies = replyReader(secure);
  for (const line of ['EHLO client.test', 'MAIL FROM:<a@relay.test>', 'RCPT TO:<b@far.test>', 'QUIT']) {
    secure.write(`${line}\r\n`);
    const reply = await replies.next();
    out.push(reply === '(closed)' ? reply : reply.slice(0, 3));
    if (reply === '(closed)') break;
  }
  secure.destroy();
  return out;
}

/** Implicit TLS as a client with `extra` TLS options: the greeting's code, or how it ended. */
async function implicitGreeting(port: number, extra: ConnectionOptions = {}): Promise<string> {
  const secure = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...extra });
  secure.on('error', () => undefined);
  const replies = replyReader(secure);
  const greeting = await replies.next();
  secure.destroy();
  return greeting === '(closed)' ? greeting : greeting.slice(0, 3);
}

const relayClient = (): ConnectionOptions => ({ key: pem.relay!.key, cert: pem.relay!.cert });
const strangerClient = (): ConnectionOptions => ({ key: pem.stranger!.key, cert: pem.stranger!.cert });

describe('createServer mutual TLS: requestCert asks and records (the default: no handshake refused)', () => {
  it('STARTTLS: a certificate of a trusted CA reaches every hook after the handshake as plain data, authorized; the relay policy allows it', async () => {
    const { port, seen } = await start({ tls: mutual() });
    expect(await starttlsRelay(port, relayClient())).toEqual(['220', '220', '250', '250', '250', '221']);
    const x509 = new X509Certificate(pem.relay!.cert);
    const expected = {
      subject: 'CN=relay.test, O=Relay\\, Inc',
      issuer: 'CN=Test Client CA',
      fingerprint256: x509.fingerprint256,
      serialNumber: x509.serialNumber,
      validFrom: new Date(x509.validFrom).toISOString(),
      validTo: new Date(x509.validTo).toISOString(),
      subjectAltNames: ['DNS:relay.test', 'email:postmaster@relay.test'],
      authorized: true,
    };
    expect(seen.mail?.clientCertificate).toEqual(expected);
    expect(seen.rcpt?.clientCertificate).toEqual(expected);
    expect(seen.mail?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(typeof seen.mail?.cipher).toBe('string');
    // before STARTTLS there was no TLS
    expect(seen.connect).toBeUndefined();
    // plain data: a copy survives structuredClone / JSON unchanged
    expect(JSON.parse(JSON.stringify(seen.mail))).toEqual(seen.mail);
  });

  it('STARTTLS without a certificate: the session goes on, clientCertificate undefined, not relayed', async () => {
    const { port, seen } = await start({ tls: mutual() });
    expect(await starttlsRelay(port)).toEqual(['220', '220', '250', '250', '554', '221']);
    expect(seen.mail).toBeDefined();
    expect(seen.mail?.clientCertificate).toBeUndefined();
  });

  it('STARTTLS with a certificate of another CA: recorded, not authorized (with the reason), the session goes on, not relayed', async () => {
    const { port, seen } = await start({ tls: mutual() });
    expect(await starttlsRelay(port, strangerClient())).toEqual(['220', '220', '250', '250', '554', '221']);
    const cert = seen.rcpt?.clientCertificate;
    expect(cert).toMatchObject({ subject: 'CN=stranger.test', issuer: 'CN=Untrusted CA', authorized: false, subjectAltNames: ['DNS:stranger.test'] });
    expect(cert?.authorizationError).toMatch(/^[A-Z_]+$/);
    expect(cert?.fingerprint256).toBe(new X509Certificate(pem.stranger!.cert).fingerprint256);
  });

  it('implicit TLS: onConnect already sees the client certificate', async () => {
    const { port, seen } = await start({ secure: true, tls: mutual() });
    expect(await implicitGreeting(port, relayClient())).toBe('220');
    expect(seen.connect?.clientCertificate).toMatchObject({ subject: 'CN=relay.test, O=Relay\\, Inc', authorized: true });
    expect(await implicitGreeting(port, strangerClient())).toBe('220');
    expect(seen.connect?.clientCertificate).toMatchObject({ subject: 'CN=stranger.test', authorized: false });
    expect(await implicitGreeting(port)).toBe('220');
    expect(seen.connect?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(seen.connect?.clientCertificate).toBeUndefined();
  });

  it('a resumed TLS session (a ticket of an earlier handshake) still records its client certificate', async () => {
    const { port, seen } = await start({ secure: true, tls: mutual() });
    const greet = async (session?: Buffer): Promise<{ reused: boolean; ticket: Buffer | undefined }> => {
      const secure = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...relayClient(), ...(session ? { session } : {}) });
      secure.on('error', () => undefined);
      let ticket: Buffer | undefined;
      secure.on('session', (t: Buffer) => (ticket = t));
      const replies = replyReader(secure);
      expect((await replies.next()).slice(0, 3)).toBe('220');
      secure.write('NOOP\r\n');
      expect((await replies.next()).slice(0, 3)).toBe('250');
      const reused = secure.isSessionReused();
      secure.destroy();
      return { reused, ticket };
    };
    const first = await greet();
    expect(first).toMatchObject({ reused: false });
    expect(first.ticket).toBeDefined();
    seen.connect = undefined;
    expect((await greet(first.ticket)).reused).toBe(true);
    expect((seen.connect as Seen)?.clientCertificate).toMatchObject({ subject: 'CN=relay.test, O=Relay\\, Inc', authorized: true });
  });

  it('without requestCert no certificate is asked: one the client has is not recorded, the session still has its tls', async () => {
    const { port, seen } = await start({ tls: pem.server! });
    expect(await starttlsRelay(port, relayClient())).toEqual(['220', '220', '250', '250', '554', '221']);
    expect(seen.mail?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(seen.mail?.clientCertificate).toBeUndefined();
  });

  it('the log line of the handshake names the certificate subject and whether it was authorized (escaped peer text)', async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const at = (fields: Record<string, unknown>, message: string): void => void lines.push({ fields, message });
    const logger: ServerLogger = { debug: at, info: at, warn: at, error: at };
    const { port } = await start({ tls: mutual(), logger });
    await starttlsRelay(port, strangerClient());
    const tls = lines.find((l) => l.message === 'tls established')?.fields.tls as { clientCertificate?: Record<string, unknown> } | undefined;
    expect(tls?.clientCertificate).toMatchObject({ subject: 'CN=stranger.test', authorized: false, fingerprint256: new X509Certificate(pem.stranger!.cert).fingerprint256 });
    expect(tls?.clientCertificate?.authorizationError).toMatch(/^[A-Z_]+$/);
  });
});

describe('createServer mutual TLS: rejectUnauthorized (submission and internal relays only)', () => {
  it('STARTTLS: a trusted certificate is served; none, or one of another CA, fails the handshake before any hook after it', async () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const at = (level: string) => (fields: Record<string, unknown>, message: string): void => void lines.push({ level, fields, message });
    const logger: ServerLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const { port, seen, errors } = await start({ tls: mutual({ rejectUnauthorized: true }), logger });
    expect(await starttlsRelay(port, relayClient())).toEqual(['220', '220', '250', '250', '250', '221']);
    expect(seen.mail?.clientCertificate?.authorized).toBe(true);
    delete seen.mail;
    const none = await starttlsRelay(port);
    // no certificate: OpenSSL's certificate_required alert, at the handshake or at the first read (TLS 1.3)
    expect(none.slice(0, 2)).toEqual(['220', '220']);
    expect(none.slice(2)).not.toContain('250');
    const stranger = await starttlsRelay(port, strangerClient());
    expect(stranger.slice(0, 2)).toEqual(['220', '220']);
    expect(stranger.slice(2)).not.toContain('250');
    expect(seen.mail).toBeUndefined();
    // the client's failure, not the server's: no onError; the log says why, at info, and the close reason too
    expect(errors).toEqual([]);
    for (let i = 0; i < 200 && lines.filter((l) => l.message === 'close').length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const refusal = lines.find((l) => l.message === 'TLS handshake failed' && /^client certificate refused: .+ \([A-Z_]+\)$/.test(String((l.fields.err as { message?: unknown }).message)));
    expect(refusal?.level).toBe('info');
    expect((refusal?.fields.err as { code?: unknown }).code).toBe('ERR_TLS_CLIENT_CERTIFICATE_REFUSED');
    expect(lines.filter((l) => l.message === 'close').map((l) => String(l.fields.reason))).toEqual(['quit', expect.stringMatching(/^TLS handshake failed \(ERR_/), 'TLS handshake failed (ERR_TLS_CLIENT_CERTIFICATE_REFUSED)']);
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('implicit TLS: a client with no certificate or an untrusted one never meets onConnect', async () => {
    const { port, seen } = await start({ secure: true, tls: mutual({ rejectUnauthorized: true }) });
    expect(await implicitGreeting(port, strangerClient())).toBe('(closed)');
    expect(await implicitGreeting(port)).toBe('(closed)');
    expect(seen.connect).toBeUndefined();
    expect(await implicitGreeting(port, relayClient())).toBe('220');
    expect(seen.connect?.clientCertificate?.authorized).toBe(true);
  });

  it('rejectUnauthorized: false with requestCert asks and records, as the default', async () => {
    const { port, seen } = await start({ tls: mutual({ rejectUnauthorized: false }) });
    expect(await starttlsRelay(port, strangerClient())).toEqual(['220', '220', '250', '250', '554', '221']);
    expect(seen.mail?.clientCertificate?.authorized).toBe(false);
  });
});

describe('createServer mutual TLS: every SNI name asks and trusts the same', () => {
  it('an SNI certificate (map or callback) asks for client certificates and trusts tls.ca, as the default one', async () => {
    const sniCallback = (name: string): Pem | undefined => (name === 'cb.sni.test' ? pem.sni! : undefined);
    for (const sni of [{ 'sni.test': pem.sni! }, sniCallback]) {
      const { port, seen } = await start({ secure: true, tls: mutual({ sni }) });
      const servername = typeof sni === 'function' ? 'cb.sni.test' : 'sni.test';
      expect(await implicitGreeting(port, { ...relayClient(), servername })).toBe('220');
      expect(seen.connect?.clientCertificate).toMatchObject({ subject: 'CN=relay.test, O=Relay\\, Inc', authorized: true });
      expect(await implicitGreeting(port, { ...strangerClient(), servername })).toBe('220');
      expect(seen.connect?.clientCertificate).toMatchObject({ authorized: false });
      const rejecting = await start({ secure: true, tls: mutual({ sni, rejectUnauthorized: true }) });
      expect(await implicitGreeting(rejecting.port, { ...strangerClient(), servername })).toBe('(closed)');
      expect(await implicitGreeting(rejecting.port, { ...relayClient(), servername })).toBe('220');
    }
  });

  it('with requestCert, an SNI callback answering a ready SecureContext (whose trusted CAs are unknown) fails that handshake', async () => {
    const ready = createSecureContext(pem.sni);
    const { port, seen } = await start({ secure: true, tls: mutual({ sni: () => ready }) });
    expect(await implicitGreeting(port, { ...relayClient(), servername: 'sni.test' })).toBe('(closed)');
    expect(seen.connect).toBeUndefined();
  });
});

describe('createServer mutual TLS: SNICallback', () => {
  it('an SNICallback answering secure-context options asks and trusts tls.ca; one answering a ready SecureContext fails that handshake (ERR_SMTP_TLS_SNI_FAILED)', async () => {
    const ready = createSecureContext(pem.sni);
    const SNICallback: NodeSniCallback = (name, cb) => cb(null, name === 'ready.sni.test' ? ready : pem.sni!);
    const { port, seen, errors } = await start({ secure: true, tls: mutual({ SNICallback }) });
    expect(await implicitGreeting(port, { ...relayClient(), servername: 'sni.test' })).toBe('220');
    expect(seen.connect?.clientCertificate).toMatchObject({ subject: 'CN=relay.test, O=Relay\\, Inc', authorized: true });
    expect(await implicitGreeting(port, { ...strangerClient(), servername: 'sni.test' })).toBe('220');
    expect(seen.connect?.clientCertificate).toMatchObject({ authorized: false });
    delete seen.connect;
    expect(await implicitGreeting(port, { ...relayClient(), servername: 'ready.sni.test' })).toBe('(closed)');
    expect(seen.connect).toBeUndefined();
    expect(errors.map((e) => (e as { code?: string }).code)).toContain('ERR_SMTP_TLS_SNI_FAILED');
  });
});

describe('createServer mutual TLS: options', () => {
  it('refuses what it would not apply or would apply unsafely, at createServer and setSecureContext', () => {
    const refused = (tls: ServerTlsOptions): string | undefined => errorCodeOf(() => createServer({ tls }));
    // no client CAs: Node would trust every public CA for client certificates
    expect(refused({ ...pem.server!, requestCert: true })).toBe('ERR_SMTP_INVALID_OPTION');
    // rejectUnauthorized alone asks for nothing
    expect(refused({ ...pem.server!, ca: pem.ca!.cert, rejectUnauthorized: true })).toBe('ERR_SMTP_INVALID_OPTION');
    expect(refused({ ...pem.server!, ca: pem.ca!.cert, requestCert: 'yes' as unknown as boolean })).toBe('ERR_SMTP_INVALID_OPTION');
    // per-name mutual TLS settings or client CAs: one setting for every name
    expect(refused(mutual({ sni: { 'sni.test': { ...pem.sni!, requestCert: true } as Pem } }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(refused(mutual({ sni: { 'sni.test': { ...pem.sni!, rejectUnauthorized: true } as Pem } }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(refused(mutual({ sni: { 'sni.test': { ...pem.sni!, ca: pem.otherCa!.cert } } }))).toBe('ERR_SMTP_INVALID_OPTION');
    const server = createServer({ tls: pem.server! });
    expect(errorCodeOf(() => server.setSecureContext({ ...pem.server!, requestCert: true }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('refuses a tls.ca that holds no certificate (Node would take it as no CA and trust its default store), at createServer and setSecureContext', () => {
    for (const ca of ['', ' \n\t', Buffer.alloc(0), Buffer.from('junk\n'), notACertificate, corrupt, [''], ['', Buffer.alloc(0)], [' '], [notACertificate], `${pem.ca!.cert}${corrupt}`]) {
      expect(invalidTlsMessage(mutual({ ca: ca as string }))).toMatch(/^tls\.ca: /);
    }
    // a certificate among other text, several, a Buffer, an array with an empty entry: accepted
    expect(invalidTlsMessage(mutual({ ca: `junk before\n${pem.ca!.cert}` }))).toBeUndefined();
    expect(invalidTlsMessage(mutual({ ca: Buffer.from(pem.ca!.cert + pem.otherCa!.cert) }))).toBeUndefined();
    expect(invalidTlsMessage(mutual({ ca: ['', pem.ca!.cert] }))).toBeUndefined();
    const server = createServer({ tls: mutual() });
    expect(errorCodeOf(() => server.setSecureContext(mutual({ ca: '' })))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(errorCodeOf(() => server.setSecureContext(mutual({ ca: [Buffer.alloc(0)] })))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('refuses a tls.ca (or an SNI entry\'s ca) that holds no certificate or one that does not parse without requestCert too (fail closed), at createServer and setSecureContext', () => {
    for (const ca of ['', ' \n\t', Buffer.alloc(0), Buffer.from('junk\n'), notACertificate, corrupt, [], [''], [' '], [notACertificate], `${pem.ca!.cert}${corrupt}`, 42]) {
      expect(invalidTlsMessage({ ...pem.server!, ca: ca as string })).toMatch(/^tls\.ca: /);
      expect(invalidTlsMessage({ ...pem.server!, sni: { 'sni.test': { ...pem.sni!, ca: ca as string } } })).toMatch(/^tls\.sni\["sni\.test"\]\.ca: /);
    }
    // a usable ca (the chain sent to clients), or none: accepted
    expect(invalidTlsMessage({ ...pem.server!, ca: pem.ca!.cert })).toBeUndefined();
    expect(invalidTlsMessage({ ...pem.server!, ca: [Buffer.from(pem.ca!.cert), pem.otherCa!.cert] })).toBeUndefined();
    // bytes in any view, as Node takes them
    const bytes = Buffer.from(pem.ca!.cert);
    expect(invalidTlsMessage({ ...pem.server!, ca: new Uint8Array(bytes) as Buffer })).toBeUndefined();
    expect(invalidTlsMessage({ ...pem.server!, ca: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Buffer })).toBeUndefined();
    expect(invalidTlsMessage({ ...pem.server!, ca: new Uint8Array(0) as Buffer })).toMatch(/^tls\.ca: /);
    expect(invalidTlsMessage({ ...pem.server!, ca: undefined })).toBeUndefined();
    expect(invalidTlsMessage({ ...pem.server!, sni: { 'sni.test': { ...pem.sni!, ca: pem.ca!.cert } } })).toBeUndefined();
    const server = createServer({ tls: pem.server! });
    expect(errorCodeOf(() => server.setSecureContext({ ...pem.server!, ca: corrupt }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(errorCodeOf(() => server.setSecureContext({ ...pem.server!, ca: '' }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('tls.ca: "" with a client CA in NODE_EXTRA_CA_CERTS: refused at createServer, the client certificate never authorized', async () => {
    // NODE_EXTRA_CA_CERTS is read as Node starts: a child process (bounded) tries it
    const script = `
      import { createServer } from ${JSON.stringify(new URL('./create-server.ts', import.meta.url).pathname)};
      import { connect } from 'node:tls';
      const m = JSON.parse(process.env.MTLS_PEM);
      let server;
      try {
        server = createServer({ secure: true, tls: { ...m.server, ca: '', requestCert: true }, onConnect: (s) => {
          console.log(JSON.stringify({ authorized: s.tls?.clientCertificate?.authorized }));
          process.exit(0);
        } });
      } catch (e) {
        console.log(JSON.stringify({ refused: e.code, message: e.message }));
        process.exit(0);
      }
      const { port } = await server.listen(0, '127.0.0.1');
      connect({ port, host: '127.0.0.1', rejectUnauthorized: false, key: m.relay.key, cert: m.relay.cert }).on('error', () => undefined);
    `;
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), MTLS_PEM: JSON.stringify({ server: pem.server, relay: pem.relay }) } }, (_err, stdout, stderr) => resolve(stdout.trim() || stderr));
    });
    expect(JSON.parse(out)).toMatchObject({ refused: 'ERR_SMTP_INVALID_OPTION', message: expect.stringMatching(/^tls\.ca: /) });
  }, 30_000);

  it('setSecureContext turns mutual TLS on (and off) for the next handshakes', async () => {
    const seen: Record<string, Seen> = {};
    const { port, server } = await servers.start({ secure: true, tls: pem.server!, onConnect: (s) => void (seen.connect = s.tls) });
    expect(await implicitGreeting(port, relayClient())).toBe('220');
    expect(seen.connect?.clientCertificate).toBeUndefined();
    server.setSecureContext(mutual());
    expect(await implicitGreeting(port, relayClient())).toBe('220');
    expect(seen.connect?.clientCertificate?.authorized).toBe(true);
    server.setSecureContext(pem.server!);
    expect(await implicitGreeting(port, relayClient())).toBe('220');
    expect(seen.connect?.clientCertificate).toBeUndefined();
  });
});

describe('Node: where the verification result of a server-side TLSSocket can be read', () => {
  // Why tls.ts reads the result itself (verifyError): Node sets the public authorized /
  // authorizationError only on the sockets a tls.Server makes, and a tls.Server hands its socket out
  // only once the handshake has ended ('secureConnection', 'tlsClientError'), with nothing public
  // linking it to the connection it was given. STARTTLS and implicit TLS need the socket from the
  // start (handshake timeout, end before secure, errors), and one tls.Server per connection costs a
  // secure context made at every accept. If this test fails, Node sets them on every server socket:
  // read them instead.
  it('a standalone server TLSSocket asking a trusted client certificate leaves authorized false and authorizationError null', async () => {
    const seen = new Promise<{ authorized: boolean; authorizationError: unknown; peer: boolean; recorded: boolean | undefined }>((resolve, reject) => {
      const net = netServer((raw) => {
        const t = new TLSSocket(raw, { isServer: true, secureContext: createSecureContext({ ...pem.server!, ca: pem.ca!.cert }), requestCert: true, rejectUnauthorized: false });
        t.on('error', reject);
        t.once('secure', () => {
          // what createServer records for the same socket, through verifyError
          resolve({ authorized: t.authorized, authorizationError: t.authorizationError, peer: t.getPeerX509Certificate() !== undefined, recorded: sessionTls(t).clientCertificate?.authorized });
          t.destroy();
          net.close();
        });
      });
      net.listen(0, '127.0.0.1', () => {
        const { port } = net.address() as { port: number };
        const client = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...relayClient() });
        client.on('error', () => undefined);
      });
    });
    expect(await seen).toEqual({ authorized: false, authorizationError: null, peer: true, recorded: true });
  });
});
