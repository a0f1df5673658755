/**
 * The classifier: a class registry plus layered rules, evaluated in a fixed precedence:
 * domain rules, user rules, built-in phrase rules, enhanced status code, reply code.
 */

import { actionFor, type BounceAction } from './action.js';
import { BOUNCE_CATEGORIES, BUILTIN_CLASSES, MAX_CLASS_ID, type BounceCategory, type BounceClass } from './classes.js';
import { BUILTIN_RULES, CONNECTION_RULE_NAMES, EXPIRY_RULE_NAMES, GENERIC_RULE_NAMES } from './builtin-rules.js';
import { AUTH_REPLY_CODES, byReplyClass, quotaCodeRefused, refineByStage, replyCodeAtStage, replyCodeClass, SERVER_TEMPORARY_CODES, specificEnhanced } from './code-decisions.js';
import { enhancedClass } from './enhanced-codes.js';
import { PROVIDER_CODES, providerCodeFrom, type ProviderCode, type ProviderCodeInit } from './provider-codes.js';
import { SmtpErrorsError } from './errors.js';
import { collapseSpace, NEED_CODE, NEED_ENHANCED, normalizeStructured, packEnhanced, truncateUtf8, unpackEnhanced, type ReplyInput } from './reply-input.js';
import { AUTH_MECHANISMS, GONE_WORD_SET, isBlockFamily, isRefusalWord, NAME_WORD_SET, RATE_WORD_SET } from './keywords.js';
import { otherSpellings } from './spellings.js';
import { stageOfHint, type SmtpStage } from './stage-hints.js';
import { decidedByWord, G_BLOCK_KEYWORD, G_CARRIER, G_HINT, G_NON_BOUNCE, G_POLICY, G_SENDER_ACCOUNT, GROUPS, keywordFound, readWords } from './word-readings.js';
import { fold, makeRule, parseRules, RuleMatcher, type RuleInit, type StoredRule } from './rules.js';
import { isBytes, isIterableObject, typeName, isOptionsObject } from '@smtpkit/foundation';

/**
 * Whether a word family of class `word` leaves a reply code that the SMTP stage refined as it is: a
 * generic refusal ("rejected") says no more than the stage, and recipient words at MAIL FROM are
 * the sender's (after the data too, at a Japanese carrier: see `CARRIER_RULES`). Any other family
 * (quota, size, relay, a block list, DNS, a deferral) names the failure better than the stage does.
 */
function stageKeeps(stage: SmtpStage, word: number, matcher: RuleMatcher): boolean {
  // a refusal that names the sender ("Sender refused") at RCPT TO is the sender's, as MTAs that
  // check the sender when the recipient arrives (Postfix's smtpd_delay_reject) refuse it there
  if (word === 50) return stage !== 'rcpt' || matcher.found(G_SENDER_ACCOUNT) === undefined;
  return word === 10 && (stage === 'mail' || (stage === 'data' && matcher.found(G_CARRIER) !== undefined));
}

/**
 * Whether a code decision is refined by no stage, or by one the words do not keep (a recipient word
 * after the data): then the words may say more than the code.
 */
function stageSaysLittle(stage: SmtpStage | undefined, matcher: RuleMatcher, permanentCode: boolean): boolean {
  return stage === undefined || !stageKeeps(stage, keywordFound(matcher, permanentCode)?.id ?? 50, matcher);
}

/**
 * What decided a classification, so an operator can see why.
 *
 * @example
 * ```ts
 * const { rule } = classify('550 5.1.1 user unknown');
 * if (rule.kind === 'builtin-rule') console.log(rule.name, rule.pattern); // user-unknown, user unknown
 * ```
 *
 * A `provider-code` is a code a mail provider documents (`554 HL:IHU`, `XGEMAIL_0004`, `BL000001`,
 * `net 009`; see `PROVIDER_CODES`), or one added with the `providerCodes` option: it decides before
 * the built-in phrases and the status codes.
 *
 * A built-in rule's `stage` is set when the stage changed the answer: an invalid-recipient wording
 * in a permanent reply to MAIL FROM or to the message data is a block (50), since the recipient
 * had been accepted (or not yet named) at that point.
 * @see RFC 3463 §2
 */
export type DecidedBy =
  | { readonly kind: 'domain-rule'; readonly domain: string; readonly pattern: string }
  | { readonly kind: 'user-rule'; readonly pattern: string }
  | { readonly kind: 'builtin-rule'; readonly name: string; readonly pattern: string; readonly stage?: SmtpStage }
  | { readonly kind: 'enhanced-code'; readonly code: string; readonly stage: SmtpStage | undefined }
  | { readonly kind: 'reply-code'; readonly code: number; readonly stage: SmtpStage | undefined }
  | { readonly kind: 'keyword'; readonly pattern: string }
  | { readonly kind: 'provider-code'; readonly provider: string; readonly code: string }
  | { readonly kind: 'fallback'; readonly overruled: DecidedBy; readonly overruledId: number }
  | { readonly kind: 'none' };

/**
 * What a {@link ClassifierOptions.fallback} receives: the reply's text (as examined: truncated to
 * `maxTextBytes` or `length`, white space collapsed), its codes, and the rules' weak answer.
 *
 * @example
 * ```ts
 * const fallback = (r: FallbackInput) => (r.replyCode === 550 && r.text.includes('unrouteable') ? 10 : undefined);
 * ```
 * @see RFC 5321 §4.2
 */
export interface FallbackInput {
  readonly text: string;
  readonly replyCode: number | undefined;
  readonly enhancedCode: string | undefined;
  /** The class the rules chose. */
  readonly id: number;
  /** What decided it: `reply-code`, `enhanced-code` or `none`. */
  readonly rule: DecidedBy;
}

