/**
 * Other spellings of one built-in wording: the same words written another way, which mean the same
 * to a reader and so must mean the same to the classifier.
 */

/**
 * @internal `[written, other]`: a negation written out or contracted (`does not` / `doesn't`,
 * `cannot` / `can't`...), `mailbox` / `mail box`, `greylist` / `graylist`, and the plural of the nouns a reply names its
 * subject with (`recipients unknown`, `addresses rejected`, `mailboxes full`). Each replaces every
 * match in a pattern; one entry is applied at a time.
 */
const SPELLINGS: readonly (readonly [RegExp, string])[] = [
  [/\bdoes not\b/g, "doesn't"],
  [/\bdoesn't\b/g, 'does not'],
  [/\bdo not\b/g, "don't"],
  [/\bdon't\b/g, 'do not'],
  [/\bis not\b/g, "isn't"],
  [/\bisn't\b/g, 'is not'],
  [/\bare not\b/g, "aren't"],
  [/\bwas not\b/g, "wasn't"],
  [/\bhas not\b/g, "hasn't"],
  [/\bcould not\b/g, "couldn't"],
  [/\bcouldn't\b/g, 'could not'],
  [/\bcannot\b/g, "can't"],
  [/\bcan't\b/g, 'cannot'],
  [/\bwill not\b/g, "won't"],
  [/\bmailbox/g, 'mail box'],
  [/\bmail box/g, 'mailbox'],
  [/\bgreylist/g, 'graylist'],
  // a phrase that starts at the negation ("not a valid user") after a contracted verb ("isn't a valid user")
  [/^not\b/g, "n't"],
  // the plural of the subject: "recipients unknown", "users unknown", "addresses rejected"
  [/\buser\b(?!')/g, 'users'],
  [/\brecipient\b(?!')/g, 'recipients'],
  [/\baccount\b(?!')/g, 'accounts'],
  [/\bmailbox\b(?!')/g, 'mailboxes'],
  [/\baddress\b(?!')/g, 'addresses'],
];

/**
 * @internal The other spellings of `pattern` (see `SPELLINGS`), each once, leaving out any that
 * `written` already holds and any that holds `pattern` itself (the pattern, a substring, already
 * matches it: `unknown user` in `unknown users`).
 */
export function otherSpellings(pattern: string, written: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [from, to] of SPELLINGS) {
    const other = pattern.replace(from, to);
    if (other !== pattern && !other.includes(pattern) && !written.has(other) && !out.includes(other)) out.push(other);
  }
  return out;
}

/** @internal Each of `words`, followed by its other spellings that the list does not hold already. */
export function withSpellings(words: readonly string[]): string[] {
  const written = new Set(words);
  return words.flatMap((w) => [w, ...otherSpellings(w, written)]);
}
