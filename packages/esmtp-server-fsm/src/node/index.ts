// esmtp-server-fsm/node: Node.js adapter.
export { createServer } from './create-server.js';
export { verifyCramMd5, SmtpReplyError } from './hooks.js';
export { DEFAULT_CLIENT_IPV6_PREFIX_LENGTH, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_MIN_DATA_RATE, DEFAULT_MIN_DATA_RATE_GRACE_MS } from './options.js';
export type { CreateServerOptions, CreateServerTimeouts, SmtpServer, SessionContext, Envelope, HookResult, AuthResult, CommandStep } from './options.js';
export type { CommandContinuation } from 'esmtp-server-fsm';
export { parseProxyHeader, ProxyHeaderError, DEFAULT_PROXY_HEADER_TIMEOUT_MS } from './proxy-protocol.js';
export type { ProxyInfo, ProxyParseResult } from './proxy-protocol.js';
export type { ServerTlsOptions, SniCallback, NodeSniCallback, SessionTls, ClientCertificate } from './tls.js';
export type { ServerLogger, TranscriptLine } from './logger.js';
export type { TlsSecurity } from '@smtpkit/foundation';