/**
 * A fallback for weak decisions: returns a registered class id, or `undefined` to keep the rules'
 * answer. See {@link ClassifierOptions.fallback}.
 *
 * @example
 * ```ts
 * const fallback: ClassifyFallback = (r) => (r.text.includes('try again later') ? 70 : undefined);
 * ```
 * @see RFC 5321 §4.2
 */
export type ClassifyFallback = (reply: FallbackInput) => number | undefined;

/**
 * The result of `classify`: the class (id, name, description, category), whether retrying the
 * same message may succeed, what decided it, and the codes found in the reply.
 *
 * `transient` is derived as follows: `false` for the `hard` and `admin` categories; otherwise
 * `true` when the reply is a 4xx (reply code 4xx, or enhanced code 4.x.x when there is no reply
 * code), `false` when it is a 5xx, and `true` when the reply carries no code at all.
 *
 * Results are frozen (and so is `rule`). Two replies decided by the same rule with the same codes
 * may return the very same object: compare fields, not identity.
 *
 * @example
 * ```ts
 * const c = classify('452 4.2.2 Mailbox full');
 * // { id: 22, name: 'Mailbox Full', category: 'soft', transient: true, rule: { kind: 'builtin-rule', ... } }
 * ```
 * @see RFC 5321 §4.2.1, RFC 3463 §3.1
 */
export interface Classification {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly category: BounceCategory;
  readonly transient: boolean;
  /**
   * What a bounce handler should do: the one field to switch on. See {@link BounceAction} and
   * {@link actionFor}.
   */
  readonly action: BounceAction;
  readonly rule: DecidedBy;
  /** The reply code found (structural input, or the first one in the text). */
  readonly replyCode: number | undefined;
  /** The enhanced status code found, as `"5.1.1"`. */
  readonly enhancedCode: string | undefined;
}

/**
 * Options for one `classify` call.
 *
 * @example
 * ```ts
 * classify(reply, { domain: 'example.com', length: 512 });
 * ```
 * @see RFC 5321 §4.2
 */
export interface ClassifyOptions {
  /** The recipient domain: enables the domain rules registered for it (case-insensitive). */
  readonly domain?: string | undefined;
  /** Classify only the first `length` bytes (UTF-8) of the reply: the legacy `_len` variant. */
  readonly length?: number | undefined;
}

/**
 * A custom class to register.
 *
 * @example
 * ```ts
 * createClassifier({ classes: [{ id: 99, name: 'Profanity', description: 'Rejected for language.', category: 'block' }] });
 * ```
 * @see RFC 3463 §3
 */
export interface ClassInit {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly category: BounceCategory;
}

/**
 * Limits of a classifier.
 *
 * @example
 * ```ts
 * createClassifier({ limits: { maxTextBytes: 4096 } });
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export interface ClassifierLimits {
  /**
   * Only the first `maxTextBytes` UTF-8 bytes of a reply are examined. RFC 5321 §4.5.3.1.5 caps a
   * reply line at 512 octets; multi-line replies and DSN diagnostic text are longer, so the default
   * is 64 KiB (the legacy `bounce_error_classify2` used 8192).
   */
  readonly maxTextBytes: number;
  /**
   * Entries kept in the per-instance result cache (0 disables it). Default 16,384, the legacy
   * `bounce_cache_size`; only replies up to 512 characters (domain included) are cached, so the
   * default cache holds at most about 20 MiB.
   */
  readonly cacheSize: number;
}

/**
 * Default limits: 64 KiB of text per reply, a cache of 16,384 results (the legacy `bounce_cache_size`;
 * replies up to 512 characters). Classification is linear and fast without it.
 *
 * @example
 * ```ts
 * createClassifier({ limits: { ...DEFAULT_LIMITS, cacheSize: 0 } }); // no cache
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export const DEFAULT_LIMITS: ClassifierLimits = Object.freeze({ maxTextBytes: 65536, cacheSize: 16384 });

/**
 * Options of `createClassifier`.
 *
 * @example
 * ```ts
 * createClassifier({ rules: ',10,no such person here', builtinRules: true });
 * createClassifier({ providerCodes: [{ code: 'RX-0042', provider: 'example-mx', id: 51 }] });
 * ```
 * @see RFC 5321 §4.2
 */
export interface ClassifierOptions {
  /** Custom classes registered before the provider codes and the rules are added. */
  readonly classes?: readonly ClassInit[] | undefined;
  /** Rules: text in the legacy `domain,bounce_code,rule` format, or structured rules. */
  readonly rules?: string | readonly RuleInit[] | undefined;
  /** Include the built-in phrase rules (default true). */
  readonly builtinRules?: boolean | undefined;
  readonly limits?: Partial<ClassifierLimits> | undefined;
  /**
   * Provider codes of your own, read like the built-in `PROVIDER_CODES` (exactly, wherever the code
   * stands alone in a reply) and decided after the domain and user rules. An entry with the same
   * code as a built-in one replaces it. A value that is not an array throws
   * `ERR_SMTP_INVALID_OPTION`; a bad entry `ERR_SMTP_PROVIDER_CODE_INVALID` (or, for its class id,
   * `ERR_SMTP_CLASS_INVALID_ID` and `ERR_SMTP_CLASS_UNKNOWN`, as for rules). See {@link ProviderCodeInit}.
   */
  readonly providerCodes?: readonly ProviderCodeInit[] | undefined;
  /**
   * Consulted only when the rules decided weakly: by the reply code alone (`rule.kind`
   * `reply-code`), the enhanced code alone (`enhanced-code`), or nothing (`none`). A registered class
   * id other than the rules' one replaces it, and `rule` becomes `{ kind: 'fallback', overruled,
   * overruledId }` (the codes found stay in `replyCode` and `enhancedCode`). Anything else it returns,
   * and anything it throws, is ignored: the rules' answer stands and `classify` never throws. Results
   * are cached, so it should be a pure function of its input. `smtp-errors/learned` provides one; a
   * value that is not a function throws `ERR_SMTP_INVALID_OPTION`.
   */
  readonly fallback?: ClassifyFallback | undefined;
}

