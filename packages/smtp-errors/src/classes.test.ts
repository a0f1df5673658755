import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { BUILTIN_CLASSES } from './index.js';

describe('built-in classes (momentum-api.md §4.1)', () => {
  it('has exactly the 20 Momentum classes with their names and categories', () => {
    expect(BUILTIN_CLASSES.map((c) => [c.id, c.name, c.category])).toEqual([
      [1, 'Undetermined', 'undetermined'],
      [10, 'Invalid Recipient', 'hard'],
      [20, 'Soft Bounce', 'soft'],
      [21, 'DNS Failure', 'soft'],
      [22, 'Mailbox Full', 'soft'],
      [23, 'Too Large', 'soft'],
      [24, 'Timeout', 'soft'],
      [25, 'Admin Failure', 'admin'],
      [30, 'Generic Bounce: No RCPT', 'hard'],
      [40, 'Generic Bounce', 'soft'],
      [50, 'Mail Block', 'block'],
      [51, 'Spam Block', 'block'],
      [52, 'Spam Content', 'block'],
      [53, 'Prohibited Attachment', 'block'],
      [54, 'Relaying Denied', 'block'],
      [60, 'Auto-Reply', 'soft'],
      [70, 'Transient Failure', 'soft'],
      [80, 'Subscribe', 'admin'],
      [90, 'Unsubscribe', 'hard'],
      [100, 'Challenge-Response', 'soft'],
    ]);
  });

  it('uses the documented descriptions', () => {
    expect(api.forId(1)?.description).toBe('The response text could not be identified.');
    expect(api.forId(22)?.description).toBe('The message bounced due to the remote mailbox being over quota.');
    expect(api.forId(54)?.description).toBe('The message was blocked by the receiver because relaying is not allowed.');
    expect(api.forId(100)?.description).toBe('The message is a challenge-response probe.');
  });

  it('exports a BC_* constant for every built-in id', () => {
    const constants = Object.entries(api)
      .filter(([k]) => k.startsWith('BC_') && k !== 'BC_SOFT_TIMEOUT')
      .map(([, v]) => v as number)
      .sort((a, b) => a - b);
    expect(constants).toEqual(BUILTIN_CLASSES.map((c) => c.id));
    // The legacy C name of class 24 is an alias, not a 21st class.
    expect(api.BC_SOFT_TIMEOUT).toBe(api.BC_TIMEOUT);
    expect(api.BC_UNDETERMINED).toBe(1);
    expect(api.BC_INVALID_RECIPIENT).toBe(10);
    expect(api.BC_TIMEOUT).toBe(24);
    expect(api.BC_CHALLENGE_RESPONSE).toBe(100);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(BUILTIN_CLASSES)).toBe(true);
    expect(Object.isFrozen(BUILTIN_CLASSES[0])).toBe(true);
  });
});
