/**
 * Output batching. Replies are written once per turn of the event loop, after all the input of
 * that turn has been processed: replies produced together go out in one write (a pipelined
 * group, or replies that wait for a hook answering within the same turn). With many sessions the
 * writes come back to back at the end of the turn: measured with 8 sessions, this costs less CPU
 * per message than writing after each input chunk (the event loop handles more input per wake-up).
 * A session alone that waits for no hook writes at once (see `Session.flush`).
 */

/** Queued replies above this many characters are written without waiting for the end of the turn. */
export const OUTPUT_BATCH_LIMIT = 16384;

/** A session as the batcher sees it: its queued text, and how to write it. */
export interface OutputTarget {
  /** Replies waiting for the end of this turn ('' when none). */
  outText: string;
  /** Writes `outText` (and empties it). */
  writeOutput(): void;
}

/** One per server: the sessions with queued replies, written at the end of the turn. */
export class OutputBatcher {
  private pending: OutputTarget[] = [];
  /** The other list, swapped with `pending` at each flush (no new array per turn). */
  private spare: OutputTarget[] = [];
  private scheduled = false;
  private readonly flushAll = (): void => {
    this.scheduled = false;
    const queue = this.pending;
    this.pending = this.spare;
    for (let i = 0; i < queue.length; i++) queue[i]!.writeOutput();
    queue.length = 0;
    this.spare = queue;
  };

  /**
   * Queues `text` for `target`, in order after what it already queued; a large backlog is
   * written at once, so that output backpressure is seen within the turn.
   */
  queue(target: OutputTarget, text: string): void {
    if (target.outText.length === 0) this.pending.push(target);
    target.outText += text;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
    if (target.outText.length >= OUTPUT_BATCH_LIMIT) target.writeOutput();
  }
}
