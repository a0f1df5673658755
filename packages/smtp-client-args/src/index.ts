// smtp-client-args: public surface (explicit named exports).
export { SmtpClientArgs } from './client-args.js';
export type { AddResult, ExistsAndFetch, NotifyCondition, SmtpClientArgsOptions } from './client-args.js';
export {
  DEFAULT_PATH_LIMITS,
  NULL_PATH,
  POSTMASTER_PATH,
  formatPath,
  mailboxPath,
  parsePath,
} from './path.js';
export type { DomainKind, LenientOptions, MailboxPath, NullPath, Path, PathLimits, PathOptions, PostmasterPath } from './path.js';
export {
  DEFAULT_PARSE_LIMITS,
  formatMailFrom,
  formatRcptTo,
  parseMailFrom,
  parseRcptTo,
  readMailParameters,
  readRcptParameters,
} from './commands.js';
export type { FormatOptions, MailParameters, ParsedMailFrom, ParsedRcptTo, ParseLimits, ParseOptions, RcptParameters } from './commands.js';
// Internal to smtpkit (esmtp-server-fsm's MAIL and RCPT), not documented API: see its TSDoc.
export { parseEnvelopeArguments } from './commands.js';
export type { ArgsRefusal, EnvelopeArguments } from './commands.js';
export { DEFAULT_PARAMETERS } from './parameters.js';
export type { AddFailureReason, ParameterCommand, ParameterSpec, ValidationContext } from './parameters.js';
export { xtextDecode, xtextEncode } from './xtext.js';
export type { XtextDecodeOptions } from './xtext.js';
export { checkArgsAgainst, withoutUnadvertised } from './check.js';
export type { ArgsProblem, ArgsProblemCode, CapabilitiesLike, CheckContext } from './check.js';
export {
  ClientArgsError,
  isClientArgsError,
} from './errors.js';
export { SmtpkitError, isSmtpkitError } from '@smtpkit/foundation';
export type { ArgsErrorCode, ClientArgsLocalError, ClientArgsRemoteError, ServerReply } from './errors.js';
