// A pool of client connections: a queue of messages served by up to `maxConnections` connections,
// each reused for up to `maxMessages` messages, closed when idle, replaced after a 421 or a drop
// (a message that met a stale reused connection, or LIMITS MAILMAX, is sent again once, on a fresh
// one, when its body can go again whole; recipients LIMITS MAILMAX left untried part-way through a
// message are carried on to an idle connection that can take them, else a new one, and the
// message gets one result).
import { SmtpClientError, STAGE } from 'smtp-client-fsm';
import { callerOptions, connect, courtesyQuit, messageCopy, sendWithin } from './client.js';
import { discard, isBodySource, isWholeBody, openReader } from './body-source.js';
import type { BodyReader } from './body-source.js';
import type { ConnectOptions, SendInput, SendResult, SmtpClient } from './client.js';
import { createRateLimiter } from './rate-limit.js';
import type { RateLimiter } from './rate-limit.js';
import { deferredWith, mergeSendResults, untriedAtMailMax } from './carry-over.js';
import { MAX_DELAY } from './timers.js';

/**
 * Options of {@link createPool}: the connection options plus the pool's limits.
 *
 * @example
 * const pool = createPool({ host: 'smtp.example.com', port: 587, security: 'required', auth, maxConnections: 4 });
 * @see RFC 5321 §3, RFC 2920
 */
export interface PoolOptions extends ConnectOptions {
  /** Connections open at the same time (default 5). */
  readonly maxConnections?: number;
  /**
   * Messages sent over one connection before it is closed and a new one opened (default 100;
   * the server's LIMITS MAILMAX when lower).
   */
  readonly maxMessages?: number;
  /** A connection with nothing to send is closed (QUIT) after this many ms (default 30 000). */
  readonly idleTimeout?: number;
  /**
   * Messages waiting for a connection before `ready()` waits and `full` is true (default 1000).
   * `send()` still queues beyond it; producers that await `ready()` stay within it.
   */
  readonly maxQueue?: number;
  /**
   * At most `messages` messages started per `interval` ms over the whole pool (a sliding window),
   * or a {@link RateLimiter} shared with other pools. Default: no limit.
   */
  readonly rateLimit?: { readonly messages: number; readonly interval: number } | RateLimiter;
}

/**
 * A pool from {@link createPool}.
 *
 * @example
 * for (const m of messages) { await pool.ready(); void pool.send(m).then(record); }
 * await pool.close();
 * @see RFC 5321 §3
 */
export interface SmtpPool {
  /**
   * Queues a message; resolves with its own result once a connection has sent it (one result when
   * LIMITS MAILMAX had some of its recipients carried on to another connection). Rejects with a
   * typed error when no connection could be opened (`connect`'s errors: when the last connection
   * being opened fails and none is open, every message waiting rejects with its error at once),
   * when `messageTimeout` (counted from this call) passes before a connection took the message, or
   * when less of it is left than a transaction takes on the connection that would take it
   * (`ERR_SMTP_CLIENT_TIMEOUT`, see {@link createPool}), or when the pool is closed. A message a connection took settles
   * with its result within `messageTimeout` of this call too (`deferred` with
   * `ERR_SMTP_CLIENT_TIMEOUT`, or `unknown` after the final dot, when it passes there).
   */
  send(message: SendInput): Promise<SendResult>;
  /** Resolves when the queue is below `maxQueue` (backpressure for producers). */
  ready(): Promise<void>;
  /** Messages waiting for a connection. */
  readonly queued: number;
  /** Connections open or opening (not those only saying their closing QUIT). */
  readonly connections: number;
  /** True when `queued >= maxQueue`. */
  readonly full: boolean;
  /**
   * Sends what is queued, then QUIT on every connection, and resolves once they have closed (a
   * server that leaves a QUIT unanswered is given at most 2 s, or the `quit` timeout when shorter);
   * later `send()` calls reject. A connection still being opened is waited for while a message
   * needs it; once none does (the message it was opened for settled, its `messageTimeout` passed,
   * and none is queued) it is ended at once, whatever it waits for (TCP, the `connection` factory,
   * TLS, the greeting), not at its `connectTimeout`.
   */
  close(): Promise<void>;
}

