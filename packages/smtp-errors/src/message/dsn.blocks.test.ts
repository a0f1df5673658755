// parseDsnBlocks on reports that leave out the blank line between recipients (RFC 3464 §2.1
// wants one): a recipient field after a block's Final-Recipient and a per-recipient field
// (Action, Status...) starts the next recipient, whichever of its two address fields comes first.
import { describe, expect, it } from 'vitest';
import { parseDsnBlocks } from './dsn.js';

const blocks = (text: string): Record<string, string>[] => parseDsnBlocks(text).map((b) => Object.fromEntries(b));

describe('parseDsnBlocks without blank lines between recipients', () => {
  it('an Original-Recipient after a recipient Action and Status opens the next recipient', () => {
    expect(blocks('Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@x.test\nAction: failed\nStatus: 5.1.1\nOriginal-Recipient: rfc822; orig-b@x.test\nFinal-Recipient: rfc822; b@x.test\nAction: failed\nStatus: 5.2.2\n')).toEqual([
      { 'reporting-mta': 'dns; mx' },
      { 'final-recipient': 'rfc822; a@x.test', action: 'failed', status: '5.1.1' },
      { 'original-recipient': 'rfc822; orig-b@x.test', 'final-recipient': 'rfc822; b@x.test', action: 'failed', status: '5.2.2' },
    ]);
  });

  it('a Final-Recipient after a complete one opens the next (Final first, as Postfix writes it)', () => {
    expect(blocks('Final-Recipient: rfc822; a@x.test\nOriginal-Recipient: rfc822; a@x.test\nAction: delayed\nFinal-Recipient: rfc822; b@x.test\nOriginal-Recipient: rfc822; b@x.test\nAction: delayed\n')).toEqual([
      { 'final-recipient': 'rfc822; a@x.test', 'original-recipient': 'rfc822; a@x.test', action: 'delayed' },
      { 'final-recipient': 'rfc822; b@x.test', 'original-recipient': 'rfc822; b@x.test', action: 'delayed' },
    ]);
  });

  it('a recipient field before any per-recipient field after the Final-Recipient stays in its block', () => {
    expect(blocks('Final-Recipient: rfc822; a@x.test\nOriginal-Recipient: rfc822; o@x.test\nAction: failed\n')).toEqual([{ 'final-recipient': 'rfc822; a@x.test', 'original-recipient': 'rfc822; o@x.test', action: 'failed' }]);
    expect(blocks('Original-Recipient: rfc822; o@x.test\nAction: failed\nFinal-Recipient: rfc822; a@x.test\n')).toEqual([{ 'original-recipient': 'rfc822; o@x.test', action: 'failed', 'final-recipient': 'rfc822; a@x.test' }]);
  });
});
