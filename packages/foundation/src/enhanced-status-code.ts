/**
 * The grammar of an enhanced mail system status code (RFC 3463 §2), in one place for the reply
 * reader and the EHLO text parser.
 */

/**
 * Scans an enhanced status code, `class "." subject "." detail` (RFC 3463 §2: class 2, 4 or 5;
 * subject and detail one to three digits, each "expressed without leading zero digits", so `0` but
 * not `00` or `01`), at `start` in the character codes read by `at`, followed by a space, a tab or
 * `end`. Returns the code and the index just past it, or undefined. Never looks at or past `end`;
 * allocates nothing but its result. @internal
 *
 * @example
 * ```ts
 * const t = '5.7.1 denied';
 * scanEnhancedStatusCode((i) => t.charCodeAt(i), 0, t.length); // { code: { class: 5, subject: 7, detail: 1 }, next: 5 }
 * ```
 * @see RFC 3463 §2, RFC 2034 §4
 */
export function scanEnhancedStatusCode(
  at: (i: number) => number,
  start: number,
  end: number,
): { code: { readonly class: 2 | 4 | 5; readonly subject: number; readonly detail: number }; next: number } | undefined {
  const c = start + 1 < end ? at(start) : 0;
  if ((c !== 0x32 && c !== 0x34 && c !== 0x35) || at(start + 1) !== 0x2e) return undefined;
  let i = start + 2;
  let subject = -1;
  let value: number;
  for (;;) {
    const from = i;
    value = 0;
    // a fourth digit is read only to refuse it
    for (let d: number; i < end && i - from < 4 && (d = at(i) - 0x30) >= 0 && d <= 9; i++) value = value * 10 + d;
    if (i === from || i - from > 3 || (i - from > 1 && at(from) === 0x30)) return undefined;
    if (subject >= 0) break;
    subject = value;
    if (i >= end || at(i) !== 0x2e) return undefined;
    i++;
  }
  if (i < end && at(i) !== 0x20 && at(i) !== 0x09) return undefined;
  return { code: { class: (c - 0x30) as 2 | 4 | 5, subject, detail: value }, next: i };
}
