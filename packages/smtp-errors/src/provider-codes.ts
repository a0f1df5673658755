/**
 * Provider codes: the short codes some mailbox providers put in their replies (`554 HL:IHU`,
 * `450 MI:DMC`), each read by the meaning the provider documents for that very code. A prefix is not
 * a meaning: `HL:ICC` is a connection limit and `HL:IHU` a suspension of the sending IP, so the table
 * lists documented codes one by one, grouped in the families the provider documents.
 *
 * The codes are found in the classifier's one pass over the reply (they are literals of the same
 * automaton as the phrase rules, see `RuleMatcher`); this module holds the table.
 */

/**
 * One documented provider code: the code as it appears in a reply, the provider that documents it,
 * its family, what it means (in our words) and the bounce class of that meaning.
 *
 * @example
 * ```ts
 * PROVIDER_CODES.find((c) => c.code === 'HL:IHU'); // { provider: 'netease', id: 51, ... }
 * ```
 * @see RFC 5321 §4.2
 */
export interface ProviderCode {
  /** The code as the reply prints it, upper case (`HL:IHU`). */
  readonly code: string;
  /** Whose code it is (`netease`: NetEase's 163.com, 126.com, yeah.net and hosted mail). */
  readonly provider: string;
  /** The family the provider documents it in (`HL`: the sending IP's behaviour). */
  readonly family: string;
  /** What the provider documents the code to mean, in our words. */
  readonly meaning: string;
  /**
   * The bounce class of that meaning. In a temporary (4xx) reply a provider code reads as a
   * transient failure (70), except a recipient (10), quota (22) or size (23) meaning and the
   * non-bounce classes (60, 80, 90, 100); a custom class keeps its id.
   */
  readonly id: number;
  /** Where the meaning was read. */
  readonly source: string;
}

// NetEase's table of reply codes ("退信代码说明" on its postmaster help pages), as quoted in full at
// https://biecuoliao.com/pa/MBRrwEM.html and https://www.51yue.net/news/thread/20200123/14841169.html;
// the 554 HL: rows from the NetEase-run hosted mail FAQ at http://163ns.com.cn/mail/MailFAQ.htm.
const NETEASE = 'NetEase reply code table (https://biecuoliao.com/pa/MBRrwEM.html, http://163ns.com.cn/mail/MailFAQ.htm)';

// [code, family, meaning, class]
const NETEASE_CODES: readonly (readonly [string, string, string, number])[] = [
  // HL: the sending IP's behaviour, measured over time
  ['HL:REP', 'HL', 'the sending IP sends to many recipients that do not exist: temporarily refused', 51],
  ['HL:MEP', 'HL', 'the sending IP forges many sender domains: temporarily refused', 51],
  ['HL:IHU', 'HL', 'the sending IP broke the terms of service and is suspended', 51],
  ['HL:IPB', 'HL', 'the sending IP is not on the list of addresses allowed to send', 50],
  ['HL:ICC', 'HL', 'the sending IP holds too many connections at once, or sent too much in a short time', 70],
  ['HL:IFC', 'HL', 'the sending IP sent too many messages in a short time', 70],
  ['HL:IFQ', 'HL', 'the sending IP sent too many messages in a short time', 70],
  // MI: and RP: limits of one connection or one sender
  ['MI:CEL', 'MI', 'the sender issued too many erroneous commands', 70],
  ['RP:CEL', 'RP', 'the sender issued too many erroneous commands', 70],
  ['MI:CCL', 'MI', 'the sender issued more commands than normal', 70],
  ['RP:CCL', 'RP', 'the sender issued more commands than normal', 70],
  ['MI:DMC', 'MI', 'too many messages on this connection', 70],
  ['RP:DRC', 'RP', 'too many recipients on this connection', 70],
  ['MI:SFQ', 'MI', "the sender's volume over 15 minutes is over the limit", 70],
  // DT: the content and the sending IP's listings
  ['DT:SPM', 'DT', 'the content has the marks of spam', 52],
  ['DT:RBL', 'DT', 'the sending IP is listed on one or more DNS block lists', 51],
  // WM: allow lists of the receiving domain
  ['WM:BLI', 'WM', 'the sending IP is not on the allow list', 50],
  ['WM:BLU', 'WM', 'the sender is not on the allow list of senders', 50],
];

/**
 * The documented provider codes, by provider and family. Frozen. A code decides a classification
 * wherever it stands alone in the reply (exactly, case included, with no ASCII letter or digit on
 * either side), after the operator's own rules and before the phrase rules and the status codes.
 *
 * @example
 * ```ts
 * console.table(PROVIDER_CODES.map((c) => [c.code, c.meaning, c.id]));
 * ```
 * @see RFC 5321 §4.2
 */
export const PROVIDER_CODES: readonly ProviderCode[] = Object.freeze(
  NETEASE_CODES.map(([code, family, meaning, id]) => Object.freeze({ code, provider: 'netease', family, meaning, id, source: NETEASE })),
);

/** @internal Whether UTF-16 unit (or byte) `c` is an ASCII letter or digit: what a code may not touch. */
export function isWordUnit(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);
}
