// The Node adapter's timers as a test sees them: spies on the global timer functions it calls.
import { vi } from 'vitest';

/**
 * Records the timers made with `setTimeout(fn, ms)` for one delay and which of them were cleared,
 * through spies on the global timer functions the adapter calls (undo with `vi.restoreAllMocks()`).
 */
export function watchTimers(ms: number): { made: () => readonly unknown[]; cleared: (t: unknown) => boolean } {
  const made: unknown[] = [];
  const cleared = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, delay?: number, ...args: unknown[]) => {
    const t = realSet(fn, delay, ...args);
    if (delay === ms) made.push(t);
    return t;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((t?: Parameters<typeof clearTimeout>[0]) => {
    cleared.add(t);
    realClear(t);
  });
  return { made: () => made, cleared: (t) => cleared.has(t) };
}
