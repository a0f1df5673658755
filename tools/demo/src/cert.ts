// THROWAWAY TEST-ONLY CERTIFICATE for the demo's STARTTLS: made fresh on every run, self-signed, valid
// for one day, for localhost/127.0.0.1 only, never written to disk. Not for any real server.
import { generateKeyPairSync } from 'node:crypto';
import selfsigned from 'selfsigned';

/** A self-signed certificate and its key, PEM-encoded. */
export interface TestOnlyCertificate {
  readonly cert: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** Generates the demo's test-only certificate (RSA 2048 from node:crypto, signed with SHA-256). */
export function testOnlyCertificate(): TestOnlyCertificate {
  // node:crypto makes the key in milliseconds; selfsigned (node-forge) only builds and signs the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const options = {
    days: 1,
    algorithm: 'sha256',
    keyPair: { privateKey, publicKey },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  };
  const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost (smtpkit demo, TEST ONLY)' }], options);
  return { cert: pems.cert, key: pems.private, fingerprint: pems.fingerprint };
}
