import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SmtpClientArgs, isClientArgsError, readMailParameters, readRcptParameters, type ClientArgsLocalError, type ParameterSpec } from 'smtp-client-args';
import { hasControl, thrownBy } from '@smtpkit/testkit';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

const localCode = (fn: () => unknown) => thrownBy(fn, isLocalError);

describe('SmtpClientArgs collection (smtp_client_args_*)', () => {
  it('add / has / get / existsAndFetch / delete, case-insensitive keywords', () => {
    const a = new SmtpClientArgs();
    expect(a.add('size', '1000')).toEqual({ ok: true });
    expect(a.add('SMTPUTF8')).toEqual({ ok: true });
    expect(a.has('SIZE')).toBe(true);
    expect(a.get('Size')).toBe('1000');
    expect(a.existsAndFetch('size')).toEqual({ exists: true, value: '1000' });
    expect(a.existsAndFetch('smtputf8')).toEqual({ exists: true });
    expect(a.existsAndFetch('BODY')).toEqual({ exists: false });
    expect(a.size).toBe(2);
    expect(a.toString()).toBe(' SIZE=1000 SMTPUTF8');
    expect([...a]).toEqual([
      ['SIZE', '1000'],
      ['SMTPUTF8', undefined],
    ]);
    expect([...a.keys()]).toEqual(['SIZE', 'SMTPUTF8']);
    expect(a.toJSON()).toEqual({ SIZE: '1000', SMTPUTF8: true });
    expect(a.delete('size')).toBe(true);
    expect(a.delete('size')).toBe(false);
    expect(a.toString()).toBe(' SMTPUTF8');
  });
  it('add refuses with a reason instead of throwing', () => {
    const a = new SmtpClientArgs({ command: 'mail' });
    expect(a.add('SIZE', '1')).toMatchObject({ ok: true });
    expect(a.add('size', '2')).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(a.add('-X', 'y')).toMatchObject({ ok: false, reason: 'bad-keyword' });
    expect(a.add('X Y')).toMatchObject({ ok: false, reason: 'bad-keyword' });
    expect(a.add('BODY', 'weird')).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(a.add('BODY')).toMatchObject({ ok: false, reason: 'value-required' });
    expect(a.add('SMTPUTF8', 'x')).toMatchObject({ ok: false, reason: 'value-not-allowed' });
    expect(a.add('NOTIFY', 'NEVER')).toMatchObject({ ok: false, reason: 'wrong-command' });
    expect(a.add('XFOO', 'a=b')).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(a.add('XFOO', '')).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(a.add('XFOO', 'bar')).toMatchObject({ ok: true });
    expect(a.toString()).toBe(' SIZE=1 XFOO=bar');
  });
  it('INJ-1: SIZE=100\\r\\nRCPT TO:<x@y> never reaches the wire', () => {
    const a = new SmtpClientArgs();
    expect(a.add('SIZE', '100\r\nRCPT TO:<x@y>')).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(a.add('X\r\nRCPT', 'y')).toMatchObject({ ok: false, reason: 'bad-keyword' });
    const e = localCode(() => a.set('XFOO', 'a\r\nb'));
    expect(e).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'XFOO' });
    expect(a.toString()).toBe('');
  });
  it('byteLength tracks the UTF-8 length of toString() (the C len)', () => {
    const a = new SmtpClientArgs({ smtpUtf8: true });
    a.add('SIZE', '10');
    a.add('XUTF', 'üñí');
    a.set('SIZE', '12345');
    a.delete('XUTF');
    a.add('XUTF', '€');
    expect(a.byteLength).toBe(new TextEncoder().encode(a.toString()).length);
  });
  it('non-ASCII values only with SMTPUTF8', () => {
    const a = new SmtpClientArgs();
    expect(a.add('XFOO', 'ü')).toMatchObject({ ok: false, reason: 'bad-value' });
    a.setSmtpUtf8();
    expect(a.add('XFOO', 'ü')).toMatchObject({ ok: true });
  });
  it('clone copies entries and options', () => {
    const a = new SmtpClientArgs({ command: 'rcpt' }).setNotify('NEVER');
    const b = a.clone().setOrcpt('rfc822', 'a@b');
    expect(a.size).toBe(1);
    expect(b.toString()).toBe(' NOTIFY=NEVER ORCPT=rfc822;a@b');
    expect(b.byteLength).toBe(b.toString().length);
    expect(b.command).toBe('rcpt');
  });
});

