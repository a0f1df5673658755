import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerConnection } from '../server-connection.js';
import { ClientSlots, SessionDeadline } from './fair-share.js';

describe('ClientSlots', () => {
  it('counts open sessions per address up to the limit; release gives a slot back', () => {
    const slots = new ClientSlots(2);
    expect(slots.acquire('192.0.2.1')).toBe(true);
    expect(slots.acquire('192.0.2.1')).toBe(true);
    expect(slots.acquire('192.0.2.1')).toBe(false);
    expect(slots.acquire('192.0.2.2')).toBe(true);
    expect(slots.count('192.0.2.1')).toBe(2);
    slots.release('192.0.2.1');
    expect(slots.count('192.0.2.1')).toBe(1);
    expect(slots.acquire('192.0.2.1')).toBe(true);
    slots.release('192.0.2.2');
    expect(slots.count('192.0.2.2')).toBe(0);
    expect(slots.counts('192.0.2.2')).toBe(true);
  });

  it('an unknown address and an Infinity limit are never counted', () => {
    const slots = new ClientSlots(1);
    expect(slots.acquire(undefined)).toBe(true);
    expect(slots.acquire(undefined)).toBe(true);
    expect(slots.counts(undefined)).toBe(false);
    const open = new ClientSlots(Infinity);
    for (let i = 0; i < 5; i++) expect(open.acquire('192.0.2.1')).toBe(true);
    expect(open.counts('192.0.2.1')).toBe(false);
    expect(open.count('192.0.2.1')).toBe(0);
  });
});

type Deadline = { readonly name: 'commandLine' | 'dataPhase'; readonly ms: number; readonly id: number } | undefined;

describe('SessionDeadline', () => {
  let current: Deadline;
  let reading = true;
  let expired: number[] = [];
  const conn = { pendingDeadline: () => current } as unknown as ServerConnection;
  const owner = { notReading: () => !reading, deadlineExpired: (id: number) => expired.push(id) };
  beforeEach(() => {
    vi.useFakeTimers();
    current = undefined;
    reading = true;
    expired = [];
  });
  afterEach(() => vi.useRealTimers());

  it('a command-line deadline runs from sync, input does not restart it, and it is never rated', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'commandLine', ms: 5000, id: 1 };
    d.sync(conn, false);
    expect(d.active).toBe(true);
    vi.advanceTimersByTime(3000);
    d.received(1);
    d.sync(conn, false); // same id: the running timer stays
    vi.advanceTimersByTime(1999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([1]);
  });

  it('a data-phase deadline waits for the first body byte, then runs its ms', () => {
    const d = new SessionDeadline(owner, 0, 200);
    current = { name: 'dataPhase', ms: 1000, id: 2 };
    d.sync(conn, false);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    d.received(10);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([2]);
  });

  it('a data-phase deadline whose body already started runs at once', () => {
    const d = new SessionDeadline(owner, 0, 200);
    current = { name: 'dataPhase', ms: 1000, id: 3 };
    d.sync(conn, true);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([3]);
  });

  it('the minimum rate applies over a body after the grace; time the server does not read is not counted', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 60_000, id: 4 };
    d.sync(conn, false);
    d.received(100);
    // 100 bytes in 200 ms = 500 bytes/s < 1000, but the server was not reading: not counted
    reading = false;
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    reading = true;
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([4]);
  });

  it('a body at the rate is not cut', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 60_000, id: 5 };
    d.sync(conn, true);
    for (let i = 0; i < 20; i++) {
      d.received(200);
      vi.advanceTimersByTime(100);
    }
    expect(expired).toEqual([]);
  });

  it('a new id replaces the old deadline; none stops it; stop() disarms everything', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'commandLine', ms: 100, id: 6 };
    d.sync(conn, false);
    current = { name: 'commandLine', ms: 300, id: 7 };
    d.sync(conn, false);
    vi.advanceTimersByTime(299);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([7]);
    current = { name: 'dataPhase', ms: 100, id: 8 };
    d.sync(conn, true);
    current = undefined;
    d.sync(conn, false);
    expect(d.active).toBe(false);
    current = { name: 'dataPhase', ms: 100, id: 9 };
    d.sync(conn, true);
    d.stop();
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([7]);
  });

  it('each message gets its own deadline and rate check, from its own first body byte', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 1000, id: 10 };
    d.sync(conn, false);
    d.received(5000);
    vi.advanceTimersByTime(600);
    current = undefined; // end of the first message
    d.sync(conn, false);
    vi.advanceTimersByTime(300);
    current = { name: 'dataPhase', ms: 1000, id: 11 };
    d.sync(conn, false);
    vi.advanceTimersByTime(5000); // waiting for the first body byte: neither deadline nor rate runs
    expect(expired).toEqual([]);
    d.received(5000);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([11]);
    d.stop();
    current = { name: 'dataPhase', ms: 60_000, id: 12 };
    d.sync(conn, true);
    d.received(10); // far below the rate: cut after the grace
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([11, 12]);
    d.stop();
    vi.advanceTimersByTime(120_000);
    expect(expired).toEqual([11, 12]);
  });
});

