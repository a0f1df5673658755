/**
 * Phrase rules: the legacy override format (`domain,bounce_code,rule`), structured rules, and the
 * compiled one-pass matcher over all of them (literal pieces in one Aho-Corasick automaton,
 * wildcard rules verified in order as their pieces are found).
 */

import { Automaton, canonicalLiteral, spelledOut } from './aho-corasick.js';
import { SmtpErrorsError } from './errors.js';
import { BLANK_UNITS, collapseSpace, isAlnum, scanCodeAt, scanCodeAtBytes } from './reply-input.js';
import { typeName } from '@smtpkit/foundation';

const NONE = 0x7fffffff;
/** A literal's record in `RuleMatcher`'s packed records: its id, length, flags (`LIT_*`), next record, end. */
const REC_LENGTH = 1;
const REC_FLAGS = 2;
const REC_NEXT = 3;
const REC_END = 4;
const REC_SIZE = 5;
/** Literal flags: a word that does not count inside names; the folded form of provider codes. */
const LIT_WORD = 1;
const LIT_CODES = 2;
/** An occurrence in a record: rule index, piece index, the rule's piece count, rule flags (`RULE_*`). */
const OCC_SIZE = 4;
/** Rule flags: built in (or a group member); a domain rule; the group (of a group member) above them. */
const RULE_BUILTIN = 1;
const RULE_DOMAIN = 2;
const RULE_GROUP_SHIFT = 2;
/** What a scan that stops at a unit `matchText` must collapse or spell out returns. */
const UNREAD = -2;
/** The units that make `matchText` collapse the text or spell it out: blanks, `ß` and `ẞ`. */
const UNREAD_UNITS = `${BLANK_UNITS}\u00df\u1e9e`;

/**
 * Whether UTF-16 unit (or byte) `c` can be part of a mailbox or host name as replies print them: an
 * ASCII letter or digit, `.`, `-`, `_`, `+` or `@`; and `/`, which joins a host name to a path or a
 * product's name (`F-Secure/virusgw_smtp/virusgw1.example.jp`, a URL).
 */
function isNameUnit(c: number): boolean {
  return isAlnum(c) || c === 0x2e || c === 0x2d || c === 0x5f || c === 0x2b || c === 0x40 || c === 0x2f;
}
/** The digits a reply code or enhanced code can start with: flagged in the automaton. */
const CODE_DIGITS = '245';
/** A local binding: the hot loop calls it without going through the module namespace. */
const scanAt = scanCodeAt;
const scanBytesAt = scanCodeAtBytes;

/**
 * A rule: when `pattern` occurs in the reply text (case-insensitively, anywhere; an accented Latin
 * letter matches its base letter and `_` a space), classify as `id`.
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

/**
 * Case folding used for rules and text alike. `İ` (Turkish capital dotted I) is `i`: `toLowerCase`
 * makes it `i` and a combining dot, which no text read by the automaton (where `İ` is `i`) holds.
 */
export function fold(text: string): string {
  return text.replace(/\u0130/g, 'i').toLowerCase();
}