describe('typed helpers', () => {
  it('MAIL helpers render and read back', () => {
    const a = new SmtpClientArgs({ command: 'mail' })
      .setSize(1000)
      .setBody('8BITMIME')
      .setRet('HDRS')
      .setEnvid('a b=c+d')
      .setAuth('e+x@example.com')
      .setRequireTls()
      .setMtPriority(-3)
      .setBy(120, 'R', true)
      .setHoldFor(600)
      .setHoldUntil('2030-01-02T03:04:05.5+01:00')
      .setMtrk('dGVzdA', 30);
    expect(a.toString()).toBe(
      ' SIZE=1000 BODY=8BITMIME RET=HDRS ENVID=a+20b+3Dc+2Bd AUTH=e+2Bx@example.com REQUIRETLS MT-PRIORITY=-3 BY=120;RT HOLDFOR=600 HOLDUNTIL=2030-01-02T03:04:05.5+01:00 MTRK=dGVzdA:30',
    );
    expect(readMailParameters(a)).toEqual({
      size: 1000,
      body: '8BITMIME',
      ret: 'HDRS',
      envid: 'a b=c+d',
      auth: 'e+x@example.com',
      smtpUtf8: false,
      requireTls: true,
      mtPriority: -3,
      by: { seconds: 120, mode: 'R', trace: true },
      holdFor: 600,
      holdUntil: '2030-01-02T03:04:05.5+01:00',
      mtrk: { certifier: 'dGVzdA', timeout: 30 },
    });
    expect(readMailParameters(new SmtpClientArgs().setAuth(null)).auth).toBeNull();
    expect(readMailParameters(new SmtpClientArgs().setMtrk()).mtrk).toEqual({});
  });
  it('readMailParameters keeps the field order, and reads a subclass through its own get/has', () => {
    const a = new SmtpClientArgs().setMtrk().setSize(5);
    expect(a.add('SMTPUTF8').ok).toBe(true);
    expect(Object.keys(readMailParameters(a))).toEqual(['smtpUtf8', 'requireTls', 'size', 'mtrk']);
    class Upper extends SmtpClientArgs {
      override get(keyword: string): string | undefined {
        return keyword.toUpperCase() === 'SIZE' ? '7' : super.get(keyword);
      }
      override has(keyword: string): boolean {
        return keyword.toUpperCase() === 'REQUIRETLS' || super.has(keyword);
      }
    }
    const u = new Upper().setSize(5);
    expect(readMailParameters(u)).toEqual({ smtpUtf8: false, requireTls: true, size: 7 });
    expect(readRcptParameters(new SmtpClientArgs({ command: 'rcpt' }).setNotify('NEVER'))).toEqual({ notify: 'NEVER' });
  });
  it('setters replace the previous value', () => {
    const a = new SmtpClientArgs().setSize(1).setBody('7BIT').setSize(2);
    expect(a.toString()).toBe(' SIZE=2 BODY=7BIT');
  });
  it('RCPT helpers render and read back (RFC 3461, RFC 6533, RFC 7293)', () => {
    const a = new SmtpClientArgs({ command: 'rcpt' }).setNotify(['SUCCESS', 'DELAY']).setOrcpt('rfc822', 'a+b@c').setRrvs('2014-04-03T23:01:00Z', 'C');
    expect(a.toString()).toBe(' NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb@c RRVS=2014-04-03T23:01:00Z;C');
    expect(readRcptParameters(a)).toEqual({
      notify: ['SUCCESS', 'DELAY'],
      orcpt: { addrType: 'rfc822', address: 'a+b@c' },
      rrvs: { dateTime: '2014-04-03T23:01:00Z', mode: 'C' },
    });
    const u = new SmtpClientArgs({ command: 'rcpt' }).setOrcpt('utf-8', 'ü\\=@x');
    expect(u.get('ORCPT')).toBe('utf-8;\\x{FC}\\x{5C}\\x{3D}@x');
    expect(readRcptParameters(u).orcpt).toEqual({ addrType: 'utf-8', address: 'ü\\=@x' });
  });
  it('INJ-2: numeric helpers accept only safe integers in range', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, Number('1e400'), 2 ** 53, '1\r\nRCPT TO:<x>' as unknown as number]) {
      expect(localCode(() => new SmtpClientArgs().setSize(bad))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'SIZE' });
    }
    expect(localCode(() => new SmtpClientArgs().setMtPriority(10)).argument).toBe('MT-PRIORITY');
    expect(localCode(() => new SmtpClientArgs().setHoldFor(-1)).argument).toBe('HOLDFOR');
    expect(localCode(() => new SmtpClientArgs().setBy(0, 'R')).argument).toBe('BY');
    expect(new SmtpClientArgs().setBy(-10, 'N').get('BY')).toBe('-10;N');
  });
  it('INJ-2: enumerations are validated', () => {
    expect(localCode(() => new SmtpClientArgs().setNotify('SUCCESS\r\n' as never)).argument).toBe('NOTIFY');
    // any list: a set or a generator reads as the array would; a lone string that is not NEVER is refused
    expect(new SmtpClientArgs({ command: 'rcpt' }).setNotify(new Set(['SUCCESS', 'DELAY'] as const)).get('NOTIFY')).toBe('SUCCESS,DELAY');
    expect(new SmtpClientArgs({ command: 'rcpt' }).setNotify((function* () { yield 'FAILURE' as const; })()).get('NOTIFY')).toBe('FAILURE');
    expect(localCode(() => new SmtpClientArgs().setNotify('FAILURE' as never)).code).toBe('ERR_SMTP_INVALID_PARAM');
    expect(localCode(() => new SmtpClientArgs().setNotify([])).argument).toBe('NOTIFY');
    expect(localCode(() => new SmtpClientArgs().setNotify(['SUCCESS', 'SUCCESS'])).argument).toBe('NOTIFY');
    expect(localCode(() => new SmtpClientArgs().setBody('8bit' as never)).argument).toBe('BODY');
    expect(localCode(() => new SmtpClientArgs().setRet('ALL' as never)).argument).toBe('RET');
    expect(localCode(() => new SmtpClientArgs().setRrvs('yesterday')).argument).toBe('RRVS');
    expect(localCode(() => new SmtpClientArgs().setHoldUntil('2030-13-01T00:00:00Z')).argument).toBe('HOLDUNTIL');
  });
  it('INJ-1: free-text helpers refuse control bytes, naming the argument and not echoing the value', () => {
    const e = localCode(() => new SmtpClientArgs().setEnvid('a b=c+d\r\nSECRET'));
    expect(e).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'ENVID' });
    expect(e.message).not.toContain('SECRET');
    expect(localCode(() => new SmtpClientArgs().setAuth('a\nb@c')).argument).toBe('AUTH');
    expect(localCode(() => new SmtpClientArgs().setOrcpt('rfc822', 'a\0@b')).argument).toBe('ORCPT');
    expect(localCode(() => new SmtpClientArgs().setOrcpt('rfc\r822', 'a@b')).argument).toBe('ORCPT');
    expect(localCode(() => new SmtpClientArgs().setOrcpt('rfc822', 'ü@b')).code).toBe('ERR_SMTP_UTF8_REQUIRED');
    expect(localCode(() => new SmtpClientArgs().setEnvid('x'.repeat(101))).argument).toBe('ENVID');
    expect(localCode(() => new SmtpClientArgs().setOrcpt('rfc822', `${'+'.repeat(170)}@b`)).argument).toBe('ORCPT');
  });
  it('INJ-1: no caller string puts a control byte, SP or bare = on the wire (property)', () => {
    const str = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(str, str, str, (k, v, w) => {
        const a = new SmtpClientArgs({ smtpUtf8: true });
        const attempts: (() => unknown)[] = [
          () => a.add(k, v),
          () => a.set(k, v),
          () => a.setEnvid(v),
          () => a.setAuth(v),
          () => a.setOrcpt(k, v),
          () => a.setOrcpt('utf-8', w),
          () => a.setHoldUntil(v),
          () => a.setRrvs(v),
          () => a.setMtrk(v),
        ];
        for (const attempt of attempts) {
          try {
            attempt();
          } catch (e) {
            expect(isLocalError(e)).toBe(true);
          }
        }
        const out = a.toString();
        expect(hasControl(out)).toBe(false);
        for (const [key, value] of a) {
          expect(key).toMatch(/^[A-Z0-9][A-Z0-9-]*$/);
          if (value !== undefined) {
            expect(value.length).toBeGreaterThan(0);
            expect(value.includes(' ')).toBe(false);
            expect(value.includes('=')).toBe(false);
          }
        }
        expect(a.byteLength).toBe(new TextEncoder().encode(out).length);
      }),
      { numRuns: 400 },
    );
  });
});

