/**
 * @smtpkit/foundation: the code every smtpkit package shares. Private: each package bundles what it
 * uses at build time and re-exports the public parts, so every published package installs alone.
 */
export { SmtpkitError, isSmtpkitError, hasPackageBrand } from './errors.js';
export type { SmtpkitPackage, SmtpkitErrorOptions } from './errors.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { copyBytes, isBytes } from './bytes.js';
export { typeName, isIterableObject, isOptionsObject, inheritedFields, isWellFormedText, loneSurrogateIndex, replyTextFault, mailboxKey, asciiUpper, isInvisibleCodePoint } from './values.js';
export type { ReplyTextFault } from './values.js';
export { PLAIN, LOGIN, CRAM_MD5, XOAUTH2, OAUTHBEARER, BUILTIN_MECHANISMS, KNOWN_MECHANISMS, decodeSaslLine, saslBytes } from './sasl.js';
export type {
  SaslMechanism,
  SaslClientCredentials,
  SaslClientExchange,
  SaslCrypto,
  SaslServerExchange,
  SaslServerContext,
  SaslStep,
  AuthCredentials,
} from './sasl.js';
export type { BareLineEndingPolicy, TlsSecurity, PendingTimeout } from './policy.js';
export { BARE_LINE_ENDING_POLICIES, TLS_SECURITY_LEVELS } from './policy.js';
export { punycodeLength } from './punycode.js';
export { scanEnhancedStatusCode } from './enhanced-status-code.js';
export { isDateTime } from './date-time.js';
export { ipv6Groups } from './ipv6.js';
export { pemCertificateBlocks } from './pem.js';
export type { PemCertificateBlock } from './pem.js';
