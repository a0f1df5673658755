/**
 * Free-text bounces: the reports qmail, older Exim, Exchange, Lotus Domino and webmail providers
 * write for people rather than as RFC 3464 fields. Finds each failed recipient and the text that
 * explains it. Every scan is a single pass over a bounded prefix of the body.
 */

/** How much of a free-text body is read: the explanation comes before the returned message. */
const MAX_SCAN = 32768;

const BOUNCE_FROM = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|mail\.daemon|noreply-dmarc|bounce|bounces|mdaemon|nobody)(@|$)/i;
const BOUNCE_SUBJECT =
  /(undeliver|undelivered|delivery (status notification|failure|failed|problem|has failed|notification)|failure notice|returned mail|mail delivery (failed|failure|system|subsystem)|could not (be )?deliver|non[- ]?delivery|nondeliverable|delivery report|message not delivered|returned to sender|mail system error|permanent error|warning: could not send|delayed mail|delivery delayed|rejected|bounce|mail failure|not delivered|error sending|zustellung|unzustellbar|non remis|no entregado|不达|退信|エラー)/i;

/**
 * True when the sender, subject or opening text looks like a delivery failure report.
 */
export function looksLikeBounce(from: string, subject: string, body: string): boolean {
  if (BOUNCE_FROM.test(from)) return true;
  if (BOUNCE_SUBJECT.test(subject)) return true;
  const head = body.slice(0, 2048);
  return /(could not be delivered|couldn't be delivered|delivery to the following recipients? (has )?failed|this is the qmail-send program|permanent (fatal )?error|was not delivered|undeliverable|delivery has failed|the following addresses? (had|failed)|unable to deliver|delivery failed)/i.test(head);
}

/** Where the copy of the returned message starts in a free-text bounce. */
const ORIGINAL_MARKER =
  /^\s*(-{2,}.*(below this line|copy of (the|your) message|original message|returned message|message headers|headers of)|-+\s*original message\s*-+|original message follows|the original message (was|is)|received: from |return-path: |-{3,} ?the header of the original|\*\*\* ?original)/i;

const ADDRESS = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+/;
const ADDRESS_LINE = new RegExp(`^\\s*(?:(?:RCPT|To|Recipient|Failed|Address)[^:<\\n]{0,20}:\\s*)?["<]?(${ADDRESS.source})[">]?:?(?:\\s*\\(.{0,80}\\))?(?:[\\s:,]\\s*(.*))?$`, 'i');

const ENHANCED = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/** One recipient found in a free-text bounce. */
export interface FreeTextRecipient {
  readonly address: string | undefined;
  readonly status: string | undefined;
  readonly diagnostic: string;
}

function isSystemAddress(a: string): boolean {
  return /^(mailer-daemon|postmaster|mail-daemon|root|noreply|no-reply|abuse)@/i.test(a);
}

function collapse(s: string): string {
  // qmail ends every recipient with "Giving up on <host>.", which says nothing about the reason.
  return s.replace(/\s+/g, ' ').replace(/ ?Giving up on [\w.:-]{1,255}\.?/g, '').trim();
}

/**
 * The recipients and explanations of a free-text bounce body. Empty when nothing in the body
 * reads like a failure.
 */
export function extractFreeText(body: string): FreeTextRecipient[] {
  const all = body.slice(0, MAX_SCAN).split(/\r?\n/);
  // Cut at the copy of the returned message (line by line: each test sees at most 200 characters).
  let cut = all.length;
  for (let i = 1; i < all.length; i++) {
    const l = all[i]!;
    if (l.length <= 200 && ORIGINAL_MARKER.test(l)) {
      cut = i;
      break;
    }
  }
  const lines = all.slice(0, cut);
  const text = lines.join('\n');
  const found: { address: string; start: number; inline: string | undefined }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 400) continue;
    const m = ADDRESS_LINE.exec(line);
    if (m === null) continue;
    const address = m[1]!;
    if (isSystemAddress(address)) continue;
    found.push({ address, start: i, inline: m[2] });
  }
  const out: FreeTextRecipient[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < found.length; k++) {
    const f = found[k]!;
    const key = f.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const end = k + 1 < found.length ? found[k + 1]!.start : Math.min(lines.length, f.start + 30);
    let chunk = [f.inline ?? '', ...lines.slice(f.start + 1, end)].join('\n');
    chunk = collapse(chunk);
    out.push({ address: f.address, status: ENHANCED.exec(chunk)?.[0], diagnostic: chunk === '' ? collapse(text) : chunk });
  }
  // Recipients that share one explanation (a list of addresses, then the reason): give each the
  // text that follows the list.
  if (out.length > 0 && out.every((r) => r.diagnostic.length < 4 || ADDRESS.test(r.diagnostic) === false)) {
    const tail = collapse(lines.slice(found[found.length - 1]!.start + 1).join('\n'));
    const before = collapse(lines.slice(0, found[0]!.start).join('\n'));
    return out.map((r) => {
      const diagnostic = r.diagnostic.length >= 4 ? r.diagnostic : tail.length >= 4 ? tail : before;
      return { address: r.address, status: r.status ?? ENHANCED.exec(diagnostic)?.[0], diagnostic };
    });
  }
  if (out.length === 0) {
    const all = collapse(text);
    if (all === '') return [];
    const any = ADDRESS.exec(all);
    const address = any !== null && !isSystemAddress(any[0]) ? any[0] : undefined;
    return [{ address, status: ENHANCED.exec(all)?.[0], diagnostic: all.slice(0, 4000) }];
  }
  return out;
}
