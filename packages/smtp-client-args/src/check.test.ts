import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseEhloReply, defaultExtensionRegistry, type Capabilities } from 'smtp-capabilities';
import { SmtpClientArgs, checkArgsAgainst, mailboxPath, parseMailFrom, parseRcptTo, withoutUnadvertised } from 'smtp-client-args';
import type { CapabilitiesLike } from 'smtp-client-args';

function caps(lines: string[]): CapabilitiesLike {
  // The real Capabilities must satisfy the structural interface.
  const c: CapabilitiesLike = parseEhloReply({ code: 250, lines: ['mx.example.com hello', ...lines] });
  return c;
}

const codes = (p: { code: string; keyword: string }[]) => p.map((x) => `${x.code}:${x.keyword}`);

describe('checkArgsAgainst takes smtp-capabilities without depending on it', () => {
  it("the real Capabilities type satisfies CapabilitiesLike (type-level)", () => {
    expectTypeOf<Capabilities>().toExtend<CapabilitiesLike>();
    expectTypeOf(checkArgsAgainst).parameter(0).toEqualTypeOf<CapabilitiesLike>();
    const real: Capabilities = parseEhloReply({ code: 250, lines: ['mx.example.com', 'SIZE 1000'] });
    expect(checkArgsAgainst(real, new SmtpClientArgs().setSize(2000))).toEqual([
      expect.objectContaining({ code: 'size-exceeded', keyword: 'SIZE' }),
    ]);
  });
});

describe('checkArgsAgainst', () => {
  it('nothing to report when everything was advertised', () => {
    const c = caps(['SIZE 1000', '8BITMIME', 'DSN', 'SMTPUTF8']);
    const a = new SmtpClientArgs({ command: 'mail' }).setSize(999).setBody('8BITMIME').setRet('HDRS').setSmtpUtf8();
    expect(checkArgsAgainst(c, a, { paths: [mailboxPath('ü', 'x')] })).toEqual([]);
  });
  it('reports parameters whose extension was not advertised', () => {
    const c = caps(['SIZE']);
    const a = new SmtpClientArgs({ command: 'mail' }).setSize(1).setEnvid('x').setRequireTls().setMtPriority(1);
    a.add('XFOO', 'bar');
    expect(codes(checkArgsAgainst(c, a))).toEqual(['not-advertised:ENVID', 'not-advertised:REQUIRETLS', 'not-advertised:MT-PRIORITY', 'not-advertised:XFOO']);
    const r = new SmtpClientArgs({ command: 'rcpt' }).setNotify('NEVER');
    expect(codes(checkArgsAgainst(c, r))).toEqual(['not-advertised:NOTIFY']);
    // REQUIRETLS is never dropped (the message must not go to this server); the optional ones are
    a.delete('REQUIRETLS');
    expect(withoutUnadvertised(c, a).toString()).toBe(' SIZE=1');
  });
  it('a private parameter is fine when its keyword was advertised', () => {
    const a = new SmtpClientArgs();
    a.add('XFOO', 'bar');
    expect(checkArgsAgainst(caps(['XFOO']), a)).toEqual([]);
  });
  it('SIZE over the advertised maximum (declared or real size); SIZE 0 means no limit', () => {
    expect(codes(checkArgsAgainst(caps(['SIZE 1000']), new SmtpClientArgs().setSize(1001)))).toEqual(['size-exceeded:SIZE']);
    expect(codes(checkArgsAgainst(caps(['SIZE 1000']), new SmtpClientArgs(), { messageSize: 5000 }))).toEqual(['size-exceeded:SIZE']);
    expect(checkArgsAgainst(caps(['SIZE 0']), new SmtpClientArgs().setSize(10 ** 12))).toEqual([]);
    expect(checkArgsAgainst(caps(['SIZE']), new SmtpClientArgs().setSize(10 ** 12))).toEqual([]);
  });
  it('8BITMIME needed but absent; 8-bit content must be declared', () => {
    expect(codes(checkArgsAgainst(caps([]), new SmtpClientArgs(), { eightBit: true }))).toEqual(['8bitmime-required:8BITMIME']);
    expect(codes(checkArgsAgainst(caps(['8BITMIME']), new SmtpClientArgs(), { eightBit: true }))).toEqual(['8bitmime-required:BODY']);
    expect(codes(checkArgsAgainst(caps([]), new SmtpClientArgs().setBody('8BITMIME')))).toEqual(['not-advertised:BODY']);
  });
  it('BINARYMIME needs CHUNKING', () => {
    expect(codes(checkArgsAgainst(caps(['BINARYMIME']), new SmtpClientArgs().setBody('BINARYMIME')))).toEqual(['chunking-required:CHUNKING']);
    expect(checkArgsAgainst(caps(['BINARYMIME', 'CHUNKING']), new SmtpClientArgs().setBody('BINARYMIME'))).toEqual([]);
  });
  it('INJ-8: SMTPUTF8 needed but absent (server or MAIL parameter)', () => {
    const paths = [mailboxPath('ü', 'x')];
    expect(codes(checkArgsAgainst(caps([]), new SmtpClientArgs({ command: 'mail' }), { paths }))).toEqual(['smtputf8-required:SMTPUTF8']);
    expect(codes(checkArgsAgainst(caps(['SMTPUTF8']), new SmtpClientArgs({ command: 'mail' }), { paths }))).toEqual(['smtputf8-required:SMTPUTF8']);
    expect(checkArgsAgainst(caps(['SMTPUTF8']), new SmtpClientArgs({ command: 'rcpt' }), { paths })).toEqual([]);
  });
  it('DELIVERBY minimum and FUTURERELEASE maximum', () => {
    expect(codes(checkArgsAgainst(caps(['DELIVERBY 600']), new SmtpClientArgs().setBy(60, 'R')))).toEqual(['by-below-minimum:BY']);
    expect(checkArgsAgainst(caps(['DELIVERBY 600']), new SmtpClientArgs().setBy(60, 'N'))).toEqual([]);
    expect(codes(checkArgsAgainst(caps(['FUTURERELEASE 3600 2030-01-01T00:00:00Z']), new SmtpClientArgs().setHoldFor(7200)))).toEqual(['hold-too-long:HOLDFOR']);
  });
  it('rejects something that is not a capabilities object', () => {
    expect(() => checkArgsAgainst({} as CapabilitiesLike, new SmtpClientArgs())).toThrow(/capabilities/);
  });
});