function checkId(id: unknown, what: string): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_CLASS_ID) {
    throw new SmtpErrorsError('ERR_SMTP_CLASS_INVALID_ID', `${what} must be an integer from 1 to ${MAX_CLASS_ID}, got ${String(id)}`);
  }
  return id;
}

/** `value` as a list option (an array or another iterable, not a string, a typed array or a DataView); else `ERR_SMTP_INVALID_OPTION`. */
function listOption(value: unknown, name: string): Iterable<unknown> {
  if (!isIterableObject(value)) throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', `${name} must be a list, got ${typeName(value)}`);
  return value;
}

/**
 * Only replies (plus the domain) up to this many UTF-16 units are cached, so the cache's memory stays
 * bounded: at the default 16,384 entries, keys take at most about 16 MiB (8 MiB for Latin-1 text).
 */
const CACHEABLE_LENGTH = 512;

const BUILTIN_BY_ID = new Map(BUILTIN_CLASSES.map((c) => [c.id, c]));
const WRITTEN: ReadonlySet<string> = new Set(BUILTIN_RULES.map((r) => r.pattern));

/** The built-in rules as written (what `rules()` lists). */
const BUILTIN_WRITTEN: readonly StoredRule[] = BUILTIN_RULES.map((r) => makeRule(r, 'builtin', r.name));
/** What the matcher runs: each written rule, then its other spellings under the same name. */
const BUILTIN_STORED: readonly StoredRule[] = BUILTIN_RULES.flatMap((r, k) => [BUILTIN_WRITTEN[k]!, ...otherSpellings(r.pattern, WRITTEN).map((pattern) => makeRule({ ...r, pattern }, 'builtin', r.name))]);
const UNDETERMINED = BUILTIN_BY_ID.get(1)!;
const DECIDED_NONE: DecidedBy = Object.freeze({ kind: 'none' });
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Bits of a built-in rule's name: one of `CONNECTION_RULE_NAMES`, `EXPIRY_RULE_NAMES`, `GENERIC_RULE_NAMES`. */
const TRAIT_CONNECTION = 1;
const TRAIT_EXPIRY = 2;
const TRAIT_GENERIC = 4;

/** The `TRAIT_*` bits of `rule` (a built-in rule's name in each set; 0 for any other rule). */
function traitsOf(rule: StoredRule): number {
  const name = rule.layer === 'builtin' ? rule.name : undefined;
  if (name === undefined) return 0;
  return (CONNECTION_RULE_NAMES.has(name) ? TRAIT_CONNECTION : 0) | (EXPIRY_RULE_NAMES.has(name) ? TRAIT_EXPIRY : 0) | (GENERIC_RULE_NAMES.has(name) ? TRAIT_GENERIC : 0);
}

/** The (frozen, shared) record of what decided a classification when `rule` won. */
function decidedByRule(rule: StoredRule): DecidedBy {
  if (rule.layer === 'domain') return Object.freeze({ kind: 'domain-rule', domain: rule.domain ?? '', pattern: rule.pattern });
  if (rule.layer === 'user') return Object.freeze({ kind: 'user-rule', pattern: rule.pattern });
  return Object.freeze({ kind: 'builtin-rule', name: rule.name ?? '', pattern: rule.pattern });
}
const BUILTIN_DECIDED: readonly DecidedBy[] = BUILTIN_STORED.map(decidedByRule);
const PROVIDER_DECIDED = new WeakMap<ProviderCode, DecidedBy>();
const BUILTIN_CODE_TEXTS: readonly string[] = PROVIDER_CODES.map((c) => c.code);

/** The (frozen, shared) record of a provider code's decision. */
function providerDecided(code: ProviderCode): DecidedBy {
  let decided = PROVIDER_DECIDED.get(code);
  if (decided === undefined) {
    decided = Object.freeze({ kind: 'provider-code', provider: code.provider, code: code.code });
    PROVIDER_DECIDED.set(code, decided);
  }
  return decided;
}

/**
 * An independent classifier: its own class registry, rules and cache. Nothing is shared between
 * instances; the module-level functions use a separate default instance.
 *
 * @example
 * ```ts
 * const c = createClassifier();
 * c.registerClass(99, 'Profanity', 'Rejected for language.', 'block');
 * c.addRules('example.com,99,watch your language');
 * c.classify('550 watch your language', { domain: 'example.com' }).id; // 99
 * ```
 * @see RFC 5321 §4.2, RFC 3463 §3
 */
