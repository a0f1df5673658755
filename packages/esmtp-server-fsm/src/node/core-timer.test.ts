import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerConnection } from '../server-connection.js';
import { IdleTimer } from './core-timer.js';

describe('IdleTimer', () => {
  let pending: { readonly timer: string; readonly ms: number } | undefined;
  let fired = 0;
  const conn = { pendingTimeout: () => pending, handleTimeout: () => fired++ } as unknown as ServerConnection;
  const entries: string[] = [];
  const enter = (fn: () => void): void => {
    entries.push('enter');
    fn();
  };
  beforeEach(() => {
    vi.useFakeTimers();
    pending = undefined;
    fired = 0;
    entries.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('arms what the core reports and fires it through the guarded entry', () => {
    const t = new IdleTimer(conn, enter);
    pending = { timer: 'command', ms: 1000 };
    t.sync();
    vi.advanceTimersByTime(999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect([fired, entries]).toEqual([1, ['enter']]);
  });

  it('the same pending timer restarts on each sync; the error tarpit does not', () => {
    const t = new IdleTimer(conn, enter);
    pending = { timer: 'command', ms: 1000 };
    t.sync();
    vi.advanceTimersByTime(800);
    t.sync(); // input arrived
    vi.advanceTimersByTime(800);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(200);
    expect(fired).toBe(1);
    pending = { timer: 'error-delay', ms: 1000 };
    t.sync();
    vi.advanceTimersByTime(800);
    t.sync();
    vi.advanceTimersByTime(200);
    expect(fired).toBe(2);
  });

  it('another timer replaces the armed one; none or clear() disarms', () => {
    const t = new IdleTimer(conn, enter);
    pending = { timer: 'command', ms: 1000 };
    t.sync();
    pending = { timer: 'dataBlock', ms: 3000 };
    t.sync();
    vi.advanceTimersByTime(2999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    t.sync();
    pending = undefined;
    t.sync();
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
    pending = { timer: 'command', ms: 100 };
    t.sync();
    t.clear();
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
  });
});
