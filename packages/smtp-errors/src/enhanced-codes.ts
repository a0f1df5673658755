/**
 * The enhanced status code table: every code of RFC 3463 and the IANA "SMTP Enhanced Status Codes"
 * registry (RFC 3463, 3886, 4468, 4954, 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689),
 * with the bounce class each maps to for class 5 (permanent) and class 4 (persistent transient),
 * plus vendor codes (Microsoft 365 / Exchange Online, Gmail, Yahoo) that refine the generic meaning.
 */

import type { EnhancedCode } from './reply-input.js';

/**
 * One row of the enhanced status code table.
 *
 * @example
 * ```ts
 * const row = ENHANCED_STATUS_CODES.find((r) => r.code === 'X.2.2'); // Mailbox full -> 22
 * ```
 * @see RFC 3463 §3
 */
export interface EnhancedCodeEntry {
  /** `X.subject.detail` for the registry, or a full code such as `5.7.606` for vendor entries. */
  readonly code: string;
  /** What the code means (registry title, or the vendor's documented meaning). */
  readonly description: string;
  /** Class id for a permanent (5.x.x) reply. */
  readonly permanent: number;
  /** Class id for a transient (4.x.x) reply. */
  readonly transient: number;
  /** Where the code is defined: an RFC, or the vendor. */
  readonly source: string;
}

type Row = [string, string, number, number, string];

