// The options are read once, at construction: changing or reusing the caller's object afterwards
// (one shared object per listener, with per-connection fields set before each `new`; a config
// reload) changes nothing in a live session, and what was validated is what the session uses.
import { describe, expect, it } from 'vitest';
import { ServerConnection } from './server-connection.js';
import { pumpOutput } from '../test/harness.js';
import type { ServerOptions } from './index.js';

type Mutable = { -readonly [K in keyof ServerOptions]: ServerOptions[K] };

const pump = pumpOutput;

function ehlo(conn: ServerConnection): string {
  pump(conn);
  conn.receiveData('EHLO c.test\r\n');
  return pump(conn);
}

describe('options snapshot at construction', () => {
  it('trusted and clientAddress: an untrusted session stays untrusted when its options object is reused for a trusted one', () => {
    const opts: Mutable = { hostname: 'mx.test', xclient: true, xforward: true, trusted: false, clientAddress: '203.0.113.9' };
    const a = new ServerConnection(opts);
    pump(a);
    opts.trusted = true;
    opts.clientAddress = '10.0.0.1';
    new ServerConnection(opts);
    a.receiveData('EHLO c.test\r\n');
    expect(pump(a)).not.toMatch(/XCLIENT|XFORWARD/);
    a.receiveData('XCLIENT ADDR=192.0.2.77\r\n');
    expect(pump(a)).toMatch(/^550 5\.7\.0 /);
    a.receiveData('XFORWARD ADDR=192.0.2.77\r\n');
    expect(pump(a)).toMatch(/^550 5\.7\.0 /);
    expect(a.session.clientAddress).toBe('203.0.113.9');
  });
  it('xclient / xforward switched on later stay unknown verbs', () => {
    const opts: Mutable = { hostname: 'mx.test', trusted: true };
    const a = new ServerConnection(opts);
    ehlo(a);
    opts.xclient = true;
    opts.xforward = true;
    a.receiveData('XCLIENT ADDR=192.0.2.77\r\n');
    expect(pump(a)).toMatch(/^500 /);
    a.receiveData('XFORWARD ADDR=192.0.2.77\r\n');
    expect(pump(a)).toMatch(/^500 /);
  });
  it('requireTls turned off later: MAIL before STARTTLS is still refused', () => {
    const opts: Mutable = { hostname: 'mx.test', starttls: true, requireTls: true };
    const a = new ServerConnection(opts);
    ehlo(a);
    opts.requireTls = false;
    a.receiveData('MAIL FROM:<a@c.test>\r\n');
    expect(pump(a)).toMatch(/^530 5\.7\.0 /);
  });
  it('auth.required turned off later (nested object): MAIL before AUTH is still refused, unauthenticated commands still counted', () => {
    const auth = { mechanisms: ['PLAIN'], required: true };
    const opts: Mutable = { hostname: 'mx.test', auth, limits: { maxUnauthenticatedCommands: 2 } };
    const a = new ServerConnection(opts);
    ehlo(a);
    auth.required = false;
    a.receiveData('MAIL FROM:<a@c.test>\r\n');
    expect(pump(a)).toMatch(/^530 5\.7\.0 /);
    a.receiveData('NOOP\r\n');
    expect(pump(a)).toMatch(/^421 /);
    expect(a.state).toBe('closed');
  });
  it('auth.allowInsecure turned on later: AUTH stays unoffered and refused without TLS', () => {
    const auth = { mechanisms: ['PLAIN'], allowInsecure: false };
    const a = new ServerConnection({ hostname: 'mx.test', auth });
    pump(a);
    auth.allowInsecure = true;
    a.receiveData('EHLO c.test\r\n');
    expect(pump(a)).not.toMatch(/AUTH/);
    a.receiveData('AUTH PLAIN AHVzZXIAcGFzcw==\r\n');
    expect(pump(a)).toMatch(/^538 /);
  });
  it('banner changed later (unvalidated): the greeting uses the banner validated at construction', () => {
    const opts: Mutable = { hostname: 'mx.test', banner: 'hello', autoAccept: ['helo'] };
    const a = new ServerConnection(opts);
    pump(a, () => undefined);
    opts.banner = 'hi\r\n250-INJECTED';
    a.accept();
    expect(pump(a)).toBe('220 mx.test ESMTP hello\r\n');
  });
  it('help changed later (unvalidated): HELP still answers the validated text, the session stays open', () => {
    const help = ['ok'];
    const opts: Mutable = { hostname: 'mx.test', help };
    const a = new ServerConnection(opts);
    ehlo(a);
    help[0] = 'evil\r\n250 fake';
    opts.help = ['evil\r\n250 fake'];
    a.receiveData('HELP\r\n');
    expect(pump(a)).toBe('214 2.0.0 ok\r\n');
    expect(a.state).not.toBe('closed');
  });
  it('copyInput set false later: the session still copies its input', () => {
    const opts: Mutable = { hostname: 'mx.test' };
    const a = new ServerConnection(opts);
    pump(a);
    opts.copyInput = false;
    const buf = new TextEncoder().encode('EHLO c.test\r\n');
    a.receiveData(buf);
    buf.set(new TextEncoder().encode('QUIT\r\n\r\n\r\n'), 0);
    expect(pump(a)).toMatch(/^250-mx\.test Hello c\.test\r\n/);
  });
  it('pipeliningSync set off later: input before the greeting is still a synchronization error', () => {
    const opts: Mutable = { hostname: 'mx.test', autoAccept: [] };
    const a = new ServerConnection(opts);
    pump(a, () => undefined);
    opts.pipeliningSync = 'off';
    a.receiveData('EHLO c.test\r\n');
    a.accept();
    expect(pump(a)).toMatch(/^554 5\.5\.0 /);
  });
  it('the nested objects and lists of the snapshot are not the caller\'s', () => {
    const limits = { maxRecipients: 100 };
    const enable: string[] = [];
    const a = new ServerConnection({ hostname: 'mx.test', limits, enable });
    limits.maxRecipients = 5000;
    enable.push('X');
    expect(a.limits.maxRecipients).toBe(100);
  });
});
