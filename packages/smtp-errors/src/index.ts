// smtp-errors: public surface (explicit named exports).
export {
  BC_ADMIN_FAILURE,
  BC_AUTO_REPLY,
  BC_CHALLENGE_RESPONSE,
  BC_DNS_FAILURE,
  BC_GENERIC_BOUNCE,
  BC_INVALID_RECIPIENT,
  BC_MAIL_BLOCK,
  BC_MAILBOX_FULL,
  BC_NO_RCPT,
  BC_PROHIBITED_ATTACHMENT,
  BC_RELAYING_DENIED,
  BC_SOFT_BOUNCE,
  BC_SOFT_TIMEOUT,
  BC_SPAM_BLOCK,
  BC_SPAM_CONTENT,
  BC_SUBSCRIBE,
  BC_TIMEOUT,
  BC_TOO_LARGE,
  BC_TRANSIENT_FAILURE,
  BC_UNDETERMINED,
  BC_UNSUBSCRIBE,
  BOUNCE_CATEGORIES,
  BUILTIN_CLASSES,
  MAX_CLASS_ID,
} from './classes.js';
export type { BounceCategory, BounceClass } from './classes.js';
export { BUILTIN_RULES } from './builtin-rules.js';
export type { BuiltinRule } from './builtin-rules.js';
export { ENHANCED_STATUS_CODES, enhancedClass } from './enhanced-codes.js';
export { PROVIDER_CODES } from './provider-codes.js';
export type { ProviderCode, ProviderCodeInit } from './provider-codes.js';
export type { EnhancedCodeEntry } from './enhanced-codes.js';
export { actionFor } from './action.js';
export type { BounceAction } from './action.js';
export { Classifier, createClassifier, DEFAULT_LIMITS } from './classifier.js';
export type {
  Classification,
  ClassifierLimits,
  ClassifierOptions,
  ClassifyOptions,
  ClassInit,
  ClassifyFallback,
  DecidedBy,
  FallbackInput,
} from './classifier.js';
export { addRule, addRules, classify, defaultClassifier, forId, registerClass, retrieveClass } from './default-instance.js';
export { isSmtpErrorsError, SmtpErrorsError } from './errors.js';
export { SmtpkitError, isSmtpkitError } from '@smtpkit/foundation';
export type { SmtpErrorsErrorCode } from './errors.js';
export { parseEnhanced, scanCodes } from './reply-input.js';
export type { EnhancedCode, EnhancedCodeLike, ReplyInput, StructuredReply } from './reply-input.js';
export { KEYWORDS, NON_BOUNCE_KEYWORDS } from './keywords.js';
export { parseRules } from './rules.js';
export type { SmtpStage } from './stage-hints.js';
export type { RuleInit, RuleLayer } from './rules.js';
