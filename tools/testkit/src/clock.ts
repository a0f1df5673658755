// A fake clock for timeout tests: arm timers the way an adapter would, advance time by hand.

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Manual time: `setTimeout`/`clearTimeout` lookalikes and `advance(ms)` that fires what is due, in order. */
export class FakeClock {
  #now = 0;
  #nextId = 1;
  #timers: Timer[] = [];

  get now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const t = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(t);
    return t.id;
  }

  clearTimeout(id: number | undefined): void {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Timers still armed. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward, firing due timers in deadline order (timers armed by callbacks count too). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
    }
    this.#now = end;
  }
}

/** Something with the sans-IO timer contract of smtp-client-fsm. */
export interface TimedMachine {
  pendingTimeout(): { readonly ms: number; readonly id: number } | undefined;
  handleTimeout(id?: number): void;
}

/** Re-arms `machine`'s pending timer on `clock` (call after every interaction); returns the timer id armed. */
export function armTimeout(clock: FakeClock, machine: TimedMachine, state: { timer?: number; id?: number } = {}): { timer?: number; id?: number } {
  const t = machine.pendingTimeout();
  if (!t) {
    clock.clearTimeout(state.timer);
    return {};
  }
  if (t.id === state.id) return state;
  clock.clearTimeout(state.timer);
  const timer = clock.setTimeout(() => machine.handleTimeout(t.id), t.ms);
  return { timer, id: t.id };
}
