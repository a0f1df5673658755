import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerConnection } from '../server-connection.js';
import { IdleTimer } from './core-timer.js';

describe('IdleTimer', () => {
  let pending: { readonly name: string; readonly ms: number; readonly id: number } | undefined;
  const firedIds: number[] = [];
  let fired = 0;
  const conn = { pendingTimeout: () => pending, handleTimeout: (id: number) => { fired++; firedIds.push(id); } } as unknown as ServerConnection;
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
    firedIds.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('arms what the core reports and fires it through the guarded entry', () => {
    const t = new IdleTimer(conn, enter);
    pending = { name: 'command', ms: 1000, id: 1 };
    t.sync();
    vi.advanceTimersByTime(999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect([fired, entries, firedIds]).toEqual([1, ['enter'], [1]]);
  });

  it('the same pending timer restarts on each sync; the error tarpit does not', () => {
    const t = new IdleTimer(conn, enter);
    pending = { name: 'command', ms: 1000, id: 2 };
    t.sync();
    vi.advanceTimersByTime(800);
    pending = { ...pending, id: 100 }; // input arrived: the core re-arms the idle timer with a new id
    t.sync();
    vi.advanceTimersByTime(800);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(200);
    expect(fired).toBe(1);
    expect(firedIds).toEqual([100]); // the id of the timer that is current, so the core acts on it
    pending = { name: 'errorDelay', ms: 1000, id: 3 };
    t.sync();
    vi.advanceTimersByTime(800);
    t.sync();
    vi.advanceTimersByTime(200);
    expect(fired).toBe(2);
  });

  it('another timer replaces the armed one; none or clear() disarms', () => {
    const t = new IdleTimer(conn, enter);
    pending = { name: 'command', ms: 1000, id: 4 };
    t.sync();
    pending = { name: 'dataBlock', ms: 3000, id: 5 };
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
    pending = { name: 'command', ms: 100, id: 6 };
    t.sync();
    t.clear();
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
  });

  it('a timer armed again after another one restarts from then; the one left behind never fires', () => {
    const t = new IdleTimer(conn, enter);
    pending = { name: 'command', ms: 1000, id: 7 };
    t.sync();
    vi.advanceTimersByTime(600);
    pending = { name: 'dataBlock', ms: 3000, id: 8 };
    t.sync();
    vi.advanceTimersByTime(600); // the command timer's first arming would have run out here
    expect(fired).toBe(0);
    pending = undefined; // a decision pending: nothing armed
    t.sync();
    vi.advanceTimersByTime(5000);
    expect(fired).toBe(0);
    pending = { name: 'command', ms: 1000, id: 9 };
    t.sync();
    vi.advanceTimersByTime(999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(firedIds).toEqual([9]);
    pending = { name: 'command', ms: 2000, id: 10 }; // another duration for the same name
    t.sync();
    vi.advanceTimersByTime(1999);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(1);
    expect(firedIds).toEqual([9, 10]);
    t.clear();
  });
});