// [subject.detail, title, class for 5.x.x, class for 4.x.x, source]
const REGISTRY: Row[] = [
  ['0.0', 'Other undefined status', 40, 70, 'RFC 3463'],
  ['1.0', 'Other address status', 10, 70, 'RFC 3463'],
  ['1.1', 'Bad destination mailbox address', 10, 10, 'RFC 3463'],
  ['1.2', 'Bad destination system address', 10, 21, 'RFC 3463'],
  ['1.3', 'Bad destination mailbox address syntax', 10, 10, 'RFC 3463'],
  ['1.4', 'Destination mailbox address ambiguous', 10, 70, 'RFC 3463'],
  ['1.5', 'Destination address valid', 40, 70, 'RFC 3463'],
  ['1.6', 'Destination mailbox has moved, No forwarding address', 10, 10, 'RFC 3463'],
  ['1.7', "Bad sender's mailbox address syntax", 50, 70, 'RFC 3463'],
  // X.1.8 is the sender's domain: refused like X.1.7 (50), and as a 4xx a deferral the sender
  // retries (70), not a failure to resolve the recipient's domain (21).
  ['1.8', "Bad sender's system address", 50, 70, 'RFC 3463'],
  ['1.9', 'Message relayed to non-compliant mailer', 40, 70, 'RFC 3886'],
  ['1.10', 'Recipient address has null MX', 10, 10, 'RFC 7505'],
  ['2.0', 'Other or undefined mailbox status', 10, 20, 'RFC 3463'],
  ['2.1', 'Mailbox disabled, not accepting messages', 10, 20, 'RFC 3463'],
  ['2.2', 'Mailbox full', 22, 22, 'RFC 3463'],
  ['2.3', 'Message length exceeds administrative limit', 23, 23, 'RFC 3463'],
  ['2.4', 'Mailing list expansion problem', 40, 70, 'RFC 3463'],
  ['3.0', 'Other or undefined mail system status', 40, 70, 'RFC 3463'],
  ['3.1', 'Mail system full', 20, 70, 'RFC 3463'],
  ['3.2', 'System not accepting network messages', 20, 70, 'RFC 3463'],
  ['3.3', 'System not capable of selected features', 40, 70, 'RFC 3463'],
  ['3.4', 'Message too big for system', 23, 23, 'RFC 3463'],
  ['3.5', 'System incorrectly configured', 40, 70, 'RFC 3463'],
  ['3.6', 'Requested priority was changed', 40, 70, 'RFC 6710'],
  ['4.0', 'Other or undefined network or routing status', 40, 70, 'RFC 3463'],
  ['4.1', 'No answer from host', 24, 24, 'RFC 3463'],
  ['4.2', 'Bad connection', 24, 70, 'RFC 3463'],
  ['4.3', 'Directory server failure', 21, 21, 'RFC 3463'],
  ['4.4', 'Unable to route', 21, 21, 'RFC 3463'],
  ['4.5', 'Mail system congestion', 70, 70, 'RFC 3463'],
  ['4.6', 'Routing loop detected', 40, 40, 'RFC 3463'],
  ['4.7', 'Delivery time expired', 24, 24, 'RFC 3463'],
  ['5.0', 'Other or undefined protocol status', 40, 70, 'RFC 3463'],
  ['5.1', 'Invalid command', 40, 70, 'RFC 3463'],
  ['5.2', 'Syntax error', 40, 70, 'RFC 3463'],
  ['5.3', 'Too many recipients', 20, 70, 'RFC 3463'],
  ['5.4', 'Invalid command arguments', 40, 70, 'RFC 3463'],
  ['5.5', 'Wrong protocol version', 40, 70, 'RFC 3463'],
  ['5.6', 'Authentication Exchange line is too long', 40, 70, 'RFC 4954'],
  ['6.0', 'Other or undefined media error', 40, 70, 'RFC 3463'],
  ['6.1', 'Media not supported', 40, 70, 'RFC 3463'],
  ['6.2', 'Conversion required and prohibited', 40, 70, 'RFC 3463'],
  ['6.3', 'Conversion required but not supported', 40, 70, 'RFC 3463'],
  ['6.4', 'Conversion with loss performed', 40, 70, 'RFC 3463'],
  ['6.5', 'Conversion Failed', 40, 70, 'RFC 3463'],
  ['6.6', 'Message content not available', 40, 70, 'RFC 4468'],
  ['6.7', 'Non-ASCII addresses not permitted for that sender/recipient', 40, 70, 'RFC 6531'],
  ['6.8', 'UTF-8 string reply is required, but not permitted by the SMTP client', 40, 70, 'RFC 6531'],
  ['6.9', 'UTF-8 header message cannot be transferred to one or more recipients', 40, 70, 'RFC 6531'],
  ['6.10', 'UTF-8 string reply is required, but not permitted by the SMTP client', 40, 70, 'RFC 6531'],
  ['7.0', 'Other or undefined security status', 50, 50, 'RFC 3463'],
  ['7.1', 'Delivery not authorized, message refused', 50, 50, 'RFC 3463'],
  ['7.2', 'Mailing list expansion prohibited', 50, 50, 'RFC 3463'],
  ['7.3', 'Security conversion required but not possible', 40, 70, 'RFC 3463'],
  ['7.4', 'Security features not supported', 40, 70, 'RFC 3463'],
  ['7.5', 'Cryptographic failure', 40, 70, 'RFC 3463'],
  ['7.6', 'Cryptographic algorithm not supported', 40, 70, 'RFC 3463'],
  ['7.7', 'Message integrity failure', 40, 70, 'RFC 3463'],
  ['7.8', 'Authentication credentials invalid', 25, 70, 'RFC 4954'],
  ['7.9', 'Authentication mechanism is too weak', 25, 70, 'RFC 4954'],
  ['7.10', 'Encryption Needed', 50, 70, 'RFC 5248'],
  ['7.11', 'Encryption required for requested authentication mechanism', 25, 70, 'RFC 4954'],
  ['7.12', 'A password transition is needed', 25, 70, 'RFC 4954'],
  ['7.13', 'User Account Disabled', 10, 20, 'RFC 5248'],
  ['7.14', 'Trust relationship required', 50, 50, 'RFC 5248'],
  ['7.15', 'Priority Level is too low', 50, 70, 'RFC 6710'],
  ['7.16', 'Message is too big for the specified priority', 23, 23, 'RFC 6710'],
  ['7.17', 'Mailbox owner has changed', 10, 10, 'RFC 7293'],
  ['7.18', 'Domain owner has changed', 10, 10, 'RFC 7293'],
  ['7.19', 'RRVS test cannot be completed', 40, 70, 'RFC 7293'],
  ['7.20', 'No passing DKIM signature found', 50, 50, 'RFC 7372'],
  ['7.21', 'No acceptable DKIM signature found', 50, 50, 'RFC 7372'],
  ['7.22', 'No valid author-matched DKIM signature found', 50, 50, 'RFC 7372'],
  ['7.23', 'SPF validation failed', 50, 50, 'RFC 7372'],
  ['7.24', 'SPF validation error', 50, 50, 'RFC 7372'],
  ['7.25', 'Reverse DNS validation failed', 50, 50, 'RFC 7372'],
  ['7.26', 'Multiple authentication checks failed', 50, 50, 'RFC 7372'],
  ['7.27', 'Sender address has null MX', 50, 50, 'RFC 7505'],
  ['7.28', 'Mail flood detected', 51, 51, 'IANA registry'],
  ['7.29', 'ARC validation failure', 50, 50, 'RFC 8617'],
  ['7.30', 'REQUIRETLS support required', 50, 70, 'RFC 8689'],
];

