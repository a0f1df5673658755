// ServerConnection, the public class: option checks, API misuse, the state name and legacy stage,
// the timer contract, end of input and dispose.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { codes, drive, inTransaction } from '../test/harness.js';
import { isSmtpServerError } from './errors.js';
import { ServerConnection } from './server-connection.js';
import type { ServerOptions } from './server-connection.js';
import { stateName } from './states.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);

const dec = new TextDecoder();

describe('ServerConnection options are validated', () => {
  it.each<[string, ServerOptions]>([
    ['maxCommandLine below 512', { limits: { maxCommandLine: 511 } }],
    ['maxRecipients below 100', { limits: { maxRecipients: 99 } }],
    ['maxAuthLine below maxCommandLine', { limits: { maxCommandLine: 2048, maxAuthLine: 1024 } }],
    ['a hostname with a space', { hostname: 'mx example' }],
    ['a hostname with CRLF', { hostname: 'mx\r\n250 x' }],
    ['an unknown SASL mechanism', { auth: { mechanisms: ['NTLM'] } }],
    ['CRAM-MD5 without a challenge generator', { auth: { mechanisms: ['CRAM-MD5'] } }],
    ['a SASL mechanism object without a server side', { auth: { mechanisms: [{ name: 'XCLIENTONLY', client: () => undefined }] } }],
    // RFC 4422 §3.1 names only: these broke every EHLO after TLS (421 4.3.0), or were advertised upper-cased and never matched (504)
    ...['X CUSTOM', 'X\r\n250 Y', '', 'PLA\u0130N', 'x-custom', 'A'.repeat(21), 5].map((name): [string, ServerOptions] => [
      `a SASL mechanism named ${JSON.stringify(name)}`,
      { secure: true, auth: { mechanisms: [{ name, server: () => ({ step: () => ({ type: 'fail', text: 'no' }) }) } as never] } },
    ]),
    ['an unknown extension switch', { extensions: { turbo: true } as never }],
    ['bareLineEndings: replace (a server must not alter content)', { bareLineEndings: 'replace' as never }],
    ['security: an unknown word', { security: 'starttls' as never }],
    ['security with secure', { security: 'implicit', secure: true }],
    ['security with starttls', { security: 'off', starttls: true }],
    ['security with a contradicting requireTls', { security: 'opportunistic', requireTls: true }],
  ])('%s throws ERR_SMTP_INVALID_OPTION', (_name, options) => {
    expect(codeOf(() => new ServerConnection(options))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  it('the RFC minimums themselves are accepted', () => {
    expect(codeOf(() => new ServerConnection({ hostname: '[192.0.2.1]', limits: { maxCommandLine: 512, maxRecipients: 100, maxAuthLine: 512 } }))).toBeUndefined();
    expect(codeOf(() => new ServerConnection({ auth: { mechanisms: ['cram-md5', 'plain'] }, challenge: () => '<1.2@mx>' }))).toBeUndefined();
  });
  it('requireTls with neither STARTTLS offered nor implicit TLS (no client could get past 530) throws ERR_SMTP_INVALID_OPTION naming requireTls', () => {
    for (const options of [{ requireTls: true }, { requireTls: true, starttls: false }, { requireTls: true, starttls: false, secure: false }] as const) {
      let error: unknown;
      try {
        new ServerConnection(options);
      } catch (e) {
        error = e;
      }
      expect([isSmtpServerError(error) ? error.code : error, (error as Error | undefined)?.message], JSON.stringify(options)).toEqual(['ERR_SMTP_INVALID_OPTION', expect.stringMatching(/^requireTls/) as unknown]);
    }
  });
  it('requireTls with STARTTLS offered, with implicit TLS, or as security: required is accepted', () => {
    for (const options of [{ requireTls: true, starttls: true }, { requireTls: true, secure: true }, { requireTls: true, starttls: true, secure: true }, { security: 'required' }, { security: 'required', requireTls: true }, { requireTls: false }] as const) {
      expect(codeOf(() => new ServerConnection(options).dispose()), JSON.stringify(options)).toBeUndefined();
    }
  });
  it('a custom mechanism named as RFC 4422 §3.1 allows (up to 20 of A-Z 0-9 - _) is advertised and used', () => {
    const name = 'X_CUSTOM-2'.padEnd(20, '9');
    const d = drive({ secure: true, auth: { mechanisms: [{ name, server: () => ({ step: () => ({ type: 'done', credentials: { mechanism: name, username: 'u' } }) }) }] } });
    expect(d.feed('EHLO c\r\n')).toContain(`250-AUTH ${name}\r\n`);
    expect(d.feed(`AUTH ${name.toLowerCase()} =\r\n`)).toBe('235 2.7.0 Authentication successful\r\n');
  });
  it('built-in mechanisms are named case-insensitively and advertised in order', () => {
    const d = drive({ secure: true, auth: { mechanisms: ['login', 'Plain'] } });
    expect(d.feed('EHLO c\r\n')).toContain('250-AUTH LOGIN PLAIN\r\n');
  });
});

describe('security: the toolkit TLS words', () => {
  it('off, opportunistic, required and implicit set what is offered and enforced', () => {
    expect(drive({ security: 'off' }).feed('EHLO c\r\n')).not.toContain('STARTTLS');
    expect(drive({ security: 'opportunistic' }).feed('EHLO c\r\n')).toContain('250-STARTTLS\r\n');
    const required = drive({ security: 'required' });
    expect(required.feed('EHLO c\r\n')).toContain('250-STARTTLS\r\n');
    expect(codes(required.feed('MAIL FROM:<a@b.example>\r\n'))).toEqual([530]);
    const implicit = drive({ security: 'implicit' });
    expect(implicit.conn.session.secure).toBe(true);
    expect(implicit.feed('EHLO c\r\n')).not.toContain('STARTTLS');
    expect(codes(implicit.feed('MAIL FROM:<a@b.example>\r\n'))).toEqual([250]);
  });
});

describe('API misuse is a typed error', () => {
  it('accept() with a 4xx/5xx reply and reject() with a 2xx reply: ERR_SMTP_INVALID_REPLY', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
    expect(conn.nextEvent()).toMatchObject({ type: 'connect', needsAnswer: true });
    expect(conn.pendingDecision).toBe('connect');
    expect(codeOf(() => conn.accept({ code: 450, text: 'x' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => conn.reject({ code: 250, text: 'x' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => conn.respond([{ code: 250, text: 'x' }]))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(conn.pendingDecision).toBe('connect'); // still waiting
    conn.accept({ code: 220, text: 'mx.test ready' });
    expect(conn.pendingDecision).toBeUndefined();
    expect(dec.decode(conn.dataToSend())).toBe('220 mx.test ready\r\n');
  });
  it('LMTP: respond() with a list needs one reply per recipient', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', lmtp: true, autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start'] });
    const flight = (data: string): void => {
      conn.receiveData(data);
      for (let i = 0, e = conn.nextEvent(); i < 100 && e.type !== 'need-data' && e.type !== 'closed'; i++, e = conn.nextEvent()) void e;
      conn.dataToSend();
    };
    flight('');
    flight('LHLO c\r\n');
    flight('MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nRCPT TO:<c@y.example>\r\nDATA\r\n');
    conn.receiveData('hi\r\n.\r\n');
    const seen: string[] = [];
    let e = conn.nextEvent();
    for (let i = 0; i < 100 && e.type !== 'message-end'; i++, e = conn.nextEvent()) seen.push(e.type);
    expect(e.type, seen.join()).toBe('message-end');
    expect(conn.stage).toBe(19);
    expect(stateName(conn.stage)).toBe('rcptto list response');
    expect(codeOf(() => conn.respond([{ code: 250, text: 'ok' }]))).toBe('ERR_SMTP_INVALID_REPLY');
    conn.respond([
      { code: 250, enhanced: '2.1.5', text: 'b ok' },
      { code: 452, enhanced: '4.2.2', text: 'c over quota' },
    ]);
    const out = dec.decode(conn.dataToSend());
    expect(out.endsWith('250 2.1.5 b ok\r\n452 4.2.2 c over quota\r\n')).toBe(true);
  });
  it('tlsEstablished() without STARTTLS: ERR_SMTP_NOT_AWAITING_TLS; bytes during the handshake: ERR_SMTP_DATA_DURING_TLS_HANDSHAKE', () => {
    const d = drive({ starttls: true });
    expect(codeOf(() => d.conn.tlsEstablished())).toBe('ERR_SMTP_NOT_AWAITING_TLS');
    d.feed('EHLO c\r\n');
    d.feed('STARTTLS\r\n');
    expect(d.conn.pendingTimeout()).toMatchObject({ name: 'tlsHandshake', ms: 300_000 });
    expect(codeOf(() => d.conn.receiveData('EHLO again\r\n'))).toBe('ERR_SMTP_DATA_DURING_TLS_HANDSHAKE');
    d.conn.tlsEstablished();
    expect(d.conn.session.secure).toBe(true);
    expect(d.conn.pendingTimeout()).toMatchObject({ name: 'command' });
  });
});

describe('numeric state, end of input and dispose', () => {
  it('the numeric state follows the session with its legacy names', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
    expect(stateName(conn.stage)).toBe('just connected');
    conn.nextEvent();
    conn.accept();
    expect(stateName(conn.stage)).toBe('awaiting ehlo/helo');
    conn.receiveData('EHLO c\r\n');
    conn.nextEvent();
    conn.accept();
    expect(stateName(conn.stage)).toBe('awaiting mailfrom');
  });
  it('EOF in the middle of DATA aborts the message (reason eof) and closes; later input is ignored', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    d.feed('partial body\r\n');
    expect(d.events.map((e) => e.type)).toContain('data-start');
    d.conn.receiveEof();
    const events: string[] = [];
    for (let i = 0, e = d.conn.nextEvent(); i < 100 && e.type !== 'closed'; i++, e = d.conn.nextEvent()) events.push(e.type === 'message-abort' ? `abort:${e.reason}` : e.type);
    expect(events).toContain('abort:eof');
    expect(d.conn.nextEvent()).toEqual({ type: 'closed', reason: 'eof' });
    expect(d.conn.shouldClose).toBe(true);
    expect(d.conn.pendingTimeout()).toBeUndefined();
    d.conn.receiveData('MAIL FROM:<x@y.example>\r\n');
    d.conn.receiveEof();
    expect(d.conn.bufferedBytes).toBe(0);
    expect(d.messages).toHaveLength(0);
  });
  it('EOF while idle closes without an abort', () => {
    const d = drive();
    d.feed('EHLO c\r\n');
    d.conn.receiveEof();
    const e = d.conn.nextEvent();
    expect(e).toEqual({ type: 'closed', reason: 'eof' });
  });
  it('dispose() frees the session: every later call is ERR_SMTP_DISPOSED', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    d.feed('body');
    d.conn.dispose();
    expect(d.conn.bufferedBytes).toBe(0);
    expect(d.conn.shouldClose).toBe(true);
    for (const call of [() => d.conn.receiveData('x'), () => d.conn.receiveEof(), () => d.conn.nextEvent(), () => d.conn.handleTimeout(1), () => d.conn.requestShutdown()]) {
      expect(codeOf(call)).toBe('ERR_SMTP_DISPOSED');
    }
  });
  it('after dispose() the output and timer calls are ERR_SMTP_DISPOSED too (dataToSend, textToSend, pendingTimeout, pendingDeadline)', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    d.feed('body');
    d.conn.dispose();
    const calls = [
      () => d.conn.dataToSend(),
      () => d.conn.textToSend(),
      () => d.conn.pendingTimeout(),
      () => d.conn.pendingDeadline(),
      () => d.conn.handleDeadline(1),
      () => d.conn.accept(),
      () => d.conn.reject(),
      () => d.conn.respond({ code: 250, text: 'ok' }),
      () => d.conn.continueCommand({ reply: { code: 334, text: 'x' }, read: 'line' }),
      () => d.conn.connectionLost(),
      () => d.conn.tlsEstablished(),
    ];
    expect(calls.map((call) => codeOf(call))).toEqual(calls.map(() => 'ERR_SMTP_DISPOSED'));
  });
  it('the connection is accepted only with a 220, and 221 answers no decision (the decision stays pending)', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
    conn.nextEvent();
    expect(codeOf(() => conn.accept({ code: 250, text: 'hi' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => conn.respond({ code: 221, text: 'hi' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(conn.pendingDecision).toBe('connect');
    expect(dec.decode(conn.dataToSend())).toBe('');
    conn.accept({ code: 220, text: 'mx.test ready' });
    expect(dec.decode(conn.dataToSend())).toBe('220 mx.test ready\r\n');
    conn.receiveData('EHLO c.test\r\n');
    expect(conn.nextEvent().type).toBe('helo');
    expect(codeOf(() => conn.accept({ code: 221, text: 'bye' }))).toBe('ERR_SMTP_INVALID_REPLY');
    conn.accept();
    conn.receiveData('MAIL FROM:<a@c.test>\r\n');
    expect(conn.nextEvent().type).toBe('mail');
    expect(codeOf(() => conn.accept({ code: 221, enhanced: '2.0.0', text: 'bye' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => conn.respond({ code: 221, text: 'bye' }))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(conn.pendingDecision).toBe('mail');
    conn.accept();
    expect(conn.nextEvent().type).toBe('need-data');
    expect(dec.decode(conn.dataToSend())).toMatch(/250 2\.1\.0 Sender OK\r\n$/);
    expect(conn.state).toBe('awaiting-rcpt');
  });
  it('a reply that is not text cannot be sent: reject() checks CR/LF in the text', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
    conn.nextEvent();
    expect(codeOf(() => conn.reject({ code: 554, text: 'no\r\n250 smuggled' }))).toBeDefined();
    conn.reject({ code: 554, enhanced: '5.7.1', text: 'go away' });
    expect(codes(dec.decode(conn.dataToSend()))).toEqual([554]);
  });
});

describe('the timer contract: pendingTimeout() { name, ms, id } and handleTimeout(id)', () => {
  it('names are the keys of timeouts; an idle timer gets a new id after input', () => {
    const d = drive({ timeouts: { command: 1000, dataBlock: 2000 } });
    d.feed('EHLO c\r\n');
    const first = d.conn.pendingTimeout()!;
    expect(first).toMatchObject({ name: 'command', ms: 1000 });
    expect(d.conn.pendingTimeout()).toBe(first); // no input: the same arming
    d.feed('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n');
    const data = d.conn.pendingTimeout()!;
    expect(data).toMatchObject({ name: 'dataBlock', ms: 2000 });
    expect(data.id).not.toBe(first.id);
    d.feed('part');
    const later = d.conn.pendingTimeout()!;
    expect(later.name).toBe('dataBlock');
    expect(later.id).not.toBe(data.id);
  });

  it('a stale timer firing does nothing; the current one closes with 421 4.4.2', () => {
    const d = drive();
    d.feed('EHLO c\r\n');
    const stale = d.conn.pendingTimeout()!;
    d.feed('NOOP\r\n');
    const current = d.conn.pendingTimeout()!;
    expect(current.id).not.toBe(stale.id);
    d.conn.dataToSend();
    d.conn.handleTimeout(stale.id);
    d.conn.handleTimeout(current.id + 1);
    expect(d.conn.dataToSend()).toHaveLength(0);
    expect(d.conn.state).toBe('awaiting-mail');
    d.feed('NOOP\r\n');
    expect(d.out).toMatch(/250 2\.0\.0 Ok\r\n$/);
    const now = d.conn.pendingTimeout()!;
    d.conn.handleTimeout(now.id);
    expect(dec.decode(d.conn.dataToSend())).toBe('421 4.4.2 mx.test Error: timeout exceeded\r\n');
    expect(d.conn.state).toBe('closed');
    d.conn.handleTimeout(now.id); // once closed, nothing
    expect(d.conn.pendingTimeout()).toBeUndefined();
  });

  it('no timer while a decision is pending, nor for a timeout of 0', () => {
    const conn = new ServerConnection({ autoAccept: [] });
    expect(conn.pendingTimeout()).toBeUndefined();
    expect(drive({ timeouts: { command: 0 } }).conn.pendingTimeout()).toBeUndefined();
  });

  it('deadlines have the same shape: { name, ms, id } named after their timeouts key', () => {
    const d = drive({ timeouts: { commandLine: 5000 } });
    d.feed('EHLO c\r\n');
    d.feed('NO');
    expect(d.conn.pendingDeadline()).toMatchObject({ name: 'commandLine', ms: 5000 });
  });
});

describe('receiveData keeps its own copy', () => {
  it.each([
    ['Uint8Array', (t: string): Uint8Array => new TextEncoder().encode(t)],
    ['Buffer (whose own slice() is a view)', (t: string): Uint8Array => Buffer.from(t)],
  ])('%s refilled by the caller before the events are read', (_name, bytes) => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: ['connect', 'helo'] });
    const chunk = bytes('EHLO client.test\r\n');
    conn.receiveData(chunk);
    chunk.fill(0x58);
    const events = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    expect(events.find((e) => e.type === 'helo')).toMatchObject({ domain: 'client.test' });
  });
});
