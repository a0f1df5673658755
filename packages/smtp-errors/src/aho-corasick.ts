/**
 * A multi-pattern matcher (Aho-Corasick) compiled to a dense DFA over a compact alphabet: one pass
 * over the text finds every occurrence of every literal, in time linear in the text plus the
 * number of matches. Patterns and text must already be case-folded by the caller.
 */

/** @internal A compiled automaton. */
export class Automaton {
  /** Alphabet class of each UTF-16 code unit (0 = a unit that appears in no pattern). */
  readonly charClass: Uint16Array;
  /** Alphabet size (number of classes). */
  readonly width: number;
  /** `delta[state * width + class]` = next state. */
  readonly delta: Int32Array;
  /** The literal ending exactly at this state, or -1. */
  readonly own: Int32Array;
  /** The nearest proper suffix state that has an `own` literal, or -1. */
  readonly dict: Int32Array;
  /** Length of every literal (for start positions). */
  readonly lengths: Int32Array;
  readonly states: number;

  constructor(literals: readonly string[]) {
    this.charClass = new Uint16Array(65536);
    let width = 1;
    for (const lit of literals) {
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (this.charClass[c] === 0) this.charClass[c] = width++;
      }
    }
    this.width = width;
    // Trie with map children while building.
    const children: Map<number, number>[] = [new Map<number, number>()];
    const ownList: number[] = [-1];
    this.lengths = new Int32Array(literals.length);
    literals.forEach((lit, id) => {
      this.lengths[id] = lit.length;
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const cls = this.charClass[lit.charCodeAt(i)]!;
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
    this.delta = new Int32Array(states * width);
    const fail = new Int32Array(states);
    // BFS: root's transitions first.
    const queue: number[] = [];
    for (const [cls, next] of children[0]!) {
      this.delta[cls] = next;
      fail[next] = 0;
      queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      const f = fail[s]!;
      this.dict[s] = this.own[f]! >= 0 ? f : this.dict[f]!;
      const base = s * width;
      const fbase = f * width;
      for (let cls = 0; cls < width; cls++) this.delta[base + cls] = this.delta[fbase + cls]!;
      for (const [cls, next] of children[s]!) {
        fail[next] = this.delta[fbase + cls]!;
        this.delta[base + cls] = next;
        queue.push(next);
      }
    }
    // Class 0 (units in no pattern) always returns to the root: delta[*, 0] stays 0.
    for (let s = 0; s < states; s++) this.delta[s * width] = 0;
  }
}
