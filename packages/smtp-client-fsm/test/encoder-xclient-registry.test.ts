// Edges of three public pieces, for survivors of the mutation run: the body encoder's life cycle
// and byte count, the XCLIENT state (attribute encoding, `required`), the state registry's checks
// of a definition, and the address forms sendMessage refuses.
import { describe, expect, it } from 'vitest';
import { BodyEncoder, createStateRegistry, encodeBody, isSmtpClientError, xclientState } from '../src/index.js';
import { ClientConnection, ScriptedServer, run, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';

const dec = new TextDecoder();
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSmtpClientError(e) ? e.code : `untyped ${String(e)}`;
  }
};

describe('BodyEncoder life cycle', () => {
  it('push after end and a second end are ERR_SMTP_CLIENT_NOT_IN_BODY', () => {
    const e = new BodyEncoder();
    e.push('a\r\n');
    e.end();
    expect(codeOf(() => e.push('b'))).toBe('ERR_SMTP_CLIENT_NOT_IN_BODY');
    expect(codeOf(() => e.end())).toBe('ERR_SMTP_CLIENT_NOT_IN_BODY');
  });

  it('bytesWritten counts what went out: stuffing, normalized line ends and the closing CRLF, never the terminator', () => {
    const e = new BodyEncoder();
    expect(e.bytesWritten).toBe(0);
    expect(dec.decode(e.push('ab\r\n'))).toBe('ab\r\n'); // passed through
    expect(e.bytesWritten).toBe(4);
    expect(dec.decode(e.push('.x\ny'))).toBe('..x\r\ny');
    expect(e.bytesWritten).toBe(4 + 6);
    expect(dec.decode(e.end())).toBe('\r\n.\r\n');
    expect(e.bytesWritten).toBe(4 + 6 + 2);
    const binary = new BodyEncoder({ binary: true });
    binary.push(new Uint8Array([1, 2, 3]));
    expect(binary.bytesWritten).toBe(3);
  });

  it('an empty body is the terminator alone; an empty chunk changes nothing', () => {
    expect(dec.decode(encodeBody(''))).toBe('.\r\n');
    const e = new BodyEncoder();
    expect(e.push('').length).toBe(0);
    expect(dec.decode(e.push('.'))).toBe('..');
    expect(dec.decode(e.end())).toBe('\r\n.\r\n');
  });

  it('a CR that ends one chunk and the LF that opens the next are one line end', () => {
    const e = new BodyEncoder({ bareLineEndings: 'reject' });
    const out = [e.push('a\r'), e.push('\n.b\r'), e.push('\n'), e.end()].map((p) => dec.decode(p)).join('');
    expect(out).toBe('a\r\n..b\r\n.\r\n');
  });
});

