// esmtp-server-fsm/node: Node.js adapter.
export { createServer, verifyCramMd5, SmtpReplyError } from './create-server.js';
export type { CreateServerOptions, SmtpServer, SessionContext, Envelope, HookResult } from './create-server.js';
export { parseProxyHeader } from './proxy-protocol.js';
export type { ProxyInfo, ProxyParseResult } from './proxy-protocol.js';
export type { ServerTlsOptions, SniCallback } from './tls.js';
export type { ServerLogger, TranscriptLine } from './logger.js';
