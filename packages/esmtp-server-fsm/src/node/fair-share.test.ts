import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerConnection } from '../server-connection.js';
import { ClientSlots, SessionDeadline, clientKey } from './fair-share.js';

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

describe('clientKey: client addresses counted by network', () => {
  it('IPv6 addresses of one /64 share a key, whatever their spelling; another /64 does not', () => {
    const k = (a: string, v6 = 64): string => clientKey(a, 32, v6);
    expect(k('2001:db8:0:1::1')).toBe(k('2001:db8:0:1:ffff:ffff:ffff:ffff'));
    expect(k('2001:db8:0:1::1')).toBe(k('2001:0db8:0000:0001:0:0:0:2'));
    expect(k('2001:db8:0:1::1')).toBe(k('2001:DB8:0:1::abcd'));
    expect(k('2001:db8:0:1::1')).not.toBe(k('2001:db8:0:2::1'));
    expect(k('2001:db8:0:1::1')).toBe('20010db8000000010000000000000000/64');
    expect(k('2001:db8::1', 128)).not.toBe(k('2001:db8::2', 128));
    expect(k('2001:db8::1', 0)).toBe(k('fe80::1', 0));
    // bits inside a byte: /60 joins 2001:db8:0:10:: and 2001:db8:0:1f::, not 2001:db8:0:20::
    expect(k('2001:db8:0:10::1', 60)).toBe(k('2001:db8:0:1f::1', 60));
    expect(k('2001:db8:0:10::1', 60)).not.toBe(k('2001:db8:0:20::1', 60));
    expect(k('fe80::1%eth0')).toBe(k('fe80::2'));
    expect(k('::')).toBe(k('::1'));
  });

  it('IPv4, and IPv4-mapped IPv6 as a dual-stack socket reports it, are counted as IPv4', () => {
    expect(clientKey('::ffff:192.0.2.1', 32, 64)).toBe(clientKey('192.0.2.1', 32, 64));
    expect(clientKey('::ffff:c000:201', 32, 64)).toBe(clientKey('192.0.2.1', 32, 64));
    expect(clientKey('192.0.2.1', 32, 64)).not.toBe(clientKey('192.0.2.2', 32, 64));
    expect(clientKey('192.0.2.1', 24, 64)).toBe(clientKey('192.0.2.200', 24, 64));
    expect(clientKey('192.0.2.1', 24, 64)).not.toBe(clientKey('192.0.3.1', 24, 64));
    // an IPv4-mapped address is not folded into the IPv6 ::/64
    expect(clientKey('::ffff:192.0.2.1', 32, 64)).not.toBe(clientKey('::ffff:192.0.2.2', 32, 64));
  });

  it('what is not an IP address is its own key', () => {
    expect(clientKey('/run/smtp.sock', 32, 64)).toBe('/run/smtp.sock');
    expect(clientKey('2001:db8::g', 32, 64)).toBe('2001:db8::g');
  });

  it('ClientSlots counts a network: 2 slots for all of 2001:db8:0:1::/64', () => {
    const slots = new ClientSlots(2, 32, 64);
    expect(slots.acquire('2001:db8:0:1::1')).toBe(true);
    expect(slots.acquire('2001:db8:0:1::2')).toBe(true);
    expect(slots.acquire('2001:db8:0:1::3')).toBe(false);
    expect(slots.acquire('2001:db8:0:2::1')).toBe(true);
    expect(slots.count('2001:db8:0:1::ffff')).toBe(2);
    slots.release('2001:db8:0:1::1');
    expect(slots.acquire('2001:db8:0:1::3')).toBe(true);
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
    d.sync(conn);
    expect(d.active).toBe(true);
    vi.advanceTimersByTime(3000);
    d.received(1);
    d.sync(conn); // same id: the running timer stays
    vi.advanceTimersByTime(1999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([1]);
  });

  it('a data-phase deadline runs from the sync that first sees it (the core opens it at the first body byte)', () => {
    const d = new SessionDeadline(owner, 0, 200);
    current = { name: 'dataPhase', ms: 1000, id: 2 };
    d.received(10);
    d.sync(conn);
    vi.advanceTimersByTime(500);
    d.received(10);
    d.sync(conn); // same id: the running timer stays
    vi.advanceTimersByTime(499);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([2]);
  });

  it('the minimum rate applies over a body after the grace; time the server does not read is not counted', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 60_000, id: 4 };
    d.received(100);
    d.sync(conn);
    // 100 bytes in 200 ms = 500 bytes/s < 1000, but the server was not reading: not counted
    reading = false;
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    reading = true;
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([4]);
  });

  it('the bytes that opened a data phase count toward its rate; bytes before it do not', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 60_000, id: 30 };
    d.received(300); // 300 bytes over the 200 ms grace: 1500 bytes/s
    d.sync(conn);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([]);
    d.stop();
    current = undefined;
    d.received(300); // a command, say: synced with no deadline
    d.sync(conn);
    current = { name: 'dataPhase', ms: 60_000, id: 31 };
    d.sync(conn);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([31]);
  });

  it('a body at the rate is not cut', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 60_000, id: 5 };
    d.sync(conn);
    for (let i = 0; i < 20; i++) {
      d.received(200);
      vi.advanceTimersByTime(100);
    }
    expect(expired).toEqual([]);
  });

  it('a new id replaces the old deadline; none stops it; stop() disarms everything', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'commandLine', ms: 100, id: 6 };
    d.sync(conn);
    current = { name: 'commandLine', ms: 300, id: 7 };
    d.sync(conn);
    vi.advanceTimersByTime(299);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([7]);
    current = { name: 'dataPhase', ms: 100, id: 8 };
    d.sync(conn);
    current = undefined;
    d.sync(conn);
    expect(d.active).toBe(false);
    current = { name: 'dataPhase', ms: 100, id: 9 };
    d.sync(conn);
    d.stop();
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([7]);
  });

  it('each message gets its own deadline and rate check, from its own first body byte', () => {
    const d = new SessionDeadline(owner, 1000, 200);
    current = { name: 'dataPhase', ms: 1000, id: 10 };
    d.received(5000);
    d.sync(conn);
    vi.advanceTimersByTime(600);
    current = undefined; // end of the first message
    d.sync(conn);
    vi.advanceTimersByTime(300);
    // the second message's 354 is out: the core has no deadline until its first body byte
    d.sync(conn);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    d.received(5000);
    current = { name: 'dataPhase', ms: 1000, id: 11 };
    d.sync(conn);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([11]);
    d.stop();
    d.received(10); // far below the rate: cut after the grace
    current = { name: 'dataPhase', ms: 60_000, id: 12 };
    d.sync(conn);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([11, 12]);
    d.stop();
    vi.advanceTimersByTime(120_000);
    expect(expired).toEqual([11, 12]);
  });
});

