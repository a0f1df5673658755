import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callHook, interpret, replyOfError, SmtpReplyError, verifyCramMd5 } from './hooks.js';

describe('callHook', () => {
  it('a plain result or a throw comes back at once; a promise settles later', async () => {
    const later: [boolean, unknown][] = [];
    const record = (ok: boolean, v: unknown): number => later.push([ok, v]);
    expect(callHook(() => 7, record)).toEqual([true, 7]);
    const boom = new Error('boom');
    expect(
      callHook(() => {
        throw boom;
      }, record),
    ).toEqual([false, boom]);
    expect(callHook(() => Promise.resolve('yes'), record)).toBeUndefined();
    expect(callHook(() => Promise.reject(boom), record)).toBeUndefined();
    // a thenable that is not a Promise
    expect(callHook(() => ({ then: (f: (v: unknown) => void) => f('thenable') }), record)).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect(later).toEqual([
      [true, 'yes'],
      [false, boom],
      [true, 'thenable'],
    ]);
  });
});

describe('interpret and replyOfError', () => {
  it('undefined/true accept, false rejects, a reply is positive by its code', () => {
    expect(interpret(undefined)).toEqual({ positive: true, reply: undefined });
    expect(interpret(true)).toEqual({ positive: true, reply: undefined });
    expect(interpret(false)).toEqual({ positive: false, reply: undefined });
    expect(interpret({ code: 250, text: 'ok' })).toEqual({ positive: true, reply: { code: 250, text: 'ok' } });
    expect(interpret({ code: 550, text: 'no' }).positive).toBe(false);
  });

  it('a thrown SmtpReplyError or reply-shaped object is a reply; anything else is not', () => {
    const reply = { code: 550, enhanced: '5.1.1', text: 'No such user' };
    expect(replyOfError(new SmtpReplyError(reply))).toEqual(reply); // a copy, its fields read once
    expect(new SmtpReplyError(reply).message).toBe('550 No such user');
    expect(replyOfError({ code: 451, message: 'try later' })).toEqual({ code: 451, text: 'try later' });
    expect(replyOfError({ code: 554, enhanced: '5.7.1', text: ['a', 'b'] })).toEqual({ code: 554, enhanced: '5.7.1', text: ['a', 'b'] });
    expect(replyOfError(new Error('plain'))).toBeUndefined();
    expect(replyOfError({ code: 'ENOENT' })).toBeUndefined();
    expect(replyOfError(null)).toBeUndefined();
    // a throw never accepts: a positive or out-of-range numeric code is an unexpected exception
    expect(replyOfError(Object.assign(new Error('operation exceeded time limit'), { code: 262 }))).toBeUndefined();
    expect(replyOfError({ code: 354, text: 'go on' })).toBeUndefined();
    expect(replyOfError({ code: 11000, message: 'duplicate key' })).toBeUndefined();
    expect(replyOfError(new SmtpReplyError({ code: 250, text: 'ok' }))).toBeUndefined();
    expect(replyOfError({ code: 599, text: 'x' })).toEqual({ code: 599, text: 'x' });
  });

  it('a thrown reply-shaped object keeps a field of the wrong type, for the reply check to refuse (never dropped)', () => {
    expect(replyOfError({ code: 550, text: 5 })).toEqual({ code: 550, text: 5 });
    expect(replyOfError({ code: 550, enhanced: 5, text: 'x' })).toEqual({ code: 550, enhanced: 5, text: 'x' });
    expect(replyOfError({ code: 550, text: [1], message: 'm' })).toEqual({ code: 550, text: [1] });
    // an error's message stands in for a missing text only, with the same check
    expect(replyOfError({ code: 550, message: 5 })).toEqual({ code: 550, text: 5 });
  });
});

describe('verifyCramMd5', () => {
  it('accepts the right HMAC-MD5 digest only', () => {
    const challenge = '<1.2@mx.example>';
    const response = createHmac('md5', 'secret').update(challenge).digest('hex');
    const credentials = { mechanism: 'CRAM-MD5', username: 'u', challenge, response };
    expect(verifyCramMd5(credentials, 'secret')).toBe(true);
    expect(verifyCramMd5(credentials, 'other')).toBe(false);
    expect(verifyCramMd5(credentials, undefined)).toBe(false);
    expect(verifyCramMd5({ ...credentials, response: 'abcd' }, 'secret')).toBe(false);
  });
});