describe('xclientState', () => {
  function withXclient(script: Script, attrs: Parameters<typeof xclientState>[0], required: boolean) {
    const states = createStateRegistry();
    states.register(xclientState(attrs, { required }), { after: 'starttls' });
    const server = new ScriptedServer(script);
    const conn = new ClientConnection({ states });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.quit();
    const events = run(conn, server);
    return { server, events, messages: sent(events) };
  }

  it('[UNAVAILABLE] and [TEMPUNAVAIL] go as they are, other values xtext-encoded, undefined ones left out; 220 means EHLO again', () => {
    const { server, messages } = withXclient({ ehlo: ['XCLIENT NAME ADDR HELO LOGIN'] }, { NAME: '[UNAVAILABLE]', ADDR: '192.0.2.1', HELO: '[TEMPUNAVAIL]', LOGIN: undefined, PROTO: 'a b' } as never, false);
    expect(server.commands.slice(0, 3)).toEqual(['EHLO localhost', 'XCLIENT NAME=[UNAVAILABLE] ADDR=192.0.2.1 HELO=[TEMPUNAVAIL] PROTO=a+20b', 'EHLO localhost']);
    expect(messages[0]!.outcome).toBe('delivered');
  });

  it('not offered: skipped, or with required the message is deferred (ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE) and no MAIL is sent', () => {
    const skipped = withXclient({ ehlo: ['8BITMIME'] }, { ADDR: '192.0.2.1' }, false);
    expect(skipped.server.commands).not.toContain('XCLIENT ADDR=192.0.2.1');
    expect(skipped.messages[0]!.outcome).toBe('delivered');
    const required = withXclient({ ehlo: ['8BITMIME'] }, { ADDR: '192.0.2.1' }, true);
    // legacy XCLIENT = "required": transiently failed when the exchanger does not support it (the
    // next attempt may reach one that does, or the configuration is fixed); it was failed for good,
    // which bounced and suppressed the recipients of a migrated queue
    expect(required.messages[0]).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE' });
    expect(required.messages[0]!.recipients[0]).toMatchObject({ status: 'deferred', permanent: false, transient: true, errorCode: 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE' });
    expect(required.messages[0]!.recipients[0]!.reply).toBeUndefined();
    expect(required.events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE' });
    expect(required.server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
    expect(required.server.commands.at(-1)).toBe('QUIT');
  });

  it('refused: the session goes on without it, or with required the message is not sent', () => {
    const script: Script = { ehlo: ['XCLIENT ADDR'], xclient: '550 5.7.0 not authorized' };
    const lenient = withXclient(script, { ADDR: '192.0.2.1' }, false);
    expect(lenient.messages[0]!.outcome).toBe('delivered');
    expect(lenient.server.commands.filter((c) => c.startsWith('EHLO'))).toHaveLength(1);
    const required = withXclient(script, { ADDR: '192.0.2.1' }, true);
    expect(required.messages[0]!.outcome).not.toBe('delivered');
    expect(required.server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('refused with required: a 5xx or a 4xx defers the message, the refusal kept as the detail (unclassified)', () => {
    const refused = withXclient({ ehlo: ['XCLIENT ADDR'], xclient: '550 5.7.0 not authorized' }, { ADDR: '192.0.2.1' }, true);
    // it was: failed for good (rejected, permanent); legacy XCLIENT = "required" fails transiently
    expect(refused.messages[0]).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_PROTOCOL', reply: { code: 550 } });
    const r = refused.messages[0]!.recipients[0]!;
    expect(r).toMatchObject({ status: 'deferred', permanent: false, transient: true, errorCode: 'ERR_SMTP_CLIENT_PROTOCOL', reply: { code: 550, text: 'not authorized', enhanced: { class: 5, subject: 7, detail: 0 } } });
    // the status is the state's decision, not the reply's: no bounce class saying "for good"
    expect(r.classification).toBeUndefined();
    expect(refused.events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL', reply: { code: 550 } });
    expect(refused.server.commands.at(-1)).toBe('QUIT');
    const temporary = withXclient({ ehlo: ['XCLIENT ADDR'], xclient: '454 4.3.0 try again later' }, { ADDR: '192.0.2.1' }, true);
    expect(temporary.messages[0]).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_PROTOCOL' });
    expect(temporary.messages[0]!.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_PROTOCOL', reply: { code: 454 } });
  });

  it('a control byte in an attribute is refused when the state is made', () => {
    expect(codeOf(() => xclientState({ NAME: 'a\r\nMAIL FROM:<x@y>' }))).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
  });
});

describe('state registry: a definition is checked before it is taken', () => {
  const base = { name: 'extra', enter: () => undefined, reply: () => undefined };
  it.each([
    ['not an object', null],
    ['a name that is not a string', { ...base, name: 5 }],
    ['an empty name', { ...base, name: '' }],
    ['enter that is not a function', { ...base, enter: 1 }],
    ['reply that is not a function', { ...base, reply: 'x' }],
    ['a stage above 22', { ...base, stage: 23 }],
    ['a negative stage', { ...base, stage: -1 }],
    ['an unknown pipelining mode', { ...base, pipelining: 'fast' }],
  ])('%s: ERR_SMTP_CLIENT_STATE_INCOMPLETE, nothing registered', (_what, def) => {
    const states = createStateRegistry();
    const before = states.list().length;
    expect(codeOf(() => states.register(def as never, { after: 'mail' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(states.list()).toHaveLength(before);
  });

  it('stage 22 is the last one taken; each registration gets a new, larger id', () => {
    const states = createStateRegistry();
    const ids = states.list().map((s) => s.id);
    states.register({ ...base, stage: 22 }, { after: 'mail' });
    states.register({ ...base, name: 'more', stage: 0 }, { after: 'mail' });
    const added = states.list().filter((s) => s.name === 'extra' || s.name === 'more');
    expect(added.map((s) => s.stage).sort((x, y) => x - y)).toEqual([0, 22]);
    expect(new Set([...ids, ...added.map((s) => s.id)]).size).toBe(ids.length + 2);
    expect(Math.min(...added.map((s) => s.id))).toBeGreaterThan(Math.max(...ids));
    expect(states.get('extra')?.stage).toBe(22);
    expect(states.get('nothing')).toBeUndefined();
    expect(codeOf(() => states.register({ ...base, stage: 3 }, { after: 'mail' }))).toBe('ERR_SMTP_CLIENT_DUPLICATE_STATE');
  });
});

describe('addresses sendMessage refuses', () => {
  it.each([
    ['from', { from: '<a@x.test>', to: ['b@y.test'] }],
    ['to[0]', { from: 'a@x.test', to: ['b@y.test>'] }],
    ['to[0]', { from: 'a@x.test', to: ['<b@y.test'] }],
    ['to[0]', { from: 'a@x.test', to: [''] }],
  ])('%s in %j: ERR_SMTP_CLIENT_INVALID_ADDRESS naming the field, nothing queued', (field, input) => {
    const conn = new ClientConnection({});
    let message = '';
    try {
      conn.sendMessage({ ...input, body: 'x' });
    } catch (e) {
      expect(isSmtpClientError(e) && e.code).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
      message = (e as Error).message;
    }
    expect(message.startsWith(`${field}`)).toBe(true);
  });
});
