import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { throwawayCertificate } from './certificate.js';

/** The parsed certificate, the key's type, and whether the key is the certificate's. */
function inspect(pems: { key: string; cert: string }): { x509: X509Certificate; keyType: string | undefined; curve: unknown; bits: unknown; matches: boolean } {
  const x509 = new X509Certificate(pems.cert);
  const key = createPrivateKey(pems.key);
  return { x509, keyType: key.asymmetricKeyType, curve: key.asymmetricKeyDetails?.namedCurve, bits: key.asymmetricKeyDetails?.modulusLength, matches: x509.checkPrivateKey(key) };
}

describe('throwawayCertificate', () => {
  it('an EC P-256 key and a self-signed certificate for the common name, with no subjectAltName unless asked', () => {
    const c = throwawayCertificate({ commonName: 'localhost' });
    const { x509, keyType, curve, matches } = inspect(c);
    expect([keyType, curve, matches]).toEqual(['ec', 'prime256v1', true]);
    expect(x509.subject).toBe('CN=localhost');
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.subjectAltName).toBeUndefined();
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('DNS names (a wildcard too) and IP addresses as subjectAltName; an RSA 2048 key on request', () => {
    const c = throwawayCertificate({ commonName: 'localhost', dns: ['localhost', '*.b.test'], ip: ['127.0.0.1'], keyType: 'rsa-2048' });
    const { x509, keyType, bits, matches } = inspect(c);
    expect([keyType, bits, matches]).toEqual(['rsa', 2048, true]);
    expect(x509.subjectAltName).toBe('DNS:localhost, DNS:*.b.test, IP Address:127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkHost('x.b.test')).toBe('*.b.test');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('valid now, for a day', () => {
    const { x509 } = inspect(throwawayCertificate({ commonName: 'day.test' }));
    const from = Date.parse(x509.validFrom);
    const to = Date.parse(x509.validTo);
    expect(from).toBeLessThanOrEqual(Date.now());
    expect(to - from).toBe(24 * 60 * 60 * 1000);
  });

  it('the same arguments give the same (frozen) object; other arguments another certificate and key', () => {
    const a = throwawayCertificate({ commonName: 'a.test', dns: ['a.test'] });
    expect(throwawayCertificate({ dns: ['a.test'], commonName: 'a.test' })).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.keys(a).sort()).toEqual(['cert', 'key']);
    const others = [
      throwawayCertificate({ commonName: 'b.test', dns: ['a.test'] }),
      throwawayCertificate({ commonName: 'a.test' }),
      throwawayCertificate({ commonName: 'a.test', dns: ['a.test'], keyType: 'rsa-2048' }),
      throwawayCertificate({ commonName: 'a.test', dns: ['a.test'], ip: ['127.0.0.1'] }),
    ];
    for (const other of others) {
      expect(other).not.toBe(a);
      expect(other.key).not.toBe(a.key);
    }
  });

  it("leaves no files behind in the system's temp directory", () => {
    throwawayCertificate({ commonName: 'files.test' });
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`smtpkit-cert-${String(process.pid)}-`))).toEqual([]);
  });

  it('refuses a name that would change the openssl arguments (TypeError, no certificate)', () => {
    expect(() => throwawayCertificate({ commonName: 'a.test/O=evil' })).toThrow(TypeError);
    expect(() => throwawayCertificate({ commonName: 'a.test', dns: ['a.test,IP:10.0.0.1'] })).toThrow(TypeError);
    expect(() => throwawayCertificate({ commonName: '' })).toThrow(TypeError);
  });
});
