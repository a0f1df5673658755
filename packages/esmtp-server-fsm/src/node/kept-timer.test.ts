import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeptTimer } from './kept-timer.js';

describe('KeptTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once, ms after the last arm(); arming again restarts the wait', () => {
    let fired = 0;
    const t = new KeptTimer(() => fired++);
    t.arm(100);
    vi.advanceTimersByTime(60);
    t.arm(100);
    vi.advanceTimersByTime(60);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(40);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(500);
    expect(fired).toBe(1);
  });

  it('re-arms after it fired, and with another duration', () => {
    let fired = 0;
    const t = new KeptTimer(() => fired++);
    t.arm(50);
    vi.advanceTimersByTime(50);
    t.arm(50);
    vi.advanceTimersByTime(50);
    expect(fired).toBe(2);
    t.arm(200);
    vi.advanceTimersByTime(199);
    expect(fired).toBe(2);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(3);
  });

  it('keeps one Node timer while the duration stays the same; cancel() stops it', () => {
    let fired = 0;
    const t = new KeptTimer(() => fired++);
    t.arm(100);
    t.arm(100);
    t.arm(100);
    expect(vi.getTimerCount()).toBe(1);
    t.arm(300);
    expect(vi.getTimerCount()).toBe(1);
    t.cancel();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(0);
    t.cancel();
  });
});
