/**
 * IPv6 text read as its eight 16-bit groups, for the Node adapters' address policies (the
 * server's per-client key, the client's public-address check).
 */

/**
 * The eight 16-bit groups of an IPv6 address in text form: any case, `::`, a dotted quad last.
 * For text already known to be IPv6 (Node's `isIPv6`) with no zone id: it does not validate.
 *
 * @example
 * ```ts
 * ipv6Groups('64:ff9b::127.0.0.1'); // [0x64, 0xff9b, 0, 0, 0, 0, 0x7f00, 1]
 * ```
 * @see RFC 4291 §2.2
 */
export function ipv6Groups(text: string): number[] {
  const groups = (part: string): number[] => {
    const out: number[] = [];
    if (part === '') return out;
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const gap = text.indexOf('::');
  const head = groups(gap >= 0 ? text.slice(0, gap) : text);
  const tail = gap >= 0 ? groups(text.slice(gap + 2)) : [];
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}
