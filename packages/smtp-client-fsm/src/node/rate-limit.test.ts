// The sliding-window rate limiter, driven by a simulated clock (no real time involved), and a pool
// that uses one.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPool, createRateLimiter } from './index.js';
import type { RateLimiterClock } from './index.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

/** A clock that only moves when the test says so; `sleeping` lists pending sleeps. */
function fakeClock(): RateLimiterClock & { t: number; sleeping: { until: number; wake: () => void }[]; advance(ms: number): void } {
  const c = {
    t: 0,
    sleeping: [] as { until: number; wake: () => void }[],
    now: () => c.t,
    sleep: (ms: number) => new Promise<void>((wake) => c.sleeping.push({ until: c.t + ms, wake })),
    advance(ms: number) {
      c.t += ms;
      for (const s of c.sleeping.filter((x) => x.until <= c.t)) s.wake();
      c.sleeping = c.sleeping.filter((x) => x.until > c.t);
    },
  };
  return c;
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('createRateLimiter', () => {
  it('with the real clock, an interval longer than a timer can hold (24.8 days) waits in timers it can hold, not 1 ms ones in a loop', async () => {
    // Node runs a longer setTimeout after 1 ms (TimeoutOverflowWarning): the limiter woke every ms
    const delays: number[] = [];
    const timers: ReturnType<typeof setTimeout>[] = [];
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation((_fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      const t = real(() => undefined, 0); // never wakes the limiter: the delay is what is checked
      timers.push(t);
      return t;
    });
    try {
      const limiter = createRateLimiter({ messages: 1, interval: 30 * 24 * 3600 * 1000 });
      await limiter.take();
      void limiter.take();
      await flush();
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThan(2 ** 31 - 1000);
      expect(delays[0]).toBeLessThanOrEqual(2 ** 31 - 1);
    } finally {
      spy.mockRestore();
      for (const t of timers) clearTimeout(t);
    }
  });

  it('grants `messages` per sliding `interval`, in call order', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ messages: 2, interval: 1000 }, clock);
    const order: number[] = [];
    const takes = [1, 2, 3, 4, 5].map((i) => limiter.take().then(() => order.push(i)));
    await flush();
    expect(order).toEqual([1, 2]);
    expect(clock.sleeping.map((s) => s.until)).toEqual([1000]);
    clock.advance(999);
    await flush();
    expect(order).toEqual([1, 2]);
    clock.advance(1);
    for (let i = 0; i < 5; i++) await flush();
    // Both grants of t=0 left the window at t=1000: two more start, the fifth waits for t=2000.
    expect(order).toEqual([1, 2, 3, 4]);
    expect(clock.sleeping.map((s) => s.until)).toEqual([2000]);
    clock.advance(1000);
    for (let i = 0; i < 5; i++) await flush();
    await Promise.all(takes);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses bad settings with a typed error naming the field', () => {
    expect(() => createRateLimiter({ messages: 0, interval: 1 })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^rateLimit\.messages/) }));
    expect(() => createRateLimiter({ messages: 1, interval: -5 })).toThrow(expect.objectContaining({ message: expect.stringMatching(/^rateLimit\.interval/) }));
  });
});

describe('createPool with a rate limit', () => {
  let listener: ScriptedListener;
  let port = 0;
  const sessions: ScriptedServer[] = [];
  beforeAll(async () => {
    listener = await listenScripted(() => {
      const s = new ScriptedServer({});
      sessions.push(s);
      return s;
    });
    port = listener.port;
  });
  afterAll(() => listener.close());

  it('starts no more messages than the limiter grants, across all connections', async () => {
    const clock = fakeClock();
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3, rateLimit: createRateLimiter({ messages: 2, interval: 60_000 }, clock) });
    const results = [1, 2, 3, 4].map((i) => pool.send({ from: 'a@x.test', to: [`r${i}@y.test`], body: 'x' }));
    await Promise.all(results.slice(0, 2));
    const delivered = (): number => sessions.reduce((n, s) => n + s.messages.length, 0);
    expect(delivered()).toBe(2);
    expect(clock.sleeping).toHaveLength(1);
    clock.advance(60_000);
    const all = await Promise.all(results);
    expect(all.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(delivered()).toBe(4);
    await pool.close();
  });
});
