// smtp-client-fsm/node: Node.js adapter (sockets, TLS, timers, DNS) around the sans-IO ClientConnection.
export { connect, sendMail } from './client.js';
export type { ConnectOptions, ConnectionTarget, SendInput, SendMailOptions, SendResult, SmtpClient, Security, TokenProvider } from './client.js';
export type { BodyFactory, BodySource } from './body-source.js';
export { createPool, isStaleConnectionResult } from './pool.js';
export { carryOnUntried, mergeSendResults, untriedAtMailMax } from './carry-over.js';
export { createRateLimiter } from './rate-limit.js';
export type { RateLimiter, RateLimiterClock } from './rate-limit.js';
export type { PoolOptions, SmtpPool } from './pool.js';
export type { TlsState } from './client.js';
export { deliver, publicAddressesOnly } from './deliver.js';
export type { DeliverOptions, DeliverResult, DeliveryAttempt, DomainDelivery, DomainReasonCode, LookupError, MxResolver } from './deliver.js';
export { resolveMx } from './mx.js';
export type { MxHost } from './mx.js';
export { nodeCrypto } from './crypto.js';
