// Rate limiting for senders: at most `messages` starts in any `interval` ms (a sliding window).
import { SmtpClientError } from 'smtp-client-fsm';
import { MAX_DELAY } from './timers.js';

/**
 * A sliding-window limiter: `take()` resolves when one more message may start without going over
 * `messages` per `interval` ms. Give one to {@link createPool} (`rateLimit`) to limit a pool, or
 * call `take()` before each `send()` yourself.
 *
 * @example
 * const limiter = createRateLimiter({ messages: 100, interval: 60_000 }); // 100 per minute
 * await limiter.take(); await client.send(m);
 * @see RFC 5321 §4.5.3.2 (servers rate-limit senders; going slower avoids 421/451 deferrals)
 */
export interface RateLimiter {
  take(): Promise<void>;
  readonly messages: number;
  readonly interval: number;
}

/**
 * The clock a limiter uses; the default is `performance.now()` and `setTimeout`. Pass your own to
 * drive it from a simulated clock.
 *
 * @example
 * createRateLimiter({ messages: 1, interval: 1000 }, { now: () => clock, sleep: (ms) => advance(ms) });
 * @see RFC 5321 §4.5.3.2
 */
export interface RateLimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RateLimiterClock = {
  now: () => performance.now(),
  // a longer timer would run after 1 ms (Node's TimeoutOverflowWarning): the grant loop would wake
  // every ms for the rest of an interval over 24.8 days; it sleeps again after this one instead
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, MAX_DELAY))),
};

/**
 * Creates a {@link RateLimiter}: at most `messages` `take()`s resolve in any window of `interval`
 * ms; callers are served in order.
 *
 * @example
 * const pool = createPool({ host, port, rateLimit: createRateLimiter({ messages: 10, interval: 1000 }) });
 * @see RFC 5321 §4.5.3.2
 */
export function createRateLimiter(options: { readonly messages: number; readonly interval: number }, clock: RateLimiterClock = realClock): RateLimiter {
  const { messages, interval } = options ?? ({} as { messages: number; interval: number });
  if (typeof messages !== 'number' || !Number.isInteger(messages) || messages < 1) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'rateLimit.messages: expected an integer >= 1');
  if (typeof interval !== 'number' || !(interval > 0) || !Number.isFinite(interval)) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'rateLimit.interval: expected a number of ms > 0');
  /** Start times of the last `messages` grants, oldest first. */
  const starts: number[] = [];
  let chain: Promise<void> = Promise.resolve();
  const grant = async (): Promise<void> => {
    for (;;) {
      const now = clock.now();
      while (starts.length > 0 && now - starts[0]! >= interval) starts.shift();
      if (starts.length < messages) {
        starts.push(now);
        return;
      }
      await clock.sleep(starts[0]! + interval - now);
    }
  };
  return {
    messages,
    interval,
    take(): Promise<void> {
      // One grant at a time, in call order.
      const next = chain.then(grant);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