export class Classifier {
  readonly #classes = new Map<number, BounceClass>(BUILTIN_BY_ID);
  readonly #userRules: StoredRule[] = [];
  readonly #builtin: boolean;
  readonly #limits: ClassifierLimits;
  readonly #cache = new Map<string, Classification>();
  #matcher: RuleMatcher | undefined;
  /** What decided, per rule rank of the current matcher. */
  #decided: readonly DecidedBy[] = [];
  /** Per rule rank of the current matcher: the `TRAIT_*` bits of a built-in rule's name (0 for the others). */
  #traits = new Uint8Array(0);
  readonly #enhancedTexts = new Map<number, string>();
  /**
   * Per rule rank: the last result that rule decided, with its codes. A reply decided by the same
   * rule with the same codes gets that same frozen object back (equal in every field, so this
   * changes nothing observable but identity).
   */
  #lastByRank: (Classification | undefined)[] = [];
  #lastCode = new Int32Array(0);
  #lastEnhanced = new Int32Array(0);
  /** The provider codes read (the options' own, then the built-in ones they do not replace). */
  readonly #providerCodes: readonly ProviderCode[] = PROVIDER_CODES;
  readonly #providerCodeTexts: readonly string[] = BUILTIN_CODE_TEXTS;
  readonly #fallback: ClassifyFallback | undefined;

