import { describe, expect, test } from 'vitest';
import {
  BUILTIN_EXTENSIONS,
  ExtensionRegistry,
  defaultExtensionRegistry,
  formatEhloReply,
  isCapabilitiesError,
  parseEhloReply,
  type SessionSettings,
} from 'smtp-capabilities';
import { errorCodeOf } from '@smtpkit/testkit';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isCapabilitiesError);

describe('defaultExtensionRegistry: advertising per session', () => {
  test('a bare session advertises the always-on set', () => {
    expect(defaultExtensionRegistry().advertise({})).toEqual(['PIPELINING', 'ENHANCEDSTATUSCODES', '8BITMIME', 'CHUNKING', 'DSN', 'SMTPUTF8']);
  });

  test('before TLS: STARTTLS offered, AUTH withheld; after TLS: AUTH offered, STARTTLS and REQUIRETLS switch', () => {
    const r = defaultExtensionRegistry();
    const base: SessionSettings = { startTls: true, maxSize: 10_240_000, authMechanisms: ['plain', 'LOGIN'], requireTls: true };
    const before = r.advertise({ ...base, tls: false });
    expect(before).toContain('STARTTLS');
    expect(before).toContain('SIZE 10240000');
    expect(before.some((l) => l.startsWith('AUTH'))).toBe(false);
    expect(before).not.toContain('REQUIRETLS');
    const after = r.advertise({ ...base, tls: true });
    expect(after).not.toContain('STARTTLS');
    expect(after).toContain('AUTH PLAIN LOGIN');
    expect(after).toContain('REQUIRETLS');
    expect(r.advertise({ ...base, tls: true, authenticated: true }).some((l) => l.startsWith('AUTH'))).toBe(false);
    expect(r.advertise({ ...base, tls: false, authBeforeTls: true })).toContain('AUTH PLAIN LOGIN');
    expect(r.advertise({ authMechanisms: [], tls: true }).some((l) => l.startsWith('AUTH'))).toBe(false);
  });

  test('SIZE, LIMITS, DELIVERBY, MT-PRIORITY, FUTURERELEASE, XCLIENT, XFORWARD, BURL, NO-SOLICITING from settings', () => {
    const lines = defaultExtensionRegistry().advertise({
      maxSize: 0,
      limits: { rcptMax: 100, mailMax: 10, rcptDomainMax: 5 },
      deliverBy: 60,
      mtPriority: 'MIXER',
      futureRelease: { maxInterval: 604800, maxDateTime: '2027-01-01T00:00:00Z' },
      xclient: ['name', 'ADDR'],
      xforward: ['NAME'],
      burl: ['imap'],
      noSoliciting: [],
    });
    expect(lines).toEqual(
      expect.arrayContaining(['SIZE', 'LIMITS RCPTMAX=100 MAILMAX=10 RCPTDOMAINMAX=5', 'DELIVERBY 60', 'MT-PRIORITY MIXER', 'FUTURERELEASE 604800 2027-01-01T00:00:00Z', 'XCLIENT NAME ADDR', 'XFORWARD NAME', 'BURL imap', 'NO-SOLICITING']),
    );
    const r = defaultExtensionRegistry();
    expect(r.advertise({ mtPriority: '', deliverBy: 0 })).toEqual(expect.arrayContaining(['MT-PRIORITY', 'DELIVERBY']));
    expect(r.advertise({ limits: {} }).some((l) => l.startsWith('LIMITS'))).toBe(false);
    expect(codeOf(() => r.advertise({ maxSize: -1 }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => r.advertise({ maxSize: 1.5 }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => r.advertise({ deliverBy: Number.NaN }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => r.advertise({ limits: { rcptMax: 0 } }))).toBe('ERR_SMTP_INVALID_OPTION');
    // limits that are not an object were dropped silently (LIMITS not advertised, no error)
    for (const limits of ['RCPTMAX=5', 5, true, ['RCPTMAX=5']]) {
      expect(codeOf(() => r.advertise({ limits: limits as never })), JSON.stringify(limits)).toBe('ERR_SMTP_INVALID_OPTION');
    }
    expect(codeOf(() => r.advertise({ futureRelease: { maxInterval: undefined, maxDateTime: 'x' } }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(r.advertise({ futureRelease: { maxInterval: 0, maxDateTime: '2027-01-01T00:00:00Z' } })).toContain('FUTURERELEASE 0 2027-01-01T00:00:00Z');
    expect(r.advertise({ futureRelease: { maxInterval: 60, maxDateTime: '2027-01-01T00:00:00.5+01:00' } })).toContain('FUTURERELEASE 60 2027-01-01T00:00:00.5+01:00');
    // one value each: a second word would be advertised as another parameter
    for (const maxDateTime of ['tomorrow', '2027-01-01 00:00:00Z', '2027-01-01T00:00:00Z x', '2027-01-01']) {
      expect(codeOf(() => r.advertise({ futureRelease: { maxInterval: 60, maxDateTime } })), maxDateTime).toBe('ERR_SMTP_INVALID_OPTION');
    }
    expect(codeOf(() => r.advertise({ mtPriority: 'MIXER STANAG4406' }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  test('opt-in keywords via enable; per-session hide; registry-wide hide', () => {
    const r = defaultExtensionRegistry();
    const on = r.advertise({ enable: ['vrfy', 'ETRN', 'expn', 'help', 'BINARYMIME', 'MTRK', 'CONPERM', 'CONNEG', 'RRVS', 'ATRN', 'BURL', 'NO-SOLICITING'] });
    expect(on).toEqual(expect.arrayContaining(['VRFY', 'ETRN', 'EXPN', 'HELP', 'BINARYMIME', 'MTRK', 'CONPERM', 'CONNEG', 'RRVS', 'ATRN', 'BURL', 'NO-SOLICITING']));
    expect(r.advertise({ hide: ['dsn', 'CHUNKING'] })).toEqual(['PIPELINING', 'ENHANCEDSTATUSCODES', '8BITMIME', 'SMTPUTF8']);
    r.hide('pipelining', 'SMTPUTF8');
    expect(r.hidden()).toEqual(['PIPELINING', 'SMTPUTF8']);
    expect(r.advertise({})).toEqual(['ENHANCEDSTATUSCODES', '8BITMIME', 'CHUNKING', 'DSN']);
    r.unhide('PIPELINING');
    expect(r.advertise({})[0]).toBe('PIPELINING');
    // hiding does not unregister: the verb stays known
    r.hide('CHUNKING');
    expect(r.verb('BDAT')?.keyword).toBe('CHUNKING');
  });

  test('each call returns an independent registry (no shared mutable global)', () => {
    const a = defaultExtensionRegistry();
    const b = defaultExtensionRegistry();
    a.hide('DSN').unregister('PIPELINING');
    expect(b.advertise({})).toContain('DSN');
    expect(b.has('PIPELINING')).toBe(true);
    expect(Object.isFrozen(BUILTIN_EXTENSIONS)).toBe(true);
    for (const d of BUILTIN_EXTENSIONS) {
      expect(Object.isFrozen(d), d.keyword).toBe(true);
      if (d.mailParams) expect(Object.isFrozen(d.mailParams)).toBe(true);
      for (const v of d.verbs ?? []) expect(Object.isFrozen(v)).toBe(true);
    }
    expect(BUILTIN_EXTENSIONS.length).toBeGreaterThanOrEqual(28);
  });

  test('capabilities(session) is what a client parses from the advertised reply', () => {
    const r = defaultExtensionRegistry();
    const caps = r.capabilities({ tls: true, maxSize: 1000, authMechanisms: ['PLAIN'], limits: { rcptMax: 3 } }, 'mx.example.com', 'hi');
    expect(caps.domain).toBe('mx.example.com');
    expect(caps.size).toBe(1000);
    expect([...caps.auth]).toEqual(['PLAIN']);
    expect(caps.limits).toEqual({ rcptMax: 3 });
    expect(caps.chunking).toBe(true);
  });

  test('advertise output feeds formatEhloReply unchanged', () => {
    const r = defaultExtensionRegistry();
    const lines = formatEhloReply({ domain: 'mx', keywords: r.advertise({ maxSize: 5 }) });
    expect(lines).toEqual(['mx', 'PIPELINING', 'SIZE 5', 'ENHANCEDSTATUSCODES', '8BITMIME', 'CHUNKING', 'DSN', 'SMTPUTF8']);
    expect(formatEhloReply({ domain: 'mx', keywords: r.advertiseEntries({ maxSize: 5 }) })).toEqual(lines);
  });
});

describe('verbs and parameters', () => {
  test('verb lookup with the RFC 2920 §3.1 last-in-group property', () => {
    const r = defaultExtensionRegistry();
    expect(r.verb('starttls')).toMatchObject({ name: 'STARTTLS', keyword: 'STARTTLS', mustBeLastInGroup: true });
    expect(r.verb('AUTH')?.mustBeLastInGroup).toBe(true);
    expect(r.verb('XCLIENT')?.mustBeLastInGroup).toBe(true);
    expect(r.verb('bdat')).toMatchObject({ keyword: 'CHUNKING', mustBeLastInGroup: false });
    expect(r.verb('XFORWARD')?.mustBeLastInGroup).toBe(false);
    expect(r.verb('MAIL')).toBeUndefined();
    for (const v of ['EHLO', 'helo', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP', 'STARTTLS', 'AUTH', 'ATRN', 'XCLIENT']) {
      expect(r.mustBeLastInGroup(v), v).toBe(true);
    }
    for (const v of ['MAIL', 'RCPT', 'RSET', 'BDAT', 'XFORWARD', 'X-UNKNOWN']) expect(r.mustBeLastInGroup(v), v).toBe(false);
    expect(r.verbs().map((v) => v.name)).toEqual(['ETRN', 'STARTTLS', 'AUTH', 'BDAT', 'BURL', 'ATRN', 'XCLIENT', 'XFORWARD']);
  });

  test('MAIL/RCPT parameters allowed by advertised keywords', () => {
    const r = defaultExtensionRegistry();
    const caps = parseEhloReply({ code: 250, lines: ['mx', 'SIZE 10', '8BITMIME', 'DSN', 'X-UNKNOWN'] });
    expect([...r.mailParameters(caps)].sort()).toEqual(['BODY', 'ENVID', 'RET', 'SIZE']);
    expect([...r.rcptParameters(caps)].sort()).toEqual(['NOTIFY', 'ORCPT']);
    expect([...r.mailParameters(['smtputf8', 'REQUIRETLS', 'MT-PRIORITY', 'DELIVERBY', 'FUTURERELEASE', 'AUTH'])].sort()).toEqual(['AUTH', 'BY', 'HOLDFOR', 'HOLDUNTIL', 'MT-PRIORITY', 'REQUIRETLS', 'SMTPUTF8']);
    expect([...r.rcptParameters(['RRVS', 'CONNEG'])].sort()).toEqual(['CONNEG', 'RRVS']);
    expect(r.mailParameters().has('SOLICIT')).toBe(true);
    expect(r.mailParameters().has('MTRK')).toBe(true);
    expect(r.mailParameters([]).size).toBe(0);
    // a Capabilities from another installed copy of the package: not this class, same keywords
    const foreign = { keywords: caps.keywords.map((k) => k.toLowerCase()), has: () => true };
    expect([...r.mailParameters(foreign)].sort()).toEqual(['BODY', 'ENVID', 'RET', 'SIZE']);
    expect([...r.rcptParameters(foreign)].sort()).toEqual(['NOTIFY', 'ORCPT']);
    expect(() => r.mailParameters({ keywords: ['SIZE', 5] } as never)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_INVALID_ARGUMENT' }));
    expect(r.mailParameterKeywords('body')).toEqual(['8BITMIME', 'BINARYMIME']);
    expect(r.mailParameterKeywords('ret')).toEqual(['DSN']);
    expect(r.rcptParameterKeywords('NOTIFY')).toEqual(['DSN']);
    expect(r.mailParameterKeywords('X-NOPE')).toEqual([]);
  });
});

describe('custom extensions (esmtp_extensions_register)', () => {
  interface MySession extends SessionSettings {
    readonly tenant: string;
  }

  test('register a custom keyword with a session-dependent advertisement, verbs and parameters', () => {
    const r = defaultExtensionRegistry<MySession>();
    r.register({
      keyword: 'x-tenant',
      rfc: 'local',
      advertise: (s) => (s.tenant ? s.tenant : false),
      verbs: [{ name: 'xtenant', mustBeLastInGroup: true }],
      mailParams: ['x-tenant-id'],
      rcptParams: ['X-SCOPE'],
    });
    expect(r.advertise({ tenant: 'acme' }).at(-1)).toBe('X-TENANT acme');
    expect(r.advertise({ tenant: '' })).not.toContain('X-TENANT');
    expect(r.verb('XTENANT')).toMatchObject({ keyword: 'X-TENANT', mustBeLastInGroup: true });
    expect(r.mailParameters(['X-TENANT']).has('X-TENANT-ID')).toBe(true);
    expect(r.rcptParameters(['x-tenant']).has('X-SCOPE')).toBe(true);
    expect(r.get('x-tenant')?.rfc).toBe('local');
    expect(r.unregister('X-TENANT')).toBe(true);
    expect(r.unregister('X-TENANT')).toBe(false);
    expect(r.verb('XTENANT')).toBeUndefined();
  });

  test('static advertisements: true, false, string, array', () => {
    const r = new ExtensionRegistry([
      { keyword: 'A' },
      { keyword: 'B', advertise: false },
      { keyword: 'C', advertise: 'x y' },
      { keyword: 'D', advertise: ['z'] },
    ]);
    expect(r.advertise({})).toEqual(['A', 'C x y', 'D z']);
    expect(r.definitions().map((d) => d.keyword)).toEqual(['A', 'B', 'C', 'D']);
  });

  test('duplicates need replace; invalid definitions and advertised text are refused', () => {
    const r = defaultExtensionRegistry();
    expect(codeOf(() => r.register({ keyword: 'size' }))).toBe('ERR_SMTP_EXTENSION_DUPLICATE');
    r.register({ keyword: 'SIZE', advertise: '52428800', mailParams: ['SIZE'] }, { replace: true });
    expect(r.advertise({})).toContain('SIZE 52428800');
    expect(codeOf(() => r.register({ keyword: 'X-OTHER', verbs: [{ name: 'BDAT' }] }))).toBe('ERR_SMTP_EXTENSION_DUPLICATE');
    expect(codeOf(() => r.register({ keyword: 'X_BAD' }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(codeOf(() => r.register({ keyword: 'X-V', verbs: [{ name: 'A B' }] }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(codeOf(() => r.register({ keyword: 'X-P', mailParams: ['A=B'] }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(codeOf(() => r.register(null as never))).toBe('ERR_SMTP_EXTENSION_INVALID');
    r.register({ keyword: 'X-INJECT', advertise: () => 'a\r\n250 evil' });
    expect(codeOf(() => r.advertise({}))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
  });

  test('definitions are frozen copies', () => {
    const r = new ExtensionRegistry();
    const def = { keyword: 'x-a', mailParams: ['p'] };
    r.register(def);
    def.mailParams.push('Q');
    expect(r.get('X-A')?.mailParams).toEqual(['P']);
    expect(Object.isFrozen(r.get('X-A'))).toBe(true);
  });
});