interface Job {
  readonly message: SendInput;
  resolve(r: SendResult): void;
  reject(e: unknown): void;
  /** Already retried once after its reused connection turned out stale. */
  retried?: boolean;
  /** A connection began reading its one-shot body (a stream or iterable): it cannot go again. */
  read?: boolean;
  /** A connection gave its one-shot body back unread: released when the job settles (see {@link attempt}). */
  unreleased?: boolean;
  /** Settled (resolved or rejected): a worker holding it skips it. */
  settled?: boolean;
  /** Its `messageTimeout` while no connection has taken it. */
  timer?: ReturnType<typeof setTimeout> | undefined;
  /** When its `messageTimeout` passes (`performance.now()` time), counted from `send()`. */
  deadline?: number;
  /** The result it had before it was sent again: its result if it cannot be (deadline, no connection). */
  fallback?: SendResult;
  /** The recipients still to send, LIMITS MAILMAX having left them untried (undefined: the message's own). */
  to?: readonly string[];
  /** The result of the recipients earlier connections tried, with `to` untried: the next one merges into it. */
  sofar?: SendResult;
}

/**
 * True when a message sent over a reused connection (one that had sent before, or waited idle)
 * failed because that connection was stale, and may be sent again once on a fresh one, as
 * {@link createPool} does: the server had closed the session or was closing it (a drop, or `421`
 * as a server says when its idle timer ran out while the MAIL was on the way), or refused the RSET
 * that had to clear the last transaction (the connection then says QUIT), with every recipient
 * deferred by it before the end of the data could have been taken, and the body is a string or
 * bytes. Nothing of the message can have been delivered, so sending it again never duplicates
 * mail. False for a connection that had not sent before: a server that refuses a fresh one would
 * only refuse again.
 *
 * It differs from the pool's rule in one case, on purpose: a stream or async iterable body that
 * the connection never began reading, which the pool sends again and this function does not. It
 * cannot take what the pool knows. Nothing in `result` records whether the body was read (a
 * {@link SendResult} has no such field; a recipient's `stage` tells where the session stopped,
 * not whether the source was pulled), and an unread one-shot body given to `send()` is released
 * by the connection when the message settles (a Node stream destroyed, a web `ReadableStream`
 * cancelled, an iterable's `destroy()` called), so it could not go again in any case: an argument
 * saying it was unread would only make the answer wrong. The pool can resend one because it hands
 * each connection a stand-in for the body that records the first read and holds that release
 * back. A stream read even in part is never sent again by either. To send a message again
 * yourself, keep its body as a string or bytes.
 *
 * @example
 * let r = await client.send(m);
 * if (reused && isStaleConnectionResult(m, r, client)) r = await (await connect(options)).send(m);
 * @see RFC 5321 §4.5.3.2, §4.1.1.5
 */
export function isStaleConnectionResult(message: SendInput, result: SendResult, client: Pick<SmtpClient, 'closing'>): boolean {
  // a stream or iterable was read, or released unread by the connection: only a whole body goes again
  return isWholeBody(message.body) && staleConnection(result, client);
}

/** {@link isStaleConnectionResult} without its body rule (the pool knows whether a stream was read). */
function staleConnection(result: SendResult, client: Pick<SmtpClient, 'closing'>): boolean {
  return (
    // closed, or saying QUIT (after a refused RSET): it takes no more messages
    client.closing &&
    result.transactions <= 1 &&
    // every recipient deferred (none accepted, refused for itself or maybe delivered), and none by
    // a reply to the end of data (a 421 there is the server's answer to the message)
    result.recipients.every((r) => r.status === 'deferred' && r.stage !== STAGE.READING_CONFIRMATION) &&
    (result.errorCode === 'ERR_SMTP_CLIENT_CONNECTION_LOST' || result.errorCode === 'ERR_SMTP_CLIENT_RSET_REFUSED' || result.reply?.code === 421)
  );
}

