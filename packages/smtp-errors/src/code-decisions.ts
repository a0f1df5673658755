/**
 * The decisions the classifier takes from codes: the reply code's fallback class, a specific
 * enhanced code overriding generic wording, the SMTP stage, and the reply class (4yz is transient).
 */

import { GENERIC_RULE_NAMES } from './builtin-rules.js';
import { BUILTIN_CLASSES } from './classes.js';
import type { DecidedBy } from './classifier.js';
import { enhancedClass, VENDOR_ONLY_PACKED } from './enhanced-codes.js';
import { isBlockFamily, isRefusalWord, REPLY_TEXT_SET } from './keywords.js';
import { unpackEnhanced } from './reply-input.js';
import type { StoredRule } from './rules.js';
import type { SmtpStage } from './stage-hints.js';

/** @internal Fallback by reply code (RFC 5321 §4.2.1: the reply class, then a few 5yz codes; RFC 4954 §6's 53x). */
export function replyCodeClass(code: number): number {
  if (code < 400) return 1;
  if (code < 500) return 70;
  switch (code) {
    case 551:
    case 553:
      return 10;
    case 552:
      return 22;
    // 554 and 571: a refusal that names no reason. RFC 4954 §6: authentication required (530; RFC
    // 3207 also gives it to "must issue STARTTLS first"), mechanism too weak (534), credentials
    // invalid (535), encryption required (538): the receiver refuses the session as offered, a
    // policy refusal of the sender (50)
    case 554:
    case 571:
    case 530:
    case 534:
    case 535:
    case 538:
      return 50;
    default:
      return 40;
  }
}

/**
 * When a generic built-in rule decided, a specific enhanced code overrides it: a registered code
 * (vendor code or registry row) whose detail is not 0 and whose class is not a generic one. A quota
 * or size code does not override a refusal the words name (see `quotaCodeRefused`). `generic`:
 * whether `rule` is one of `GENERIC_RULE_NAMES` (a caller that knows it already says so).
 * @internal
 */
export function specificEnhanced(packed: number, rule: StoredRule, word?: StoredRule, policyNamed = false, generic = rule.name !== undefined && GENERIC_RULE_NAMES.has(rule.name)): { id: number; entry: unknown } | undefined {
  // A vendor's own code (5.7.750: documented by the provider, not defined by the registry) names its
  // meaning more precisely than any phrase; a registry code overrides only generic wording.
  if (rule.name === undefined || packed % 1000 === 0) return undefined;
  if (!generic && !VENDOR_ONLY_PACKED.has(packed) && !(isCheckCode(packed) && rule.id >= 50 && rule.id <= 52)) return undefined;
  const found = enhancedClass(unpackEnhanced(packed)!);
  if (!found?.entry || found.id === 40 || found.id === 70 || found.id === 1 || found.id === rule.id) return undefined;
  if (quotaCodeRefused(found.id, word, policyNamed)) return undefined;
  return found;
}

/**
 * Whether a quota or size code (X.2.2, X.2.3, X.3.4: class `id` 22 or 23) is a refusal its words
 * name: the first word of the families (`word`) is a refusal's, so no recipient, quota or size word
 * came first, and it is a block family's or the reply names the receiver's policy or a block
 * (`policyNamed`: the `POLICY_RULES` group): "552 5.2.2 Rejected by policy", "552 5.3.4 Message
 * rejected by content policy", "550 5.2.2 explicit blocking".
 * @internal
 */
export function quotaCodeRefused(id: number, word: StoredRule | undefined, policyNamed: boolean): boolean {
  return (id === 22 || id === 23) && word !== undefined && isRefusalWord(word.id) && (policyNamed || isBlockFamily(word.id));
}

/**
 * Whether `packed` is one of the security codes that name the very check that failed (RFC 7372's
 * X.7.20-X.7.26 for DKIM, SPF, reverse DNS; RFC 7505's null MX X.7.27; X.7.28 mail flood; RFC 8617's
 * ARC X.7.29; X.7.30 and Gmail's X.7.32 and X.7.40 for TLS, alignment and DMARC). Such a code is
 * more explicit than spam or block wording in the same reply, which names the receiver's motive
 * ("to protect our users from spam"), not what failed.
 */
function isCheckCode(packed: number): boolean {
  const detail = packed % 1000;
  return Math.floor(packed / 1000) % 1000 === 7 && ((detail >= 20 && detail <= 30) || detail === 32 || detail === 40);
}

/**
 * Refines a generic code-based decision with the SMTP stage: a permanent generic failure at RCPT TO
 * is about the recipient (10), at MAIL FROM, at the greeting/EHLO or after DATA it is a block (50);
 * a recipient class at MAIL FROM is about the sender, so a block too.
 * @internal
 */
export function refineByStage(id: number, stage: SmtpStage | undefined, permanent: boolean): number {
  if (stage === undefined || !permanent) return id;
  if (id === 10 && stage === 'mail') return 50;
  if (id !== 40 && id !== 1) return id;
  return stage === 'rcpt' ? 10 : 50;
}

/**
 * The class of a reply code refined by the SMTP stage (see `refineByStage`). A syntax reply (x0z,
 * RFC 5321 §4.2.1: 500-504, a command or argument the server did not understand or does not
 * implement) is a protocol error at any stage: the stage says which command, not what was refused.
 * @internal
 */
