/**
 * Phrase rules: the legacy override format (`domain,bounce_code,rule`), structured rules, and the
 * compiled one-pass matcher over all of them (literal pieces in one Aho-Corasick automaton,
 * wildcard rules verified in order as their pieces are found).
 */

import { Automaton } from './aho-corasick.js';
import { SmtpErrorsError } from './errors.js';

/**
 * A rule: when `pattern` occurs in the reply text (case-insensitively, anywhere), classify as `id`.
 * A `|` in the pattern is a wildcard (any text, possibly empty, between the pieces, in order).
 * With `domain`, the rule applies only when classifying for that recipient domain.
 *
 * @example
 * ```ts
 * addRule({ domain: 'example.com', pattern: 'mailbox|not found', id: 10 });
 * ```
 * @see RFC 5321 §4.2
 */
export interface RuleInit {
  readonly pattern: string;
  readonly id: number;
  readonly domain?: string | undefined;
}

/**
 * Which layer a rule belongs to, in precedence order: `domain`, `user`, `builtin`.
 *
 * @example
 * ```ts
 * const mine = classifier.rules().filter((r) => r.layer !== 'builtin');
 * ```
 * @see RFC 5321 §4.2
 */
export type RuleLayer = 'domain' | 'user' | 'builtin';

/** @internal A stored rule. */
export interface StoredRule {
  readonly layer: RuleLayer;
  readonly id: number;
  readonly pattern: string;
  /** Lower-cased domain, for domain rules. */
  readonly domain: string | undefined;
  /** Case-folded literal pieces, empty pieces dropped. */
  readonly pieces: readonly string[];
  /** Name of a built-in rule (e.g. `gmail-no-such-user`). */
  readonly name: string | undefined;
}

/** Case folding used for rules and text alike. */
export function fold(text: string): string {
  return text.toLowerCase();
}

/** @internal Validates and stores a rule. */
export function makeRule(init: RuleInit, layer: RuleLayer, name?: string): StoredRule {
  if (typeof init !== 'object' || init === null) {
    throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', 'a rule must be an object { pattern, id, domain? }');
  }
  if (typeof init.pattern !== 'string') throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', 'rule pattern must be a string');
  const pieces = fold(init.pattern)
    .split('|')
    .filter((p) => p.length > 0);
  if (pieces.length === 0) {
    throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', `rule pattern ${JSON.stringify(init.pattern)} has no literal text`);
  }
  const domain = init.domain === undefined || init.domain === '' ? undefined : fold(init.domain.trim());
  return {
    layer: domain !== undefined && layer === 'user' ? 'domain' : layer,
    id: init.id,
    pattern: init.pattern,
    domain,
    pieces,
    name,
  };
}

/**
 * Parses rules in the legacy override file format: one `domain,bounce_code,rule` per line; an
 * empty domain makes the rule global; the rule is everything after the second comma (so it may
 * contain commas); `|` is a wildcard. Blank lines and lines starting with `#` are skipped, CRLF
 * and LF both end a line.
 *
 * @example
 * ```ts
 * parseRules(',10,no such user here\nexample.com,22,quota|exceeded');
 * // [{ pattern: 'no such user here', id: 10 }, { domain: 'example.com', pattern: 'quota|exceeded', id: 22 }]
 * ```
 * @see RFC 5321 §4.2
 */
export function parseRules(text: string): RuleInit[] {
  const out: RuleInit[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const c1 = line.indexOf(',');
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    if (c2 < 0) {
      throw new SmtpErrorsError('ERR_SMTP_RULE_SYNTAX', `line ${n + 1}: expected domain,bounce_code,rule`, n + 1);
    }
    const domain = line.slice(0, c1).trim();
    const codeText = line.slice(c1 + 1, c2).trim();
    const pattern = line.slice(c2 + 1);
    if (!/^\d{1,5}$/.test(codeText)) {
      throw new SmtpErrorsError('ERR_SMTP_RULE_SYNTAX', `line ${n + 1}: bounce_code ${JSON.stringify(codeText)} is not a number`, n + 1);
    }
    if (pattern.split('|').every((p) => p.length === 0)) {
      throw new SmtpErrorsError('ERR_SMTP_RULE_SYNTAX', `line ${n + 1}: empty rule`, n + 1);
    }
    out.push(domain === '' ? { pattern, id: Number(codeText) } : { domain, pattern, id: Number(codeText) });
  }
  return out;
}

