// How each built-in state reads the replies at its edges: 200 and 299 are positive, 300 is not;
// a refusal's class (4xx or 5xx) decides whether the message may be retried; the HELO fallback
// and its capabilities; which commands are (not) sent after a refusal.
import { describe, expect, it } from 'vitest';
import { ClientConnection, ScriptedServer, run, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';

type Options = ConstructorParameters<typeof ClientConnection>[0];

function deliver(script: Script, opts: Options = {}, to: string[] = ['b@y.test']) {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection(opts);
  conn.sendMessage({ from: 'a@x.test', to, body: 'Subject: t\r\n\r\nhi\r\n' });
  conn.quit();
  const events = run(conn, server);
  return { server, conn, events, messages: sent(events) };
}

describe('the greeting', () => {
  it.each([
    ['450 4.3.2 busy', 'deferred', true],
    ['554 5.7.1 go away', 'failed', false],
  ])('%s: the error event carries the reply, the message fails (transient %s), the session ends with QUIT', (greeting, outcome, transient) => {
    const { server, conn, events, messages } = deliver({ greeting });
    const error = events.find((e) => e.type === 'error');
    const [code] = greeting.split(' ');
    expect(error).toMatchObject({ code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply: { code: Number(code) } });
    // the reply as the server gave it, its enhanced code included
    expect(error && 'message' in error ? error.message : '').toBe(`greeting refused: ${greeting}`);
    expect(messages[0]).toMatchObject({ outcome, transient });
    expect(messages[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_GREETING_REJECTED');
    expect(server.commands).toEqual(['QUIT']);
    expect(() => conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'x' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_CLOSED' }));
  });
});

describe('EHLO and the HELO fallback', () => {
  it('a 200 reply to EHLO is positive: capabilities, then the message', () => {
    const { events, messages } = deliver({ ehloReply: '200 mx.example' });
    expect(events.find((e) => e.type === 'capabilities')).toMatchObject({ tls: false, reply: { code: 200 } });
    expect(messages[0]!.outcome).toBe('delivered');
  });

  it.each([
    ['300 not a greeting reply', 'deferred', true],
    ['450 4.3.2 later', 'deferred', true],
  ])('EHLO answered %s: no HELO fallback (not a 5xx), the message is %s', (ehloReply, outcome, transient) => {
    const { server, messages } = deliver({ ehloReply });
    expect(server.commands).not.toContain('HELO localhost');
    expect(messages[0]).toMatchObject({ outcome, transient });
    expect(messages[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_HELLO_REJECTED');
  });

  it.each([
    ['250 mx.example hello there', 'mx.example', 'hello there'],
    ['250 mx.example', 'mx.example', ''],
  ])('EHLO refused with 500 exactly: HELO; its reply %j gives domain %j and greeting %j, no extensions', (helo, domain, greeting) => {
    const { server, events, messages } = deliver({ ehloReply: '500 5.5.1 what', helo });
    expect(server.commands.slice(0, 2)).toEqual(['EHLO localhost', 'HELO localhost']);
    const caps = events.find((e) => e.type === 'capabilities');
    expect(caps && 'capabilities' in caps ? [caps.capabilities.domain, caps.capabilities.greeting, caps.capabilities.esmtp, [...caps.capabilities.keywords]] : undefined).toEqual([domain, greeting, false, []]);
    expect(messages[0]!.outcome).toBe('delivered');
  });

  it.each([
    ['550 5.7.1 no', 'failed', false],
    ['450 4.7.1 later', 'deferred', true],
  ])('HELO refused too (%s): the message is %s, no second HELO', (helo, outcome, transient) => {
    const { server, messages } = deliver({ ehloReply: '502 5.5.2 no EHLO', helo });
    expect(server.commands.filter((c) => c.startsWith('HELO'))).toHaveLength(1);
    expect(messages[0]).toMatchObject({ outcome, transient });
  });

  it('LMTP never falls back to HELO: a 5xx to LHLO fails the message for good', () => {
    const { server, messages } = deliver({ ehloReply: '500 5.5.1 what' }, { lmtp: true });
    expect(server.commands).toEqual(['LHLO localhost', 'QUIT']);
    expect(messages[0]).toMatchObject({ outcome: 'failed', transient: false });
  });
});

describe('MAIL, RCPT, DATA and the final reply at the edges of 2xx', () => {
  it('200 is positive for MAIL, RCPT and the final reply', () => {
    const { messages } = deliver({ mail: '200 ok', rcpt: () => '200 ok', final: '200 ok' });
    expect(messages[0]!.outcome).toBe('delivered');
  });

  it.each([
    ['MAIL', { mail: '300 odd' }],
    ['RCPT', { rcpt: () => '300 odd' }],
    ['the final reply', { final: '300 odd' }],
  ] as [string, Script][])('300 to %s is not positive: nothing is delivered', (_what, script) => {
    const { messages } = deliver({ ...script, ehlo: ['8BITMIME'] });
    expect(messages[0]!.outcome).not.toBe('delivered');
    expect(messages[0]!.recipients.map((r) => r.status)).not.toContain('accepted');
  });

  it('too many recipients (452 4.5.3): a whole body takes the rest in a second transaction; a streamed one cannot be sent twice, so the rest is deferred', () => {
    const limit: Script = { ehlo: ['8BITMIME'], rcpt: (_a, i) => (i >= 1 ? '452 4.5.3 Too many recipients' : '250 ok') };
    const whole = deliver(limit, {}, ['b@y.test', 'c@y.test']);
    expect(whole.messages[0]!.recipients.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(whole.server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);

    const server = new ScriptedServer(limit);
    const conn = new ClientConnection({});
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'] });
    conn.quit();
    const [m] = sent(run(conn, server, { bodies: { [id]: ['Subject: s\r\n\r\nhi\r\n'] } }));
    expect(m!.recipients.map((r) => [r.status, r.errorCode])).toEqual([
      ['accepted', undefined],
      ['deferred', 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED'],
    ]);
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
  });

  it('every recipient refused: no DATA is sent, the next message starts after RSET-free MAIL', () => {
    const server = new ScriptedServer({ ehlo: ['8BITMIME'], rcpt: (a) => (a.startsWith('no') ? '550 5.1.1 unknown' : '250 ok') });
    const conn = new ClientConnection({});
    conn.sendMessage({ from: 'a@x.test', to: ['no1@y.test', 'no2@y.test'], body: 'x' });
    conn.sendMessage({ from: 'a@x.test', to: ['ok@y.test'], body: 'x' });
    conn.quit();
    const ms = sent(run(conn, server));
    expect(ms.map((m) => m.outcome)).toEqual(['failed', 'delivered']);
    expect(server.commands.filter((c) => c === 'DATA')).toHaveLength(1);
  });

  it('a refused MAIL is followed by RSET before the next MAIL; two good messages have no RSET between them', () => {
    const twice = (mail: Script['mail']) => {
      const server = new ScriptedServer({ ehlo: ['8BITMIME'], ...(mail !== undefined ? { mail } : {}) });
      const conn = new ClientConnection({});
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
      conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'x' });
      conn.quit();
      return { outcomes: sent(run(conn, server)).map((m) => m.outcome), commands: server.commands };
    };
    const good = twice(undefined);
    expect(good.outcomes).toEqual(['delivered', 'delivered']);
    expect(good.commands).not.toContain('RSET');
    const refused = twice((n) => (n === 1 ? '550 5.7.1 sender refused' : '250 ok'));
    expect(refused.outcomes).toEqual(['failed', 'delivered']);
    const mails = refused.commands.flatMap((c, i) => (c.startsWith('MAIL') ? [i] : []));
    expect(refused.commands.slice(mails[0]! + 1, mails[1])).toContain('RSET');
  });

  it.each([
    ['200 ok', ['delivered', 'delivered']],
    ['300 odd', ['failed', 'deferred']],
  ])('RSET answered %s: %j (a refused RSET ends the session; the queued message was not tried)', (rset, outcomes) => {
    const server = new ScriptedServer({ ehlo: ['8BITMIME'], rset, rcpt: (a) => (a.startsWith('no') ? '550 5.1.1 unknown' : '250 ok') });
    const conn = new ClientConnection({});
    conn.sendMessage({ from: 'a@x.test', to: ['no@y.test'], body: 'x' });
    conn.sendMessage({ from: 'a@x.test', to: ['ok@y.test'], body: 'x' });
    conn.quit();
    const ms = sent(run(conn, server));
    expect(ms.map((m) => m.outcome)).toEqual(rset.startsWith('2') ? ['failed', 'delivered'] : outcomes);
    if (!rset.startsWith('2')) {
      expect(ms[1]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_RSET_REFUSED');
      expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
    }
  });
});

describe('QUIT and STARTTLS', () => {
  it('quit() twice sends one QUIT', () => {
    const server = new ScriptedServer({});
    const conn = new ClientConnection({});
    conn.quit();
    conn.quit();
    run(conn, server);
    expect(server.commands.filter((c) => c === 'QUIT')).toHaveLength(1);
  });

  it("security 'off' never says STARTTLS, even when it is offered", () => {
    const { server, messages } = deliver({ ehlo: ['STARTTLS', '8BITMIME'] }, { security: 'off' });
    expect(server.commands).not.toContain('STARTTLS');
    expect(messages[0]!.outcome).toBe('delivered');
  });

  it('STARTTLS refused under required TLS: an error event with the reply, the message deferred (transient)', () => {
    const { events, messages, server } = deliver({ ehlo: ['STARTTLS'], starttls: '454 4.7.0 TLS not available' }, { security: 'required' });
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_REQUIRED', message: 'STARTTLS refused: 454 4.7.0 TLS not available', reply: { code: 454 } });
    expect(messages[0]).toMatchObject({ outcome: 'deferred', transient: true });
    expect(messages[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_TLS_REQUIRED');
    expect(server.commands).not.toContain('MAIL FROM:<a@x.test>');
  });

  it('the TLS handshake timer is a new timer: the STARTTLS timer armed before it is stale', () => {
    const server = new ScriptedServer({ ehlo: ['STARTTLS'] });
    const conn = new ClientConnection({ security: 'required' });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    const drain = (): boolean => {
      let tls = false;
      for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) if (e.type === 'tls-start') tls = true;
      return tls;
    };
    for (let round = 0; round < 10 && !server.commands.includes('STARTTLS'); round++) {
      drain();
      conn.receiveData(new TextEncoder().encode(server.output()));
      drain();
      server.push(conn.dataToSend());
    }
    const before = conn.pendingTimeout();
    expect(before).toMatchObject({ name: 'starttls' });
    conn.receiveData(new TextEncoder().encode(server.output()));
    expect(drain()).toBe(true);
    const handshake = conn.pendingTimeout();
    expect(handshake).toMatchObject({ name: 'tlsHandshake' });
    expect(handshake!.id).toBeGreaterThan(before!.id);
    conn.handleTimeout(before!.id); // stale
    expect(conn.closed).toBe(false);
    conn.handleTimeout(handshake!.id);
    expect(conn.closed).toBe(true);
  });
});
