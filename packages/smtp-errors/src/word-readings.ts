/**
 * The word groups the rule matcher reports in its one pass, and the readings of those words that
 * hold whatever decided the class (a phrase, a status code or a word family).
 */

import { DEFERRAL_RULE_NAMES, GENERIC_RULE_NAMES } from './builtin-rules.js';
import type { DecidedBy } from './classifier.js';
import { ATTACHMENT_WORD_SET, BLOCK_KEYWORD_RULES, BLOCKED_WORD_SET, CARRIER_RULES, COUNT_RULES, DORMANT_RULES, isBlockFamily, isRefusalWord, KEYWORD_RULES, MAILBOX_ACCESS_RULES, MESSAGE_SUBJECT_RULES, NAME_WORD_SET, NON_BOUNCE_RULES, PERMANENT_KEYWORD_RULES, POLICY_RULES, RATE_WORD_SET, REPLY_TEXT_SET, REQUIRED_FIELD_SET, SELECTIVE_REFUSAL_SET, SENDER_ACCOUNT_RULES, SENDER_ADDRESS_SET, SOURCE_RULES, SPAM_WORD_SET, STORE_RULES, SUBMISSION_WORD_SET } from './keywords.js';
import { makeRule, type RuleMatcher, type StoredRule } from './rules.js';
import { STAGE_HINTS } from './stage-hints.js';

/**
 * The subjects `domainNamedUnknown` looks for, as the pass reads them (case folded; it also takes
 * `_` for the space and a few look-alike letters): wherever its case-insensitive ASCII pattern
 * finds one, the pass does too, so a text where the pass found none need not be searched again.
 */
const NAMED_SUBJECT_RULES: readonly StoredRule[] = ['domain ', 'host '].map((pattern) => makeRule({ pattern, id: 21 }, 'builtin'));

/**
 * @internal The groups the rule matcher reports in the same pass as the rules: the stage hints, the
 * keyword families (with and without the connection family), the non-bounce words, the
 * dormant-mailbox words, the sender's-own-account words, the block families alone, the words of
 * where mail is stored, of an excess count, of the sending address and of the message as the
 * subject, the Japanese carriers' domains, the receiver's policy or a block, the subjects that
 * `domainNamedUnknown` reads, and a mailbox the server could not get at. One scan of the text
 * answers every question the classifier asks of it.
 */
export const GROUPS: readonly (readonly StoredRule[])[] = [STAGE_HINTS, KEYWORD_RULES, PERMANENT_KEYWORD_RULES, NON_BOUNCE_RULES, DORMANT_RULES, SENDER_ACCOUNT_RULES, BLOCK_KEYWORD_RULES, STORE_RULES, COUNT_RULES, SOURCE_RULES, MESSAGE_SUBJECT_RULES, CARRIER_RULES, POLICY_RULES, NAMED_SUBJECT_RULES, MAILBOX_ACCESS_RULES];
/** @internal Indexes into `GROUPS`. */
export const G_HINT = 0;
export const G_KEYWORD = 1;
export const G_PERMANENT_KEYWORD = 2;
export const G_NON_BOUNCE = 3;
export const G_DORMANT = 4;
export const G_SENDER_ACCOUNT = 5;
export const G_BLOCK_KEYWORD = 6;
export const G_STORE = 7;
export const G_COUNT = 8;
export const G_SOURCE = 9;
export const G_MESSAGE_SUBJECT = 10;
export const G_CARRIER = 11;
export const G_POLICY = 12;
/** @internal `domain ` or `host ` somewhere in the text: only then can `domainNamedUnknown` find one. */
export const G_NAMED_SUBJECT = 13;
/** @internal A mailbox the server could not get at for now (`MAILBOX_ACCESS_WORDS`). */
export const G_MAILBOX_ACCESS = 14;

/**
 * @internal After a match: the first keyword-family word found; for a permanent reply the remote
 * server sent, without the connection family (see `PERMANENT_KEYWORD_RULES`).
 */
export function keywordFound(matcher: RuleMatcher, permanentCode: boolean): StoredRule | undefined {
  return matcher.found(permanentCode ? G_PERMANENT_KEYWORD : G_KEYWORD);
}

/** @internal What decided a class when the word `word`, found in the text, did. */
export function decidedByWord(word: StoredRule): DecidedBy {
  return Object.freeze({ kind: 'keyword', pattern: word.pattern });
}

/** The words of the block families (reputation, spam, virus, relay), as one-word phrases use them. */
const BLOCK_WORDS: ReadonlySet<string> = new Set(BLOCK_KEYWORD_RULES.map((r) => r.pattern));

