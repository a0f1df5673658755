// smtp-capabilities: public surface (explicit named exports).
export { Capabilities } from './capabilities.js';
export type {
  CapabilityEntry,
  CapabilityWarning,
  CapabilityWarningCode,
  FutureRelease,
  ServerLimits,
} from './capabilities.js';
export { parseEhloReply, parseEhloReplyText, DEFAULT_EHLO_PARSE_LIMITS } from './parse-ehlo-reply.js';
export type { EhloParseLimits, EhloReplyLike, ParseEhloOptions } from './parse-ehlo-reply.js';
export {
  formatEhloReply,
  formatEhloReplyBytes,
  formatEhloReplyText,
  DEFAULT_MAX_EHLO_LINE_LENGTH,
} from './format-ehlo-reply.js';
export type { EhloKeyword, EhloReplyInput, FormatEhloOptions } from './format-ehlo-reply.js';
export { ExtensionRegistry, defaultExtensionRegistry } from './registry.js';
export type {
  AdvertiseContext,
  AdvertiseResult,
  ExtensionDefinition,
  KeywordSource,
  ResolvedVerb,
  VerbDefinition,
} from './registry.js';
export { BUILTIN_EXTENSIONS } from './builtin-extensions.js';
export type { SessionSettings } from './session.js';
export { CapabilitiesError, isCapabilitiesError } from './errors.js';
export { SmtpkitError, isSmtpkitError } from '@smtpkit/foundation';
export type { CapabilitiesErrorCode } from './errors.js';
