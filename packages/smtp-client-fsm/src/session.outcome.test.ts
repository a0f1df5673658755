// messageOutcome with arguments of the wrong type: ERR_SMTP_CLIENT_INVALID_PARAMETER, never a
// TypeError or an unknown status silently counted as deferred.
import { describe, expect, it } from 'vitest';
import { messageOutcome } from './session.js';
import { isSmtpClientError } from './errors.js';

function refusal(recipients: unknown): { code: string; message: string } | undefined {
  try {
    messageOutcome(recipients as never);
  } catch (e) {
    if (!isSmtpClientError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  return undefined;
}

describe('messageOutcome arguments', () => {
  it.each([
    ['null', null, /^recipients:/],
    ['undefined', undefined, /^recipients:/],
    ['a number', 5, /^recipients:/],
    ['a string', 'accepted', /^recipients:/],
    ['an object', { status: 'accepted' }, /^recipients:/],
    ['a null entry', [null], /^recipients\[0\]:/],
    ['a string entry', [{ status: 'accepted' }, 'accepted'], /^recipients\[1\]:/],
    ['an unknown status', [{ status: 'ok' }], /^recipients\[0\]\.status:/],
    ['a missing status', [{}], /^recipients\[0\]\.status:/],
  ])('%s is ERR_SMTP_CLIENT_INVALID_PARAMETER naming it', (_name, recipients, message) => {
    expect(refusal(recipients)).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER', message: expect.stringMatching(message) });
  });
  it('every status is still read', () => {
    expect(messageOutcome([{ status: 'accepted' }, { status: 'rejected' }, { status: 'deferred' }, { status: 'unknown' }])).toBe('partial');
    expect(messageOutcome([])).toBe('failed');
  });
});
