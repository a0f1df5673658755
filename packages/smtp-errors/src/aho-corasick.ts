/**
 * A multi-pattern matcher (Aho-Corasick) compiled to a dense DFA over a compact alphabet: one pass
 * over the text finds every occurrence of every literal, in time linear in the text plus the
 * number of matches. Case-insensitive: the alphabet maps every UTF-16 code unit to the class of its
 * lower-case form, so the text is never copied or lower-cased. Literals must be lower case and
 * canonical (see `canonicalLiteral`).
 * Chosen code units can be "flagged" so that the matcher sees them on its slow path without a
 * second test per character (the reply-code scanner rides on this).
 */

let folds: { readonly from: Uint16Array; readonly to: Uint16Array } | undefined;

/**
 * Every UTF-16 code unit whose lower-case form is one other unit, in ascending order, beside that
 * form. Computed once (65,536 `toLowerCase` calls) and shared by every automaton, which then folds
 * its alphabet in a pass over about 1,400 pairs instead of over every unit.
 */
function foldPairs(): { readonly from: Uint16Array; readonly to: Uint16Array } {
  if (folds !== undefined) return folds;
  const from: number[] = [];
  const to: number[] = [];
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const lower = String.fromCharCode(c).toLowerCase();
    if (lower.length !== 1 || lower.charCodeAt(0) === c) continue;
    from.push(c);
    to.push(lower.charCodeAt(0));
  }
  folds = { from: Uint16Array.from(from), to: Uint16Array.from(to) };
  return folds;
}

/** Units read as an ASCII unit (see the constructor): right and left single quotes, the modifier
 * letter apostrophe, the acute accent and the grave accent as `'`; the hyphen and non-breaking
 * hyphen as `-`. */
const EQUIVALENT_UNITS: readonly (readonly [number, number])[] = [
  [0x2019, 39],
  [0x2018, 39],
  [0x02bc, 39],
  [0x00b4, 39],
  [0x60, 39],
  [0x2010, 45],
  [0x2011, 45],
];

let canonical: ReadonlyMap<number, number> | undefined;

/**
 * @internal Pairs of units: a lower-case letter whose upper case lower-cases to another single
 * letter, then that letter (`ı` `I` `i`, `ς` `Σ` `σ`, `ſ` `S` `s`, `µ` `Μ` `μ`, the Greek symbol
 * forms, the old Cyrillic forms). Every such unit of the BMP, written out rather than found by
 * 65,536 `toUpperCase` calls at start-up; a test checks it against the runtime's case mapping.
 */
export const ROUND_TRIP_FOLDS =
  '\u00b5\u03bc\u0131i\u017fs\u0345\u03b9\u03c2\u03c3\u03d0\u03b2\u03d1\u03b8\u03d5\u03c6\u03d6\u03c0\u03f0\u03ba\u03f1\u03c1\u03f5\u03b5\u1c80\u0432\u1c81\u0434\u1c82\u043e\u1c83\u0441\u1c84\u0442\u1c85\u0442\u1c86\u044a\u1c87\u0463\u1c88\ua64b\u1e9b\u1e61\u1fbe\u03b9';

/**
 * Units read as another, in literals and text alike: a Latin letter with diacritics (U+00C0 to
 * U+024F whose canonical decomposition is an ASCII letter and combining marks) as its base letter in
 * lower case, so `retiree` matches `retirée` and `mas tarde` matches `más tarde`, as MTAs that
 * write 7-bit replies print them; and `_` as a space (`FORBIDDEN_FILE_EXTENSION`). Also each lower-case
 * letter whose upper case lower-cases to another single letter, as that letter: Turkish dotless
 * `ı` as `i` (`KULLANICI` is `kullanıcı` in upper case), Greek final `ς` as `σ`, the long `ſ` as
 * `s`; so case never changes what a text reads as. One unit for one, so every position stays the
 * text's own. Computed once.
 */
function canonicalUnits(): ReadonlyMap<number, number> {
  if (canonical !== undefined) return canonical;
  const map = new Map<number, number>([[0x5f, 0x20]]);
  for (let c = 0xc0; c <= 0x24f; c++) {
    const parts = String.fromCharCode(c).normalize('NFD');
    const base = parts.charCodeAt(0) | 0x20;
    if (parts.length < 2 || base < 0x61 || base > 0x7a) continue;
    let marks = true;
    for (let i = 1; i < parts.length; i++) marks &&= parts.charCodeAt(i) >= 0x300 && parts.charCodeAt(i) <= 0x36f;
    if (marks) map.set(c, base);
  }
  // the round trip through upper case (toLowerCase alone keeps `ı`, `ς`, `ſ` as they are)
  for (let k = 0; k < ROUND_TRIP_FOLDS.length; k += 2) {
    const b = ROUND_TRIP_FOLDS.charCodeAt(k + 1);
    map.set(ROUND_TRIP_FOLDS.charCodeAt(k), map.get(b) ?? b);
  }
  canonical = map;
  return map;
}