// Vendor codes: full code -> [title, class, source]. Ranges are expanded below.
const VENDOR: [string, string, number, string][] = [
  ['5.1.10', 'Recipient not found (Microsoft 365)', 10, 'Microsoft'],
  ['5.4.14', 'Hop count exceeded, possible mail loop (Microsoft 365)', 40, 'Microsoft'],
  // Microsoft's own NDR table (learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online):
  // the per-hour receive limits are rate limits the sender retries later; 5.1.90 is the sender's
  // daily recipient limit; 5.7.12 and 5.7.135 refuse
  // senders from outside the organization (not RFC 4954's password transition); 5.7.502/503 ban
  // the sending account, 5.7.505 the recipient; 5.4.300 is an expired message.
  ['5.2.121', "Recipient's per-hour message receive limit from a sender exceeded (Microsoft 365)", 70, 'Microsoft'],
  ['5.2.122', "Recipient's per-hour message receive limit exceeded (Microsoft 365)", 70, 'Microsoft'],
  ['5.1.90', "The sender reached its daily limit for message recipients (Microsoft 365)", 70, 'Microsoft'],
  ['5.7.12', 'Sender was not authenticated by the organization (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.135', 'Sender was not authenticated for the public folder (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.502', 'Access denied, banned sender: spam activity (Microsoft 365)', 51, 'Microsoft'],
  ['5.7.503', 'Access denied, banned sender: spam activity (Microsoft 365)', 51, 'Microsoft'],
  ['5.7.505', 'Access denied, banned recipient (Microsoft 365)', 10, 'Microsoft'],
  ['5.4.300', 'Message expired (Microsoft 365)', 24, 'Microsoft'],
  ['5.7.57', 'Client was not authenticated to send anonymous mail during MAIL FROM (Microsoft 365)', 54, 'Microsoft'],
  ['5.7.64', 'TenantAttribution; Relay access denied (Microsoft 365)', 54, 'Microsoft'],
  ['5.7.124', 'Sender not in the group\'s allowed senders list (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.133', 'Sender not authenticated for the group (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.134', 'Sender was not authenticated for the mailbox (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.501', 'Spam abuse detected (Microsoft 365)', 51, 'Microsoft'],
  ['5.7.504', 'Recipient rejected (Microsoft 365)', 10, 'Microsoft'],
  ['5.7.506', 'Bad HELO (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.507', 'Rejected by recipient (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.508', 'IP exceeded permitted limits (Microsoft 365)', 51, 'Microsoft'],
  ['5.7.509', 'Access denied, sending domain does not pass DMARC verification (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.510', 'Access denied, the recipient does not accept email over IPv6 (Microsoft 365)', 50, 'Microsoft'],
  ['5.7.511', 'Access denied, banned sender (Microsoft 365)', 51, 'Microsoft'],
  ['5.7.512', 'Access denied, message must be RFC 5322 section 3.6.2 compliant (Microsoft 365)', 40, 'Microsoft'],
  ['5.7.513', 'Service unavailable, client host blocked from sending (Microsoft 365)', 51, 'Microsoft'],
  ['5.7.515', 'Access denied, sending domain does not meet the authentication level (Microsoft 365)', 50, 'Microsoft'],
  // 5.7.703 is documented on its own, apart from the 7xx tenant bans: the sender's own organization
  // blocks the recipient in its tenant allow/block list, a policy refusal.
  ['5.7.703', "Recipient blocked by the sending organization's tenant recipient block policy (Microsoft 365)", 50, 'Microsoft'],
  ['4.7.650', 'The mail server has been temporarily rate limited due to IP reputation (Microsoft 365)', 51, 'Microsoft'],
  // 4.7.500-699: "Access denied, please try again later": sending temporarily restricted while the
  // activity is evaluated (Microsoft's NDR table): a deferral, retried.
  ['4.7.500', 'Access denied, please try again later: sending temporarily restricted (Microsoft 365 throttling)', 70, 'Microsoft'],
  ['5.6.211', 'Invalid MIME content: line length or header limit exceeded (Microsoft 365)', 40, 'Microsoft'],
  // 5.3.190: the receiving organization's settings do not allow journaling into it (a refusal by its
  // configuration, not a failure of the sender's own submission).
  ['5.3.190', 'Journaling on-premises messages to Microsoft 365 not supported when Journaling Archive is disabled', 50, 'Microsoft'],
  ['4.4.316', 'Connection refused (Microsoft 365 outbound connector)', 70, 'Microsoft'],
  ['5.4.316', 'Message expired, connection refused (Microsoft 365)', 24, 'Microsoft'],
  ['4.4.7', 'Message expired in queue', 24, 'Microsoft'],
  // Gmail's sender-authentication family (support.google.com/a/answer/3726730, "Gmail SMTP errors
  // and codes"): X.7.23-X.7.32 and X.7.40 name the check that failed (reverse DNS, SPF, TLS, DKIM,
  // DMARC policy, From: alignment). 4.7.x defers, 5.7.x refuses; the check is the sender's setup (50).
  ['5.7.26', 'Unauthenticated email is not accepted: fails SPF and DKIM / DMARC (Gmail)', 50, 'Gmail'],
  ['5.7.27', 'SPF did not pass for the sending domain (Gmail; the registry code is null MX)', 50, 'Gmail'],
  ['4.7.27', 'SPF did not pass for the sending domain (Gmail)', 50, 'Gmail'],
  ['4.7.29', 'The message was not sent over TLS (Gmail)', 50, 'Gmail'],
  ['5.7.29', 'The message was not sent over TLS (Gmail)', 50, 'Gmail'],
  ['4.7.30', 'DKIM did not pass (Gmail)', 50, 'Gmail'],
  ['5.7.30', 'DKIM did not pass (Gmail)', 50, 'Gmail'],
  ['4.7.32', 'The From: domain is not aligned with the SPF or DKIM domain (Gmail)', 50, 'Gmail'],
  ['5.7.32', 'The From: domain is not aligned with the SPF or DKIM domain (Gmail)', 50, 'Gmail'],
  ['4.7.40', 'The sending domain has no DMARC policy (Gmail)', 50, 'Gmail'],
  ['5.7.40', 'The sending domain has no DMARC policy (Gmail)', 50, 'Gmail'],
  ['4.7.28', 'Unusual rate of unsolicited mail from the sending IP or domain (Gmail)', 51, 'Gmail'],
  ['5.7.28', 'Unusual rate of unsolicited mail from the sending IP or domain (Gmail)', 51, 'Gmail'],
  ['5.7.25', 'The sending IP does not have a PTR record (Gmail)', 50, 'Gmail'],
  ['4.7.25', 'The sending IP does not have a PTR record (Gmail)', 50, 'Gmail'],
  ['5.7.9', 'Message not accepted for policy reasons (Yahoo)', 50, 'Yahoo'],
];

