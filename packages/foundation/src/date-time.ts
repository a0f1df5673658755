/**
 * The RFC 3339 date-time of the ESMTP extensions that carry one (FUTURERELEASE's advertised maximum
 * and HOLDUNTIL, RFC 4865; RRVS, RFC 7293), in one place for smtp-capabilities and smtp-client-args.
 */

/** True when `v` from `at` matches `pattern` (`d` a digit, `T` T or t, anything else itself). */
function shape(v: string, at: number, pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const c = v.charCodeAt(at + i);
    if (p === 'd' ? !(c >= 0x30 && c <= 0x39) : p === 'T' ? c !== 0x54 && c !== 0x74 : c !== p!.charCodeAt(0)) return false;
  }
  return true;
}

/**
 * True when `v` is an RFC 3339 §5.6 `date-time`, `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)` (`T`
 * and `Z` in either case), with the restrictions of §5.7: the day within its month (February 29
 * in leap years only), hours 00-23 (no `24:00`), minutes 00-59, offsets up to 23:59, and a second
 * of 60 only for a leap second, at 23:59:60 UTC on the last day of a month (at the local time the
 * offset gives, `15:59:60-08:00`). Which months have one is not known ahead, so any month end
 * may. @internal
 *
 * @example
 * ```ts
 * isDateTime('2030-02-28T12:00:00Z'); // true
 * isDateTime('2030-02-31T12:00:00Z'); // false
 * ```
 * @see RFC 3339 §5.6, §5.7; RFC 4865 §3 (erratum 2040)
 */
export function isDateTime(v: string): boolean {
  if (!shape(v, 0, 'dddd-dd-ddTdd:dd:dd')) return false;
  const n = (from: number) => Number(v.slice(from, from + 2));
  const y = Number(v.slice(0, 4));
  const m = n(5);
  const d = n(8);
  const second = n(17);
  // days of the month: 31 and 30 alternating, from August on the other way round; February 28 or 29
  const days = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : 30 + ((m + (m >> 3)) & 1);
  if (m < 1 || m > 12 || d < 1 || d > days || n(11) > 23 || n(14) > 59 || second > 60) return false;
  let i = 19;
  if (v[i] === '.') {
    const start = ++i;
    while (shape(v, i, 'd')) i++;
    if (i === start) return false;
  }
  // the offset east of UTC, in minutes
  let offset = 0;
  if (i === v.length - 1) {
    if (v[i] !== 'Z' && v[i] !== 'z') return false;
  } else {
    if (i + 6 !== v.length || (v[i] !== '+' && v[i] !== '-') || !shape(v, i + 1, 'dd:dd') || n(i + 1) > 23 || n(i + 4) > 59) return false;
    offset = (v[i] === '-' ? -1 : 1) * (n(i + 1) * 60 + n(i + 4));
  }
  if (second < 60) return true;
  // a leap second: 23:59 UTC is this local day's 23:59 or, east of UTC, the day before's
  const utc = n(11) * 60 + n(14) - offset;
  return utc === 1439 ? d === days : utc === -1 && d === 1;
}