  constructor(options: ClassifierOptions = {}) {
    if (!isOptionsObject(options)) throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'createClassifier options must be an object');
    // each option read once: a getter or a Proxy could pass a check and answer otherwise the next time
    const { limits: given, builtinRules, classes: classList, rules: ruleList, fallback, providerCodes } = options;
    if (given !== undefined && !isOptionsObject(given)) {
      throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'limits must be an object { maxTextBytes?, cacheSize? }');
    }
    if (builtinRules !== undefined && typeof builtinRules !== 'boolean') {
      throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'builtinRules must be a boolean');
    }
    const classes: Iterable<unknown> = classList === undefined ? [] : listOption(classList, 'classes');
    const rules: string | Iterable<unknown> = ruleList === undefined || typeof ruleList === 'string' ? (ruleList ?? []) : listOption(ruleList, 'rules');
    const limits = { ...DEFAULT_LIMITS, ...given };
    for (const key of ['maxTextBytes', 'cacheSize'] as const) {
      const v = limits[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', `limits.${key} must be a non-negative integer`);
      }
    }
    this.#limits = Object.freeze(limits);
    this.#builtin = builtinRules ?? true;
    if (fallback !== undefined && typeof fallback !== 'function') throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'fallback must be a function');
    this.#fallback = fallback;
    for (const c of classes) {
      if (!isOptionsObject(c)) throw new SmtpErrorsError('ERR_SMTP_CLASS_INVALID', 'a class must be an object { id, name, description, category }');
      const init = c as ClassInit;
      this.registerClass(init.id, init.name, init.description, init.category);
    }
    if (providerCodes !== undefined) {
      this.#providerCodes = this.#withProviderCodes(providerCodes);
      this.#providerCodeTexts = this.#providerCodes.map((c) => c.code);
    }
    if (typeof rules === 'string') this.addRules(rules);
    else for (const r of rules) this.addRule(r as RuleInit);
  }

  /** The limits in force. */
  get limits(): ClassifierLimits {
    return this.#limits;
  }

  /** Throws `ERR_SMTP_CLASS_UNKNOWN` when class `id`, which `what` names, is not registered. */
  #needRegistered(id: number, what: string): void {
    if (!this.#classes.has(id)) throw new SmtpErrorsError('ERR_SMTP_CLASS_UNKNOWN', `${what} names class ${id}, which is not registered`);
  }

  /** The built-in provider codes with `list` (checked) added, its entries replacing same-text ones. */
  #withProviderCodes(list: unknown): readonly ProviderCode[] {
    if (!Array.isArray(list)) throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'providerCodes must be an array of provider codes');
    const own = new Map<string, ProviderCode>();
    for (const entry of list as unknown[]) {
      const code = providerCodeFrom(entry);
      checkId(code.id, `provider code ${code.code} class id`);
      this.#needRegistered(code.id, `provider code ${code.code}`);
      if (own.has(code.code)) throw new SmtpErrorsError('ERR_SMTP_PROVIDER_CODE_INVALID', `provider code ${code.code} is listed twice`);
      own.set(code.code, code);
    }
    return Object.freeze([...own.values(), ...PROVIDER_CODES.filter((c) => !own.has(c.code))]);
  }

  /**
   * Classifies a reply (string, bytes, or structural reply). Never throws for any reply content.
   *
   * @example
   * ```ts
   * classifier.classify('host mx.example.com said: 550 5.1.1 <a@example.com>: User unknown (in reply to RCPT TO command)');
   * ```
   * @see RFC 5321 §4.2, RFC 3463 §2
   */
  classify(response: ReplyInput, options?: ClassifyOptions): Classification {
    let length: number | undefined;
    let domain: string | undefined;
    // options are read once each; what is not an object (a string's `length`) is no options
    if (typeof options === 'object' && options !== null) {
      length = options.length;
      const d: unknown = options.domain;
      domain = typeof d === 'string' && d !== '' ? fold(d.trim()) : undefined;
    }
    const maxBytes = this.#limits.maxTextBytes;
    // A length that is not a non-negative number is ignored (the whole reply, up to maxTextBytes).
    const limit = typeof length === 'number' && length >= 0 ? Math.min(Math.floor(length), maxBytes) : maxBytes;
    const useCache = this.#limits.cacheSize > 0 && typeof response === 'string' && response.length + (domain?.length ?? 0) <= CACHEABLE_LENGTH;
    let key = '';
    if (useCache) {
      // Exact: the bytes examined, then the domain prefixed by its length (it may hold any
      // character), then the text; so two calls share a key only when they decide alike.
      key = `${limit}\u0000${domain === undefined ? '-' : `${domain.length}:${domain}`}\u0000${response}`;
      const hit = this.#cache.get(key);
      if (hit) {
        this.#cache.delete(key);
        this.#cache.set(key, hit);
        return hit;
      }
    }
    let text: string | undefined;
    let ascii: Uint8Array | undefined;
    let code = -1;
    let enhanced = -1;
    let need = NEED_CODE | NEED_ENHANCED;
    const matcher = this.#getMatcher();
    let matched: StoredRule | undefined;
    if (typeof response === 'string') {
      text = truncateUtf8(response, limit);
    } else if (isBytes(response)) {
      const bytes = response.length > limit ? response.subarray(0, limit) : response;
      // ASCII input is matched as it is; anything else is decoded first.
      if (matcher.matchAscii(bytes, bytes.length, domain, need)) {
        matched = matcher.matched;
        ascii = bytes;
      } else text = decoder.decode(bytes);
    } else {
      const reply = normalizeStructured(response, limit);
      text = reply.text;
      if (reply.code !== undefined) {
        code = reply.code;
        need &= ~NEED_CODE;
      }
      if (reply.enhanced !== undefined) {
        enhanced = packEnhanced(reply.enhanced);
        need &= ~NEED_ENHANCED;
      }
    }
    if (text !== undefined) {
      matched = matcher.matchText(text, domain, need);
      text = matcher.text;
    }
    if ((need & NEED_CODE) !== 0) code = matcher.codes[0]!;
    if ((need & NEED_ENHANCED) !== 0) enhanced = matcher.codes[1]!;
    let id = 1;
    let rule: DecidedBy = DECIDED_NONE;
    let specific: { id: number; entry: unknown } | undefined;
    const permanentCode = code >= 500 && code < 600;
    // The local MTA's connection wording gives way to a permanent reply the remote server sent.
    // So does the local MTA's connection or expiry wording under a security or policy code (X.7.x, RFC
    // 3463 §3.8): the remote server answered, and named a policy, not the network.
    // So does it in a temporary reply with both codes ("421 4.4.2 mx.example.com Error: timeout
    // exceeded"): a server that answered deferred the message, and the labelling guide's rule 6 makes
    // a 4xx reply a transient failure before rule 7 reads the local MTA's own connection wording.
    const policyCode = enhanced >= 0 && Math.floor(enhanced / 1000) % 1000 === 7;
    // Only the temporary reply codes a server sends (RFC 5321 §4.2.3, RFC 4954 §6): a local MTA's
    // own report of a failed connection can carry a made-up code ("426 connection timed out") to
    // which a bounce message appends its DSN status.
    const temporaryReply = enhanced >= 0 && SERVER_TEMPORARY_CODES.has(code);
    if (
      matched?.layer === 'builtin' &&
      matched.name !== undefined &&
      (permanentCode || policyCode || temporaryReply) &&
      ((this.#traits[matcher.rank]! & TRAIT_CONNECTION) !== 0 || ((policyCode || temporaryReply) && (this.#traits[matcher.rank]! & TRAIT_EXPIRY) !== 0))
    ) {
      matched = undefined;
    }
    // A documented provider code names the reason more precisely than any phrase or status code;
    // only the operator's own rules (domain and user rules) come before it.
    const provider = matcher.code < 0 || (matched !== undefined && matched.layer !== 'builtin') ? undefined : this.#providerCodes[matcher.code];
    if (provider) {
      id = provider.id;
      rule = providerDecided(provider);
    } else if (matched && !(matched.layer === 'builtin' && enhanced >= 0 && (specific = specificEnhanced(enhanced, matched, keywordFound(matcher, permanentCode), matcher.foundIndex(G_POLICY) >= 0, (this.#traits[matcher.rank]! & TRAIT_GENERIC) !== 0)))) {
      id = matched.id;
      rule = this.#decided[matcher.rank]!;
      // Generic refusal wording ("policy", "rejected") names no reason: a word family of what was
      // refused in the same text (the recipient, its quota, the size, the sender's reputation, spam,
      // a virus, relaying) does. DNS and connection words in a refusal describe the sender's setup
      // (a missing PTR record), so they do not count.
      if (id === 50 && matched.layer === 'builtin' && (this.#traits[matcher.rank]! & TRAIT_GENERIC) !== 0) {
        // Under a policy code (X.7.x) a recipient or quota word ("invalid HELO name") does not say
        // the recipient was refused: only a block-family word refines it (as in the else branch).
        const policy = enhanced >= 0 && Math.floor(enhanced / 1000) % 1000 === 7;
        let keyword = keywordFound(matcher, permanentCode);
        if (policy && keyword !== undefined && !isRefusalWord(keyword.id)) keyword = matcher.found(G_BLOCK_KEYWORD);
        if (keyword && (((keyword.id === 10 || keyword.id === 22 || keyword.id === 23) && !policy) || isBlockFamily(keyword.id))) {
          id = keyword.id;
          rule = decidedByWord(keyword);
        }
      }
      // A text with no code at all that names an automatic reply, a list notice or a challenge-response
      // request is not a bounce, whatever spam or block phrase it also holds ("my challenge-response
      // spam filter").
      if (code < 0 && enhanced < 0 && matched.layer === 'builtin' && id >= 50 && id <= 52) {
        const word = matcher.found(G_NON_BOUNCE);
        if (word) {
          id = word.id;
          rule = decidedByWord(word);
        }
      }
      // A DNS failure named next to a sender authentication mechanism (a DMARC, SPF or DKIM lookup) is
      // about the sender's records, not the recipient's domain: the sender's setup (50; 70 when 4xx).
      if (id === 21 && matched.layer === 'builtin') {
        const keyword = keywordFound(matcher, permanentCode);
        if (keyword?.id === 50 && AUTH_MECHANISMS.has(keyword.pattern)) {
          id = 50;
          rule = decidedByWord(keyword);
        }
      }
      // A quota phrase next to a word of the sender's own rate ("submission quota exceeded") is the
      // sender's limit, not the recipient's full mailbox.
      if (id === 22 && matched.layer === 'builtin') {
        const keyword = keywordFound(matcher, permanentCode);
        if (keyword !== undefined && RATE_WORD_SET.has(keyword.pattern)) {
          id = 70;
          rule = decidedByWord(keyword);
        }
      }
      // A connection failure that names a failed name lookup as its reason ("failed to connect ...
      // no MX records were found") is the DNS failure (21): the lookup came first.
      if (id === 24 && matched.layer === 'builtin') {
        const keyword = keywordFound(matcher, permanentCode);
        if (keyword?.id === 21) {
          id = 21;
          rule = decidedByWord(keyword);
        }
      }
      // A disabled or unknown account that the text says is the sender's own is a refusal of the sender.
      if (id === 10 && matched.layer === 'builtin') {
        const own = matcher.found(G_SENDER_ACCOUNT);
        if (own) {
          id = 50;
          rule = decidedByWord(own);
        }
      }
      if (id === 10 && matched.layer === 'builtin' && rule.kind === 'builtin-rule' && matcher.foundIndex(G_HINT) >= 0) {
        const stage = stageOfHint(matcher.foundIndex(G_HINT));
        const permanent = code >= 0 ? code >= 500 : enhanced >= 5_000_000;
        if (permanent && stage !== undefined && stageKeeps(stage, 10, matcher)) {
          id = 50;
          rule = Object.freeze({ kind: 'builtin-rule', name: matched.name ?? '', pattern: matched.pattern, stage });
        }
      }
    } else {
      const permanent = code >= 0 ? code >= 500 : enhanced >= 5_000_000;
      // a specific enhanced code that overrode generic wording decides like one found alone
      // (refined by the stage: a recipient code at MAIL FROM is a block)
      const byEnhanced = specific ?? (enhanced >= 0 ? enhancedClass(unpackEnhanced(enhanced)!) : undefined);
      if (byEnhanced) {
        const stage = stageOfHint(matcher.foundIndex(G_HINT));
        id = refineByStage(byEnhanced.id, stage, permanent);
        rule = Object.freeze({ kind: 'enhanced-code', code: this.#enhancedText(enhanced), stage });
      } else if (code >= 0) {
        const stage = stageOfHint(matcher.foundIndex(G_HINT));
        id = replyCodeAtStage(code, stage, permanent);
        rule = Object.freeze({ kind: 'reply-code', code, stage });
      }
      if (id === 1 && code < 0 && enhanced < 0) {
        const word = matcher.found(G_NON_BOUNCE);
        if (word) {
          id = word.id;
          rule = decidedByWord(word);
        }
      }
      // A bare reply code (no enhanced code) says little, and so does a network/routing enhanced
      // code (X.4.x) in a permanent reply the remote server did send: a word family says more.
      // So does an enhanced code with detail 0 ("other or undefined ... status", RFC 3463 §3.2):
      // it names only the subject. The policy subject (X.7.0) stays a block, refined below.
      const subject = Math.floor(enhanced / 1000) % 1000;
      const weak =
        // An enhanced code outside RFC 3463's subjects (5.9.9) reads as none: the reply code stands alone.
        // RFC 4954's 530/534/535/538 name the sender's authentication, not the recipient: not weak.
        (rule.kind === 'reply-code' && (enhanced < 0 || byEnhanced === undefined) && !AUTH_REPLY_CODES.has(code) && (id === replyCodeClass(code) || stageSaysLittle(rule.stage, matcher, permanentCode))) ||
        (rule.kind === 'enhanced-code' && code >= 500 && subject === 4) ||
        // 5.0.0 ("other undefined status", RFC 3463 §3.1) names neither subject nor detail: it says no
        // more than a bare 5yz reply code, and a stage refines it the same way (a temporary 4.0.0
        // keeps deciding a deferral, whatever connection wording the reply quotes)
        (rule.kind === 'enhanced-code' && enhanced === 5_000_000 && stageSaysLittle(rule.stage, matcher, permanentCode)) ||
        (rule.kind === 'enhanced-code' && rule.stage === undefined && enhanced % 1000 === 0 && subject !== 7 && subject !== 0) ||
        // X.1.2 (bad destination system) with no reply code is the local MTA's own account: its words
        // say whether the name did not resolve (21) or the address was refused.
        (rule.kind === 'enhanced-code' && code < 0 && subject === 1 && enhanced % 1000 === 2);
      // A block decided by a generic code (X.7.0, X.7.1, a bare 5xx) says only "refused": a
      // word of the block family (reputation 51, spam 52, virus 53, relay 54) says which refusal.
      const blockByCode = id === 50 && (rule.kind === 'enhanced-code' || rule.kind === 'reply-code');
      // Rate words (a sending quota, "per hour") are more explicit than any code: a rate limit.
      const byCode = rule.kind === 'enhanced-code' || rule.kind === 'reply-code';
      if (id === 40 || id === 1 || weak || blockByCode || byCode) {
        let keyword = keywordFound(matcher, permanentCode);
        // Rate words (a sending quota, a rate limit) name a rate limit under a generic policy code too.
        const rate = keyword !== undefined && RATE_WORD_SET.has(keyword.pattern);
        // Under a block decided by a code, the first block-family word says which refusal, even when a
        // recipient or temporary word comes earlier in the list ("account suspended due to abuse"); a
        // refusal word (the sender's DKIM, "rejected") that comes first still keeps the block as it is.
        if (blockByCode && !weak && !rate && keyword !== undefined && !isRefusalWord(keyword.id)) keyword = matcher.found(G_BLOCK_KEYWORD) ?? keyword;
        // A specific protocol or media code (X.5.n: a bad command or argument, RFC 3463 §3.6; X.6.n:
        // the content's form, §3.7) is about the dialogue or the message: a recipient, quota or size
        // word ("HELO argument is invalid", "invalid characters") does not rename it.
        const protocol = rule.kind === 'enhanced-code' && (subject === 5 || subject === 6) && enhanced % 1000 !== 0 && keyword !== undefined && (keyword.id === 10 || keyword.id === 22 || keyword.id === 23);
        // X.1.2 names the destination system: a DNS word says its name did not resolve (21).
        const system = rule.kind === 'enhanced-code' && subject === 1 && enhanced % 1000 === 2 && keyword?.id === 21;
        // Under a generic block, a size word says the message was refused for its size (the
        // labelling guide's rule 4 before rule 8: "5.7.0 Message Size Violation").
        // So does a gone account (rule 2 before rule 8: "550 5.7.1 Account closed"), unless the text
        // or the stage (a refusal of MAIL FROM) says it is the sender's own.
        const gone = keyword?.id === 10 && GONE_WORD_SET.has(keyword.pattern) && matcher.foundIndex(G_SENDER_ACCOUNT) < 0 && !('stage' in rule && rule.stage === 'mail');
        // A quota or size code whose words name only a refusal ("552 5.2.2 Rejected by policy").
        const refused = rule.kind === 'enhanced-code' && quotaCodeRefused(id, keyword, matcher.foundIndex(G_POLICY) >= 0);
        if (keyword && !protocol && (system || rate || refused || ((id === 40 || id === 1 || weak || blockByCode) && (!blockByCode || weak || gone || isBlockFamily(keyword.id) || keyword.id === 23 || keyword.id === 22 || keyword.id === 40)))) {
          id = keyword.id;
          rule = decidedByWord(keyword);
        }
      }
    }
    const read = readWords(id, rule, matcher, permanentCode, text ?? ascii!, code, enhanced);
    if (read) ({ id, rule } = read);
    id = byReplyClass(id, rule, code, enhanced);
    const fallback = this.#fallback;
    if (fallback && (rule.kind === 'reply-code' || rule.kind === 'enhanced-code' || rule.kind === 'none')) {
      let by: unknown;
      try {
        by = fallback({ text: text ?? collapseSpace(decoder.decode(ascii)), replyCode: code >= 0 ? code : undefined, enhancedCode: enhanced >= 0 ? this.#enhancedText(enhanced) : undefined, id, rule });
      } catch {
        // ignored: the rules' answer stands
      }
      if (typeof by === 'number' && by !== id && this.#classes.has(by)) {
        rule = Object.freeze({ kind: 'fallback', overruled: rule, overruledId: id });
        id = by;
      }
    }
    const byRank = rule === this.#decided[matcher.rank] ? matcher.rank : -1;
    if (byRank >= 0) {
      const last = this.#lastByRank[byRank];
      if (last !== undefined && this.#lastCode[byRank] === code && this.#lastEnhanced[byRank] === enhanced) {
        if (useCache) this.#remember(key, last);
        return last;
      }
    }
    const cls = this.#classes.get(id) ?? UNDETERMINED;
    const replyClass = code >= 0 ? Math.floor(code / 100) : enhanced >= 0 ? Math.floor(enhanced / 1_000_000) : 0;
    const transient = cls.category === 'hard' || cls.category === 'admin' ? false : replyClass !== 5;
    const result: Classification = {
      id: cls.id,
      name: cls.name,
      description: cls.description,
      category: cls.category,
      transient,
      action: actionFor(cls.id, cls.category, transient),
      rule,
      replyCode: code >= 0 ? code : undefined,
      enhancedCode: enhanced >= 0 ? this.#enhancedText(enhanced) : undefined,
    };
    Object.freeze(result);
    if (byRank >= 0) {
      this.#lastByRank[byRank] = result;
      this.#lastCode[byRank] = code;
      this.#lastEnhanced[byRank] = enhanced;
    }
    if (useCache) this.#remember(key, result);
    return result;
  }

  #remember(key: string, result: Classification): void {
    this.#cache.set(key, result);
    if (this.#cache.size > this.#limits.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }

  /** `"5.1.1"` for a packed enhanced code; the strings are kept (at most 1024 of them). */
  #enhancedText(packed: number): string {
    let text = this.#enhancedTexts.get(packed);
    if (text === undefined) {
      text = `${Math.floor(packed / 1_000_000)}.${Math.floor(packed / 1000) % 1000}.${packed % 1000}`;
      if (this.#enhancedTexts.size < 1024) this.#enhancedTexts.set(packed, text);
    }
    return text;
  }

  /**
   * The class registered under `id` (built-in or custom), or undefined.
   *
   * @example
   * ```ts
   * classifier.forId(10)?.name; // 'Invalid Recipient'
   * ```
   * @see RFC 3463 §3
   */
  forId(id: number): BounceClass | undefined {
    return this.#classes.get(id);
  }

  /**
   * Name and description of class `id`, or undefined when no such class exists.
   *
   * @example
   * ```ts
   * classifier.retrieveClass(22); // { name: 'Mailbox Full', description: '...' }
   * ```
   * @see RFC 3463 §3
   */
  retrieveClass(id: number): { readonly name: string; readonly description: string } | undefined {
    const c = this.#classes.get(id);
    return c ? { name: c.name, description: c.description } : undefined;
  }

  /**
   * Registers a custom class. A built-in id throws `ERR_SMTP_CLASS_BUILTIN`; an id already
   * registered with different values throws `ERR_SMTP_CLASS_EXISTS` unless `{ replace: true }`
   * (registering the same values again is a no-op). `options` that are not an object (a list
   * included) throw `ERR_SMTP_INVALID_OPTION`.
   *
   * @example
   * ```ts
   * classifier.registerClass(99, 'Profanity', 'Rejected for language.', 'block');
   * ```
   * @see RFC 3463 §3
   */
  registerClass(
    id: number,
    name: string,
    description: string,
    category: BounceCategory,
    options: { readonly replace?: boolean } = {},
  ): BounceClass {
    if (!isOptionsObject(options)) throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'registerClass options must be an object { replace? }');
    checkId(id, 'class id');
    if (BUILTIN_BY_ID.has(id)) {
      throw new SmtpErrorsError('ERR_SMTP_CLASS_BUILTIN', `class ${id} is built in (${BUILTIN_BY_ID.get(id)!.name}) and cannot be replaced`);
    }
    if (typeof name !== 'string' || name.trim() === '' || typeof description !== 'string') {
      throw new SmtpErrorsError('ERR_SMTP_CLASS_INVALID', 'a class needs a non-empty name and a description');
    }
    if (!BOUNCE_CATEGORIES.includes(category)) {
      throw new SmtpErrorsError('ERR_SMTP_CLASS_INVALID', `category must be one of ${BOUNCE_CATEGORIES.join(', ')}`);
    }
    const existing = this.#classes.get(id);
    if (existing && options.replace !== true) {
      if (existing.name === name && existing.description === description && existing.category === category) return existing;
      throw new SmtpErrorsError('ERR_SMTP_CLASS_EXISTS', `class ${id} is already registered as ${existing.name}`);
    }
    const cls: BounceClass = Object.freeze({ id, name, description, category, builtin: false });
    this.#classes.set(id, cls);
    this.#cache.clear();
    this.#lastByRank.fill(undefined);
    return cls;
  }

  /**
   * Every registered class, built-in and registered ones together, in id order.
   *
   * @example
   * ```ts
   * for (const c of classifier.classes()) console.log(c.id, c.name);
   * ```
   * @see RFC 3463 §3
   */
  classes(): BounceClass[] {
    return [...this.#classes.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Adds one rule. With `domain` it is a domain rule (highest precedence, only when classifying
   * for that domain); without, a user rule (above the built-in rules).
   *
   * @example
   * ```ts
   * classifier.addRule({ pattern: 'no such person|here', id: 10 });
   * ```
   * @see RFC 5321 §4.2
   */
  addRule(rule: RuleInit): void {
    const stored = makeRule(rule, 'user');
    checkId(stored.id, 'rule class id');
    this.#needRegistered(stored.id, `rule ${JSON.stringify(stored.pattern)}`);
    this.#userRules.push(stored);
    this.#matcher = undefined;
    this.#cache.clear();
  }

  /**
   * Adds rules in the legacy override format (`domain,bounce_code,rule` per line). All lines are
   * validated before any is added. Returns the number of rules added.
   *
   * @example
   * ```ts
   * classifier.addRules(',10,no such person\nexample.com,22,box|is full');
   * ```
   * @see RFC 5321 §4.2
   */
  addRules(text: string): number {
    const rules = parseRules(text);
    for (const r of rules) this.#needRegistered(r.id, `rule ${JSON.stringify(r.pattern)}`);
    for (const r of rules) this.addRule(r);
    return rules.length;
  }

  /**
   * The rules in precedence order (domain rules, user rules, built-in rules).
   *
   * @example
   * ```ts
   * console.log(classifier.rules().filter((r) => r.layer !== 'builtin'));
   * ```
   * @see RFC 5321 §4.2
   */
  rules(): { layer: 'domain' | 'user' | 'builtin'; pattern: string; id: number; domain?: string; name?: string }[] {
    return this.#ordered(BUILTIN_WRITTEN).map((r) => ({
      layer: r.layer,
      pattern: r.pattern,
      id: r.id,
      ...(r.domain !== undefined ? { domain: r.domain } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
    }));
  }

  /** The rules in precedence order; `builtin`: the matcher's (every spelling) or the written ones. */
  #ordered(builtin: readonly StoredRule[] = BUILTIN_STORED): StoredRule[] {
    return [
      ...this.#userRules.filter((r) => r.layer === 'domain'),
      ...this.#userRules.filter((r) => r.layer === 'user'),
      ...(this.#builtin ? builtin : []),
    ];
  }

  #forgetResults(ranks: number): void {
    this.#lastByRank = new Array<Classification | undefined>(ranks).fill(undefined);
    this.#lastCode = new Int32Array(ranks);
    this.#lastEnhanced = new Int32Array(ranks);
  }

  #getMatcher(): RuleMatcher {
    if (this.#matcher === undefined) {
      const ordered = this.#ordered();
      const user = this.#userRules.length;
      this.#decided = ordered.map((r, i) => (i >= user ? BUILTIN_DECIDED[i - user]! : decidedByRule(r)));
      this.#traits = Uint8Array.from(ordered, traitsOf);
      this.#matcher = new RuleMatcher(ordered, GROUPS, this.#providerCodeTexts, NAME_WORD_SET);
      this.#forgetResults(ordered.length);
    }
    return this.#matcher;
  }
}

/**
 * Creates an independent classifier (own classes, rules and cache).
 *
 * @example
 * ```ts
 * const c = createClassifier({ rules: 'example.com,22,box is full' });
 * ```
 * @see RFC 5321 §4.2
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  return new Classifier(options);
}
