/**
 * Chunk-split feeding: run the same input through an incremental parser whole, one byte at a time,
 * at every single split point, and at random split points, so tests can assert that the result is
 * identical for every split (DESIGN.md: incremental parsing).
 */

/** Encodes a string as UTF-8 bytes (tests often write wire data as strings). */
export function bytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? new TextEncoder().encode(input) : input;
}

/** The parts one after another as one byte array; a string part is its UTF-8. */
export function concatBytes(...parts: readonly (string | Uint8Array)[]): Uint8Array {
  return joinBytes(parts);
}

/** `concatBytes` of a list (any length: a message read byte by byte has one part per byte). */
export function joinBytes(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const all = parts.map(bytes);
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A small seeded PRNG (mulberry32) so random splits are reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits `data` at the given offsets (sorted, deduplicated, within bounds). */
export function splitAt(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < data.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push(data.subarray(start, cut));
    start = cut;
  }
  out.push(data.subarray(start));
  return out;
}

/** Every byte as its own chunk. */
export function byteByByte(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i++) out.push(data.subarray(i, i + 1));
  return out;
}

/** `count` random splittings of `data`, reproducible from `seed`. */
export function randomSplits(data: Uint8Array, count: number, seed = 1): Uint8Array[][] {
  const rnd = seededRandom(seed);
  const result: Uint8Array[][] = [];
  for (let n = 0; n < count; n++) {
    const pieces = Math.max(1, Math.floor(rnd() * Math.min(data.length, 32)));
    const offsets = Array.from({ length: pieces }, () => Math.floor(rnd() * data.length));
    result.push(splitAt(data, offsets));
  }
  return result;
}

/** A named way of chunking an input. */
export interface Splitting {
  readonly name: string;
  readonly chunks: readonly Uint8Array[];
}

/**
 * The standard set of splittings for a chunk-invariance test: whole, byte by byte, every two-piece
 * split (for inputs up to `maxExhaustive` bytes) and `random` random splittings.
 */
export function splittings(
  input: string | Uint8Array,
  options: { random?: number; seed?: number; maxExhaustive?: number } = {},
): Splitting[] {
  const data = bytes(input);
  const out: Splitting[] = [
    { name: 'whole', chunks: [data] },
    { name: 'byte-by-byte', chunks: byteByByte(data) },
  ];
  if (data.length <= (options.maxExhaustive ?? 2048)) {
    for (let i = 1; i < data.length; i++) out.push({ name: `split@${i}`, chunks: splitAt(data, [i]) });
  }
  randomSplits(data, options.random ?? 20, options.seed ?? 1).forEach((chunks, i) =>
    out.push({ name: `random#${i}`, chunks }),
  );
  return out;
}

/**
 * Feeds every splitting of `input` to a fresh consumer built by `run` and returns the distinct
 * results (serialised with JSON). A chunk-invariant parser yields exactly one distinct result.
 */
export function resultsForEverySplit<T>(
  input: string | Uint8Array,
  run: (chunks: readonly Uint8Array[]) => T,
  options?: { random?: number; seed?: number; maxExhaustive?: number },
): { distinct: string[]; first: T } {
  const all = splittings(input, options);
  const seen = new Set<string>();
  let first: T | undefined;
  for (const s of all) {
    const r = run(s.chunks);
    if (first === undefined) first = r;
    seen.add(JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)));
  }
  return { distinct: [...seen], first: first as T };
}