/** Units that stand for two letters (`ß`, and `ẞ`, its capital), which upper case spells out. */
const SHARP_S = /[\u00df\u1e9e]/;

/**
 * @internal `text` with each `ß` written `ss` (and `ẞ` as `SS`), as upper case and 7-bit replies
 * spell it (`GRÖSSE`, `grösse`): the one letter the automaton cannot read as a single other unit.
 * Literals are written so too (see `canonicalLiteral`). The same string when it has none.
 */
export function spelledOut(text: string): string {
  return SHARP_S.test(text) ? text.replace(/\u00df/g, 'ss').replace(/\u1e9e/g, 'SS') : text;
}

/**
 * @internal `literal` (lower case) with its units read as the automaton reads them (see
 * `canonicalUnits`): what the automaton must be given, so that two spellings that read the same
 * are one literal.
 */
export function canonicalLiteral(written: string): string {
  const map = canonicalUnits();
  const literal = spelledOut(written);
  let out = '';
  for (let i = 0; i < literal.length; i++) {
    const c = literal.charCodeAt(i);
    out += String.fromCharCode(map.get(c) ?? c);
  }
  return out;
}

/**
 * How many states, the shallowest, an automaton numbers breadth-first (the others depth-first; see
 * the constructor).
 */
const SHALLOW_STATES = 1024;

/** @internal A compiled automaton. */
export class Automaton {
  /**
   * Alphabet class of each UTF-16 code unit: 0 for a unit that appears in no literal, `wide` for
   * every unit outside ASCII that does (its own class is then in `wideClass`).
   */
  readonly charClass: Uint16Array;
  /** Dense alphabet size: the ASCII classes, plus the one shared `wide` class (the last). */
  readonly width: number;
  /** The class shared by the literals' non-ASCII units in `charClass` (= `width - 1`). */
  readonly wide: number;
  /** The class shared by the constructor's `blanks` (every transition on it is marked), or -1. */
  readonly blank: number;
  /**
   * The class of the space, when the constructor's `spaceRuns` asked for it, or -1: a transition on
   * it from a state entered on it (a space after a space, or after a unit read as one) is marked.
   */
  readonly space: number;
  /**
   * The length of a row of `delta`: `width` columns of classes, then the `tag` column (= `width`),
   * a number the user of the automaton keeps per state beside its transitions (-1 until `tag` sets it).
   */
  readonly stride: number;
  /**
   * `delta[base + class]`, where `base = state * stride`: the next state's base, or, when the next
   * state reports a literal, `-(base) - 1` (so the hot loop tests only the sign). The `wide`
   * column is always marked: its next state comes from {@link Automaton.wideStep}.
   * `delta[base + width]` is the state's tag (see `stride`), read with the row a scan is in.
   */
  readonly delta: Int32Array;
  /** The literal ending exactly at this state (indexed by state), or -1. */
  own: Int32Array;
  /** The nearest proper suffix state that has an `own` literal, or -1. */
  dict: Int32Array;
  /** Length of every literal (for start positions). */
  readonly lengths: Int32Array;
  readonly states: number;
  /** Per code unit outside ASCII: its own class among the literals' non-ASCII units (0 = none). */
  readonly #wideClass: Uint16Array;
  /** Per state: its children by non-ASCII class (sparse; most states have none). */
  readonly #wideChildren: (Map<number, number> | undefined)[];
  /** Per state: the failure link (longest proper suffix that is a trie state). */
  readonly #fail: Int32Array;

