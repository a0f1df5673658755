// ClientConnection methods given arguments of the wrong type: the client's own typed error
// (ERR_SMTP_CLIENT_INVALID_PARAMETER), thrown before anything changes, never another package's
// error, a TypeError or a session killed with a misleading code.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { ClientConnection } from './client-connection.js';
import type { ClientEvent } from './events.js';
import { isSmtpClientError } from './errors.js';
import { ScriptedServer, run, sent } from '../test/scripted-server.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);

function drain(conn: ClientConnection): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
  return events;
}

/** Exchanges with the server until an event of `type` arrives (the events so far). */
function until(conn: ClientConnection, server: ScriptedServer, type: ClientEvent['type']): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (let round = 0; round < 20; round++) {
    events.push(...drain(conn));
    if (events.some((e) => e.type === type)) return events;
    server.push(conn.dataToSend());
    conn.receiveData(server.output());
  }
  throw new Error(`no ${type} event`);
}

const NOT_BYTES: [string, unknown][] = [
  ['a number', 5],
  ['null', null],
  ['undefined', undefined],
  ['an array of bytes', [50, 50, 48]],
  ['an ArrayBuffer', new ArrayBuffer(3)],
  ['an object', { data: '220 ok\r\n' }],
];

describe('receiveData', () => {
  it.each(NOT_BYTES)('%s is ERR_SMTP_CLIENT_INVALID_PARAMETER, the session goes on', (_name, data) => {
    const server = new ScriptedServer({});
    const conn = new ClientConnection();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    expect(codeOf(() => conn.receiveData(data as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(drain(conn).some((e) => e.type === 'error')).toBe(false);
    expect(conn.state).not.toBe('error');
    conn.quit();
    expect(sent(run(conn, server))[0]?.outcome).toBe('delivered');
  });
  it('a string or bytes are still read', () => {
    const conn = new ClientConnection();
    conn.receiveData('220 mx.example ready\r\n');
    expect(drain(conn)).toContainEqual(expect.objectContaining({ type: 'greeting' }));
    const bytes = new ClientConnection();
    bytes.receiveData(new TextEncoder().encode('220 mx.example ready\r\n'));
    expect(drain(bytes)).toContainEqual(expect.objectContaining({ type: 'greeting' }));
  });
});

describe('writeBody', () => {
  it.each(NOT_BYTES)('%s is ERR_SMTP_CLIENT_INVALID_PARAMETER, thrown before anything is written; the body lacks it, so endBody() fails the message', (_name, chunk) => {
    const server = new ScriptedServer({ ehlo: ['8BITMIME'] });
    const conn = new ClientConnection();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    until(conn, server, 'need-body');
    expect(codeOf(() => conn.writeBody(chunk as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(drain(conn).some((e) => e.type === 'error')).toBe(false);
    expect(conn.state).toBe('body');
    expect(conn.dataToSend().length).toBe(0);
    conn.writeBody('hello\r\n'); // dropped
    conn.endBody();
    const events = drain(conn);
    expect(sent(events)[0]).toMatchObject({ outcome: 'failed', errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    expect(conn.closed).toBe(true);
    server.push(conn.dataToSend());
    expect(server.messages).toEqual([]);
  });
});

describe('abort', () => {
  it.each([
    ['an unknown code', 'aborted', 'BOGUS'],
    ['another package code', 'aborted', 'ERR_SMTP_INVALID_ARGUMENT'],
    ['a number code', 'aborted', 5],
    ['a null code', 'aborted', null],
    ['a number message', 5, 'ERR_SMTP_CLIENT_TIMEOUT'],
    ['a null message', null, 'ERR_SMTP_CLIENT_TIMEOUT'],
  ])('%s is ERR_SMTP_CLIENT_INVALID_PARAMETER and the session is not ended', (_name, message, code) => {
    const conn = new ClientConnection();
    expect(codeOf(() => conn.abort(message as never, code as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(conn.closed).toBe(false);
    expect(drain(conn).some((e) => e.type === 'error')).toBe(false);
  });
  it.each([[null], [5], [{ permanent: 'yes' }]])('options %j is ERR_SMTP_CLIENT_INVALID_PARAMETER and the session is not ended', (options) => {
    const conn = new ClientConnection();
    expect(codeOf(() => conn.abort('x', 'ERR_SMTP_CLIENT_INVALID_PARAMETER', options as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(conn.closed).toBe(false);
  });
  it.each([
    [{}, ['deferred', 'deferred']],
    [{ permanent: true }, ['failed', 'deferred']],
  ])('abort during a body with %j: the message in flight is %j; a queued one stays transient', (options, outcomes) => {
    const server = new ScriptedServer({});
    const conn = new ClientConnection();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'x' });
    const events = run(conn, server, { onNeedBody: () => conn.abort('the body source yielded a number', 'ERR_SMTP_CLIENT_INVALID_PARAMETER', options) });
    expect(sent(events).map((m) => [m.outcome, m.transient])).toEqual(outcomes.map((o) => [o, o === 'deferred']));
    expect(server.messages).toHaveLength(0);
  });
  it('any of the package codes (and the defaults) still ends the session with that code', () => {
    const lost = new ClientConnection();
    lost.abort('gone', 'ERR_SMTP_CLIENT_CONNECTION_LOST');
    expect(drain(lost)).toContainEqual(expect.objectContaining({ type: 'error', code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' }));
    expect(lost.closed).toBe(true);
    const timeout = new ClientConnection();
    timeout.abort();
    expect(drain(timeout)).toContainEqual(expect.objectContaining({ type: 'error', code: 'ERR_SMTP_CLIENT_TIMEOUT' }));
  });
});

describe('tlsEstablished', () => {
  function awaitingTls(): { conn: ClientConnection; server: ScriptedServer } {
    const server = new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] });
    const conn = new ClientConnection({ security: 'required' });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    until(conn, server, 'tls-start');
    return { conn, server };
  }
  it.each([
    ['null', null],
    ['a boolean', false],
    ['a string verified', { verified: 'no' }],
    ['a number verified', { verified: 0 }],
  ])('%s is ERR_SMTP_CLIENT_INVALID_PARAMETER, TLS still awaited', (_name, info) => {
    const { conn, server } = awaitingTls();
    expect(codeOf(() => conn.tlsEstablished(info as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(conn.tls).toBe(false);
    server.tlsUp();
    conn.tlsEstablished({ verified: false });
    expect(conn.tls).toBe(true);
    expect(conn.tlsVerified).toBe(false);
  });
});

describe('sendMessage to', () => {
  it.each([
    ['an empty Uint8Array', new Uint8Array(0)],
    ['a Uint8Array', new TextEncoder().encode('b@y.test')],
    ['a DataView', new DataView(new ArrayBuffer(2))],
  ])('%s is no list of recipients: ERR_SMTP_CLIENT_INVALID_ADDRESS, nothing queued', (_name, to) => {
    const conn = new ClientConnection();
    let error: unknown;
    try {
      conn.sendMessage({ from: 'a@x.test', to: to as never, body: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS', message: expect.stringContaining('to: expected an array of addresses') });
    const server = new ScriptedServer({});
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.quit();
    expect(sent(run(conn, server)).map((m) => m.outcome)).toEqual(['delivered']);
  });
});