/** What decided a class when the text named the sending host by its IPv4 address. */
const BY_ADDRESS: DecidedBy = Object.freeze({ kind: 'keyword', pattern: 'ipv4-address' });

/**
 * The words that name the sending host (`SOURCE_WORDS`), or else its IPv4 address standing in the
 * text (`<192.0.2.1> is blocked`, `[192.0.2.1] was blocked for sending spam`): a reply that names
 * an address is about the host that connected from it.
 */
function sourceNamed(matcher: RuleMatcher, text: string | Uint8Array, word: string, code: number): StoredRule | DecidedBy | undefined {
  const words = matcher.found(G_SOURCE);
  if (words !== undefined) return words;
  // an address after the deciding word ("message blocked by policy (192.0.2.1)", "spam message
  // rejected from 192.0.2.1"), or beside the message or the sender's address as the subject, says
  // where the mail came from, not what was blocked
  if (matcher.foundIndex(G_MESSAGE_SUBJECT) >= 0 || matcher.foundIndex(G_SENDER_ACCOUNT) >= 0) return undefined;
  const written = asText(text);
  // an address before the reply code is the remote server's, in the reporting MTA's own words
  // ("host mx.example.com[198.51.100.42] said: 554 ...")
  const reply = code >= 0 ? written.indexOf(String(code)) : -1;
  const at = ipv4AddressAt(written, reply < 0 ? 0 : reply + 3);
  const decided = at < 0 ? -1 : written.toLowerCase().indexOf(word, reply < 0 ? 0 : reply + 3);
  return at < decided ? BY_ADDRESS : undefined;
}

/**
 * A dotted-quad IPv4 address standing alone: four runs of one to three digits joined by dots, with
 * no word unit or dot before it and none after it (so a version `1.2.3.4.5` or a host name
 * `10.0.0.1.example` is none). Each start is tried in bounded steps: linear in the text.
 */
const IPV4 = /(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\w)/g;

/** @internal Where `text`, from index `from` on, first holds an IPv4 address (see `IPV4`), or -1. */
export function ipv4AddressAt(text: string, from = 0): number {
  IPV4.lastIndex = from;
  return IPV4.exec(text)?.index ?? -1;
}

/** What decided a class when the text said a named domain or host does not exist. */
const BY_DOMAIN: DecidedBy = Object.freeze({ kind: 'keyword', pattern: 'unknown-domain' });

/** The text as a string (bytes read as Latin-1). */
function asText(text: string | Uint8Array): string {
  if (typeof text === 'string') return text;
  let s = '';
  for (const c of text) s += String.fromCharCode(c);
  return s;
}

/**
 * @internal Whether the text says a domain or host it names does not exist: `domain` or `host`,
 * then at most `name` and one name (`example.com`, `"example.com"`, `<example.com>`), then a
 * negation and a verb of existence ("does not exist", "doesn't exist", "could not be found",
 * "cannot be resolved") or `unknown` ("Domain example.com does not exist", "Host mx.example not
 * found"): 1, the labelling guide's non-existent domain (21), not a recipient that is gone; 2 when
 * it is said of the sending client's own name ("client host", "your domain"); 0 when the text says
 * neither. Each occurrence is read in a bounded number of steps: linear in the text.
 */