/** @internal The result of matching: the winning rule, or undefined. */
export class RuleMatcher {
  readonly #rules: readonly StoredRule[];
  readonly #automaton: Automaton;
  /** For each literal: flat pairs (rule index, piece index). */
  readonly #occurrences: Int32Array[];
  readonly #progress: Int32Array;
  readonly #lastEnd: Int32Array;
  readonly #generation: Int32Array;
  readonly #hintStart: number;
  #gen = 0;
  /** After `match`: the index (among the hints) of the first-listed hint seen, or -1. */
  hint = -1;

  /**
   * `rules` must be in precedence order (index = rank). `hints` are single-literal markers matched
   * in the same pass; they never win, and are only reported (through `hint`) when no rule matched.
   */
  constructor(rules: readonly StoredRule[], hints: readonly StoredRule[] = []) {
    this.#hintStart = rules.length;
    rules = [...rules, ...hints];
    this.#rules = rules;
    const literalIds = new Map<string, number>();
    const occ: number[][] = [];
    rules.forEach((rule, r) => {
      rule.pieces.forEach((piece, p) => {
        let id = literalIds.get(piece);
        if (id === undefined) {
          id = occ.length;
          literalIds.set(piece, id);
          occ.push([]);
        }
        occ[id]!.push(r, p);
      });
    });
    this.#automaton = new Automaton([...literalIds.keys()]);
    this.#occurrences = occ.map((o) => Int32Array.from(o));
    this.#progress = new Int32Array(rules.length);
    this.#lastEnd = new Int32Array(rules.length);
    this.#generation = new Int32Array(rules.length);
  }

  get size(): number {
    return this.#hintStart;
  }

  /**
   * One pass over the text (case folding is built into the automaton's alphabet); returns the matching rule of lowest rank that applies to
   * `domain` (folded), or undefined.
   */
  match(folded: string, domain: string | undefined): StoredRule | undefined {
    const rules = this.#rules;
    this.hint = -1;
    if (rules.length === 0) return undefined;
    const hintStart = this.#hintStart;
    let bestHint = 0x7fffffff;
    const { charClass, delta, own, dict, width, lengths } = this.#automaton;
    const occurrences = this.#occurrences;
    const progress = this.#progress;
    const lastEnd = this.#lastEnd;
    const generation = this.#generation;
    const gen = ++this.#gen;
    if (gen === 0x7fffffff) {
      generation.fill(0);
      this.#gen = 1;
    }
    let best = 0x7fffffff;
    let s = 0;
    const n = folded.length;
    for (let i = 0; i < n; i++) {
      const v = delta[s + charClass[folded.charCodeAt(i)]!]!;
      if (v >= 0) {
        s = v;
        continue;
      }
      s = -v - 1;
      const state = s / width;
      let t = own[state]! >= 0 ? state : dict[state]!;
      while (t >= 0) {
        const lit = own[t]!;
        const list = occurrences[lit]!;
        const start = i - lengths[lit]! + 1;
        for (let k = 0; k < list.length; k += 2) {
          const r = list[k]!;
          if (r >= best) break;
          if (r >= hintStart) {
            if (r < bestHint) bestHint = r;
            break;
          }
          const rule = rules[r]!;
          if (rule.domain !== undefined && rule.domain !== domain) continue;
          const pieces = rule.pieces.length;
          if (pieces === 1) {
            best = r;
            break;
          }
          if (generation[r] !== this.#gen) {
            generation[r] = this.#gen;
            progress[r] = 0;
            lastEnd[r] = 0;
          }
          if (progress[r] === list[k + 1] && start >= lastEnd[r]!) {
            progress[r]!++;
            lastEnd[r] = i + 1;
            if (progress[r] === pieces) {
              best = r;
              break;
            }
          }
        }
        t = dict[t]!;
      }
    }
    if (best === 0x7fffffff) {
      if (bestHint !== 0x7fffffff) this.hint = bestHint - hintStart;
      return undefined;
    }
    return rules[best];
  }
}
