// Recipients that LIMITS MAILMAX (RFC 9422) left untried on a connection, and the one result of a
// message whose recipients went over several connections (the pool, deliver() and `smtp send`).
import { messageOutcome, SmtpClientError } from 'smtp-client-fsm';
import type { ClientErrorCode, RecipientResult } from 'smtp-client-fsm';
import type { SendResult } from './client.js';

const MAILMAX: ClientErrorCode = 'ERR_SMTP_CLIENT_MAILMAX_REACHED';

function checked(name: string, r: unknown): SendResult {
  if (typeof r !== 'object' || r === null || !Array.isArray((r as SendResult).recipients) || typeof (r as SendResult).transactions !== 'number') {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', `${name}: expected a send() result`);
  }
  return r as SendResult;
}

/**
 * The recipients a connection never tried because it reached the server's LIMITS MAILMAX (RFC
 * 9422) in the middle of the message (its recipients took several transactions, RCPTMAX or
 * `maxRecipientsPerTransaction` apart): deferred with `ERR_SMTP_CLIENT_MAILMAX_REACHED`, nothing of
 * the message went to them, so another connection may take them without duplicating anything.
 * Empty for any other result. Every recipient is listed when the connection tried none of them.
 *
 * @example
 * const rest = untriedAtMailMax(result); // e.g. ['r3@example.org', 'r4@example.org']
 * @see RFC 9422 §4
 */
export function untriedAtMailMax(result: SendResult): string[] {
  const r = checked('result', result);
  if (r.errorCode !== MAILMAX) return [];
  return r.recipients.filter((x) => x.status === 'deferred' && x.errorCode === MAILMAX).map((x) => x.address);
}

/**
 * One result for a message whose recipients LIMITS MAILMAX left untried in `first`
 * ({@link untriedAtMailMax}) were then sent on another connection, with the result `then`: every
 * recipient once, in `first`'s order, with its final result (those of `then` replace their
 * untried entries; the others stay as `first` had them), `transaction` counted over both
 * connections (the ones of `then` after those `first` ran), the address lists, `outcome` and
 * `transient` computed again from them, `reply` the last one that queued the message (when some
 * recipient was accepted) or else the one that stopped it, `errorCode` the one of `then` (it
 * decided what was left), `transactions` both connections' together, `messageId` the one of
 * `first`. Throws `ERR_SMTP_CLIENT_INVALID_PARAMETER` when `then` has a recipient that `first`
 * did not leave untried at MAILMAX (it would count twice).
 *
 * @example
 * let result = await client.send(message);
 * const rest = untriedAtMailMax(result);
 * if (rest.length > 0) result = mergeSendResults(result, await (await connect(options)).send({ ...message, to: rest }));
 * @see RFC 9422 §4, RFC 5321 §4.5.3.1.8
 */
export function mergeSendResults(first: SendResult, then: SendResult): SendResult {
  const a = checked('first', first);
  const b = checked('then', then);
  const untried = untriedAtMailMax(a);
  const open = new Set(untried);
  // the transactions `first` ran: its untried recipients sit in one it counted but never began
  const ran = a.transactions - (untried.length > 0 ? 1 : 0);
  const later = new Map<string, RecipientResult>();
  for (const r of b.recipients) {
    if (!open.has(r.address) || later.has(r.address)) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', `then: ${r.address} was not left untried at LIMITS MAILMAX in first`);
    later.set(r.address, { ...r, transaction: r.transaction + ran });
  }
  return combined(a, a.recipients.map((r) => later.get(r.address) ?? r), b, ran + b.transactions);
}

/**
 * Carries on the recipients LIMITS MAILMAX left untried in `result` ({@link untriedAtMailMax}):
 * `sendTo(rest)` sends the message to them on another connection, again for what that one left,
 * while each connection takes some of them (so it ends; each recipient is tried once), and every
 * result is merged in ({@link mergeSendResults}): one result for the message. The carry-over stops
 * when `sendTo` returns undefined (say, no connection may be opened now) or throws a failure of
 * the connection (an `SmtpClientError` of kind `'remote'`: refused, lost, timed out, a greeting or
 * session refused; or `ERR_SMTP_CLIENT_CLOSED`): those left keep their MAILMAX result. Any other
 * error (a usage error, a bug) is thrown. The body must be one that can go again (a string or
 * bytes).
 *
 * @example
 * const result = await carryOnUntried(await client.send(message), async (to) => {
 *   const next = await connect(options);
 *   try { return await next.send({ ...message, to }); } finally { await next.quit(); }
 * });
 * @see RFC 9422 §4
 */
export async function carryOnUntried(result: SendResult, sendTo: (to: string[]) => Promise<SendResult | undefined>): Promise<SendResult> {
  for (let part = result, rest = untriedAtMailMax(part); rest.length > 0 && rest.length < part.recipients.length; rest = untriedAtMailMax(part)) {
    let next: SendResult | undefined;
    try {
      next = await sendTo(rest);
    } catch (e) {
      if (!endsCarryOver(e)) throw e;
    }
    if (next === undefined) break;
    result = mergeSendResults(result, (part = next));
  }
  return result;
}

/**
 * A failure of the connection that was to carry recipients on, which stops the carry-over (those
 * left keep their MAILMAX result): the peer or the connection failed, or the client was closed
 * under the message. Anything else thrown is the caller's.
 */
function endsCarryOver(e: unknown): boolean {
  return e instanceof SmtpClientError && (e.kind === 'remote' || e.code === 'ERR_SMTP_CLIENT_CLOSED');
}

/**
 * `result` with `addresses` deferred by `code` (no reply: a local reason, such as the deadline
 * that passed before another connection could take them), the summary computed again.
 */
export function deferredWith(result: SendResult, addresses: readonly string[], code: ClientErrorCode): SendResult {
  const set = new Set(addresses);
  const recipients = result.recipients.map((r): RecipientResult => {
    if (!set.has(r.address)) return r;
    return { address: r.address, status: 'deferred', accepted: false, transient: true, permanent: false, errorCode: code, stage: r.stage, transaction: r.transaction };
  });
  return combined(result, recipients, { ...result, errorCode: code }, result.transactions);
}

/** A result from its recipients: lists, outcome and reply computed from them (`last` decides the code). */
function combined(first: SendResult, recipients: readonly RecipientResult[], last: SendResult, transactions: number): SendResult {
  const outcome = messageOutcome(recipients);
  const by = (status: RecipientResult['status']): string[] => recipients.filter((r) => r.status === status).map((r) => r.address);
  const queued = (r: SendResult): SendResult['reply'] => (r.outcome === 'delivered' || r.outcome === 'partial' ? r.reply : undefined);
  // as one connection reports it: the last reply that queued the message, or the one that stopped it
  const reply = outcome === 'delivered' || outcome === 'partial' ? (queued(last) ?? queued(first)) : outcome === 'unknown' ? undefined : (last.reply ?? first.reply);
  return {
    messageId: first.messageId,
    outcome,
    transient: recipients.some((r) => r.status === 'deferred'),
    accepted: by('accepted'),
    rejected: by('rejected'),
    deferred: by('deferred'),
    unknown: by('unknown'),
    recipients,
    ...(reply ? { reply } : {}),
    ...(last.errorCode ? { errorCode: last.errorCode } : {}),
    transactions,
  };
}