  /**
   * `flagged`: code units that get classes of their own and whose every transition is marked like
   * a reporting one, so the hot loop's single sign test also catches them (the caller then checks
   * what really happened: `own`/`dict` say whether a literal ends there). Flagged units must be
   * ASCII.
   *
   * Units outside ASCII (Cyrillic, CJK and accented words of the keyword families) share one
   * dense column: a dense row per state for each of them would triple the table for text that is
   * nearly always ASCII. Their transitions follow the failure links instead (still linear: each
   * link taken shortens the current match, which grows by at most one per unit).
   *
   * `blanks`: units (of any range) that share one class of their own, `blank`, whose every
   * transition is marked, so a scan learns on its slow path that the text holds one; a literal
   * holding one of them matches any of them there. With `spaceRuns`, a space read right after a
   * unit of the space's class is marked too (see `space`): the trie then has a state for the space
   * alone (reporting nothing), so a state entered on a space is always one whose last unit is it.
   */
  constructor(literals: readonly string[], flagged = '', blanks = '', spaceRuns = false) {
    this.charClass = new Uint16Array(65536);
    this.#wideClass = new Uint16Array(65536);
    let width = 1;
    let wideCount = 1;
    const classes = this.charClass;
    const wideClass = this.#wideClass;
    const flaggedClasses = new Set<number>();
    if (blanks !== '') {
      const blank = width++;
      for (let i = 0; i < blanks.length; i++) classes[blanks.charCodeAt(i)] = blank;
      flaggedClasses.add(blank);
      this.blank = blank;
    } else this.blank = -1;
    /** Units outside ASCII that get a wide class (their `charClass` is set to `wide` below). */
    const wideUnits: number[] = [];
    for (const lit of [flagged, spaceRuns ? ' ' : '', ...literals]) {
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (c < 128) {
          if (classes[c] === 0) classes[c] = width++;
        } else if (classes[c] === 0 && wideClass[c] === 0) {
          wideClass[c] = wideCount++;
          wideUnits.push(c);
        }
      }
    }
    const wide = width++;
    this.width = width;
    this.wide = wide;
    this.space = spaceRuns ? classes[32]! : -1;
    for (let i = 0; i < flagged.length; i++) flaggedClasses.add(classes[flagged.charCodeAt(i)]!);
    // Fold: every unit whose lower-case form is a single unit of the alphabet shares its class.
    const { from, to } = foldPairs();
    for (let k = 0; k < from.length; k++) {
      const c = from[k]!;
      if (classes[c] !== 0 || wideClass[c] !== 0) continue;
      const l = to[k]!;
      if (l < 128) {
        if (classes[l] !== 0) classes[c] = classes[l]!;
      } else if (wideClass[l] !== 0) {
        wideClass[c] = wideClass[l]!;
        wideUnits.push(c);
      }
    }
    for (const c of wideUnits) if (classes[c] === 0) classes[c] = wide;
    // Typographic forms of the apostrophe and the hyphen read as the ASCII ones (`doesn’t`, a
    // non-breaking hyphen in `e‑mail`), unless a literal names them: one unit for one, so every
    // position stays the text's own.
    for (const [c, ascii] of EQUIVALENT_UNITS) if (classes[c] === 0 && classes[ascii] !== 0) classes[c] = classes[ascii]!;
    // Accented Latin letters as their base letter, `_` as a space, `ı` as `i`, `ς` as `σ` (the
    // literals are canonical); the target of a unit outside ASCII is a wide unit of the literals.
    for (const [c, base] of canonicalUnits()) {
      if (classes[c] !== 0 || wideClass[c] !== 0) continue;
      if (base < 128) {
        if (classes[base] !== 0) classes[c] = classes[base]!;
      } else if (wideClass[base] !== 0) {
        wideClass[c] = wideClass[base]!;
        classes[c] = wide;
      }
    }
    // Trie keys: an ASCII class as it is, a non-ASCII class as `wide + its wide class`.
    const keyOf = (c: number): number => (classes[c] === wide ? wide + wideClass[c]! : classes[c]!);
    const children: Map<number, number>[] = [new Map<number, number>()];
    const ownList: number[] = [-1];
    this.lengths = new Int32Array(literals.length);
    literals.forEach((lit, id) => {
      this.lengths[id] = lit.length;
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const key = keyOf(lit.charCodeAt(i));
        let next = children[s]!.get(key);
        if (next === undefined) {
          next = children.length;
          children.push(new Map<number, number>());
          ownList.push(-1);
          children[s]!.set(key, next);
        }
        s = next;
      }
      if (ownList[s] === -1) ownList[s] = id;
    });
    if (spaceRuns && !children[0]!.has(this.space)) {
      children[0]!.set(this.space, children.length);
      children.push(new Map<number, number>());
      ownList.push(-1);
    }
    const states = children.length;
    this.states = states;
    const own = Int32Array.from(ownList);
    const dict = new Int32Array(states).fill(-1);
    const goto = new Int32Array(states * width);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (const [key, next] of children[0]!) {
      if (key < wide) goto[key] = next;
      queue.push(next);
    }
    // The failure link of a child reached by `key` from a state whose own link is `f`.
    const step = (f: number, key: number): number => {
      if (key < wide) return goto[f * width + key]!;
      for (let t = f; ; t = fail[t]!) {
        const next = children[t]!.get(key);
        if (next !== undefined) return next;
        if (t === 0) return 0;
      }
    };
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      const f = fail[s]!;
      dict[s] = own[f]! >= 0 ? f : dict[f]!;
      const base = s * width;
      const fbase = f * width;
      goto.copyWithin(base, fbase, fbase + wide);
      for (const [key, next] of children[s]!) {
        fail[next] = step(f, key);
        if (key < wide) goto[base + key] = next;
        queue.push(next);
      }
    }
    for (let s = 0; s < states; s++) goto[s * width] = 0;
    // Renumber the states (cache locality): the first `SHALLOW_STATES` in breadth-first order, where
    // a scan spends most of its steps, together at the start of the table; then every other state
    // in depth-first order, so that the states of one literal's chain, which a scan reading that
    // word enters one after the other, sit in rows next to each other.
    const order = [0, ...queue].slice(0, SHALLOW_STATES);
    const placed = new Uint8Array(states);
    for (const s of order) placed[s] = 1;
    for (const stack = [0]; stack.length > 0; ) {
      const s = stack.pop()!;
      if (placed[s] === 0) {
        placed[s] = 1;
        order.push(s);
      }
      const kids = [...children[s]!.values()];
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
    }
    const renumber = new Int32Array(states);
    order.forEach((old, i) => (renumber[old] = i));
    this.own = new Int32Array(states);
    this.dict = new Int32Array(states);
    this.#fail = new Int32Array(states);
    this.#wideChildren = new Array<Map<number, number> | undefined>(states).fill(undefined);
    for (let i = 0; i < states; i++) {
      const old = order[i]!;
      this.own[i] = own[old]!;
      this.dict[i] = dict[old]! < 0 ? -1 : renumber[dict[old]!]!;
      this.#fail[i] = renumber[fail[old]!]!;
      for (const [key, next] of children[old]!) {
        if (key <= wide) continue;
        (this.#wideChildren[i] ??= new Map<number, number>()).set(key - wide, renumber[next]!);
      }
    }
    // Whether entering a state (new numbering) or reading a class must leave the hot loop.
    const marks = new Uint8Array(states);
    for (let i = 0; i < states; i++) marks[i] = this.own[i]! >= 0 || this.dict[i]! >= 0 ? 1 : 0;
    const flaggedMarks = new Uint8Array(width);
    for (const cls of flaggedClasses) flaggedMarks[cls] = 1;
    // the states entered on a space (with `spaceRuns`): every child reached by the space's class
    const afterSpace = new Uint8Array(states);
    if (spaceRuns) for (const kids of children) for (const [key, next] of kids) if (key === this.space) afterSpace[next] = 1;
    const stride = width + 1;
    this.stride = stride;
    const delta = new Int32Array(states * stride);
    for (let i = 0; i < states; i++) {
      const oldBase = order[i]! * width;
      const newBase = i * stride;
      for (let cls = 0; cls < wide; cls++) {
        const next = renumber[goto[oldBase + cls]!]!;
        const marked = marks[next]! | flaggedMarks[cls]! | (cls === this.space ? afterSpace[order[i]!]! : 0);
        delta[newBase + cls] = marked ? -(next * stride) - 1 : next * stride;
      }
      delta[newBase + wide] = -newBase - 1;
      delta[newBase + width] = -1;
    }
    this.delta = delta;
  }

  /**
   * The transition on a non-ASCII unit `c` (one whose `charClass` is `wide`) from state base `s`:
   * the next state's base, found through the failure links.
   */
  wideStep(s: number, c: number): number {
    const key = this.#wideClass[c]!;
    for (let t = s / this.stride; ; t = this.#fail[t]!) {
      const next = this.#wideChildren[t]?.get(key);
      if (next !== undefined) return next * this.stride;
      if (t === 0) return 0;
    }
  }

  /** Sets the tag of state `state` (see `stride`). */
  tag(state: number, value: number): void {
    this.delta[state * this.stride + this.width] = value;
  }
}
