/**
 * The features the learned fallback reads from a reply: the reply class digit, the enhanced code's
 * subject and detail, the rules' weak answer, words (lower-cased, accents folded, digits masked),
 * word pairs, CJK characters and their pairs, and character n-grams of the words. Shared by the
 * model at run time and by its training script, so both read a reply the same way.
 */

/** Which feature kinds to read (fixed for a trained model; chosen by validation). */
export interface FeatureConfig {
  /** Word pairs (adjacent words). */
  readonly pairs: boolean;
  /** Character n-gram lengths inside each word (with `^`/`$` at its ends); empty for none. */
  readonly grams: readonly number[];
  /** The rules' weak class as a feature. */
  readonly rulesId: boolean;
}

const LETTER = /^\p{L}$/u;
/** A character outside printable ASCII: only then is NFKD needed (it leaves printable ASCII as it is). */
const NOT_ASCII = /[^ -~]/;

/** The CJK ideographs, kana and Hangul syllables: each character is a token of its own. */
function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

/**
 * The tokens of `text`: runs of letters, lower-cased with accents folded (a run with a digit reads
 * as `#`), and each CJK character alone. Linear in the text.
 */
export function tokens(text: string): string[] {
  // NFKD leaves ASCII as it is: only other text pays for it.
  const folded = (NOT_ASCII.test(text) ? text.normalize('NFKD') : text).toLowerCase();
  const out: string[] = [];
  let word = '';
  let digit = false;
  const end = (): void => {
    if (word !== '') out.push(digit ? '#' : word);
    word = '';
    digit = false;
  };
  for (const ch of folded) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x300 && c <= 0x36f) continue; // a combining accent: the base letter stays
    if (isCjk(c)) {
      end();
      out.push(ch);
    } else if (c >= 0x30 && c <= 0x39) {
      word += ch;
      digit = true;
    } else if ((c >= 0x61 && c <= 0x7a) || (c > 0x7f && LETTER.test(ch))) {
      word += ch;
    } else end();
  }
  end();
  return out;
}

/** The reply's features, each once. */
export function features(text: string, replyCode: number | undefined, enhancedCode: string | undefined, rulesId: number, config: FeatureConfig): string[] {
  const set = new Set<string>();
  const cls = replyCode !== undefined ? Math.floor(replyCode / 100) : enhancedCode !== undefined ? Number(enhancedCode[0]) : 0;
  set.add(`c:${cls}`);
  if (replyCode !== undefined) set.add(`r:${replyCode}`);
  if (enhancedCode !== undefined) {
    const [, subject, detail] = enhancedCode.split('.');
    set.add(`e:${subject}`);
    set.add(`e:${subject}.${detail}`);
  }
  if (config.rulesId) set.add(`k:${rulesId}`);
  const words = tokens(text);
  let last = '';
  for (const w of words) {
    set.add(w);
    if (config.pairs && last !== '') set.add(`${last} ${w}`);
    last = w;
    if (w === '#' || w.length < 3) continue;
    const padded = `^${w}$`;
    for (const n of config.grams) for (let i = 0; i + n <= padded.length; i++) set.add(`~${padded.slice(i, i + n)}`);
  }
  return [...set];
}