describe('with the smtp-capabilities registry (server side)', () => {
  it('registry parameter sets plug into allowedParameters', () => {
    const advertised = ['SIZE', 'DSN'];
    const registry = defaultExtensionRegistry();
    const mail = registry.mailParameters(advertised);
    const rcpt = registry.rcptParameters(advertised);
    expect(parseMailFrom('FROM:<a@b> SIZE=1 RET=FULL', { allowedParameters: mail }).args.size).toBe(2);
    expect(() => parseMailFrom('FROM:<a@b> BODY=8BITMIME', { allowedParameters: mail })).toThrow(/555/);
    expect(parseRcptTo('TO:<a@b> NOTIFY=NEVER', { allowedParameters: rcpt }).parameters.notify).toBe('NEVER');
  });
});

describe('checkArgsAgainst: what it reads and what it leaves alone', () => {
  it('names every extension a parameter can come from', () => {
    expect(checkArgsAgainst(caps([]), new SmtpClientArgs().setBody('7BIT')).map((p) => p.message)).toEqual(['BODY needs 8BITMIME or BINARYMIME']);
  });

  it('only mailbox paths with UTF-8 need SMTPUTF8; the null path and postmaster do not', () => {
    const utf8 = mailboxPath('\u00fc', 'example.com');
    const ascii = parseRcptTo('TO:<a@example.com>').path;
    const none = [parseMailFrom('FROM:<>').path, parseRcptTo('TO:<postmaster>').path, ascii];
    expect(checkArgsAgainst(caps([]), new SmtpClientArgs(), { paths: none })).toEqual([]);
    expect(codes(checkArgsAgainst(caps([]), new SmtpClientArgs(), { paths: [...none, utf8] }))).toEqual(['smtputf8-required:SMTPUTF8']);
  });

  it('BY below the advertised minimum matters only in mode R (return); mode N only notifies', () => {
    const c = caps(['DELIVERBY 60']);
    expect(codes(checkArgsAgainst(c, new SmtpClientArgs().setBy(30, 'R')))).toEqual(['by-below-minimum:BY']);
    expect(checkArgsAgainst(c, new SmtpClientArgs().setBy(30, 'N'))).toEqual([]);
    expect(checkArgsAgainst(c, new SmtpClientArgs().setBy(60, 'R'))).toEqual([]);
  });

  it('capabilities without has() and params() are a typed error naming the argument', () => {
    for (const bad of [null, 5, {}, { has: () => true }, { params: () => undefined }]) {
      expect(() => checkArgsAgainst(bad as never, new SmtpClientArgs()), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'capabilities' }) as Error,
      );
    }
  });
});