/**
 * Microsoft's 5.7.6xx and 5.7.7xx codes are families: 6xx refuses the sending IP, 7xx the sending
 * tenant (thresholds, traffic not accepted, unregistered domains). Each family decides as a whole,
 * so a code Microsoft adds inside a family is read by its family.
 */
function expandRanges(): [string, string, number, string][] {
  const out: [string, string, number, string][] = [];
  const listed = new Set(VENDOR.map(([code]) => code));
  for (let d = 600; d <= 699; d++) if (!listed.has(`5.7.${d}`)) out.push([`5.7.${d}`, 'Access denied, banned sending IP (Microsoft 365)', 51, 'Microsoft']);
  for (let d = 700; d <= 799; d++) {
    if (!listed.has(`5.7.${d}`)) out.push([`5.7.${d}`, 'Access denied, the sending tenant is blocked: threshold exceeded, traffic not accepted or unregistered domains (Microsoft 365)', 51, 'Microsoft']);
  }
  return out;
}

/**
 * The enhanced status code table: one row per code of RFC 3463 and the IANA registry (as
 * `X.subject.detail`) followed by the vendor codes (as full codes). Frozen.
 *
 * @example
 * ```ts
 * console.table(ENHANCED_STATUS_CODES.map((r) => [r.code, r.description, r.permanent]));
 * ```
 * @see RFC 3463 §3, https://www.iana.org/assignments/smtp-enhanced-status-codes
 */
