// TEST-6: the client against an in-memory sink with smtp-sink's fault knobs at every policy point:
// the result is classified correctly (transient, permanent, or unknown after the dot), nothing is
// sent twice, and no content goes out after a refused MAIL, RCPT or DATA.
import { describe, expect, it } from 'vitest';
import { runWithFault } from '../src/fault-sink.js';
import type { Fault, FaultPoint } from '../src/fault-sink.js';

const MESSAGE = { from: 'a@example.com', to: ['b@example.org'], body: 'Subject: x\r\n\r\nhello\r\n' };
const POINTS: readonly FaultPoint[] = ['helo', 'mail', 'rcpt', 'data-start', 'message-end'];
const FAULTS: readonly Fault[] = ['soft', 'hard', '421', 'disconnect', 'stall'];
const PIPELINING = [false, true] as const;

describe('TEST-6 in-memory fault sink', () => {
  it('TEST-6 no fault: delivered once', () => {
    const r = runWithFault('message-end', 'none', MESSAGE);
    expect(r).toMatchObject({ outcome: 'delivered', mails: 1, accepted: 1, closed: 'quit', contentBytes: MESSAGE.body.length });
  });

  for (const point of POINTS) {
    for (const fault of FAULTS) {
      for (const pipelining of PIPELINING) {
        it(`TEST-6 TMO-2 TMO-4 ${fault} at ${point}${pipelining ? ' (pipelining)' : ''}`, () => {
          const r = runWithFault(point, fault, MESSAGE, { pipelining });
          // nothing is ever sent twice, and nothing is acknowledged by the faulty point
          expect(r.mails).toBeLessThanOrEqual(1);
          expect(r.contentBytes).toBeLessThanOrEqual(MESSAGE.body.length);
          expect(r.accepted).toBe(0);
          expect(r.closed).toBeDefined();
          if (point === 'message-end' && (fault === 'disconnect' || fault === 'stall')) {
            // the content went out and no answer came: maybe delivered (RFC 5321 §4.5.3.2.6)
            expect(r.outcome).toBe('unknown');
          } else {
            // a refusal that may succeed later (4xx, 421, a lost or stalled connection) is "deferred"
            expect(r.outcome).toBe(fault === 'hard' ? 'failed' : 'deferred');
            expect(r.transient).toBe(fault !== 'hard');
          }
          // no content after a refused or unanswered MAIL, RCPT or DATA
          if (point !== 'message-end') expect(r.contentBytes).toBe(0);
          if (fault === 'stall') expect(r.timersFired).toBeGreaterThan(0);
        });
      }
    }
  }
});
