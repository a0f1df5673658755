// untriedAtMailMax and mergeSendResults on results built by hand: the one result of a message whose
// recipients went over several connections, and its summary kept consistent with them.
import { describe, expect, it } from 'vitest';
import { messageOutcome, SmtpClientError } from 'smtp-client-fsm';
import type { RecipientResult } from 'smtp-client-fsm';
import type { Reply } from 'smtp-reply-reader';
import { carryOnUntried, mergeSendResults, untriedAtMailMax } from './index.js';
import type { SendResult } from './index.js';

const reply = (code: number, text: string): Reply => ({ code, lines: [text], text });
const QUEUED_1 = reply(250, 'queued as ONE');
const QUEUED_2 = reply(250, 'queued as TWO');
const NO_USER = reply(550, 'no such mailbox');
const MAILMAX = 'ERR_SMTP_CLIENT_MAILMAX_REACHED' as const;

function rcpt(address: string, status: RecipientResult['status'], transaction: number, r?: Reply, errorCode?: RecipientResult['errorCode']): RecipientResult {
  return { address, status, accepted: status === 'accepted', transient: status === 'deferred', permanent: status === 'rejected', ...(r ? { reply: r } : {}), ...(errorCode ? { errorCode } : {}), stage: 0, transaction };
}

/** A result as one connection reports it: lists and outcome from the recipients. */
function result(recipients: RecipientResult[], transactions: number, extra: Partial<SendResult> = {}): SendResult {
  const by = (s: RecipientResult['status']) => recipients.filter((r) => r.status === s).map((r) => r.address);
  return { messageId: 7, outcome: messageOutcome(recipients), transient: recipients.some((r) => r.status === 'deferred'), accepted: by('accepted'), rejected: by('rejected'), deferred: by('deferred'), unknown: by('unknown'), recipients, transactions, ...extra };
}

// r1 accepted, r2 refused, r3..r5 left untried at MAILMAX (the second transaction, never begun)
const first = result([rcpt('r1@y', 'accepted', 0, QUEUED_1), rcpt('r2@y', 'rejected', 0, NO_USER), rcpt('r3@y', 'deferred', 1, undefined, MAILMAX), rcpt('r4@y', 'deferred', 1, undefined, MAILMAX), rcpt('r5@y', 'deferred', 1, undefined, MAILMAX)], 2, { reply: QUEUED_1, errorCode: MAILMAX });

