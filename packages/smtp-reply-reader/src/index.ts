// smtp-reply-reader: public surface (explicit named exports).
export { ReplyReader } from './reply-reader.js';
export type { Reply } from './reply.js';
export {
  expectReply,
  isIntermediate,
  isPermanentNegative,
  isPositive,
  isTransientNegative,
} from './reply.js';
export type { EnhancedStatusCode } from './enhanced-status-code.js';
export {
  formatEnhancedStatusCode,
  parseEnhancedStatusCode,
  sameEnhancedStatusCode,
} from './enhanced-status-code.js';
export { parseReply } from './parse-reply.js';
export type { FormatReplyInput, FormatReplyOptions } from './format-reply.js';
export { formatReply, formatReplyBytes } from './format-reply.js';
export type { LineEndings, ReplyLimits, ReplyReaderOptions } from './limits.js';
export { DEFAULT_REPLY_LIMITS } from './limits.js';
export type { ReplyErrorCode } from './errors.js';
export { ReplyReaderError, isReplyReaderError } from './errors.js';
export { SmtpkitError, isSmtpkitError } from '@smtpkit/foundation';
