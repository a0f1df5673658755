// esmtp-server-fsm: public surface (explicit named exports).
export { ServerConnection } from './server-connection.js';
export type { SessionInfo, TransactionInfo } from './server-connection.js';
export { DEFAULT_AUTO_ACCEPT } from './options.js';
export type { ServerOptions } from './options.js';
export { SERVER_EXTENSIONS, DEFAULT_EXTENSIONS } from './extensions.js';
export type { ServerExtensions, ServerExtensionRow } from './extensions.js';
export type { CommandContinuation } from './extension-exchange.js';
export type { ServerEvent, PolicyPoint, MessageAbortReason, CloseReason, ClientAttributes } from './events.js';
export { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from './limits.js';
export type { ServerLimits, ServerTimeouts, ServerTimer, ServerDeadline } from './limits.js';
export { SERVER_TRANSITIONS, LEGACY_STATE_NUMBERS, stateName, nextState } from './states.js';
export { withTlsSecurity } from './options.js';
export {
  MC_STATE_START,
  MC_STATE_START_RESPONSE,
  MC_STATE_EHLO,
  MC_STATE_EHLO_RESPONSE,
  MC_STATE_MAILFROM,
  MC_STATE_MAILFROM_RESPONSE,
  MC_STATE_RCPTTO,
  MC_STATE_RCPTTO_RESPONSE,
  MC_STATE_DATA,
  MC_STATE_BODY,
  MC_STATE_BODY_RESPONSE,
  MC_STATE_ASYNC_BODY_RESPONSE,
  MC_STATE_OK,
  MC_STATE_RELAYING_DENIED,
  MC_STATE_EXTENSION_1,
  MC_STATE_EXTENSION_2,
  MC_STATE_EXTENSION_3,
  MC_STATE_EXTENSION_4,
  MC_STATE_CONCURRENCY_LIMIT,
  MC_STATE_RCPTTO_LIST_RESPONSE,
  MC_STATE_RCPTTO_LIST_FINAL_RESPONSE,
  MC_STATE_SETUP,
  MC_STATE_MCMT_FIXUP,
  MC_STATE_COUNT,
} from './states.js';
export type { ServerState, ServerTransition, ServerTransitionLabel, ServerTransitionTarget } from './states.js';
export { SmtpServerError, isSmtpServerError } from './errors.js';
export type { ServerErrorCode } from './errors.js';
export { SmtpkitError, isSmtpkitError } from '@smtpkit/foundation';
export { checkReply, formatServerReply } from './reply.js';
export type { ReplyInit } from './reply.js';
export { DataDecoder } from './data-decoder.js';
export type { DataDecodeResult, ServerBareLineEndingPolicy } from './data-decoder.js';
export type { BareLineEndingPolicy, PendingTimeout } from '@smtpkit/foundation';
export { parseEnvelopeArgument } from './envelope-args.js';
export type { ParsedPath, EsmtpParameters, EnvelopeArgResult } from './envelope-args.js';
export { PLAIN, LOGIN, CRAM_MD5, XOAUTH2, OAUTHBEARER, BUILTIN_MECHANISMS, decodeBase64, encodeBase64 } from '@smtpkit/foundation';
export type { AuthCredentials, SaslMechanism, SaslServerExchange, SaslServerContext, SaslStep } from '@smtpkit/foundation';
export { buildReceivedHeader } from './received-header.js';
export type { ReceivedInfo } from './received-header.js';