export function domainNamedUnknown(written: string | Uint8Array): 0 | 1 | 2 {
  const text = asText(written);
  // one case-insensitive pass finds each subject; only the words after it are lower-cased
  NAMED_SUBJECT.lastIndex = 0;
  for (let m; (m = NAMED_SUBJECT.exec(text)) !== null; ) {
    const at = m.index;
    // The words of the 300 units after the subject, as `split(' ', 8)` has them, each lower-cased
    // when first read (lower case moves no space): most subjects are given up after two of them.
    const words: string[] = [];
    const end = Math.min(text.length, NAMED_SUBJECT.lastIndex + 300);
    let next = NAMED_SUBJECT.lastIndex;
    const word = (j: number): string | undefined => {
      while (words.length <= j && next <= end) {
        const space = text.indexOf(' ', next);
        const stop = space < 0 || space >= end ? end : space;
        words.push(text.slice(next, stop).toLowerCase());
        next = stop + 1;
      }
      return words[j];
    };
    let b = word(0) === 'name' ? 1 : 0;
    // one name: dotted, quoted or bracketed
    if (word(b + 1) !== undefined && /[.]|^["<['’]/.test(word(b)!)) b++;
    // a negation right after the name, or after an auxiliary ("does not", "could not be")
    let k = b + (/^(does|is|was|could|can|did)$/.test(word(b)!) ? 1 : 0);
    if (!/^(not|cannot|unknown|doesnt)$|n't$/.test(word(k) ?? '')) continue;
    if (word(k) !== 'unknown' && word(++k) === 'be') k++;
    // after a word naming the sending client (`your domain`, `client host`): the client's own name
    if (/^(unknown|exist|found|known|resolv)/.test(word(k) ?? '')) return OWN_NAME_BEFORE.test(text.slice(Math.max(0, at - 12), at)) ? 2 : 1;
  }
  return 0;
}

/** `domain` or `host` and a space, not the end of a longer word (`subdomain`, an address `@domain`). */
const NAMED_SUBJECT = /(?<![\w@.-])(?:domain|host) /gi;
/** A word naming the sending client right before the subject. */
const OWN_NAME_BEFORE = /(client|sending|your|helo|ehlo|reverse|from) *$/i;

/** A decision by the word `word` found in the text: class `id`, decided by that keyword. */
function byWord(id: number, word: StoredRule | DecidedBy): { id: number; rule: DecidedBy } {
  return { id, rule: 'kind' in word ? word : decidedByWord(word) };
}

/**
 * @internal Readings that apply after any built-in decision (a phrase, a code or a word family; the
 * operator's rules and provider codes are left as they are). `code` is the reply code, `enhanced`
 * the enhanced code as `packEnhanced` packs it (-1 for none). Returns the new decision, or
 * undefined when the words change nothing.
 *
 * - A full mailbox that is also inactive or disabled is an abandoned one: the recipient is gone
 *   (RFC 3463 X.2.1 beside X.2.2).
 * - Recipient words decided by a word family ("disabled", "is locked") next to words naming the
 *   sender's own account ("sender account") refuse the sender (50), as they do after a phrase.
 *   So do DNS words next to the sender's domain or address ("sender domain has no MX record"):
 *   the sender's setup, not the recipient's domain.
 * - "Does not accept mail" is a domain's null MX (RFC 7505) only when no senders are named: mail
 *   refused from some senders ("does not accept mail from external senders") is a refusal of the
 *   sender (50), whoever refuses it.
 * - An excess count ("too many") of what the recipient's store holds ("on the server", "im
 *   Postfach") is the mailbox's quota, not the sender's rate nor RFC 5321's generic "mailbox
 *   unavailable": 22, for 4xx and 5xx alike. A rate word ("per hour") keeps it a rate limit.
 * - "Expired" said of an account or mailbox ("account has expired") is a closed account (10), not
 *   an expired message (24).
 * - An attachment named with a size word ("attachment too large") is a too large message (23), not
 *   a forbidden attachment (53).
 * - Spam wording about the sending address ("spam from this IP address") names a known spam source
 *   (51), not spam content (52), unless the message is named as what was judged ("this message",
 *   "message identified as spam"). Only a spam decision by a family word or a one-word phrase is
 *   read so; a longer phrase that named the content keeps 52.
 * - A block is read by what was blocked. A word of a block family next to "blocked" names it (a
 *   file type, a virus: 53; abuse: 51). "Blocked" said of the sending IP or host ("client host
 *   [192.0.2.1] blocked", "your IP is blocked") puts the sender on the receiver's block list: a
 *   reputation block (51), unless a refusal word names another reason (no PTR record, SPF). A
 *   block list's name said of the sender's own address ("sender is blacklisted", "sender address
 *   on our blocklist"), with no host named, is a list of addresses the receiver keeps itself: a
 *   refusal of the sender (50), as for its allow and block lists (the labelling guide's rule 8).
 * - Authentication or TLS words next to relay wording ("relay through this server without
 *   authentication") refuse relaying (54): they say how to be allowed, relaying is what was refused.
 * - A generic deferral ("try again later") beside a full mailbox, a size or a loop word is that
 *   reason (22, 23, 40): the labelling guide's rules 3 to 5 come before its rule 6.
 * - A temporary reply that a refusal or a one-word block phrase decided ("sender address
 *   rejected", "blacklisted", "spam") and that counts what the sender did ("too many errors", "too
 *   many messages from sender") or names its rate is a deferral for volume (70): the guide's 4xx
 *   decision keeps rate, volume, connection and error deferrals 70 alone ("421 4.5.1 Too many
 *   errors, you have been temporarily blacklisted").
 * - The mailbox code X.2.2 in a temporary reply whose words name no full mailbox but a mailbox the
 *   server could not get at ("451 4.2.2 mailbox access error", "450 4.2.2 mailbox locked") or only
 *   a deferral ("mailbox busy") is a transient failure (70): the guide's rule 3 reads a full
 *   mailbox, its rule 6 every other 4xx reply.
 * - A network or routing code (X.4.x) in a temporary reply whose words name a refusal ("445 server
 *   rejected (#4.4.4)"): the server answered and refused, so the words decide (and the reply class
 *   then makes it a deferral), as they do beside that code in a permanent reply.
 * - A header the receiver demands beyond RFC 5322 ("Subject is mandatory") is its policy (50),
 *   whatever recipient, mailbox or protocol code it gives.
 * - Spam wording beside the sender's rate or count ("since you sent too many e-mails ... considered
 *   as spam") is a rate limit (70, the guide's rule 6 before its rule 8), in any reply class.
 */
export function readWords(id: number, rule: DecidedBy, matcher: RuleMatcher, permanentCode: boolean, text: string | Uint8Array, code: number, enhanced: number): { id: number; rule: DecidedBy } | undefined {
  if (rule.kind !== 'builtin-rule' && rule.kind !== 'enhanced-code' && rule.kind !== 'reply-code' && rule.kind !== 'keyword') return undefined;
  if (id === 20) {
    // an excess counted over time ("too many recipients per hour") is the sender's rate, not the
    // per-message recipient limit
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword !== undefined && RATE_WORD_SET.has(keyword.pattern)) return byWord(70, keyword);
  }
  if ((id === 1 || id === 10 || id === 20 || id === 21 || id === 40 || id === 50) && matcher.foundIndex(G_SENDER_ACCOUNT) < 0 && matcher.foundIndex(G_NAMED_SUBJECT) >= 0) {
    // a named domain that does not exist: the destination's (21), or the sending client's own
    // name ("your domain", "client host"), whose setup is refused (50)
    const named = domainNamedUnknown(text);
    if (named === 2 || (named === 1 && id !== 21)) return byWord(named === 1 ? 21 : 50, BY_DOMAIN);
  }
  if (id === 50) {
    const keyword = keywordFound(matcher, permanentCode);
    const block = keyword !== undefined && SUBMISSION_WORD_SET.has(keyword.pattern) ? matcher.found(G_BLOCK_KEYWORD) : undefined;
    if (block?.id === 54) return byWord(54, block);
  }
  if (rule.kind === 'enhanced-code') {
    // the enhanced code's subject and detail (RFC 3463 §3: "class.subject.detail"), from the
    // packed code that `rule.code` was written from
    const subject = Math.floor(enhanced / 1000) % 1000;
    const temporary = code >= 400 && code < 500;
    if (temporary && id === 22 && subject === 2 && enhanced % 1000 === 2) {
      // a mailbox the server could not get at, or only a deferral, under the mailbox-full code
      const keyword = keywordFound(matcher, permanentCode);
      if (keyword?.id !== 22) {
        const access = matcher.found(G_MAILBOX_ACCESS) ?? (keyword !== undefined && (keyword.id === 70 || keyword.id === 24) ? keyword : undefined);
        if (access) return byWord(70, access);
      }
    }
    if (temporary && (id === 21 || id === 24) && subject === 4) {
      // a refusal the server answered under a routing or network code
      const keyword = keywordFound(matcher, permanentCode);
      if (keyword !== undefined && isRefusalWord(keyword.id)) return byWord(keyword.id, keyword);
    }
    if (id !== 50) {
      const keyword = keywordFound(matcher, permanentCode);
      if (keyword !== undefined && REQUIRED_FIELD_SET.has(keyword.pattern)) return byWord(50, keyword);
    }
  }
  if (id === 52 && (rule.kind === 'keyword' || (rule.kind === 'builtin-rule' && (GENERIC_RULE_NAMES.has(rule.name) || SPAM_WORD_SET.has(rule.pattern))))) {
    // spam named beside the sender's rate or count: the rate limit is what refused it
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword !== undefined && RATE_WORD_SET.has(keyword.pattern)) return byWord(70, keyword);
  }
  if (id === 22) {
    const dormant = matcher.found(G_DORMANT);
    return dormant ? byWord(10, dormant) : undefined;
  }
  if ((id === 10 && rule.kind === 'keyword') || (id === 21 && (rule.kind === 'keyword' || rule.kind === 'builtin-rule'))) {
    const own = matcher.found(G_SENDER_ACCOUNT);
    if (own) return byWord(50, own);
  }
  if (id === 21 && (rule.kind === 'keyword' || rule.kind === 'builtin-rule')) {
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword !== undefined && SELECTIVE_REFUSAL_SET.has(keyword.pattern)) return byWord(50, keyword);
  }
  if ((id === 70 || (id === 10 && rule.kind === 'keyword' && REPLY_TEXT_SET.has(rule.pattern))) && matcher.foundIndex(G_COUNT) >= 0) {
    const keyword = keywordFound(matcher, permanentCode);
    const store = keyword !== undefined && RATE_WORD_SET.has(keyword.pattern) ? undefined : matcher.found(G_STORE);
    if (store) return byWord(22, store);
  }
  if (id === 24 && rule.kind === 'builtin-rule' && rule.pattern === 'expired') {
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword?.id === 10 && keyword.pattern.endsWith('expired')) return byWord(10, keyword);
  }
  if (id === 53 && (rule.kind === 'keyword' || rule.kind === 'builtin-rule') && ATTACHMENT_WORD_SET.has(rule.pattern)) {
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword?.id === 23) return byWord(23, keyword);
  }
  if (id === 52 && (rule.kind === 'keyword' || (rule.kind === 'builtin-rule' && (GENERIC_RULE_NAMES.has(rule.name) || SPAM_WORD_SET.has(rule.pattern))))) {
    const source = matcher.foundIndex(G_MESSAGE_SUBJECT) >= 0 ? undefined : sourceNamed(matcher, text, rule.pattern, code);
    if (source) return byWord(51, source);
  }
  // A refusal of the recipient (a block, or a policy code at RCPT) for a dormant mailbox ("blocked
  // due to inactivity", "Recipient address rejected: Inactive") says the recipient is gone.
  if (id === 50 && (rule.kind === 'builtin-rule' ? BLOCKED_WORD_SET.has(rule.pattern) : rule.kind !== 'keyword' && rule.stage === 'rcpt')) {
    const dormant = matcher.found(G_DORMANT);
    if (dormant && matcher.foundIndex(G_SENDER_ACCOUNT) < 0) return byWord(10, dormant);
  }
  if (rule.kind !== 'builtin-rule' && rule.kind !== 'keyword') return undefined;
  if (code >= 400 && code < 500 && (id === 50 || (isBlockFamily(id) && (BLOCK_WORDS.has(rule.pattern) || NAME_WORD_SET.has(rule.pattern))))) {
    const keyword = keywordFound(matcher, permanentCode);
    const count = keyword !== undefined && RATE_WORD_SET.has(keyword.pattern) ? keyword : matcher.found(G_COUNT);
    if (count) return byWord(70, count);
  }
  if (id === 50 && BLOCKED_WORD_SET.has(rule.pattern)) {
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword !== undefined && isBlockFamily(keyword.id)) return byWord(keyword.id, keyword);
    // a refusal word that names the reason ("blocked because ... no PTR record") keeps the block
    const source = keyword?.id === 50 && !BLOCKED_WORD_SET.has(keyword.pattern) ? undefined : sourceNamed(matcher, text, rule.pattern, code);
    if (source) return byWord(51, source);
  }
  if (id === 51 && rule.pattern === 'banned' && matcher.foundIndex(G_SOURCE) < 0) {
    // what was banned: a file type or a virus (53), the content (52); the sending host, a
    // reputation word or "this message" (which a removal request also names) keep the block (51)
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword?.id === 53) return byWord(53, keyword);
    const subject = keyword === undefined || keyword.pattern === 'banned' || !isBlockFamily(keyword.id) ? matcher.found(G_MESSAGE_SUBJECT) : undefined;
    if (subject?.pattern === 'content') return byWord(52, subject);
  }
  // "Try again later" says only that the answer is temporary: a full mailbox, a size or a loop
  // named beside it says why (the labelling guide's rules 3 to 5 come before rule 6).
  if (id === 70 && rule.kind === 'builtin-rule' && DEFERRAL_RULE_NAMES.has(rule.name)) {
    const keyword = keywordFound(matcher, permanentCode);
    if (keyword !== undefined && (keyword.id === 22 || keyword.id === 23 || keyword.id === 40)) return byWord(keyword.id, keyword);
  }
  if (id === 51 && NAME_WORD_SET.has(rule.pattern) && matcher.foundIndex(G_SOURCE) < 0) {
    const own = matcher.found(G_SENDER_ACCOUNT);
    if (own !== undefined && SENDER_ADDRESS_SET.has(own.pattern)) return byWord(50, own);
  }
  return undefined;
}
