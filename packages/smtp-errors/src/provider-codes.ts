/**
 * Provider codes: the short codes some mail providers and filtering services put in their replies
 * (`554 HL:IHU`, `550 ... Comcast BL000001`, `[net 009]`, `XGEMAIL_0011`), each read by the meaning
 * the provider documents for that very code. A prefix is not a meaning: `HL:ICC` is a connection
 * limit and `HL:IHU` a suspension of the sending IP, so the tables list documented codes one by one,
 * grouped in the families the provider documents. A code the provider's page does not explain is
 * left out rather than guessed.
 *
 * The codes are found in the classifier's one pass over the reply (they are literals of the same
 * automaton as the phrase rules, see `RuleMatcher`); this module holds the tables and the checks.
 */

import { SmtpErrorsError } from './errors.js';
import { isAlnum } from './reply-input.js';

/**
 * One documented provider code: the code as it appears in a reply, the provider that documents it,
 * its family, what it means (in our words) and the bounce class of that meaning.
 *
 * @example
 * ```ts
 * PROVIDER_CODES.find((c) => c.code === 'HL:IHU'); // { provider: 'netease', id: 51, ... }
 * PROVIDER_CODES.filter((c) => c.provider === 'sophos').length; // 15
 * ```
 * @see RFC 5321 §4.2
 */
