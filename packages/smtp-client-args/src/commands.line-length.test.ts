// The command lines formatMailFrom / formatRcptTo write are bounded as RFC 5321 §4.5.3.1.4 bounds
// them (512 octets with CRLF, raised by what the extensions in use add), and every line they write
// is one parseMailFrom / parseRcptTo (with the parameters allowed) accepts.
import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, formatMailFrom, formatRcptTo, isClientArgsError, parseMailFrom, parseRcptTo } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

const refusal = (f: () => unknown): { code: string; kind: string; argument: unknown } => {
  const e = thrownBy(f, isClientArgsError);
  return { code: e.code, kind: e.kind, argument: e.argument };
};
/** Octets on the wire, CRLF included. */
const octets = (line: string): number => new TextEncoder().encode(line).length + 2;
/** A MAIL line of exactly `n` octets with CRLF, padded by a private parameter's value. */
const privatePadded = (n: number, args = new SmtpClientArgs()): SmtpClientArgs => {
  const base = octets(formatMailFrom('a@example.com', args.clone().set('XPAD', 'v')));
  return args.set('XPAD', 'v'.repeat(1 + n - base));
};
const TOO_LONG = { code: 'ERR_SMTP_COMMAND_TOO_LONG', kind: 'local', argument: 'args' };

describe('formatMailFrom / formatRcptTo bound the command line (RFC 5321 §4.5.3.1.4)', () => {
  it('an AUTH identity of 100,000 octets, 5,000 spaces (15,000 octets as xtext), a private parameter of 1 MB: refused', () => {
    expect(refusal(() => formatMailFrom('a@example.com', new SmtpClientArgs().setAuth('u'.repeat(100_000) + '@example.com')))).toEqual(TOO_LONG);
    expect(refusal(() => formatMailFrom('a@example.com', new SmtpClientArgs().setAuth(`"${' '.repeat(5000)}"@example.com`)))).toEqual(TOO_LONG);
    expect(refusal(() => formatMailFrom('a@example.com', new SmtpClientArgs().set('X-BIG', 'v'.repeat(1 << 20))))).toEqual(TOO_LONG);
    expect(refusal(() => formatRcptTo('b@example.com', [['X-BIG', 'v'.repeat(1 << 20)]]))).toEqual(TOO_LONG);
  });

  it('512 octets with CRLF without extensions: 512 written, 513 refused', () => {
    expect(octets(formatMailFrom('a@example.com', privatePadded(512)))).toBe(512);
    expect(refusal(() => formatMailFrom('a@example.com', privatePadded(513)))).toEqual(TOO_LONG);
  });

  it('raised by what each extension in use adds: SIZE 26 (RFC 1870), RET/ENVID 100 (RFC 3461), AUTH 500 (RFC 4954), SMTPUTF8 10 (RFC 6531)', () => {
    const cases: [SmtpClientArgs, number][] = [
      [new SmtpClientArgs().setSize(1), 512 + 26],
      [new SmtpClientArgs().setRet('HDRS'), 512 + 100],
      [new SmtpClientArgs().setEnvid('x').setRet('FULL'), 512 + 100], // one extension, counted once
      [new SmtpClientArgs().setAuth('a@example.com'), 512 + 500],
      [new SmtpClientArgs().setSmtpUtf8(), 512 + 10],
      [new SmtpClientArgs().setSize(1).setEnvid('x').setAuth('a@b').setSmtpUtf8(), 512 + 26 + 100 + 500 + 10],
      [new SmtpClientArgs().setBody('8BITMIME').setRequireTls(), 512], // no allowance
    ];
    for (const [args, limit] of cases) {
      expect(octets(formatMailFrom('a@example.com', privatePadded(limit, args.clone()))), args.toString()).toBe(limit);
      expect(refusal(() => formatMailFrom('a@example.com', privatePadded(limit + 1, args.clone()))), args.toString()).toEqual(TOO_LONG);
    }
  });

  it('RCPT: NOTIFY / ORCPT add 500 (RFC 3461); a 256-octet path with NOTIFY and a 490-octet ORCPT is written', () => {
    const path = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}`;
    const args = new SmtpClientArgs({ command: 'rcpt' }).setNotify(['SUCCESS', 'FAILURE', 'DELAY']).setOrcpt('rfc822', 'x'.repeat(490));
    const line = formatRcptTo(path, args);
    expect(octets(line)).toBeLessThanOrEqual(1012);
    expect(parseRcptTo(line, { advertised: ['DSN'] }).parameters.orcpt?.address).toBe('x'.repeat(490));
    const pad = (n: number) => [...args, ['XPAD', 'v'.repeat(n)]] as [string, string | undefined][];
    const room = 1012 - octets(formatRcptTo(path, pad(1)));
    expect(octets(formatRcptTo(path, pad(1 + room)))).toBe(1012);
    expect(refusal(() => formatRcptTo(path, pad(2 + room)))).toEqual(TOO_LONG);
    // without NOTIFY or ORCPT, RCPT has the plain 512
    expect(refusal(() => formatRcptTo(path, [['XPAD', 'v'.repeat(300)]]))).toEqual(TOO_LONG);
  });
});

describe('every line the formatters write, the parsers accept', () => {
  it('as many parameters as parseMailFrom takes (32 by default) are written; one more is refused', () => {
    const names = Array.from({ length: 33 }, (_, i) => `X-P${String(i)}`);
    const args = new SmtpClientArgs();
    for (const k of names.slice(0, 32)) args.set(k, 'v');
    const line = formatMailFrom('a@example.com', args);
    expect(parseMailFrom(line, { allowedParameters: names }).args.size).toBe(32);
    args.set(names[32]!, 'v');
    expect(refusal(() => formatMailFrom('a@example.com', args))).toEqual({ code: 'ERR_SMTP_TOO_MANY_PARAMS', kind: 'local', argument: 'args' });
    expect(refusal(() => formatRcptTo('b@example.com', args))).toEqual({ code: 'ERR_SMTP_TOO_MANY_PARAMS', kind: 'local', argument: 'args' });
  });

  it('the longest MAIL line with every registered parameter parses back', () => {
    const path = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}`;
    const args = new SmtpClientArgs({ command: 'mail' })
      .set('SIZE', '9'.repeat(20))
      .setBody('BINARYMIME')
      .setRet('HDRS')
      .setEnvid('e'.repeat(90))
      .setAuth('u'.repeat(400) + '@example.com')
      .setRequireTls()
      .setMtPriority(-9)
      .setBy(999_999_999, 'R', true)
      .setHoldUntil('2030-01-01T00:00:00.123+01:00');
    const line = formatMailFrom(path, args);
    const parsed = parseMailFrom(line, { advertised: ['SIZE', 'BINARYMIME', 'DSN', 'AUTH', 'REQUIRETLS', 'MT-PRIORITY', 'DELIVERBY', 'FUTURERELEASE'] });
    expect(parsed.args.toString()).toBe(args.toString());
  });
});
