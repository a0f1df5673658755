/**
 * Punycode (RFC 3492) measured, not written: the length of what a U-label becomes after `xn--` in
 * its A-label, so that esmtp-server-fsm's host name checks and smtp-client-args' address domains
 * hold an A-label to 63 octets (RFC 5890 §2.3.2.1) by the same count, without the platform's IDNA
 * converter (the cores run where `node:url` does not).
 */

/**
 * The length of the Punycode of `input` (RFC 3492 §6.3, with its parameters of §5: base 36,
 * tmin 1, tmax 26, skew 38, damp 700, initial bias 72, initial n 128): its ASCII code points, a
 * `-` after them when there are any, then one base-36 digit per step of each insertion's
 * generalized variable-length integer, counted as §6.3 writes them. No overflow check, and `| 0`
 * for the divisions: a label's code points (both callers measure at most 63 of them, each below
 * 0x110000) keep every delta far below 2^31. Quadratic in the code points: callers bound them
 * first. @internal
 *
 * @example
 * ```ts
 * punycodeLength('bücher'); // 9, as in xn--bcher-kva
 * ```
 * @see RFC 3492 §6.3
 */
export function punycodeLength(input: string): number {
  const points = Array.from(input, (c) => c.codePointAt(0)!);
  const basic = points.filter((c) => c < 128).length;
  let length = basic && basic + 1;
  let h = basic;
  let n = 128;
  let delta = 0;
  let bias = 72;
  while (h < points.length) {
    // the smallest code point not yet handled
    const m = Math.min(...points.filter((c) => c >= n));
    delta += (m - n) * (h + 1);
    n = m;
    for (const c of points) {
      if (c < n) delta++;
      else if (c === n) {
        // one digit per pass: each one that does not end the integer, then the one that does
        for (let q = delta, k = 36; ; k += 36) {
          length++;
          const t = Math.min(Math.max(k - bias, 1), 26);
          if (q < t) break;
          q = ((q - t) / (36 - t)) | 0;
        }
        // the bias adaptation (§6.1)
        delta = (delta / (h === basic ? 700 : 2)) | 0;
        delta += (delta / ++h) | 0;
        for (bias = 0; delta > 455; bias += 36) delta = (delta / 35) | 0;
        bias += ((36 * delta) / (delta + 38)) | 0;
        delta = 0;
      }
    }
    delta++;
    n++;
  }
  return length;
}
