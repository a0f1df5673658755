/**
 * A multi-pattern matcher (Aho-Corasick) compiled to a dense DFA over a compact alphabet: one pass
 * over the text finds every occurrence of every literal, in time linear in the text plus the
 * number of matches. Case-insensitive: the alphabet maps every UTF-16 code unit to the class of its
 * lower-case form, so the text is never copied or lower-cased. Literals must be lower case.
 * Chosen code units can be "flagged" so that the matcher sees them on its slow path without a
 * second test per character (the reply-code scanner rides on this).
 */

/** @internal A compiled automaton. */
export class Automaton {
  /** Alphabet class of each UTF-16 code unit (0 = a unit that appears in no literal). */
  readonly charClass: Uint16Array;
  /** Alphabet size (number of classes). */
  readonly width: number;
  /**
   * `delta[base + class]`, where `base = state * width`: the next state's base, or, when the next
   * state reports a literal, `-(base) - 1` (so the hot loop tests only the sign).
   */
  readonly delta: Int32Array;
  /** The literal ending exactly at this state (indexed by state), or -1. */
  own: Int32Array;
  /** The nearest proper suffix state that has an `own` literal, or -1. */
  dict: Int32Array;
  /** Length of every literal (for start positions). */
  readonly lengths: Int32Array;
  readonly states: number;

  /**
   * `flagged`: code units that get classes of their own and whose every transition is marked like
   * a reporting one, so the hot loop's single sign test also catches them (the caller then checks
   * what really happened: `own`/`dict` say whether a literal ends there).
   */
  constructor(literals: readonly string[], flagged = '') {
    this.charClass = new Uint16Array(65536);
    let width = 1;
    const flaggedClasses = new Set<number>();
    for (const lit of [flagged, ...literals]) {
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (this.charClass[c] === 0) this.charClass[c] = width++;
      }
    }
    this.width = width;
    for (let i = 0; i < flagged.length; i++) flaggedClasses.add(this.charClass[flagged.charCodeAt(i)]!);
    // Fold: every unit whose lower-case form is a single unit of the alphabet shares its class.
    const classes = this.charClass;
    for (let c = 0; c < 65536; c++) {
      if (classes[c] !== 0) continue;
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const lower = String.fromCharCode(c).toLowerCase();
      if (lower.length === 1) {
        const cls = classes[lower.charCodeAt(0)]!;
        if (cls !== 0 && lower.charCodeAt(0) !== c) classes[c] = cls;
      }
    }
    const children: Map<number, number>[] = [new Map<number, number>()];
    const ownList: number[] = [-1];
    this.lengths = new Int32Array(literals.length);
    literals.forEach((lit, id) => {
      this.lengths[id] = lit.length;
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const cls = classes[lit.charCodeAt(i)]!;
        let next = children[s]!.get(cls);
        if (next === undefined) {
          next = children.length;
          children.push(new Map<number, number>());
          ownList.push(-1);
          children[s]!.set(cls, next);
        }
        s = next;
      }
      if (ownList[s] === -1) ownList[s] = id;
    });
    const states = children.length;
    this.states = states;
    this.own = Int32Array.from(ownList);
    this.dict = new Int32Array(states).fill(-1);
    const goto = new Int32Array(states * width);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (const [cls, next] of children[0]!) {
      goto[cls] = next;
      queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      const f = fail[s]!;
      this.dict[s] = this.own[f]! >= 0 ? f : this.dict[f]!;
      const base = s * width;
      const fbase = f * width;
      for (let cls = 0; cls < width; cls++) goto[base + cls] = goto[fbase + cls]!;
      for (const [cls, next] of children[s]!) {
        fail[next] = goto[fbase + cls]!;
        goto[base + cls] = next;
        queue.push(next);
      }
    }
    for (let s = 0; s < states; s++) goto[s * width] = 0;
    // Renumber states in breadth-first order: the shallow states, where a scan spends nearly all
    // its time, then sit together at the start of the table (cache locality).
    const order = [0, ...queue];
    const renumber = new Int32Array(states);
    order.forEach((old, i) => (renumber[old] = i));
    const ownOld = this.own;
    const dictOld = this.dict;
    this.own = new Int32Array(states);
    this.dict = new Int32Array(states);
    for (let i = 0; i < states; i++) {
      const old = order[i]!;
      this.own[i] = ownOld[old]!;
      this.dict[i] = dictOld[old]! < 0 ? -1 : renumber[dictOld[old]!]!;
    }
    this.delta = new Int32Array(states * width);
    for (let i = 0; i < states; i++) {
      const oldBase = order[i]! * width;
      for (let cls = 0; cls < width; cls++) {
        const next = renumber[goto[oldBase + cls]!]!;
        const reports = this.own[next]! >= 0 || this.dict[next]! >= 0 || flaggedClasses.has(cls);
        this.delta[i * width + cls] = reports ? -(next * width) - 1 : next * width;
      }
    }
  }
}
