// esmtp-server-fsm: public surface (explicit named exports).
export { ServerConnection, DEFAULT_EXTENSIONS, DEFAULT_AUTO_ACCEPT } from './server-connection.js';
export type { ServerOptions, ServerExtensions, CustomCommand, SessionInfo, TransactionInfo } from './server-connection.js';
export type { ServerEvent, PolicyPoint, MessageAbortReason, CloseReason, ClientAttributes } from './events.js';
export { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from './limits.js';
export type { ServerLimits, ServerTimeouts, ServerTimer } from './limits.js';
export { SERVER_TRANSITIONS, LEGACY_STATE_NUMBERS, stateName } from './states.js';
export type { ServerState, ServerTransition } from './states.js';
export { LocalProtocolError, isServerError } from './errors.js';
export type { ServerErrorCode } from './errors.js';
export { checkReply, formatServerReply } from './reply.js';
export type { ReplyInit } from './reply.js';
export { DataDecoder } from './data-decoder.js';
export type { BareLineEndingPolicy, DataDecodeResult } from './data-decoder.js';
export { parseEnvelopeArgument, decodeXtext } from './envelope-args.js';
export type { ParsedPath, EsmtpParameters, EnvelopeArgResult, ParameterPolicy } from './envelope-args.js';
export { PLAIN, LOGIN, CRAM_MD5, XOAUTH2, BUILTIN_MECHANISMS } from './sasl.js';
export type { AuthCredentials, SaslMechanism, SaslExchange, SaslStep } from './sasl.js';
export { decodeBase64, encodeBase64 } from './base64.js';
