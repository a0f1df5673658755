// ClientConnection options of the wrong type: a typed ERR_SMTP_CLIENT_INVALID_OPTION naming the
// option, never a TypeError or a value silently read as its default.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from './client-connection.js';
import { createStateRegistry } from './states/index.js';
import { isSmtpClientError } from './errors.js';
import { ScriptedServer, run, sent } from '../test/scripted-server.js';
import { createClassifier } from 'smtp-errors';

type Options = ConstructorParameters<typeof ClientConnection>[0];

function refusal(options: unknown): { code: string; message: string; kind: string } | undefined {
  try {
    new ClientConnection(options as Options);
  } catch (e) {
    if (!isSmtpClientError(e)) throw e;
    return { code: e.code, message: e.message, kind: e.kind };
  }
  return undefined;
}

describe('ClientConnection: options that are not an object', () => {
  it.each([
    ['null', null],
    ['a number', 5],
    ['a string', 'localhost'],
    ['a function', () => ({})],
    ['an array', []],
  ])('%s is ERR_SMTP_CLIENT_INVALID_OPTION naming options', (_name, options) => {
    expect(refusal(options)).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', kind: 'local', message: expect.stringMatching(/^options: /) });
  });
  it('undefined is the defaults', () => {
    expect(refusal(undefined)).toBeUndefined();
  });
});

describe('ClientConnection: each option of the wrong type names the option', () => {
  const cases: [string, unknown][] = [
    ['hostname', 5],
    ['hostname', null],
    ['hostname', ['mx.example']],
    ['lmtp', 'yes'],
    ['lmtp', 1],
    ['lmtp', null],
    ['security', 5],
    ['security', 'REQUIRED'],
    ['security', null],
    ['auth', 5],
    ['auth', null],
    ['allowInsecureAuth', 'true'],
    ['allowInsecureAuth', 1],
    ['allowUnverifiedAuth', 'false'],
    ['allowUnverifiedAuth', 0],
    ['tlsVerified', 'no'],
    ['tlsVerified', null],
    ['crypto', 5],
    ['crypto', null],
    ['crypto', { hmacMd5: 'md5' }],
    ['pipelining', 'yes'],
    ['pipelining', 0],
    ['chunking', 'yes'],
    ['chunking', 1],
    ['rsetWrittenAhead', 'no'],
    ['rsetWrittenAhead', 0],
    ['bareLineEndings', 'strict'],
    ['bareLineEndings', 5],
    ['bareLineEndings', null],
    ['maxRecipientsPerTransaction', '5'],
    ['maxRecipientsPerTransaction', null],
    ['maxRecipientsPerTransaction', 5n],
    ['timeouts', null],
    ['timeouts', 5],
    ['timeouts', 'command'],
    ['timeouts', [1000]],
    ['timeouts', { command: '5' }],
    ['replyLimits', 5],
    ['replyLimits', null],
    ['replyLimits', { maxLineLength: 'big' }],
    ['classify', 5],
    ['classify', null],
    ['classify', {}],
    ['mailArgs', 5],
    ['mailArgs', 'X=1'],
    ['mailArgs', [['X', '1']]],
    ['rcptArgs', 5],
    ['rcptArgs', null],
    ['transcript', 5],
    ['transcript', { log: 1 }],
    ['states', 5],
    ['states', null],
    ['states', {}],
    ['states', [{ name: 'banner' }]],
  ];
  it('auth given as a list ([] or [{ user, pass }]) is refused as auth, not read as an object without user', () => {
    for (const auth of [[], [{ user: 'u', pass: 'p' }]]) {
      expect(refusal({ auth }), JSON.stringify(auth)).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', kind: 'local', message: expect.stringMatching(/^auth: /) });
    }
  });
  it.each(cases)('%s: %s is ERR_SMTP_CLIENT_INVALID_OPTION', (option, value) => {
    const e = refusal({ [option]: value });
    expect(e?.code).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
    expect(e?.kind).toBe('local');
    expect(e?.message.startsWith(option)).toBe(true);
  });

  it('an empty state list is still refused', () => {
    const states = Object.assign(createStateRegistry(), { list: () => [] });
    expect(refusal({ states })?.code).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
  });

  it('timeouts take the fields they inherit (a defaults prototype, a class getter), read once', () => {
    let reads = 0;
    class Timeouts {
      get greeting(): number {
        reads++;
        return 1234;
      }
    }
    expect(new ClientConnection({ timeouts: new Timeouts() }).pendingTimeout()).toMatchObject({ name: 'greeting', ms: 1234 });
    expect(reads).toBe(1);
    const byPrototype = Object.create({ greeting: 4321 }) as Record<string, number>;
    expect(new ClientConnection({ timeouts: byPrototype }).pendingTimeout()).toMatchObject({ name: 'greeting', ms: 4321 });
    // an inherited field is checked as an own one is
    expect(refusal({ timeouts: Object.create({ greeting: -1 }) })).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringContaining('timeouts.greeting') });
    // the object itself is read once: a getter answering otherwise the second time changes nothing
    let n = 0;
    const options = {
      get timeouts() {
        return n++ === 0 ? { greeting: 99 } : 5;
      },
    };
    expect(new ClientConnection(options as Options).pendingTimeout()).toMatchObject({ name: 'greeting', ms: 99 });
  });

  it('every option at a value of its type (undefined included) is accepted', () => {
    const fn = () => undefined;
    const all = {
      hostname: 'client.example',
      lmtp: false,
      security: 'off',
      auth: { user: 'u', pass: 'p' },
      allowInsecureAuth: true,
      allowUnverifiedAuth: false,
      tlsVerified: true,
      crypto: { hmacMd5: (k: Uint8Array) => k },
      pipelining: true,
      chunking: false,
      bareLineEndings: 'replace',
      maxRecipientsPerTransaction: 50,
      timeouts: { command: 1000 },
      replyLimits: { maxLineLength: 1000 },
      classify: () => ({ id: 0, name: 'x', category: 'unknown' }),
      mailArgs: fn,
      rcptArgs: fn,
      transcript: fn,
      states: createStateRegistry(),
    };
    expect(refusal(all)).toBeUndefined();
    expect(refusal(Object.fromEntries(Object.keys(all).map((k) => [k, undefined])))).toBeUndefined();
    expect(refusal({ crypto: {} })).toBeUndefined();
  });

  it('classify takes a function, not a createClassifier() instance; the documented wrapper of one classifies with its rules', () => {
    const custom = createClassifier();
    custom.registerClass(99, 'Profanity', 'Rejected for language.', 'block');
    custom.addRules('y.test,99,watch your language');
    expect(refusal({ classify: custom })).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringContaining('classify') });
    const conn = new ClientConnection({ classify: (reply, domain) => custom.classify(reply, { domain }) });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    const [m] = sent(run(conn, new ScriptedServer({ rcpt: () => '550 watch your language' })));
    expect(m?.recipients[0]).toMatchObject({ status: 'rejected', classification: { id: 99, name: 'Profanity' } });
  });

  it('pipelining: false still turns pipelining off', () => {
    const server = new ScriptedServer({});
    const conn = new ClientConnection({ pipelining: false });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.quit();
    expect(sent(run(conn, server))[0]?.outcome).toBe('delivered');
  });
});