describe('untriedAtMailMax', () => {
  it('lists the recipients LIMITS MAILMAX left untried, and nothing for any other result', () => {
    expect(untriedAtMailMax(first)).toEqual(['r3@y', 'r4@y', 'r5@y']);
    expect(untriedAtMailMax(result([rcpt('r1@y', 'deferred', 0, reply(451, 'later'))], 1))).toEqual([]);
    expect(() => untriedAtMailMax(null as never)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
  });
});

describe('mergeSendResults', () => {
  it('every recipient once, in the message order, with its final result; transactions counted over both connections', () => {
    const then = result([rcpt('r3@y', 'accepted', 0, QUEUED_2), rcpt('r4@y', 'deferred', 0, reply(452, 'full')), rcpt('r5@y', 'accepted', 0, QUEUED_2)], 1, { reply: QUEUED_2 });
    const r = mergeSendResults(first, then);
    expect(r.recipients.map((x) => [x.address, x.status, x.transaction, x.reply?.text])).toEqual([
      ['r1@y', 'accepted', 0, 'queued as ONE'],
      ['r2@y', 'rejected', 0, 'no such mailbox'],
      ['r3@y', 'accepted', 1, 'queued as TWO'],
      ['r4@y', 'deferred', 1, 'full'],
      ['r5@y', 'accepted', 1, 'queued as TWO'],
    ]);
    expect(r).toMatchObject({ messageId: 7, outcome: 'partial', transient: true, accepted: ['r1@y', 'r3@y', 'r5@y'], rejected: ['r2@y'], deferred: ['r4@y'], unknown: [], transactions: 2, reply: QUEUED_2 });
    // the code of the connection that decided what was left: none here
    expect(r.errorCode).toBeUndefined();
  });

  it('the summary cannot call a delivered recipient rejected: a later connection refusing all it got leaves the message partial, its queued reply kept', () => {
    const then = result([rcpt('r3@y', 'rejected', 0, NO_USER), rcpt('r4@y', 'rejected', 0, NO_USER), rcpt('r5@y', 'rejected', 0, NO_USER)], 1, { reply: NO_USER });
    expect(then.outcome).toBe('failed');
    const r = mergeSendResults(first, then);
    expect(r).toMatchObject({ outcome: 'partial', transient: false, accepted: ['r1@y'], rejected: ['r2@y', 'r3@y', 'r4@y', 'r5@y'], deferred: [], reply: QUEUED_1 });
    for (const x of r.recipients) expect([r.accepted.includes(x.address), r.rejected.includes(x.address)]).toEqual([x.status === 'accepted', x.status === 'rejected']);
  });

  it('a first connection that refused every recipient it tried, then one that queued the rest: partial, with the reply that queued it', () => {
    const refused = result([rcpt('r1@y', 'rejected', 0, NO_USER), rcpt('r2@y', 'deferred', 1, undefined, MAILMAX)], 2, { reply: reply(554, 'no valid recipients'), errorCode: MAILMAX });
    expect(refused.outcome).toBe('failed');
    const r = mergeSendResults(refused, result([rcpt('r2@y', 'accepted', 0, QUEUED_2)], 1, { reply: QUEUED_2 }));
    expect(r).toMatchObject({ outcome: 'partial', accepted: ['r2@y'], rejected: ['r1@y'], reply: QUEUED_2, transactions: 2 });
  });

  it('a later connection cut by MAILMAX too: its untried recipients keep the code, ready for the next merge', () => {
    const then = result([rcpt('r3@y', 'accepted', 0, QUEUED_2), rcpt('r4@y', 'deferred', 1, undefined, MAILMAX), rcpt('r5@y', 'deferred', 1, undefined, MAILMAX)], 2, { reply: QUEUED_2, errorCode: MAILMAX });
    const r = mergeSendResults(first, then);
    expect(r).toMatchObject({ outcome: 'partial', errorCode: MAILMAX, transactions: 3, deferred: ['r4@y', 'r5@y'] });
    expect(untriedAtMailMax(r)).toEqual(['r4@y', 'r5@y']);
    const last = mergeSendResults(r, result([rcpt('r4@y', 'accepted', 0, QUEUED_1), rcpt('r5@y', 'unknown', 0)], 1));
    expect(last.recipients.map((x) => [x.status, x.transaction])).toEqual([
      ['accepted', 0],
      ['rejected', 0],
      ['accepted', 1],
      ['accepted', 2],
      ['unknown', 2],
    ]);
    expect(last).toMatchObject({ outcome: 'partial', accepted: ['r1@y', 'r3@y', 'r4@y'], unknown: ['r5@y'], transient: false, transactions: 3 });
  });

  it('refuses a later result with a recipient that was not left untried (it would count twice)', () => {
    expect(() => mergeSendResults(first, result([rcpt('r1@y', 'accepted', 0, QUEUED_2)], 1))).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
    expect(() => mergeSendResults(first, result([rcpt('r3@y', 'accepted', 0), rcpt('r3@y', 'accepted', 0)], 1))).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
    expect(() => mergeSendResults(first, {} as never)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
  });

  it('carryOnUntried sends on what each connection left while it takes some, then stops; undefined stops at once', async () => {
    const asked: string[][] = [];
    const r = await carryOnUntried(first, (to) => {
      asked.push(to);
      return Promise.resolve(
        to.length === 3
          ? result([rcpt('r3@y', 'accepted', 0, QUEUED_2), rcpt('r4@y', 'deferred', 1, undefined, MAILMAX), rcpt('r5@y', 'deferred', 1, undefined, MAILMAX)], 2, { reply: QUEUED_2, errorCode: MAILMAX })
          : result([rcpt('r4@y', 'accepted', 0, QUEUED_1), rcpt('r5@y', 'accepted', 0, QUEUED_1)], 1, { reply: QUEUED_1 }),
      );
    });
    expect(asked).toEqual([['r3@y', 'r4@y', 'r5@y'], ['r4@y', 'r5@y']]);
    expect(r).toMatchObject({ outcome: 'partial', accepted: ['r1@y', 'r3@y', 'r4@y', 'r5@y'], rejected: ['r2@y'], transactions: 3 });
    // a connection that tried none of them ends it: the carry-over cannot loop
    const stuck = await carryOnUntried(first, (to) => Promise.resolve(result(to.map((a) => rcpt(a, 'deferred', 0, undefined, MAILMAX)), 1, { errorCode: MAILMAX })));
    expect(untriedAtMailMax(stuck)).toEqual(['r3@y', 'r4@y', 'r5@y']);
    expect(await carryOnUntried(first, () => Promise.resolve(undefined))).toBe(first);
  });

  it('carryOnUntried: a connection failure stops the carry-over (the rest keep MAILMAX); a usage error or any other error is thrown', async () => {
    const failing = (e: Error) => () => Promise.reject(e);
    for (const e of [
      new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', 'connect to 127.0.0.1:25 failed: ECONNREFUSED', 'remote'),
      new SmtpClientError('ERR_SMTP_CLIENT_TIMEOUT', 'not ready within 10000 ms', 'remote'),
      new SmtpClientError('ERR_SMTP_CLIENT_CLOSED', 'the client is closed'),
    ]) {
      const r = await carryOnUntried(first, failing(e));
      expect(r).toBe(first);
      expect(untriedAtMailMax(r)).toEqual(['r3@y', 'r4@y', 'r5@y']);
    }
    // after one connection took some, a failing next one keeps what was merged so far
    let calls = 0;
    const partly = await carryOnUntried(first, (to) => {
      calls++;
      if (calls > 1) return Promise.reject(new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', 'connection closed', 'remote'));
      return Promise.resolve(result([rcpt('r3@y', 'accepted', 0, QUEUED_2), ...to.slice(1).map((a) => rcpt(a, 'deferred', 1, undefined, MAILMAX))], 2, { reply: QUEUED_2, errorCode: MAILMAX }));
    });
    expect(partly).toMatchObject({ accepted: ['r1@y', 'r3@y'], deferred: ['r4@y', 'r5@y'], errorCode: MAILMAX });
    const usage = new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'to: bad address');
    await expect(carryOnUntried(first, failing(usage))).rejects.toBe(usage);
    const bug = new TypeError('x is not a function');
    await expect(carryOnUntried(first, failing(bug))).rejects.toBe(bug);
  });
});

