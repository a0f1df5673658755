import { createHmac } from 'node:crypto';
import type { SaslCrypto } from '@smtpkit/foundation';

/**
 * The SASL crypto helpers backed by `node:crypto` (HMAC-MD5 for CRAM-MD5).
 *
 * @example
 * new ClientConnection({ crypto: nodeCrypto, auth: { user: 'u', pass: 'p', mechanisms: ['CRAM-MD5'] } });
 * @see RFC 2195
 */
export const nodeCrypto: SaslCrypto = Object.freeze({
  hmacMd5: (key: Uint8Array, data: Uint8Array): Uint8Array => new Uint8Array(createHmac('md5', key).update(data).digest()),
});
