/**
 * The bounce classes: the 20 built-in Momentum classes (ids 1 to 100) and the shape of custom ones.
 */

/**
 * The five bounce categories. `hard` and `admin` are suppression-level (do not retry, stop mailing);
 * `soft`, `block` and `undetermined` are usually temporary.
 *
 * @example
 * ```ts
 * const c: BounceCategory = classify('550 5.1.1 unknown').category; // 'hard'
 * ```
 * @see RFC 3463 §3.1
 */
export type BounceCategory = 'hard' | 'soft' | 'block' | 'admin' | 'undetermined';

/**
 * The categories, in table order.
 *
 * @example
 * ```ts
 * BOUNCE_CATEGORIES.includes(value as BounceCategory);
 * ```
 * @see RFC 3463 §3.1
 */
export const BOUNCE_CATEGORIES: readonly BounceCategory[] = Object.freeze([
  'hard',
  'soft',
  'block',
  'admin',
  'undetermined',
] as const);

/**
 * A bounce class: numeric id, short name, description and category.
 *
 * @example
 * ```ts
 * const c: BounceClass = forId(22); // { id: 22, name: 'Mailbox Full', ... category: 'soft' }
 * ```
 * @see RFC 3463 §3
 */
export interface BounceClass {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly category: BounceCategory;
  /** true for the 20 classes of the Momentum table. */
  readonly builtin: boolean;
}

/**
 * The class ids as constants (`BC_*`, the legacy C names). Class 1: the response text could not be
 * identified.
 *
 * @example
 * ```ts
 * if (classify(reply).id === BC_INVALID_RECIPIENT) suppress(address);
 * ```
 * @see RFC 3463 §3
 */
export const BC_UNDETERMINED = 1;
/** Class 10: the recipient is invalid (hard). */
export const BC_INVALID_RECIPIENT = 10;
/** Class 20: the message soft bounced. */
export const BC_SOFT_BOUNCE = 20;
/** Class 21: DNS failure (soft). */
export const BC_DNS_FAILURE = 21;
/** Class 22: the remote mailbox is over quota (soft). */
export const BC_MAILBOX_FULL = 22;
/** Class 23: the message is too large for the recipient (soft). */
export const BC_TOO_LARGE = 23;
/** Class 24: the message timed out (soft). */
export const BC_TIMEOUT = 24;
/**
 * The legacy C name of class 24 (`BC_SOFT_TIMEOUT`): the same value as {@link BC_TIMEOUT}.
 *
 * @example
 * ```ts
 * if (classify(reply).id === BC_SOFT_TIMEOUT) retryLater(); // same as BC_TIMEOUT
 * ```
 * @see RFC 3463 §3
 */
export const BC_SOFT_TIMEOUT = BC_TIMEOUT;
/** Class 25: failed by the sender's own configured policies (admin). */
export const BC_ADMIN_FAILURE = 25;
/** Class 30: no recipient could be determined (hard). */
export const BC_NO_RCPT = 30;
/** Class 40: failed for unspecified reasons (soft). */
export const BC_GENERIC_BOUNCE = 40;
/** Class 50: blocked by the receiver (block). */
export const BC_MAIL_BLOCK = 50;
/** Class 51: blocked as coming from a known spam source (block). */
export const BC_SPAM_BLOCK = 51;
/** Class 52: blocked as spam content (block). */
export const BC_SPAM_CONTENT = 52;
/** Class 53: blocked because of an attachment (block). */
export const BC_PROHIBITED_ATTACHMENT = 53;
/** Class 54: relaying is not allowed (block). */
export const BC_RELAYING_DENIED = 54;
/** Class 60: an auto-reply / vacation mail (soft). */
export const BC_AUTO_REPLY = 60;
/** Class 70: transmission temporarily delayed (soft). */
export const BC_TRANSIENT_FAILURE = 70;
/** Class 80: a subscribe request (admin). */
export const BC_SUBSCRIBE = 80;
/** Class 90: an unsubscribe request (hard). */
export const BC_UNSUBSCRIBE = 90;
/** Class 100: a challenge-response probe (soft). */
export const BC_CHALLENGE_RESPONSE = 100;

function builtin(id: number, name: string, description: string, category: BounceCategory): BounceClass {
  return Object.freeze({ id, name, description, category, builtin: true });
}

/**
 * The 20 built-in classes, exactly as the Momentum bounce classification table (codes, names,
 * descriptions, categories). Frozen.
 *
 * @example
 * ```ts
 * for (const c of BUILTIN_CLASSES) console.log(c.id, c.name, c.category);
 * ```
 * @see RFC 3463 §3
 */
export const BUILTIN_CLASSES: readonly BounceClass[] = Object.freeze([
  builtin(1, 'Undetermined', 'The response text could not be identified.', 'undetermined'),
  builtin(10, 'Invalid Recipient', 'The recipient is invalid.', 'hard'),
  builtin(20, 'Soft Bounce', 'The message soft bounced.', 'soft'),
  builtin(21, 'DNS Failure', 'The message bounced due to a DNS failure.', 'soft'),
  builtin(22, 'Mailbox Full', 'The message bounced due to the remote mailbox being over quota.', 'soft'),
  builtin(23, 'Too Large', 'The message bounced because it was too large for the recipient.', 'soft'),
  builtin(24, 'Timeout', 'The message timed out.', 'soft'),
  builtin(25, 'Admin Failure', "The message was failed by Momentum's configured policies.", 'admin'),
  builtin(30, 'Generic Bounce: No RCPT', 'No recipient could be determined for the message.', 'hard'),
  builtin(40, 'Generic Bounce', 'The message failed for unspecified reasons.', 'soft'),
  builtin(50, 'Mail Block', 'The message was blocked by the receiver.', 'block'),
  builtin(51, 'Spam Block', 'The message was blocked by the receiver as coming from a known spam source.', 'block'),
  builtin(52, 'Spam Content', 'The message was blocked by the receiver as spam.', 'block'),
  builtin(53, 'Prohibited Attachment', 'The message was blocked by the receiver because it contained an attachment.', 'block'),
  builtin(54, 'Relaying Denied', 'The message was blocked by the receiver because relaying is not allowed.', 'block'),
  builtin(60, 'Auto-Reply', 'The message is an auto-reply/vacation mail.', 'soft'),
  builtin(70, 'Transient Failure', 'Message transmission has been temporarily delayed.', 'soft'),
  builtin(80, 'Subscribe', 'The message is a subscribe request.', 'admin'),
  builtin(90, 'Unsubscribe', 'The message is an unsubscribe request.', 'hard'),
  builtin(100, 'Challenge-Response', 'The message is a challenge-response probe.', 'soft'),
]);

/**
 * Highest id accepted for a custom class.
 *
 * @example
 * ```ts
 * createClassifier().registerClass(MAX_CLASS_ID, 'Last', 'The last id.', 'soft');
 * ```
 * @see RFC 3463 §3
 */
export const MAX_CLASS_ID = 65535;