/** One message handed to one connection (see {@link attempt}). */
interface Attempt {
  /** The message as the connection gets it. */
  readonly message: SendInput;
  /** The connection asked for the body (a one-shot source: read, at least in part). */
  read(): boolean;
  /** The connection released the body without reading it (no recipient took the message there). */
  released(): boolean;
}

/**
 * The message for one connection. A one-shot body (a stream or an async iterable) goes behind a
 * stand-in that tells the pool whether the connection began reading it, and that keeps the source
 * from being released when the connection gives it back unread: the pool may still send it, whole,
 * on another connection (it releases it itself when it does not). Strings and bytes go as they are.
 */
function attempt(message: SendInput): Attempt {
  const body: unknown = message.body;
  if (!isBodySource(body) || isWholeBody(body)) return { message, read: () => false, released: () => false };
  let reader: BodyReader | undefined;
  let released = false;
  const once: AsyncIterable<Uint8Array | string> & { destroy(): void } = {
    [Symbol.asyncIterator]() {
      reader = openReader(body);
      return reader.chunks;
    },
    // what the connection calls to release a body: one it did not ask for (body-source.ts
    // `discard`) is kept for another connection; one it began reading is released (its message
    // settled while it was read, a refused BDAT chunk)
    destroy() {
      if (reader) reader.release();
      else released = true;
    },
  };
  return { message: { ...message, body: once }, read: () => reader !== undefined, released: () => released };
}

/** A body that can go again: a string or bytes, or a stream or iterable no connection began reading. */
function replayable(job: Job): boolean {
  return isWholeBody(job.message.body) || !job.read;
}

function positive(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0) || (name !== 'idleTimeout' && !Number.isInteger(v))) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', `${name}: expected a number > 0`);
  }
  return v;
}

/**
 * The round trips a transaction to the recipients `to` waits for on `client` at least: with
 * PIPELINING (RFC 2920, not turned off by `pipelining: false`) one for MAIL, RCPT and DATA together
 * and one for the end of data; without it, one per command (MAIL, each RCPT, DATA, the end of data).
 */
function roundTrips(client: SmtpClient, to: unknown, pipelining: boolean | undefined): number {
  return pipelining !== false && client.capabilities.pipelining ? 2 : (Array.isArray(to) ? to.length : 1) + 3;
}


