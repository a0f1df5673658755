// smtp-client-fsm: public surface (explicit named exports).
export { ClientConnection, BDAT_MAX_CHUNK, BDAT_MIN_CHUNK, messageOutcome } from './client-connection.js';
export type { ArgsHook, ArgsHookContext, AuthOptions, ClientOptions, DsnOptions, MessageInput, TranscriptEntry } from './client-connection.js';
export { BUILTIN_STATES, createStateRegistry } from './states/index.js';
export { bannerState } from './states/banner.js';
export { ehloState } from './states/ehlo.js';
export { starttlsState } from './states/starttls.js';
export { authState } from './states/auth.js';
export { mailState } from './states/mail.js';
export { rcptState } from './states/rcpt.js';
export { dataState } from './states/data.js';
export { bodyState } from './states/body.js';
export { finalState } from './states/final.js';
export { rsetState } from './states/rset.js';
export { idleState } from './states/idle.js';
export { quitState } from './states/quit.js';
export { StateRegistry } from './state-registry.js';
export type { ClientStateDefinition, RegisterOptions, StateContext, StateInfo, StatePipelining } from './state-registry.js';
export type { ClientEvent, MessageOutcome, RecipientResult } from './events.js';
export { STAGE, STAGE_NAMES, stageName } from './stages.js';
export { BodyEncoder, MAX_LINE_LENGTH, encodeBody, normalizeBody } from './body-encoder.js';
export type { BodyEncoderOptions } from './body-encoder.js';
export { DEFAULT_TIMEOUTS } from './timeouts.js';
export type { ClientPendingTimeout, ClientTimeouts, ClientTimerName } from './timeouts.js';
export { defaultClassify } from './classify.js';
export type { Classification, Classifier } from './classify.js';
export { SmtpClientError, isSmtpClientError } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export { xclientState } from './xclient.js';
export type { XclientAttributes, XclientOptions } from './xclient.js';
// The shared smtpkit vocabulary (bundled from the private foundation package).
export { SmtpkitError, isSmtpkitError, PLAIN, LOGIN, CRAM_MD5, XOAUTH2, OAUTHBEARER, BUILTIN_MECHANISMS, decodeSaslLine, saslBytes } from '@smtpkit/foundation';
export type {
  BareLineEndingPolicy,
  PendingTimeout,
  SaslClientCredentials,
  SaslClientExchange,
  SaslCrypto,
  SaslMechanism,
  SaslServerContext,
  SaslServerExchange,
  SaslStep,
  AuthCredentials,
  TlsSecurity,
} from '@smtpkit/foundation';