describe('a collection made by another copy of this package (CommonJS and ESM builds side by side, two versions)', () => {
  it('checkArgsAgainst reads its own parameter table and its command, as for a collection of this copy', async () => {
    // a second instance of the module: its class is not this one (instanceof fails)
    const secondCopy = './client-args.ts?second-copy';
    const other = (await import(/* @vite-ignore */ secondCopy)) as { SmtpClientArgs: typeof SmtpClientArgs };
    expect(other.SmtpClientArgs).not.toBe(SmtpClientArgs);
    const spec = { keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO-EXT'], rfc: 'private', value: 'required' } as const;
    const caps = { has: (k: string) => ['XPRIO-EXT', 'SIZE', 'SMTPUTF8'].includes(k.toUpperCase()), params: () => undefined };
    for (const Make of [SmtpClientArgs, other.SmtpClientArgs]) {
      const mail = new Make({ command: 'mail', parameters: [spec] }).set('XPRIO', 'high').set('SIZE', '10');
      expect(checkArgsAgainst(caps, mail)).toEqual([]);
      const rcpt = new Make({ command: 'rcpt' });
      expect(checkArgsAgainst(caps, rcpt, { paths: [mailboxPath('jörg', 'exämple.de')] })).toEqual([]);
    }
  });
});

describe('withoutUnadvertised never drops a parameter the message needs (typed error naming it)', () => {
  const sizeOnly = caps(['SIZE', 'PIPELINING']);
  const refusal = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return 'dropped silently';
  };
  it('REQUIRETLS (RFC 8689 §4.2.1): the message is not sent to a server without it', () => {
    const args = new SmtpClientArgs({ command: 'mail' }).setRequireTls().setBody('8BITMIME').setEnvid('id-1').setSize(1000);
    expect(refusal(() => withoutUnadvertised(sizeOnly, args))).toMatchObject({ code: 'ERR_SMTP_EXTENSION_REQUIRED', kind: 'local', argument: 'REQUIRETLS' });
    expect(args.toString()).toBe(' REQUIRETLS BODY=8BITMIME ENVID=id-1 SIZE=1000');
  });
  it('BODY=8BITMIME and BODY=BINARYMIME (RFC 6152 §3, RFC 3030 §3), SMTPUTF8 (RFC 6531 §3.4)', () => {
    for (const args of [
      new SmtpClientArgs({ command: 'mail' }).setSize(1).setBody('8BITMIME'),
      new SmtpClientArgs({ command: 'mail' }).setSize(1).setBody('BINARYMIME'),
    ]) {
      expect(refusal(() => withoutUnadvertised(sizeOnly, args))).toMatchObject({ code: 'ERR_SMTP_EXTENSION_REQUIRED', argument: 'BODY' });
    }
    // BINARYMIME where only 8BITMIME is offered: a server refuses the value (555), and 8-bit content may not be undeclared
    const binary = new SmtpClientArgs({ command: 'mail' }).setBody('BINARYMIME');
    expect(refusal(() => withoutUnadvertised(caps(['8BITMIME', 'CHUNKING']), binary))).toMatchObject({ code: 'ERR_SMTP_EXTENSION_REQUIRED', argument: 'BODY' });
    expect(refusal(() => withoutUnadvertised(sizeOnly, new SmtpClientArgs({ command: 'mail' }).setSmtpUtf8()))).toMatchObject({ code: 'ERR_SMTP_EXTENSION_REQUIRED', argument: 'SMTPUTF8' });
  });
  it('a held or deadline-bound message (FUTURERELEASE, BY in mode R) and RRVS without ;C are not delivered as if plain', () => {
    for (const [args, keyword] of [
      [new SmtpClientArgs({ command: 'mail' }).setHoldFor(600), 'HOLDFOR'],
      [new SmtpClientArgs({ command: 'mail' }).setHoldUntil('2030-01-01T00:00:00Z'), 'HOLDUNTIL'],
      [new SmtpClientArgs({ command: 'mail' }).setBy(600, 'R'), 'BY'],
      [new SmtpClientArgs({ command: 'rcpt' }).setRrvs('2014-04-03T23:01:00Z'), 'RRVS'],
      [new SmtpClientArgs({ command: 'rcpt' }).setRrvs('2014-04-03T23:01:00Z', 'R'), 'RRVS'],
    ] as const) {
      expect(refusal(() => withoutUnadvertised(sizeOnly, args)), keyword).toMatchObject({ code: 'ERR_SMTP_EXTENSION_REQUIRED', argument: keyword });
    }
  });
  it('optional parameters are still dropped: DSN, MT-PRIORITY, AUTH, BODY=7BIT, BY in mode N, RRVS;C, private ones', () => {
    const mail = new SmtpClientArgs({ command: 'mail' }).setSize(1).setEnvid('x').setRet('HDRS').setMtPriority(2).setAuth('a@b').setBody('7BIT').setBy(60, 'N');
    mail.add('XFOO', 'bar');
    expect(withoutUnadvertised(sizeOnly, mail).toString()).toBe(' SIZE=1');
    const rcpt = new SmtpClientArgs({ command: 'rcpt' }).setNotify('NEVER').setOrcpt('rfc822', 'a@b').setRrvs('2014-04-03T23:01:00Z', 'C');
    expect(withoutUnadvertised(sizeOnly, rcpt).toString()).toBe('');
  });
  it('what the server advertised is kept, whatever it is', () => {
    const args = new SmtpClientArgs({ command: 'mail' }).setRequireTls().setSmtpUtf8().setBody('8BITMIME').setEnvid('x');
    expect(withoutUnadvertised(caps(['REQUIRETLS', 'SMTPUTF8', '8BITMIME']), args).toString()).toBe(' REQUIRETLS SMTPUTF8 BODY=8BITMIME');
  });
});