/**
 * A pool of connections for many messages: up to `maxConnections` connections, each sending its
 * messages one after another (up to `maxMessages`, or LIMITS MAILMAX counted in transactions, then a
 * fresh connection; a queued message goes to a waiting connection below those limits first), closed after
 * `idleTimeout`; a connection that the server closed or ended with 421 is replaced for the next
 * message. When the server refuses a connection while others of the pool are open (a limit per
 * client, signalled by a 421 or a 554 greeting alike: the open ones show the host takes our mail),
 * the message waits for those and the pool opens no more until all have closed. A
 * message that met a stale reused connection (dropped, or `421`, deferring every recipient before
 * its end of data: the server's idle timer beat the pool), or a refused RSET before its MAIL, or
 * that LIMITS MAILMAX turned away before any of its recipients was tried, is sent again once on a
 * fresh connection, when its body can go again whole: a string or bytes, or a stream or iterable
 * that no connection began reading (the pool holds back its release meanwhile). A stream read even
 * in part is never sent again (it would go truncated): the message keeps its result. When LIMITS
 * MAILMAX (RFC 9422) ends a connection in the middle of a message (its recipients took several
 * transactions, LIMITS RCPTMAX apart), the recipients that connection never tried (`deferred`,
 * `ERR_SMTP_CLIENT_MAILMAX_REACHED`) are carried on to another connection under the same body rule
 * (one of the pool's waiting idle when one can take a message now: greeted, not closing, below
 * `maxMessages` and below LIMITS MAILMAX counted in transactions; else a fresh one), and so on
 * while each connection takes some of them; each recipient is tried once (those accepted
 * or refused are never sent again) and `send()` resolves with one result for the whole message
 * (see {@link mergeSendResults}). A stream body cannot be carried on once a transaction read it,
 * and the connection itself leaves the recipients after that transaction `deferred`
 * (`ERR_SMTP_CLIENT_RECIPIENT_DEFERRED`): for a stream it helps only when every recipient tried
 * before was refused, so no DATA read it. Any other
 * message already handed to a connection keeps its own result (`deferred`, or `unknown` after the
 * final dot) and is never resent. Every `send()`
 * resolves with that message's result. When a connection fails to open (refused, timed out, a
 * refused greeting) and no other connection of the pool is open or opening, that message and every
 * message waiting reject with its error at once. `messageTimeout` counts from `send()`: a message
 * that no connection has taken when it passes rejects with `ERR_SMTP_CLIENT_TIMEOUT`; a connection
 * that takes it has what is left of it (not a whole `messageTimeout` of its own after the wait),
 * and a message sent again on a fresh connection keeps the same deadline (when it passes, or the
 * fresh connection cannot be opened, the message gets the result it had); so do recipients carried
 * on (when the deadline passes before a connection takes them they are `deferred` with
 * `ERR_SMTP_CLIENT_TIMEOUT`; when the connection cannot be opened they keep their MAILMAX result).
 * A connection that has sent a message whole (one transaction, no failure) knows its round trip:
 * that message's time over the round trips it waited for (two with PIPELINING, one per command
 * without), the least over its messages. It takes no message with less of its `messageTimeout`
 * left than a transaction needs there (those round trips for that message times its round trip),
 * which the deadline would cut off in the middle, costing the connection: that message settles at
 * once as if its deadline had passed before a connection took it (rejects with
 * `ERR_SMTP_CLIENT_TIMEOUT`; recipients carried on are `deferred`), and the connection takes the
 * next one. A fresh connection has measured nothing yet and takes any message with time left.
 * `options`, and each message given to `send()`, is read once, as {@link connect} reads it: the
 * fields it inherits (an `Object.create` base, a class's getters) count as its own.
 *
 * @example
 * const pool = createPool({ host: '127.0.0.1', port: 2525, security: 'off', maxConnections: 8 });
 * const results = await Promise.all(batch.map((m) => pool.send(m)));
 * await pool.close();
 * @see RFC 5321 §3, §4.5.3.2, RFC 9422
 */