export function replyCodeAtStage(code: number, stage: SmtpStage | undefined, permanent: boolean): number {
  const id = replyCodeClass(code);
  if (Math.floor(code / 10) % 10 === 0) return id;
  // A 550 with no stage and no word that says more: RFC 5321 §4.2.1 gives it to a mailbox that is
  // unavailable or to a command "rejected for policy reasons". At RCPT TO the stage says the former
  // (10, below); with no stage, providers send a bare 550 for a refusal of the sender far more often
  // than for anything else, so it reads as the block (50) that a bare 554 is.
  if (code === 550 && stage === undefined) return 50;
  return refineByStage(id, stage, permanent);
}

/**
 * The built-in classes a provider code keeps in a temporary reply: a recipient (10), quota (22) or
 * size (23) meaning, and the non-bounce classes (60, 80, 90, 100).
 */
const KEPT_WHEN_TEMPORARY = new Set([10, 22, 23, 60, 80, 90, 100]);
const BUILTIN_IDS = new Set(BUILTIN_CLASSES.map((c) => c.id));
/** @internal The temporary reply codes RFC 5321 §4.2.3 and RFC 4954 §6 define for a server's replies. */
export const SERVER_TEMPORARY_CODES: ReadonlySet<number> = new Set([421, 432, 450, 451, 452, 454, 455]);
/** @internal RFC 4954 §6's permanent replies about the sender's authentication (530, 534, 535, 538). */
export const AUTH_REPLY_CODES: ReadonlySet<number> = new Set([530, 534, 535, 538]);

/**
 * Reads the reply's class (RFC 5321 §4.2.1: 4yz is a transient negative completion) into the
 * decision. A provider code in a temporary reply is a deferral the sender retries (70), whatever
 * block, reputation, content, relay or generic meaning its provider documents (the labelling
 * guide's rule 6: only a recipient, quota or size meaning keeps its class; a loop is not read from
 * provider codes); a custom class keeps its id. A temporary reply that was decided as a soft bounce (20), or as a block (50) by its codes
 * or by generic wording ("policy", "rejected": nothing says why), is a deferral the sender retries:
 * a transient failure (70). So is generic recipient wording ("mailbox unavailable", "address
 * rejected": RFC 5321 §4.2.3 gives 450 that text for a busy mailbox), whether a phrase or RFC 5321's
 * reply text among the word families named it. Wording that names the block
 * (a block list, a reputation) keeps its class, and so do the specific soft classes (21-24) and
 * specific recipient wording ("user unknown"), except that a server's own idle timeout or a bare
 * network code (24) under one of the 4yz replies a server sends (RFC 5321 §4.2.3, RFC 4954 §6)
 * came from a server that answered, and a DNS failure (21) a 421 names was its lookup of the
 * session: each a deferral (70).
 * @internal
 */
export function byReplyClass(id: number, rule: DecidedBy, code: number, enhanced: number): number {
  // Under one of the 4yz replies a server sends (RFC 5321 §4.2.3), a server's idle timeout ("421
  // 4.4.2 Error: timeout exceeded", "421 Connection timeout") or a bare network code (X.4.x) was
  // sent by a server that was reached and answered: a deferral it asks the sender to retry (70).
  // What the sending MTA writes about a host it could not reach or lost ("Connection timed out",
  // "No answer from host", "giving up") stays 24.
  if (id === 24 && SERVER_TEMPORARY_CODES.has(code) && (rule.kind === 'enhanced-code' || ('pattern' in rule && rule.pattern === 'timeout'))) return 70;
  // 421 closes the session (RFC 5321 §4.2.3): a DNS failure it names is the server's lookup of
  // the session (the client's name or address), not of a recipient's domain: a deferral (70).
  if (id === 21 && code === 421) return 70;
  if (rule.kind === 'provider-code') return isTemporary(code, enhanced) && BUILTIN_IDS.has(id) && !KEPT_WHEN_TEMPORARY.has(id) ? 70 : id;
  // A word of a block family (reputation, spam, virus, relay) in a temporary reply names the reason
  // of a deferral, as a provider code does: the sender retries (70; the guide's second reading).
  if (rule.kind === 'keyword' && id >= 51 && id <= 54) return isTemporary(code, enhanced) ? 70 : id;
  // only a limit (20), a recipient (10) or a refusal (50) can become a deferral below
  if (id !== 20 && id !== 10 && id !== 50) return id;
  const byCodesOrGenericWords =
    rule.kind === 'enhanced-code' ||
    rule.kind === 'reply-code' ||
    rule.kind === 'keyword' ||
    (rule.kind === 'builtin-rule' && GENERIC_RULE_NAMES.has(rule.name));
  const genericRecipient = id === 10 && ((rule.kind === 'builtin-rule' && GENERIC_RULE_NAMES.has(rule.name)) || (rule.kind === 'keyword' && REPLY_TEXT_SET.has(rule.pattern)));
  if (id !== 20 && !genericRecipient && !(id === 50 && byCodesOrGenericWords)) return id;
  return isTemporary(code, enhanced) ? 70 : id;
}

/** Whether the reply is temporary: a 4xx reply code, or with none, a 4.x.x enhanced code. */
function isTemporary(code: number, enhanced: number): boolean {
  return code >= 0 ? code >= 400 && code < 500 : enhanced >= 4_000_000 && enhanced < 5_000_000;
}
