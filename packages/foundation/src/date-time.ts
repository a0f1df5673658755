/**
 * The RFC 3339 date-time of the ESMTP extensions that carry one (FUTURERELEASE's advertised maximum
 * and HOLDUNTIL, RFC 4865; RRVS, RFC 7293), in one place for smtp-capabilities and smtp-client-args.
 */

/**
 * The shape of an RFC 3339 §5.6 `date-time` (`T` and `Z` in either case, §5.6 NOTE). Anchored, and
 * no two parts can take the same character (the fraction's digits end at `Z`, `+` or `-`): linear
 * on any input.
 */
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|([+-]\d\d):(\d\d))$/i;

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
  const m = DATE_TIME.exec(v);
  if (m === null) return false;
  // the offset's hour carries its sign; a missing offset (Z) is 0
  const [, y, mo, d, h, mi, s, oh, om] = m.map<number>((x) => +x || 0);
  // days of the month: 31 and 30 alternating, from August on the other way round; February 28 or 29
  const days = mo === 2 ? (y! % 4 || (!(y! % 100) && y! % 400) ? 28 : 29) : 30 + ((mo! + (mo! >> 3)) & 1);
  if (!mo || mo > 12 || !d || d > days || h! > 23 || mi! > 59 || s! > 60 || Math.abs(oh!) > 23 || om! > 59) return false;
  // a leap second: 23:59 UTC on this local day or, east of UTC, on the day before
  const utc = h! * 60 + mi! - oh! * 60 - (m[7]?.[0] === '-' ? -om! : om!);
  return s! < 60 || (utc === 1439 ? d === days : utc === -1 && d === 1);
}
