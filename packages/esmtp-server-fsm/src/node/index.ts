// esmtp-server-fsm/node: Node.js adapter.
export { createServer, verifyCramMd5, SmtpReplyError, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_MIN_DATA_RATE, DEFAULT_MIN_DATA_RATE_GRACE_MS } from './create-server.js';
export type { CreateServerOptions, SmtpServer, SessionContext, Envelope, HookResult } from './create-server.js';
export { parseProxyHeader } from './proxy-protocol.js';
export type { ProxyInfo, ProxyParseResult } from './proxy-protocol.js';
export type { ServerTlsOptions, SniCallback } from './tls.js';
export type { ServerLogger, TranscriptLine } from './logger.js';