/** @internal Validates and stores a rule. */
export function makeRule(init: RuleInit, layer: RuleLayer, name?: string): StoredRule {
  if (typeof init !== 'object' || init === null) {
    throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', 'a rule must be an object { pattern, id, domain? }');
  }
  // each field read once: a getter or a Proxy could pass the check and answer otherwise the next time
  const { pattern, domain: given, id } = init;
  if (typeof pattern !== 'string') throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', 'rule pattern must be a string');
  const pieces = fold(pattern)
    .split('|')
    .filter((p) => p.length > 0);
  if (pieces.length === 0) {
    throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', `rule pattern ${JSON.stringify(pattern)} has no literal text`);
  }
  if (given !== undefined && typeof given !== 'string') throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', 'rule domain must be a string');
  const domain = given === undefined || given === '' ? undefined : fold(given.trim());
  return {
    layer: domain !== undefined && layer === 'user' ? 'domain' : layer,
    id,
    pattern,
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
  if (typeof text !== 'string') throw new SmtpErrorsError('ERR_SMTP_RULE_INVALID', `rules text must be a string, got ${typeName(text)}`);
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

/**
 * @internal The one-pass matcher: the winning rule, for each group (word families, stage hints) the
 * first-listed member found, and the first provider code standing alone in the text, all from a
 * single scan of the text.
 */
export class RuleMatcher {
  readonly #rules: readonly StoredRule[];
  readonly #automaton: Automaton;
  /**
   * Every literal's record, packed in one array (see `REC_*`): its id, length, flags, the record of
   * the next literal ending at the same unit (a suffix of it), and its occurrences, four numbers
   * each (`OCC_*`), in rule index order. The slow path reads it instead of a dozen separate arrays.
   */
  readonly #records: Int32Array;
  /** Per rule index, three numbers: the pass (`#gen`) it was last touched in, its progress, and the end of its last piece. */
  readonly #progress: Int32Array;
  /** Index of the first group member: the competing rules are those below it. */
  readonly #groupStart: number;
  /** Per rule index at or above `#groupStart`: its group; per group: its first rule index. */
  readonly #groupOf: Int32Array;
  readonly #groupBase: Int32Array;
  /** Per group, during and after a match: the rule index of the first-listed member found, or NONE. */
  readonly #groupBest: Int32Array;
  /** The provider codes, exactly as a reply prints them. */
  readonly #codes: readonly string[];
  /** Per literal: the indexes of the provider codes it is the folded form of, or undefined. */
  readonly #codesOf: (Int32Array | undefined)[];
  /** During a match: the text being scanned and its length, for the provider codes' checks. */
  #source: string | Uint8Array = '';
  #sourceEnd = 0;
  /**
   * During a match: the end of the last run of name units looked at, and whether that run is a
   * mailbox or host name. Runs are looked at in text order, each once, so the checks stay linear.
   */
  #runEnd = 0;
  #runIsName = false;
  /** During a match: whether the text holds an ASCII lower-case letter (-1 until first asked). */
  #textHasLower = -1;
  #gen = 0;
  /** After `match`: the rank (index in precedence order) of the winning rule, or -1. */
  rank = -1;
  /**
   * After `match`: the index (in the constructor's `codes`) of the first provider code found standing
   * alone in the text, or -1. The first is the one that ends first; of two ending at the same unit,
   * the longer.
   */
  code = -1;
  /** After `match` with `need`: `[reply code, packed enhanced code]`, -1 when absent. */
  readonly codes = new Int32Array(2);

  /**
   * `rules` must be in precedence order (index = rank). `groups` are lists matched in the same pass
   * that never win: after a match, `found(g)` is the first-listed member of group `g` present in
   * the text (the stage hints, the word families). Domains of group members are ignored. `codes`
   * are provider codes (ASCII, distinct), found exactly (case included) where no ASCII letter or
   * digit touches them: their folded forms are literals of the same automaton, and each report of
   * one is checked against the text.
   *
   * With `nameWords`, a word found inside a mailbox or host name (`<bob@example.invalid>`,
   * `mx.relay.example`) does not count for the built-in rules and the group members: a name is not
   * wording. A literal counts there only when it holds something other than ASCII letters, digits,
   * `-` and `_` (a dotted name such as `groups.google.com/support` is meant to match a name), or
   * when it is one of `nameWords` (the names of block lists, read in their zones:
   * `zen.spamhaus.org`). The operator's domain and user rules match anywhere, as documented.
   */
  constructor(rules: readonly StoredRule[], groups: readonly (readonly StoredRule[])[] = [], codes: readonly string[] = [], nameWords?: ReadonlySet<string>) {
    this.#groupStart = rules.length;
    const all = [...rules, ...groups.flat()];
    this.#rules = all;
    this.#groupOf = new Int32Array(all.length).fill(-1);
    this.#groupBase = new Int32Array(groups.length);
    this.#groupBest = new Int32Array(groups.length).fill(NONE);
    let at = rules.length;
    groups.forEach((g, k) => {
      this.#groupBase[k] = at;
      this.#groupOf.fill(k, at, at + g.length);
      at += g.length;
    });
    const literalIds = new Map<string, number>();
    const occ: number[][] = [];
    all.forEach((rule, r) => {
      rule.pieces.forEach((written, p) => {
        const piece = canonicalLiteral(written);
        let id = literalIds.get(piece);
        if (id === undefined) {
          id = occ.length;
          literalIds.set(piece, id);
          occ.push([]);
        }
        occ[id]!.push(r, p);
      });
    });
    const codesOf: number[][] = [];
    codes.forEach((code, k) => {
      const piece = canonicalLiteral(fold(code));
      let id = literalIds.get(piece);
      if (id === undefined) {
        id = occ.length;
        literalIds.set(piece, id);
        occ.push([]);
      }
      (codesOf[id] ??= []).push(k);
    });
    this.#codes = codes;
    this.#codesOf = Array.from(occ, (_, id) => (codesOf[id] ? Int32Array.from(codesOf[id]) : undefined));
    const automaton = new Automaton([...literalIds.keys()], CODE_DIGITS, UNREAD_UNITS, true);
    this.#automaton = automaton;
    this.#progress = new Int32Array(all.length * 3);
    // Each literal's record: its fixed fields, then its occurrences; `next` is filled in below.
    const recordAt = new Int32Array(occ.length);
    const packed: number[] = [];
    [...literalIds.keys()].forEach((lit, id) => {
      recordAt[id] = packed.length;
      const word = nameWords !== undefined && !nameWords.has(lit) && /^[a-z0-9_-]+$/.test(lit);
      const list = occ[id]!;
      packed.push(id, lit.length, (word ? LIT_WORD : 0) | (codesOf[id] ? LIT_CODES : 0), -1, packed.length + REC_SIZE + (list.length / 2) * OCC_SIZE);
      for (let k = 0; k < list.length; k += 2) {
        const r = list[k]!;
        const rule = all[r]!;
        const flags = (rule.layer === 'builtin' ? RULE_BUILTIN : 0) | (r < rules.length && rule.domain !== undefined ? RULE_DOMAIN : 0);
        packed.push(r, list[k + 1]!, rule.pieces.length, flags | ((r < rules.length ? 0 : this.#groupOf[r]!) << RULE_GROUP_SHIFT));
      }
    });
    const { own, dict, states } = automaton;
    // the literal a state ends, else the longest suffix literal ending there
    const recordOf = (state: number): number => (own[state]! >= 0 ? recordAt[own[state]!]! : dict[state]! >= 0 ? recordAt[own[dict[state]!]!]! : -1);
    // each state's tag: the record of the longest literal ending there, or -1 (it reports nothing)
    for (let s = 0; s < states; s++) {
      automaton.tag(s, recordOf(s));
      if (own[s]! >= 0) packed[recordAt[own[s]!]! + REC_NEXT] = dict[s]! >= 0 ? recordAt[own[dict[s]!]!]! : -1;
    }
    this.#records = Int32Array.from(packed);
  }

  get size(): number {
    return this.#groupStart;
  }

  /** After `match`: the first-listed member of group `group` found in the text, or undefined. */
  found(group: number): StoredRule | undefined {
    const r = this.#groupBest[group]!;
    return r === NONE ? undefined : this.#rules[r];
  }

  /** After `match`: the index within group `group` of its first-listed member found, or -1. */
  foundIndex(group: number): number {
    const r = this.#groupBest[group]!;
    return r === NONE ? -1 : r - this.#groupBase[group]!;
  }

  /**
   * One pass over the text (case folding is built into the automaton's alphabet); returns the
   * matching rule of lowest rank that applies to `domain` (folded), or undefined. With `need`
   * (`NEED_CODE | NEED_ENHANCED`), the same pass also finds the first reply code and enhanced
   * status code, left in `codes` (`[code, packed enhanced]`, -1 when absent).
   */
  match(written: string, domain: string | undefined, need = 0): StoredRule | undefined {
    // `ß` as `ss`, as the literals are written (see `spelledOut`)
    const text = spelledOut(written);
    this.#begin(text, text.length);
    return this.#end(this.#scan(text, domain, need, false));
  }

  /**
   * Answers as `match(collapseSpace(written), domain, need)` does, and leaves the text it read,
   * `collapseSpace(written)`, in `text`. The one pass stops at the first unit that
   * `collapseSpace` or `spelledOut` would change (a white space unit other than the space, a second
   * space in a row, a control character, `ß`), and only then is the text collapsed and read again;
   * most replies hold none, and are read once without being searched for them first.
   */
  matchText(written: string, domain: string | undefined, need = 0): StoredRule | undefined {
    this.#begin(written, written.length);
    const best = this.#scan(written, domain, need, true);
    if (best !== UNREAD) {
      this.text = written;
      return this.#end(best);
    }
    this.text = collapseSpace(written);
    return this.match(this.text, domain, need);
  }

  /** After `matchText`: the text it read (white space collapsed). */
  text = '';

  /**
   * The pass of `match` over `text` (begun): the best rank found, or NONE. With `stop`, UNREAD as
   * soon as it reads a unit that `matchText` collapses or spells out (see `UNREAD_UNITS`), or a
   * space right after a space.
   */
  #scan(text: string, domain: string | undefined, need: number, stop: boolean): number {
    const codes = this.codes;
    const automaton = this.#automaton;
    const { charClass, delta, wide, blank, space, width: tag } = automaton;
    let best = NONE;
    let s = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const cls = charClass[text.charCodeAt(i)]!;
      const v = delta[s + cls]!;
      if (v >= 0) {
        s = v;
        continue;
      }
      if (cls === wide) s = automaton.wideStep(s, text.charCodeAt(i));
      else {
        // a marked blank, or a space after a unit read as one (`_` too): a run only when both are spaces
        if (stop && (cls === blank || (cls === space && text.charCodeAt(i) === 32 && text.charCodeAt(i - 1) === 32))) return UNREAD;
        s = -v - 1;
        if (need !== 0) {
          const c = text.charCodeAt(i);
          if (c === 50 || c === 52 || c === 53) need = scanAt(text, i, need, codes);
        }
      }
      const record = delta[s + tag]!;
      if (record >= 0) best = this.#report(record, i, best, domain);
    }
    return best;
  }

  /**
   * `match` over the first `end` bytes of UTF-8 input without decoding it, as long as it is ASCII
   * (then bytes and UTF-16 units coincide). Returns false, having found nothing, at the first byte
   * above 0x7f, control byte or second space in a row: the caller decodes, collapses the white
   * space and calls `match`.
   */
  matchAscii(bytes: Uint8Array, end: number, domain: string | undefined, need = 0): boolean {
    this.#begin(bytes, end);
    const codes = this.codes;
    const { charClass, delta, width: tag } = this.#automaton;
    let best = NONE;
    let s = 0;
    for (let i = 0; i < end; i++) {
      const c = bytes[i]!;
      // outside ASCII, DEL, or white space that `collapseSpace` would change: decoded and matched as text
      if (c >= 0x7f || (c <= 32 && (c !== 32 || (i > 0 && bytes[i - 1] === 32)))) {
        this.#source = '';
        return false;
      }
      const v = delta[s + charClass[c]!]!;
      if (v >= 0) {
        s = v;
        continue;
      }
      s = -v - 1;
      if (need !== 0 && (c === 50 || c === 52 || c === 53)) need = scanBytesAt(bytes, end, i, need, codes);
      const record = delta[s + tag]!;
      if (record >= 0) best = this.#report(record, i, best, domain);
    }
    this.matched = this.#end(best);
    return true;
  }

  /** After a successful `matchAscii`: the winning rule, or undefined. */
  matched: StoredRule | undefined;

  #begin(source: string | Uint8Array, end: number): void {
    this.#groupBest.fill(NONE);
    this.codes[0] = -1;
    this.codes[1] = -1;
    this.code = -1;
    this.#source = source;
    this.#sourceEnd = end;
    this.#runEnd = 0;
    this.#runIsName = false;
    this.#textHasLower = -1;
    if (++this.#gen === NONE) {
      for (let k = 0; k < this.#progress.length; k += 3) this.#progress[k] = 0;
      this.#gen = 1;
    }
  }

  #end(best: number): StoredRule | undefined {
    this.#source = '';
    if (best === NONE) {
      this.rank = -1;
      return undefined;
    }
    this.rank = best;
    return this.#rules[best];
  }

  /**
   * The slow path: the automaton's pass reached unit `i`, where the literal of packed record `record`
   * ends (and those of its `next` records: its suffixes); returns the new best rank.
   */
  #report(record: number, i: number, best: number, domain: string | undefined): number {
    const records = this.#records;
    const groupStart = this.#groupStart;
    const groupBest = this.#groupBest;
    for (let at = record; at >= 0; at = records[at + REC_NEXT]!) {
      const flags = records[at + REC_FLAGS]!;
      const start = i + 1 - records[at + REC_LENGTH]!;
      if ((flags & LIT_CODES) !== 0 && this.code < 0) this.#checkCodes(this.#codesOf[records[at]!]!, i);
      const inName = (flags & LIT_WORD) !== 0 && this.#inName(start, i + 1);
      const end = records[at + REC_END]!;
      for (let k = at + REC_SIZE; k < end; k += OCC_SIZE) {
        const r = records[k]!;
        const ruleFlags = records[k + 3]!;
        if (inName && (ruleFlags & RULE_BUILTIN) !== 0) continue;
        const pieces = records[k + 2]!;
        if (r < groupStart) {
          if (r >= best) continue;
          if ((ruleFlags & RULE_DOMAIN) !== 0 && this.#rules[r]!.domain !== domain) continue;
          if (pieces === 1 || this.#advance(r, records[k + 1]!, start, i + 1, pieces)) best = r;
        } else {
          const g = ruleFlags >> RULE_GROUP_SHIFT;
          if (r >= groupBest[g]!) continue;
          if (pieces === 1 || this.#advance(r, records[k + 1]!, start, i + 1, pieces)) groupBest[g] = r;
        }
      }
    }
    return best;
  }

  /**
   * The folded form of the provider codes `codes` ends at unit `i`: the first of them that the text
   * holds exactly, with no ASCII letter or digit on either side, becomes `code`. (Codes are ASCII, so
   * folding keeps their length: they all start at the same unit.)
   */
  #checkCodes(codes: Int32Array, i: number): void {
    const start = i + 1 - this.#codes[codes[0]!]!.length;
    if ((start > 0 && isAlnum(this.#unitAt(start - 1))) || (i + 1 < this.#sourceEnd && isAlnum(this.#unitAt(i + 1)))) return;
    for (const k of codes) {
      const code = this.#codes[k]!;
      let j = 0;
      while (j < code.length && this.#unitAt(start + j) === code.charCodeAt(j)) j++;
      if (j === code.length) {
        this.code = k;
        return;
      }
    }
  }

  /**
   * Whether the word found at `[start, end)` (ASCII letters, digits, `-`, `_` only) lies in a mailbox
   * or host name: the run of name units around it holds an `@` between two units (a mailbox), or a
   * dot between two letters or digits and no lower-case letter followed by an upper-case one (a host
   * name; `Exception.QuotaExceededException` is an identifier). Words are reported in the order
   * they end, and a word is all name units while the unit at a run's end is not one: a word that
   * ends within the last run looked at lies in it, and any other begins after it. So each unit is
   * looked at a bounded number of times.
   */
  #inName(start: number, end: number): boolean {
    if (end <= this.#runEnd) return this.#runIsName;
    const source = this.#source;
    const floor = this.#runEnd;
    const limit = this.#sourceEnd;
    // Find the run's ends, counting the `@` and `.` in it: a run without either (the usual case, a
    // word of the text) is no name, and its shape need not be read.
    let a = start;
    let b = end;
    let marks = 0;
    if (typeof source === 'string') {
      for (let c = a > floor ? source.charCodeAt(a - 1) : -1; a > floor && isNameUnit(c); c = source.charCodeAt(--a - 1)) if (c === 0x40 || c === 0x2e) marks++;
      for (let c = b < limit ? source.charCodeAt(b) : -1; b < limit && isNameUnit(c); c = source.charCodeAt(++b)) if (c === 0x40 || c === 0x2e) marks++;
    } else {
      for (let c = a > floor ? source[a - 1]! : -1; a > floor && isNameUnit(c); c = source[--a - 1]!) if (c === 0x40 || c === 0x2e) marks++;
      for (let c = b < limit ? source[b]! : -1; b < limit && isNameUnit(c); c = source[++b]!) if (c === 0x40 || c === 0x2e) marks++;
    }
    const name = marks > 0 && this.#nameShape(a, b);
    this.#runEnd = b;
    this.#runIsName = name;
    return name;
  }

  /** Unit `k` of the text being matched (a UTF-16 unit, or a byte of ASCII input). */
  #unitAt(k: number): number {
    const source = this.#source;
    return typeof source === 'string' ? source.charCodeAt(k) : source[k]!;
  }

  /**
   * Whether the run of name units `[a, b)` holding an `@` or a `.` is a mailbox or a host name. A
   * dotted run is an identifier, not a host name, when it is camel-cased
   * (`Exception.QuotaExceededException`), or when it is all upper case in a text that is not (so a
   * filter's verdict such as `HEURISTICS.PHISHING.EMAIL` in `550 Message rejected
   * (HEURISTICS.PHISHING.EMAIL)`) and its last label is not two or three letters, as the common
   * top-level domains are (`MX1.EXAMPLE.COM` stays a host name).
   */
  #nameShape(a: number, b: number): boolean {
    let mailbox = false;
    let dotted = false;
    let camel = false;
    let upper = false;
    let lower = false;
    let lastDot = -1;
    for (let k = a; k < b; k++) {
      const c = this.#unitAt(k);
      if (c >= 0x61 && c <= 0x7a) lower = true;
      else if (c >= 0x41 && c <= 0x5a) upper = true;
      if (k === a) continue;
      const before = this.#unitAt(k - 1);
      if (c === 0x40 && k < b - 1) mailbox = true;
      else if (c === 0x2e && k < b - 1 && isAlnum(before) && isAlnum(this.#unitAt(k + 1))) {
        dotted = true;
        lastDot = k;
      } else if (c >= 0x41 && c <= 0x5a && before >= 0x61 && before <= 0x7a) camel = true;
    }
    if (mailbox) return true;
    if (!dotted || camel) return false;
    if (!upper || lower) return true;
    const last = b - lastDot - 1;
    return last <= 3 || !this.#hasLower();
  }

  /** Whether the text being matched holds an ASCII lower-case letter (read once per text). */
  #hasLower(): boolean {
    if (this.#textHasLower < 0) {
      this.#textHasLower = 0;
      for (let k = 0; k < this.#sourceEnd; k++) {
        const c = this.#unitAt(k);
        if (c >= 0x61 && c <= 0x7a) {
          this.#textHasLower = 1;
          break;
        }
      }
    }
    return this.#textHasLower === 1;
  }

  /** A piece of a wildcard rule was found at [start, end): advances the rule; true when it completes. */
  #advance(r: number, piece: number, start: number, end: number, pieces: number): boolean {
    const progress = this.#progress;
    const at = r * 3;
    if (progress[at] !== this.#gen) {
      progress[at] = this.#gen;
      progress[at + 1] = 0;
      progress[at + 2] = 0;
    }
    if (progress[at + 1] === piece && start >= progress[at + 2]!) {
      progress[at + 2] = end;
      return ++progress[at + 1]! === pieces;
    }
    return false;
  }
}
