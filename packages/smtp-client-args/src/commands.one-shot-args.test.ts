import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, checkArgsAgainst, formatMailFrom, formatRcptTo, isClientArgsError } from 'smtp-client-args';
import type { ClientArgsError } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

type Pair = readonly [string, string | undefined];

/** A one-shot iterable: a generator yields its pairs once, and counts how often it was started. */
function oneShot(pairs: readonly Pair[]): { args: Iterable<Pair>; reads: () => number } {
  let reads = 0;
  const gen = (function* (): Generator<Pair> {
    reads++;
    yield* pairs;
  })();
  return { args: gen, reads: () => reads };
}

describe('formatMailFrom / formatRcptTo read a one-shot args iterable once', () => {
  const pairs: Pair[] = [['SIZE', '48213'], ['BODY', '8BITMIME'], ['RET', 'HDRS']];

  it('formatMailFrom with a generator writes every parameter, as with the array', () => {
    const { args, reads } = oneShot(pairs);
    expect(formatMailFrom('a@example.com', args)).toBe(formatMailFrom('a@example.com', pairs));
    expect(formatMailFrom('a@example.com', oneShot(pairs).args)).toBe('MAIL FROM:<a@example.com> SIZE=48213 BODY=8BITMIME RET=HDRS');
    expect(reads()).toBe(1);
  });

  it('a UTF-8 path with SMTPUTF8 from a generator carries SMTPUTF8 on the wire (RFC 6531 §3.4)', () => {
    expect(formatMailFrom('jé@example.com', oneShot([['SMTPUTF8', undefined], ['SIZE', '10']]).args)).toBe('MAIL FROM:<jé@example.com> SMTPUTF8 SIZE=10');
  });

  it('a UTF-8 path without SMTPUTF8 from a generator is still refused', () => {
    const e = thrownBy(() => formatMailFrom('jé@example.com', oneShot([['SIZE', '10']]).args), isClientArgsError) as ClientArgsError;
    expect(e.code).toBe('ERR_SMTP_UTF8_REQUIRED');
  });

  it('with options.smtpUtf8 given, and for RCPT, a generator is rendered too', () => {
    expect(formatMailFrom('jé@example.com', oneShot([['SMTPUTF8', undefined]]).args, { smtpUtf8: true })).toBe('MAIL FROM:<jé@example.com> SMTPUTF8');
    expect(formatRcptTo('b@example.org', oneShot([['NOTIFY', 'NEVER']]).args)).toBe('RCPT TO:<b@example.org> NOTIFY=NEVER');
  });

  it('a bad pair from a generator is still a typed error', () => {
    const e = thrownBy(() => formatMailFrom('a@example.com', oneShot([['SIZE', '1\r\nDATA']]).args), isClientArgsError) as ClientArgsError;
    expect(e.code).toBe('ERR_SMTP_INVALID_PARAM');
  });

  it('an SmtpClientArgs keeps its own parameter table (a private parameter is written)', () => {
    const args = new SmtpClientArgs({ command: 'mail', parameters: [{ keyword: 'XPRIV', command: 'mail', extensions: ['XPRIV'], rfc: 'private', value: 'optional' }] });
    expect(args.add('XPRIV', undefined).ok).toBe(true);
    expect(formatMailFrom('a@example.com', args)).toBe('MAIL FROM:<a@example.com> XPRIV');
  });

  it('checkArgsAgainst reads a generator once as well', () => {
    const caps = { has: (k: string) => k === 'SIZE', params: (k: string) => (k === 'SIZE' ? ['100'] : undefined) };
    expect(checkArgsAgainst(caps, oneShot([['SIZE', '1000']]).args).map((p) => p.code)).toEqual(['size-exceeded']);
  });
});