export interface ProviderCode {
  /** The code exactly as the reply prints it, case included (`HL:IHU`, `BL000001`, `net 009`). */
  readonly code: string;
  /**
   * Whose code it is: `netease` (NetEase's 163.com, 126.com, yeah.net and hosted mail), `sophos`
   * (Sophos Central Email), `comcast` (Comcast / Xfinity), `cox` (Cox), `att` (AT&T's att.net and bellsouth.net),
   * or the name given to a code added with the `providerCodes` option.
   */
  readonly provider: string;
  /** The family the provider documents it in (`HL`: the sending IP's behaviour; `BL`: block lists). */
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

/**
 * A provider code to add with `createClassifier({ providerCodes })`: the fields of
 * {@link ProviderCode}, of which `family`, `meaning` and `source` may be left out (they default to
 * empty text). A `ProviderCode` of the built-in table is a valid entry too.
 *
 * `code` is matched exactly (case included) wherever it stands alone in a reply: no ASCII letter or
 * digit right before or after it. It must be 2 to 64 printable ASCII characters (spaces allowed
 * inside) that begin and end with a letter or a digit. An entry with the same `code` as a built-in
 * one replaces it.
 *
 * @example
 * ```ts
 * const c = createClassifier({
 *   providerCodes: [{ code: 'RX-0042', provider: 'example-mx', id: 51, meaning: 'sending IP on our block list' }],
 * });
 * c.classify('550 RX-0042 rejected').id; // 51
 * ```
 * @see RFC 5321 §4.2
 */
export interface ProviderCodeInit {
  readonly code: string;
  readonly provider: string;
  readonly id: number;
  readonly family?: string | undefined;
  readonly meaning?: string | undefined;
  readonly source?: string | undefined;
}

/** [code, family, meaning, class] */
type Row = readonly [string, string, string, number];

// NetEase's table of reply codes ("退信代码说明" on its postmaster help pages), as quoted in full at
// https://biecuoliao.com/pa/MBRrwEM.html and https://www.51yue.net/news/thread/20200123/14841169.html;
// the 554 HL: rows from the NetEase-run hosted mail FAQ at http://163ns.com.cn/mail/MailFAQ.htm.
const NETEASE = 'NetEase reply code table (https://biecuoliao.com/pa/MBRrwEM.html, http://163ns.com.cn/mail/MailFAQ.htm)';

const NETEASE_CODES: readonly Row[] = [
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

// Sophos Central Email's table of the error codes its gateway puts in rejections ("SMTP error
// codes" in the Sophos Central help). Every code from 0001 to 0015 is documented there.
const SOPHOS = 'Sophos Central Email, SMTP error codes (https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/EmailSecurity/SMTPErrorCodes/index.html)';

const SOPHOS_CODES: readonly Row[] = [
  // the sender's authentication
  ['XGEMAIL_0001', 'XGEMAIL', 'the message has no valid DKIM signature', 50],
  ['XGEMAIL_0002', 'XGEMAIL', 'the message did not pass the SPF check', 50],
  ['XGEMAIL_0003', 'XGEMAIL', 'the message did not pass the DMARC check', 50],
  // the sender's listings
  ['XGEMAIL_0004', 'XGEMAIL', "the sending IP address is on a real-time block list (an RBL test failed)", 51],
  ['XGEMAIL_0005', 'XGEMAIL', "the sender's domain is on a domain block list (a DBL test failed)", 51],
  // the receiving organisation's policy and service
  ['XGEMAIL_0006', 'XGEMAIL', 'the connection used a TLS version other than the one the receiving policy requires', 50],
  // Not a refusal of the sender or the content: the receiving side's service is not active.
  ['XGEMAIL_0007', 'XGEMAIL', "the receiving organisation's Sophos Email licence has expired", 40],
  ['XGEMAIL_0008', 'XGEMAIL', "a domain, IP address or address of the message is on the administrator's block list", 50],
  ['XGEMAIL_0009', 'XGEMAIL', "a domain, IP address or address of the message is on the recipient's own block list", 50],
  // Sophos accepts mail only for the domains it protects: any other domain is a relay it refuses.
  ['XGEMAIL_0010', 'XGEMAIL', 'the recipient domain is not a domain this Sophos Email service protects', 54],
  ['XGEMAIL_0011', 'XGEMAIL', 'the recipient address does not exist in the protected domain', 10],
  // size and rate limits
  ['XGEMAIL_0012', 'XGEMAIL', 'the message is larger than the size allowed', 23],
  ['XGEMAIL_0013', 'XGEMAIL', 'a large message was addressed to more recipients than its size allows', 23],
  ['XGEMAIL_0014', 'XGEMAIL', "the recipient's inbound rate limit for a single sender was reached", 70],
  ['XGEMAIL_0015', 'XGEMAIL', "the recipient's inbound rate limit over all senders was reached", 70],
];

// Comcast's postmaster table of the block codes in its 550 rejections ("Mail delivery error codes"),
// with the per-code pages of Xfinity's "email errors" help. The BL codes read as bits: 1 Spamhaus
// ZEN, 10 Cloudmark CSI, 100 SenderScore (BL000111's row is cut short in the copies read after
// naming SenderScore; its bits name all three). The page's further rows (later BL codes, the RL
// codes) are not in the copies read, so they are left out.
const COMCAST = 'Comcast postmaster, mail delivery error codes (http://postmaster.comcast.net/mail-error-codes.html, https://es.xfinity.com/support/articles/email-errors)';

const COMCAST_CODES: readonly Row[] = [
  // ES: the sending IP is on Comcast's block list of dynamic and residential address space (Comcast
  // calls it a block list, as the guide's rule 8 and AOL's DYN family read: 51)
  ['ES000001', 'ES', "the sending IP is in Comcast's own dynamic or residential address space, which may only send through Comcast's mail servers", 51],
  ['ES000010', 'ES', 'the sending IP is in dynamic or residential address space elsewhere (judged so when its reverse DNS does not look static)', 51],
  // BL: the sending IP's reputation and listings
  ['BL000000', 'BL', 'the sending IP sent mail in patterns characteristic of spam', 51],
  ['BL000001', 'BL', 'the sending IP is on the Spamhaus ZEN block list', 51],
  ['BL000010', 'BL', 'the sending IP is on Cloudmark CSI', 51],
  ['BL000011', 'BL', 'the sending IP is on the Spamhaus ZEN block list and Cloudmark CSI', 51],
  ['BL000100', 'BL', 'the sending IP is on the SenderScore block list', 51],
  ['BL000101', 'BL', 'the sending IP is on the Spamhaus ZEN and SenderScore block lists', 51],
  ['BL000110', 'BL', 'the sending IP is on the SenderScore block list and Cloudmark CSI', 51],
  ['BL000111', 'BL', 'the sending IP is on the SenderScore block list and on the other lists of the family', 51],
];

// Cox's table of the codes in its rejections ("Email Error Codes" on its business and residential
// support pages, earlier the postmaster site), which print them after `AUP#`. The IPBL codes read as
// bits: 1 Spamhaus ZEN, 10 Return Path, 100 invaluement ivmSIP; IPBL1000 is Cloudmark CSI. Rows of
// the page not in the copies read are left out.
const COX = 'Cox email error codes (https://www.cox.com/business/support/email-error-codes.html)';

const COX_CODES: readonly Row[] = [
  ['CXBL', 'CX', 'the sending IP is blocked as a spam source', 51],
  ['CDRBL', 'CD', 'the sending IP is blocked for up to 24 hours as a spam source', 51],
  ['CXDNS', 'CX', 'the sending IP has no working reverse DNS', 50],
  ['CXSNDR', 'CX', "the sender's domain failed SPF or DKIM", 50],
  ['CXSMTP', 'CX', 'the session broke the SMTP protocol', 50],
  ['CXCNCT', 'CX', 'the sending IP holds too many connections', 70],
  ['CXMXRT', 'CX', 'the sender sent to too many recipients for now', 70],
  ['CXTHRT', 'CX', 'the Cox account sending is limited after suspicious activity', 50],
  ['CXMJ', 'CX', 'the Cox account sending is blocked after suspicious activity', 50],
  ...(['0001', '0010', '0011', '0100', '0101', '0110', '0111', '1000'] as const).map((bits): Row => ['IPBL' + bits, 'IPBL', 'the sending IP is on a public block list (' + ['Spamhaus ZEN', 'Return Path', 'invaluement ivmSIP', 'Cloudmark CSI'].filter((_, i) => bits[3 - i] === '1').join(', ') + ')', 51]),
];

// AT&T's postmaster "E-mail Error List" for mail to att.net and bellsouth.net customers. `net 002`
// is left out: it only introduces the reason that follows it ("undeliverable due to the following
// reason:"), so the words of that reason decide.
const ATT = 'AT&T postmaster, e-mail error list (http://www.postmaster.bellsouth.net/error.htm)';

const ATT_CODES: readonly Row[] = [
  ['net 001', 'net', 'the sender may not send to this address (for senders outside AT&T, a block over an abuse situation)', 50],
  // A fault in the recipient's own forwarding, as a loop is a fault in the routing: a generic bounce.
  ['net 003', 'net', 'the recipient has set up one or more forwarding addresses that are invalid', 40],
  ['net 004', 'net', "the recipient's account is over its quota for now", 22],
  ['net 005', 'net', 'the message uses 8-bit or binary encoding, which the receiving system does not support', 40],
  ['net 006', 'net', 'the message is larger than the receiving system accepts', 23],
  ['net 007', 'net', 'the sending IP address may not relay to the domain', 54],
  ['net 008', 'net', 'the sending IP address has no valid reverse DNS entry', 50],
  ['net 009', 'net', 'the recipient address is not valid', 10],
];

function table(provider: string, source: string, rows: readonly Row[]): ProviderCode[] {
  return rows.map(([code, family, meaning, id]) => Object.freeze({ code, provider, family, meaning, id, source }));
}

/**
 * The documented provider codes, by provider and family: NetEase (`HL:IHU`), Sophos Central Email
 * (`XGEMAIL_0001` to `XGEMAIL_0015`), Comcast (`ES000001`, `BL000000`…), Cox (`CXBL`, `IPBL0001`…)
 * and AT&T (`net 001`…).
 * Frozen. A code decides a classification wherever it stands alone in the reply (exactly, case
 * included), after the operator's own rules and before the phrase rules and the status codes.
 *
 * @example
 * ```ts
 * console.table(PROVIDER_CODES.map((c) => [c.provider, c.code, c.meaning, c.id]));
 * classify('550 5.7.1 Message rejected: XGEMAIL_0011').rule; // { kind: 'provider-code', provider: 'sophos', code: 'XGEMAIL_0011' }
 * ```
 * @see RFC 5321 §4.2
 */
export const PROVIDER_CODES: readonly ProviderCode[] = Object.freeze([
  ...table('netease', NETEASE, NETEASE_CODES),
  ...table('sophos', SOPHOS, SOPHOS_CODES),
  ...table('comcast', COMCAST, COMCAST_CODES),
  ...table('cox', COX, COX_CODES),
  ...table('att', ATT, ATT_CODES),
]);

/** Whether `code` is 2 to 64 printable ASCII characters that begin and end with a letter or digit. */
function isCodeText(code: string): boolean {
  if (code.length < 2 || code.length > 64 || !isAlnum(code.charCodeAt(0)) || !isAlnum(code.charCodeAt(code.length - 1))) return false;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function invalid(message: string): never {
  throw new SmtpErrorsError('ERR_SMTP_PROVIDER_CODE_INVALID', message);
}

function optionalText(value: unknown, code: string, what: string): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : invalid(`the ${what} of provider code ${code} must be a string`);
}

/**
 * @internal A checked, frozen copy of one `providerCodes` entry. Throws `ERR_SMTP_PROVIDER_CODE_INVALID`
 * for an entry that is not an object, a code of the wrong form, an empty provider or a field of the
 * wrong type. The class id is checked by the caller (against its registry).
 */
export function providerCodeFrom(entry: unknown): ProviderCode {
  if (typeof entry !== 'object' || entry === null) invalid('a provider code must be an object { code, provider, id, family?, meaning?, source? }');
  const init = entry as Partial<Record<keyof ProviderCode, unknown>>;
  const { code, provider, id } = init;
  if (typeof code !== 'string' || !isCodeText(code)) {
    const shown = typeof code === 'string' ? JSON.stringify(code) : `of type ${typeof code}`;
    invalid(`provider code ${shown} must be 2 to 64 printable ASCII characters that begin and end with a letter or digit`);
  }
  if (typeof provider !== 'string' || provider.trim() === '') invalid(`provider code ${code} needs a non-empty provider`);
  return Object.freeze({
    code,
    provider,
    family: optionalText(init.family, code, 'family'),
    meaning: optionalText(init.meaning, code, 'meaning'),
    id: id as number,
    source: optionalText(init.source, code, 'source'),
  });
}
