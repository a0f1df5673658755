// THROWAWAY, TEST-ONLY certificates for the TLS tests: self-signed, valid for one day, made with the
// openssl CLI once per argument set in a process. Never for a real server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What {@link throwawayCertificate} makes. */
export interface ThrowawayCertificateOptions {
  /** The subject's CN (the only subject field). Letters, digits, `.`, `-` and `*`. */
  readonly commonName: string;
  /** DNS names for the subjectAltName extension (a wildcard such as `*.b.test` is fine). None: no DNS entries. */
  readonly dns?: readonly string[];
  /** IP addresses for the subjectAltName extension. With neither `dns` nor `ip` the certificate has no subjectAltName. */
  readonly ip?: readonly string[];
  /** The key: an EC key on P-256 (the default) or a 2048-bit RSA key. */
  readonly keyType?: 'ec-p256' | 'rsa-2048';
}

/** A private key (PKCS#8) and its self-signed certificate, both PEM text: spread it into `tls` options. */
export interface ThrowawayCertificate {
  readonly key: string;
  readonly cert: string;
}

const made = new Map<string, ThrowawayCertificate>();
const NAME = /^[A-Za-z0-9*.-]+$/;
const IP = /^[0-9A-Fa-f.:]+$/;

function checked(values: readonly string[], pattern: RegExp, what: string): readonly string[] {
  for (const v of values) if (!pattern.test(v)) throw new TypeError(`throwawayCertificate: ${what} ${JSON.stringify(v)} is not one openssl can be given as is`);
  return values;
}

/**
 * A THROWAWAY, TEST-ONLY self-signed certificate and its key, made by `openssl req -x509` with the
 * openssl configuration's defaults: subject `CN=<commonName>`, valid from now for one day, and a
 * subjectAltName only when `dns` or `ip` names one (DNS entries first, in the order given). Every
 * call with the same arguments in a process returns the same frozen object, so a suite pays for
 * openssl once per certificate; openssl's output files live in a directory under `os.tmpdir()`
 * removed before this returns. For an SNI test, ask once per name. Throws a `TypeError` for a
 * name that would not reach openssl as written, and whatever `execFileSync` throws if openssl
 * (on the PATH) fails.
 *
 * @example
 * const tls = throwawayCertificate({ commonName: 'localhost', dns: ['localhost'], ip: ['127.0.0.1'] });
 * createServer({ tls });
 */
export function throwawayCertificate(options: ThrowawayCertificateOptions): ThrowawayCertificate {
  const keyType = options.keyType ?? 'ec-p256';
  const commonName = checked([options.commonName], NAME, 'common name')[0]!;
  const dns = checked(options.dns ?? [], NAME, 'DNS name');
  const ip = checked(options.ip ?? [], IP, 'IP address');
  const id = JSON.stringify([keyType, commonName, dns, ip]);
  const cached = made.get(id);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), `smtpkit-cert-${String(process.pid)}-`));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const newKey = keyType === 'rsa-2048' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    const san = [...dns.map((n) => `DNS:${n}`), ...ip.map((a) => `IP:${a}`)];
    const addext = san.length > 0 ? ['-addext', `subjectAltName=${san.join(',')}`] : [];
    execFileSync('openssl', ['req', '-x509', ...newKey, '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${commonName}`, ...addext], { stdio: 'ignore' });
    const pems: ThrowawayCertificate = Object.freeze({ key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') });
    made.set(id, pems);
    return pems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