describe('custom parameter specs', () => {
  it('a collection validates private parameters with its own specs, and format keeps them', async () => {
    const { formatMailFrom } = await import('smtp-client-args');
    const a = new SmtpClientArgs({
      command: 'mail',
      parameters: [{ keyword: 'XTRACE', command: 'mail', extensions: ['XTRACE'], rfc: 'private', value: 'none' }],
    });
    expect(a.add('XTRACE', 'x')).toMatchObject({ ok: false, reason: 'value-not-allowed' });
    expect(a.add('xtrace')).toMatchObject({ ok: true });
    expect(formatMailFrom('a@b', a)).toBe('MAIL FROM:<a@b> XTRACE');
    expect(a.clone().add('XTRACE')).toMatchObject({ ok: false, reason: 'duplicate' });
  });

  // A parse takes its list's definitions once (ParseOptions), and the collection it returns has that
  // table; a collection made by its constructor reads them as it is made, as it always did.
  it('the constructor reads the definitions each time: one changed in place is followed by the next collection', () => {
    const spec: { -readonly [K in keyof ParameterSpec]: ParameterSpec[K] } = { keyword: 'XTRACE', command: 'mail', extensions: ['XTRACE'], rfc: 'private', value: 'none' };
    const parameters = [spec];
    expect(new SmtpClientArgs({ parameters }).add('XTRACE', 'x')).toMatchObject({ ok: false, reason: 'value-not-allowed' });
    spec.value = 'required';
    expect(new SmtpClientArgs({ parameters }).add('XTRACE', 'x')).toEqual({ ok: true });
    spec.keyword = 'not a keyword';
    expect(localCode(() => new SmtpClientArgs({ parameters }))).toMatchObject({ code: 'ERR_SMTP_INVALID_OPTION', argument: 'options.parameters' });
  });
});