export function createPool(options: PoolOptions): SmtpPool {
  const { maxConnections: mc, maxMessages: mm, idleTimeout: it, maxQueue: mq, rateLimit, ...connectOptions } = callerOptions(options);
  const limiter: RateLimiter | undefined =
    rateLimit === undefined ? undefined : typeof (rateLimit as RateLimiter).take === 'function' ? (rateLimit as RateLimiter) : createRateLimiter(rateLimit);
  const maxConnections = positive('maxConnections', mc, 5);
  const maxMessages = positive('maxMessages', mm, 100);
  const idleTimeout = positive('idleTimeout', it, 30_000);
  const maxQueue = positive('maxQueue', mq, 1000);
  if (typeof connectOptions.host !== 'string' || connectOptions.host === '') {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'host: expected a host name or address (there is no default)');
  }
  const messageTimeout: unknown = connectOptions.messageTimeout;
  if (messageTimeout !== undefined && (typeof messageTimeout !== 'number' || !Number.isFinite(messageTimeout) || messageTimeout <= 0)) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'messageTimeout: expected a number of milliseconds > 0');
  }
  const queue: Job[] = [];
  const readyWaiters: (() => void)[] = [];
  /** The connections waiting for a message (each wakes on its call), with whether it can take one now. */
  const wake = new Map<() => void, () => boolean>();
  let workers = 0;
  /**
   * Connections the pool opens at most now: `maxConnections`, lowered when the server refused one
   * more while others were open (a per-client connection limit); back to `maxConnections` once
   * every connection has closed.
   */
  let ceiling = maxConnections;
  let closing = false;
  const running = new Set<Promise<void>>();
  /** Connections saying their closing QUIT in the background (bounded): `close()` waits for them. */
  const retiring = new Set<Promise<void>>();
  /** Connections being opened, each with the job it is opened for: aborting one ends the attempt. */
  const openings = new Map<AbortController, Job>();

  /**
   * Once the pool is closing, a connection being opened that no message needs any more (its job
   * settled: its deadline passed, or it failed; nothing queued) is ended now, not at its
   * `connectTimeout`, which `close()` would wait for. Called whenever a job settles or leaves the
   * queue, and by `close()`.
   */
  const release = (): void => {
    if (closing && queue.length === 0) for (const [attempt, job] of openings) if (job.settled) attempt.abort(new SmtpClientError('ERR_SMTP_CLIENT_CLOSED', 'the pool is closed: no message needs this connection', 'local'));
  };

  /**
   * Ends a connection the pool is done with: its QUIT goes on in the background, waited for at
   * most 2 s (or the `quit` timeout when shorter), so the next message never waits for a server
   * slow to answer it.
   */
  const retire = (client: SmtpClient): void => {
    if (client.closed) return;
    const p: Promise<void> = courtesyQuit(client, connectOptions.timeouts?.quit).finally(() => retiring.delete(p));
    retiring.add(p);
  };

  /**
   * A new connection. One refused while connections of the pool are still saying QUIT (a server
   * that counts them against a limit per client) is tried once more when those have closed.
   */
  const open = async (job: Job, attempt: AbortController): Promise<SmtpClient> => {
    // the caller's own signal still ends every attempt (AbortSignal.any is not in every Node 20)
    const own = connectOptions.signal;
    const forward = (): void => attempt.abort(own!.reason);
    if (own?.aborted) forward();
    else own?.addEventListener('abort', forward, { once: true });
    const options = { ...connectOptions, signal: attempt.signal };
    openings.set(attempt, job);
    try {
      return await connect(options);
    } catch (e) {
      if (retiring.size === 0 || attempt.signal.aborted) throw e;
      await Promise.all([...retiring]);
      return await connect(options);
    } finally {
      openings.delete(attempt);
      own?.removeEventListener('abort', forward);
    }
  };

  const notifyReady = (): void => {
    if (queue.length < maxQueue) for (const w of readyWaiters.splice(0)) w();
    release();
  };

  /** Ms left before the job's `messageTimeout` passes (undefined: none). */
  const left = (job: Job): number | undefined => (job.deadline === undefined ? undefined : job.deadline - performance.now());

  /**
   * A connection is taking the job: what is left of its `messageTimeout` goes with it to that
   * connection. False when the job settled meanwhile (its deadline passed while it waited).
   */
  const takeJob = (job: Job): boolean => {
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.timer = undefined;
    return !job.settled;
  };

  /** The pool's watch on the job's deadline while no connection holds it (waiting, or between two). */
  const watch = (job: Job, ms: number): void => {
    job.timer = setTimeout(() => expire(job), Math.min(Math.max(ms, 0), MAX_DELAY));
  };

  /**
   * The job cannot go on (its deadline passed, or no connection could be opened): the result it had
   * before it was to be sent again, or else the error.
   */
  const fail = (job: Job, e: unknown): void => {
    if (job.fallback) job.resolve(job.fallback);
    else job.reject(e);
  };

  /**
   * The job's deadline passed while no connection held it, or what is left of it is less than a
   * transaction takes on the connection that would take it (`why`): out of the queue, settled.
   * Recipients waiting to be carried on to another connection are deferred by it; the others keep
   * their result.
   */
  const expire = (job: Job, why = 'no connection of the pool took it'): void => {
    job.timer = undefined;
    const i = queue[0] === job ? 0 : queue.indexOf(job);
    if (i >= 0) {
      queue.splice(i, 1);
      notifyReady();
    }
    if (job.sofar && job.to) job.resolve(deferredWith(job.sofar, job.to, 'ERR_SMTP_CLIENT_TIMEOUT'));
    else fail(job, new SmtpClientError('ERR_SMTP_CLIENT_TIMEOUT', `message not sent within messageTimeout (${String(messageTimeout)} ms): ${why}`, 'remote'));
  };

  /**
   * Waits for a job or the idle timeout; undefined when idle or closing. `usable`: the waiting
   * connection can take one more message now (see {@link idleConnection}).
   */
  const nextJob = (idle: boolean, usable: () => boolean): Promise<Job | undefined> => {
    const job = queue.shift();
    if (job) {
      notifyReady();
      return Promise.resolve(job);
    }
    if (closing) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = idle ? setTimeout(() => done(undefined), idleTimeout) : undefined;
      const done = (j: Job | undefined): void => {
        if (timer) clearTimeout(timer);
        wake.delete(onWake);
        resolve(j);
      };
      const onWake = (): void => {
        const j = queue.shift();
        if (j) {
          notifyReady();
          done(j);
        } else if (closing) done(undefined);
      };
      wake.set(onWake, usable);
    });
  };

  /**
   * A connection of the pool waiting idle that can take one more message now (greeted, not closing,
   * within `maxMessages` and LIMITS MAILMAX): its wake-up call, or undefined when none can.
   */
  const idleConnection = (): (() => void) | undefined => {
    for (const [w, usable] of wake) if (usable()) return w;
    return undefined;
  };

  /**
   * The waiting connection a queued message is handed to: one that can take it now (see
   * {@link idleConnection}: LIMITS MAILMAX counted in transactions), else any that waits (it replaces
   * its spent connection first, the pool keeping its number of connections); undefined when none waits.
   */
  const waitingConnection = (): (() => void) | undefined => idleConnection() ?? wake.keys().next().value;

  async function worker(first: Job): Promise<void> {
    let client: SmtpClient | undefined;
    let sent = 0;
    /** Mail transactions begun on the connection (LIMITS MAILMAX counts them; a message may take several). */
    let mails = 0;
    let spent = false;
    /**
     * Ms per round trip on the connection: the least over the messages it sent whole, each one's
     * time divided by the round trips it waited for (see {@link roundTrips}); undefined until one.
     */
    let roundTrip: number | undefined;
    let job: Job | undefined = first;
    const mailMax = (): number => client?.capabilities.limits?.mailMax || Infinity;
    /**
     * The connection can take one more message now: open, not closing, below `maxMessages` and below
     * LIMITS MAILMAX (RFC 9422) in messages and in transactions. The loop keeps a connection for the
     * next message by it, and an idle one is handed a carry-over by it.
     */
    const usable = (): boolean => client !== undefined && !client.closing && !spent && sent < Math.min(maxMessages, mailMax()) && mails < mailMax();
    /**
     * The next job for this worker: it waits idle with its connection while that can take another
     * message; a spent or closed one is retired first (its QUIT now, not after `idleTimeout`), and
     * without a connection the worker takes only what is queued, or ends.
     */
    const next = (): Promise<Job | undefined> => {
      if (client && !usable()) {
        retire(client);
        client = undefined;
      }
      return client ? nextJob(true, usable) : queue.length > 0 ? nextJob(false, usable) : Promise.resolve(undefined);
    };
    try {
      while (job) {
        // Wait for the rate limit before looking at the connection: it may close while we wait.
        if (limiter) await limiter.take();
        if (job.settled) {
          // its messageTimeout passed while it waited for the rate limit or for this connection
          job = await next();
          continue;
        }
        // A connection closed or closing (QUIT said after a refused RSET, or by its own `idle`
        // timer) takes no more messages; nor one that reached maxMessages or LIMITS MAILMAX
        // (RFC 9422). The next message goes on a new one at once.
        if (client && !usable()) {
          retire(client);
          client = undefined;
        }
        if (!client) {
          const attempt = new AbortController();
          try {
            client = await open(job, attempt);
            sent = 0;
            mails = 0;
            spent = false;
            roundTrip = undefined;
          } catch (e) {
            // close() ended it: no message needs it any more (the caller's signal fails the message below)
            if (attempt.signal.aborted && job.settled) {
              job = undefined;
              break;
            }
            if (workers > 1) {
              // Other connections of the pool are open or opening, and the server would not take
              // one more (a limit per client, "421 too many connections"): the message waits for
              // them, and the pool opens no more connections than it has now.
              ceiling = Math.min(ceiling, workers - 1);
              if (!job.settled) queue.unshift(job);
              job = undefined;
              break;
            }
            // No connection of the pool is open or opening: the messages waiting would each wait
            // for one more attempt (a whole connectTimeout against a host that never greets) and
            // likely meet the same failure. They all fail with it now (one that was to be sent
            // again keeps the result it had); a later send() tries again.
            fail(job, e);
            for (const waiting of queue.splice(0)) fail(waiting, e);
            notifyReady();
            job = undefined;
            break;
          }
        }
        const current: Job = job;
        if (!takeJob(current)) {
          job = await next();
          continue;
        }
        // messageTimeout counts from send(): the connection has what is left of it, when that is
        // as long as a transaction takes on it at least (a MAIL cut off by the deadline would cost
        // the connection, and the message would fail all the same)
        const budget = left(current);
        const least = roundTrip === undefined ? 0 : roundTrip * roundTrips(client, current.to ?? current.message.to, connectOptions.pipelining);
        if (budget !== undefined && budget <= least) {
          expire(current, budget <= 0 ? undefined : `${Math.round(budget)} ms were left, less than the ${Math.ceil(least)} ms a transaction takes on the connection`);
          job = await next();
          continue;
        }
        // a connection that sent before (or waited idle) may have been closed by the server meanwhile
        const reused = sent > 0;
        sent++;
        let again: { readonly result: SendResult; readonly carry?: true } | { readonly error: unknown } | undefined;
        const handed = attempt(current.to ? { ...current.message, to: current.to } : current.message);
        try {
          const began = performance.now();
          const result = await sendWithin(client, handed.message, budget, budget === undefined ? undefined : `messageTimeout (${String(messageTimeout)} ms from the pool's send())`);
          // a message sent whole in one transaction (no failure, no timeout) measures the link
          if (result.transactions === 1 && result.accepted.length > 0 && result.errorCode === undefined) {
            const rtt = (performance.now() - began) / roundTrips(client, result.recipients, connectOptions.pipelining);
            roundTrip = Math.min(roundTrip ?? rtt, rtt);
          }
          if (handed.read()) current.read = true;
          current.unreleased = handed.released();
          // one result for the message: this connection's recipients merged into what earlier ones did
          const merged = current.sofar ? mergeSendResults(current.sofar, result) : result;
          // MAILMAX reached (a message that took several transactions): nothing more on this connection.
          // The recipients it left untried go on a fresh one: all of them again once when it tried
          // none (a reused connection near its limit), else carried on (it tried some: each connection
          // takes some, so this ends), each recipient tried once, never sent twice.
          spent = result.errorCode === 'ERR_SMTP_CLIENT_MAILMAX_REACHED';
          const rest = untriedAtMailMax(result);
          // the transaction counted for recipients left untried at MAILMAX never began
          mails += result.transactions - (rest.length > 0 ? 1 : 0);
          const untried = rest.length > 0 && rest.length === result.recipients.length;
          // Only with a body that can go whole: a stream read even in part would go truncated or empty.
          if (!replayable(current)) current.resolve(merged);
          else if (rest.length > 0 && !untried) {
            current.sofar = merged;
            current.to = rest;
            again = { result: merged, carry: true };
          } else if (!current.retried && (untried || (reused && staleConnection(result, client)))) again = { result: merged };
          else current.resolve(merged);
        } catch (e) {
          // Refused before anything was written (invalid input, or the connection was already gone).
          if (handed.read()) current.read = true;
          current.unreleased = handed.released();
          if (reused && !current.retried && client.closing && replayable(current)) again = { error: e };
          // recipients carried on from an earlier connection: the message keeps what that one did
          else if (current.sofar) current.resolve(current.fallback ?? current.sofar);
          else current.reject(e);
        }
        if (again) {
          // on a fresh connection (the loop replaces the closed one), or recipients carried on to an
          // idle one when one can take them (below), within the same deadline:
          // watched by the pool again until a connection takes it, the result so far kept for when
          // the deadline passes first or no connection can be opened. Sent again whole once only.
          if (!('carry' in again)) current.retried = true;
          if ('result' in again) current.fallback = again.result;
          const rest = left(current);
          if (rest === undefined || rest > 0) {
            if (rest !== undefined) watch(current, rest);
            // Recipients carried on go to a connection of the pool waiting idle when one can take
            // them (greeted already, within its limits): no new connection. This one reached
            // LIMITS MAILMAX: it is retired, and takes what is queued on a new one, if anything.
            const idle = 'carry' in again ? idleConnection() : undefined;
            if (!idle) continue;
            queue.unshift(current);
            idle();
            retire(client);
            client = undefined;
            job = await next();
            continue;
          }
          // recipients carried on keep what earlier connections did, the rest deferred by the deadline
          if (current.sofar) expire(current);
          else if ('result' in again) current.resolve(again.result);
          else current.reject(again.error);
        }
        job = await next();
      }
    } finally {
      // its QUIT goes on in the background: a message queued meanwhile gets a new connection now
      if (client) retire(client);
      workers--;
      if (workers === 0) ceiling = maxConnections;
      if (queue.length > 0) {
        if (workers < ceiling) {
          // A message queued while this connection was closing must not wait for a later send().
          const waiting = queue.shift()!;
          notifyReady();
          spawn(waiting);
        } else {
          // the pool's other connections take it: an idle one now, a busy one when it is done
          waitingConnection()?.();
        }
      }
    }
  }

  function spawn(job: Job): void {
    workers++;
    const p: Promise<void> = worker(job).finally(() => running.delete(p));
    running.add(p);
  }

  const pool: SmtpPool = {
    send(given: SendInput): Promise<SendResult> {
      if (closing) return Promise.reject(new SmtpClientError('ERR_SMTP_CLIENT_CLOSED', 'the pool is closed'));
      // read once, inherited fields included, as client.send reads a message (a getter that throws
      // rejects the promise, as it did when a connection read the message); not read again there
      const message = messageCopy(given);
      if (message instanceof Promise) return message;
      return new Promise<SendResult>((resolve, reject) => {
        /** Settled: a one-shot body a connection gave back unread, kept for another one, is released now. */
        const done = (): void => {
          if (job.timer !== undefined) clearTimeout(job.timer);
          job.settled = true;
          if (job.unreleased) {
            job.unreleased = false;
            discard(message.body);
          }
          release();
        };
        const job: Job = {
          message,
          resolve(r) {
            done();
            resolve(r);
          },
          reject(e) {
            done();
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as it came (connect's and send()'s errors)
            reject(e);
          },
        };
        if (messageTimeout !== undefined) {
          job.deadline = performance.now() + messageTimeout;
          watch(job, messageTimeout);
        }
        const w = waitingConnection();
        if (w) {
          queue.push(job);
          w();
        } else if (workers < ceiling) spawn(job);
        else queue.push(job);
      });
    },
    ready(): Promise<void> {
      if (queue.length < maxQueue) return Promise.resolve();
      return new Promise((resolve) => readyWaiters.push(resolve));
    },
    get queued(): number {
      return queue.length;
    },
    get connections(): number {
      return workers;
    },
    get full(): boolean {
      return queue.length >= maxQueue;
    },
    async close(): Promise<void> {
      closing = true;
      for (const w of [...wake.keys()]) w();
      release();
      while (running.size > 0) await Promise.all([...running]);
      while (retiring.size > 0) await Promise.all([...retiring]);
      for (const w of readyWaiters.splice(0)) w();
    },
  };
  return pool;
}