export const ENHANCED_STATUS_CODES: readonly EnhancedCodeEntry[] = Object.freeze([
  ...REGISTRY.map(([code, description, permanent, transient, source]) =>
    Object.freeze({ code: `X.${code}`, description, permanent, transient, source }),
  ),
  ...[...VENDOR, ...expandRanges()].map(([code, description, id, source]) =>
    Object.freeze({ code, description, permanent: id, transient: id, source }),
  ),
]);

/**
 * @internal Whether `entry` is a vendor's own code whose subject and detail the registry does not
 * define (`5.7.750`, not `5.1.10`): its meaning is the vendor's alone.
 */
export function isVendorOnly(entry: EnhancedCodeEntry): boolean {
  return !entry.code.startsWith('X.') && !bySubjectDetail.has(entry.code.slice(entry.code.indexOf('.') + 1));
}

const bySubjectDetail = new Map<string, EnhancedCodeEntry>();
const byFullCode = new Map<string, EnhancedCodeEntry>();
for (const row of ENHANCED_STATUS_CODES) {
  if (row.code.startsWith('X.')) bySubjectDetail.set(row.code.slice(2), row);
  else byFullCode.set(row.code, row);
}

/** @internal The vendor-only codes (see {@link isVendorOnly}), packed as `class * 1e6 + subject * 1e3 + detail`. */
export const VENDOR_ONLY_PACKED: ReadonlySet<number> = new Set(
  [...byFullCode.values()].filter(isVendorOnly).map((r) => {
    const [c, s, d] = r.code.split('.').map(Number);
    return c! * 1_000_000 + s! * 1000 + d!;
  }),
);

/** Fallback by subject when the detail is not registered. */
const SUBJECT_DEFAULT: Record<number, [number, number]> = {
  0: [40, 70],
  1: [10, 70],
  2: [10, 20],
  3: [40, 70],
  4: [40, 70],
  5: [40, 70],
  6: [40, 70],
  7: [50, 50],
};

/**
 * The bounce class for an enhanced status code: a vendor code first, then the registry row, then
 * the subject's default. `undefined` for class 2 (success), an unknown subject or a value that is
 * not a code object.
 *
 * @example
 * ```ts
 * enhancedClass({ class: 5, subject: 2, detail: 2 }); // { id: 22, entry: { code: 'X.2.2', ... } }
 * ```
 * @see RFC 3463 §3
 */
export function enhancedClass(code: EnhancedCode): { id: number; entry: EnhancedCodeEntry | undefined } | undefined {
  if (typeof code !== 'object' || code === null || (code.class !== 4 && code.class !== 5)) return undefined;
  const full = byFullCode.get(`${code.class}.${code.subject}.${code.detail}`);
  if (full) return { id: full.permanent, entry: full };
  const row = bySubjectDetail.get(`${code.subject}.${code.detail}`);
  if (row) return { id: code.class === 5 ? row.permanent : row.transient, entry: row };
  const def = SUBJECT_DEFAULT[code.subject];
  if (!def) return undefined;
  return { id: code.class === 5 ? def[0] : def[1], entry: undefined };
}
