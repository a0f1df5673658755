// The state list's contract with registered states and with the caller (integrator audit 41):
// stage functions that throw, timers that 0 disables, where a state may be inserted, per-connection
// copies of a shared registry, the replies-outstanding guard after the banner, nextState() into a
// transaction state, and typed errors for registration misuse. Scripted replies, no sockets.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { ClientConnection, STAGE, createStateRegistry, isSmtpClientError } from '../src/index.js';
import type { ClientStateDefinition, RegisterOptions } from '../src/index.js';
import { ScriptedServer, drain, run, sent } from './scripted-server.js';

const dec = new TextDecoder();
const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);

/** Feeds one server flight and returns what the client writes next. */
function step(conn: ClientConnection, reply: string): string {
  if (reply) conn.receiveData(reply);
  return dec.decode(conn.dataToSend());
}

describe('a stage function that throws', () => {
  function probeConn(): ClientConnection {
    const conn = new ClientConnection({ security: 'off' });
    conn.registerState(
      {
        name: 'probe',
        stage: (l) => {
          if (l['sent'] === true) throw new Error('stage bug');
          return STAGE.AFTER_MAIL;
        },
        enter: (c) => {
          c.local['sent'] = true;
          c.send('NOOP');
        },
        reply: (c) => c.next(),
      },
      { after: 'mail' },
    );
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'hi\r\n' });
    step(conn, '');
    step(conn, '220 mx\r\n');
    step(conn, '250 mx\r\n');
    expect(step(conn, '250 sender ok\r\n')).toBe('NOOP\r\n'); // in `probe`, its reply due
    return conn;
  }

  for (const how of ['timeout', 'eof', 'abort'] as const) {
    it(`${how} while in that state: the message settles once with stage 22 and the session closes`, () => {
      const conn = probeConn();
      if (how === 'timeout') conn.handleTimeout(conn.pendingTimeout()!.id);
      else if (how === 'eof') conn.receiveEof();
      else conn.abort();
      const events = drain(conn);
      const done = sent(events);
      expect(done).toHaveLength(1);
      expect(done[0]!.recipients).toEqual([expect.objectContaining({ address: 'b@y.test', status: 'deferred', stage: STAGE.UNKNOWN })]);
      expect(events.filter((e) => e.type === 'closed')).toHaveLength(1);
      expect(conn.closed).toBe(true);
    });
  }

  it('reading conn.stage ends the session with ERR_SMTP_CLIENT_HOOK_FAILED (22), the message settled once', () => {
    const conn = probeConn();
    expect(conn.stage).toBe(STAGE.UNKNOWN);
    const events = drain(conn);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_HOOK_FAILED' });
    expect(sent(events)).toHaveLength(1);
    expect(conn.closed).toBe(true);
    expect(conn.stage).toBe(STAGE.UNKNOWN);
  });
});

describe('timeouts that 0 disables', () => {
  it('reportsWrites with dataBlock 0: dataDone is armed once the final dot is reported written', () => {
    const conn = new ClientConnection({ security: 'off', reportsWrites: true, timeouts: { dataBlock: 0, dataDone: 600_000 } });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    const write = (reply: string): string => {
      if (reply) conn.receiveData(reply);
      const out = conn.dataToSend();
      conn.dataWritten(out.length);
      return dec.decode(out);
    };
    write('');
    write('220 mx ESMTP\r\n');
    write('250-mx\r\n250 PIPELINING\r\n');
    // The body and its dot are queued: not yet written, so no timer (dataBlock is off) ...
    conn.receiveData('250 ok\r\n250 ok\r\n354 go\r\n');
    expect(conn.pendingTimeout()).toBeUndefined();
    const out = conn.dataToSend();
    expect(dec.decode(out).endsWith('\r\n.\r\n')).toBe(true);
    // ... until the dot is written: then the wait for the final reply has its timer.
    conn.dataWritten(out.length);
    expect(conn.pendingTimeout()).toMatchObject({ name: 'dataDone', ms: 600_000 });
  });

  it('tlsHandshake 0: no handshake timer is asked for', () => {
    const conn = new ClientConnection({ security: 'required', timeouts: { tlsHandshake: 0 } });
    step(conn, '');
    step(conn, '220 mx\r\n');
    expect(step(conn, '250-mx\r\n250 STARTTLS\r\n')).toBe('STARTTLS\r\n');
    conn.receiveData('220 go ahead\r\n');
    expect(drain(conn).map((e) => e.type)).toContain('tls-start');
    expect(conn.pendingTimeout()).toBeUndefined();
    expect(conn.stage).toBe(STAGE.HANDSHAKING_TLS);
  });
});

describe('where a state may be inserted', () => {
  const probe = (entered: string[], pipelining: 'group' | 'barrier'): ClientStateDefinition => ({
    name: 'probe',
    stage: STAGE.IDLE,
    pipelining,
    enter: (ctx) => {
      entered.push(String(ctx.message?.id));
      ctx.next();
    },
    reply: () => undefined,
  });

  for (const after of ['final', 'rset', 'idle'] as const) {
    for (const pipelining of ['group', 'barrier'] as const) {
      for (const serverPipelining of [true, false]) {
        it(`a ${pipelining} state after "${after}" is entered (server PIPELINING ${serverPipelining})`, () => {
          const entered: string[] = [];
          const conn = new ClientConnection({ security: 'off' });
          conn.registerState(probe(entered, pipelining), { after });
          conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'Subject: 1\r\n\r\nhi\r\n' });
          conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'Subject: 2\r\n\r\nhi\r\n' });
          conn.quit();
          const server = new ScriptedServer({ ehlo: serverPipelining ? ['PIPELINING'] : [], final: (n) => (n === 1 ? '554 5.7.1 no' : '250 2.0.0 queued') });
          const events = run(conn, server);
          expect(sent(events).map((m) => m.outcome)).toEqual(['failed', 'delivered']);
          expect(entered.length).toBeGreaterThan(0);
          expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'quit' });
        });
      }
    }
  }

  it('a state after "final" runs after each transaction, before RSET, idle and the next message', () => {
    const log: string[] = [];
    const conn = new ClientConnection({ security: 'off', pipelining: false });
    conn.registerState({ name: 'audit', stage: STAGE.IDLE, enter: (c) => { log.push(`audit ${c.message?.id ?? '-'}`); c.next(); }, reply: () => undefined }, { after: 'final' });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'hi\r\n' });
    conn.quit();
    const server = new ScriptedServer();
    const events = run(conn, server);
    expect(sent(events)[0]).toMatchObject({ outcome: 'delivered' });
    expect(log).toEqual(['audit -']);
    expect(server.commands.at(-1)).toBe('QUIT');
  });

  for (const after of ['body', 'quit'] as const) {
    it(`registering after "${after}" is refused with ERR_SMTP_CLIENT_UNKNOWN_STATE (it could never run)`, () => {
      const conn = new ClientConnection();
      const before = conn.getStateMachine().map((s) => s.name);
      expect(codeOf(() => conn.registerState(probe([], 'group'), { after }))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
      expect(codeOf(() => createStateRegistry().register(probe([], 'group'), { after }))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
      const id = conn.getState(after)!.id;
      expect(codeOf(() => conn.registerState(probe([], 'group'), { after: id }))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
      expect(conn.getStateMachine().map((s) => s.name)).toEqual(before);
    });
  }
});

describe('a shared registry is copied by each connection', () => {
  const noop = (): ClientStateDefinition => ({ name: 'noop', stage: STAGE.AFTER_MAIL, enter: (c) => c.send('NOOP'), reply: (c) => c.next() });

  it('the README per-connection example runs on a second connection, and a third one gets none of it', () => {
    const states = createStateRegistry();
    const logs: string[] = [];
    const open = (tag: string): ClientConnection => {
      const conn = new ClientConnection({ states, security: 'off' });
      conn.registerState(noop(), { after: 'mail' });
      const mail = conn.getState('mail')!.definition;
      conn.replaceState('mail', { ...mail, enter(ctx) { logs.push(tag); mail.enter(ctx); } });
      return conn;
    };
    open('A');
    expect(() => open('B')).not.toThrow();
    expect(states.get('noop')).toBeUndefined();
    expect(states.get('mail')!.definition.enter).toBe(createStateRegistry().get('mail')!.definition.enter);
    const plain = new ClientConnection({ states, security: 'off' });
    plain.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'hi\r\n' });
    plain.quit();
    const server = new ScriptedServer();
    run(plain, server);
    expect(server.commands).not.toContain('NOOP');
    expect(logs).toEqual([]);
  });

  it('a state registered in the shared registry while a transaction runs does not reach that connection', () => {
    const states = createStateRegistry();
    const conn = new ClientConnection({ states, security: 'off' });
    conn.sendMessage({ from: 'a@x.test', to: ['ok@y.test', 'bad@y.test'], body: 'hi\r\n' });
    step(conn, '');
    step(conn, '220 mx\r\n');
    expect(step(conn, '250-mx\r\n250 PIPELINING\r\n')).toBe('MAIL FROM:<a@x.test>\r\nRCPT TO:<ok@y.test>\r\nRCPT TO:<bad@y.test>\r\nDATA\r\n');
    states.register(noop(), { after: 'mail' });
    expect(step(conn, '250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n')).toBe('hi\r\n.\r\n');
    conn.receiveData('250 2.0.0 queued\r\n');
    const m = sent(drain(conn))[0]!;
    expect(m.outcome).toBe('partial');
    expect(Object.fromEntries(m.recipients.map((r) => [r.address, r.status]))).toEqual({ 'ok@y.test': 'accepted', 'bad@y.test': 'rejected' });
    // Connections made afterwards get it.
    expect(new ClientConnection({ states }).getState('noop')).toBeDefined();
  });
});

describe('ctx.next() with replies still due, after the banner', () => {
  for (const pipelining of [true, false]) {
    it(`a registered (barrier) state is refused with ERR_SMTP_CLIENT_REPLIES_OUTSTANDING (server PIPELINING ${pipelining})`, () => {
      const conn = new ClientConnection({ security: 'off' });
      const errors: unknown[] = [];
      conn.registerState(
        {
          name: 'two',
          stage: STAGE.AFTER_EHLO,
          enter: (c) => {
            c.send('XA');
            c.send('XB');
          },
          reply: (c) => {
            try {
              c.next();
            } catch (e) {
              errors.push(e);
            }
          },
        },
        { after: 'ehlo' },
      );
      conn.sendMessage({ from: 'a@x.test', to: ['ok@y.test', 'bad@y.test'], body: 'hi\r\n' });
      step(conn, '');
      step(conn, '220 mx\r\n');
      expect(step(conn, `250-mx\r\n250 ${pipelining ? 'PIPELINING' : 'HELP'}\r\n`)).toBe('XA\r\nXB\r\n');
      conn.receiveData('250 a\r\n');
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['ERR_SMTP_CLIENT_REPLIES_OUTSTANDING']);
      expect(conn.state).toBe('two');
      expect(conn.dataToSend()).toHaveLength(0);
      // Its second reply moves it on; the transaction's replies match their commands.
      conn.receiveData('250 b\r\n');
      const group = dec.decode(conn.dataToSend());
      expect(group.startsWith('MAIL FROM:<a@x.test>\r\n')).toBe(true);
      const flights = pipelining ? ['250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n'] : ['250 ok\r\n', '250 ok\r\n', '550 5.1.1 unknown\r\n', '354 go\r\n'];
      let last = '';
      for (const f of flights) last = step(conn, f);
      expect(last).toBe('hi\r\n.\r\n');
      conn.receiveData('250 2.0.0 queued\r\n');
      const m = sent(drain(conn))[0]!;
      expect(Object.fromEntries(m.recipients.map((r) => [r.address, r.status]))).toEqual({ 'ok@y.test': 'accepted', 'bad@y.test': 'rejected' });
    });
  }
});

describe('nextState() into a transaction state without a transaction', () => {
  for (const target of ['rcpt', 'data', 'body', 'final'] as const) {
    it(`nextState('${target}') while idle is ERR_SMTP_CLIENT_INVALID_PARAMETER and changes nothing`, () => {
      const conn = new ClientConnection({ security: 'off' });
      step(conn, '');
      step(conn, '220 mx\r\n');
      step(conn, '250 mx\r\n');
      expect(drain(conn).at(-1)).toMatchObject({ type: 'idle' });
      const timer = conn.pendingTimeout();
      expect(codeOf(() => conn.nextState(target))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
      expect(conn.state).toBe('idle');
      expect(conn.pendingTimeout()).toEqual(timer);
      expect(drain(conn)).toEqual([]);
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'hi\r\n' });
      expect(dec.decode(conn.dataToSend()).startsWith('MAIL FROM:<a@x.test>')).toBe(true);
    });
  }
});

describe('registration misuse is a typed error', () => {
  const def = (name: string, stage: ClientStateDefinition['stage'] = STAGE.AFTER_EHLO): ClientStateDefinition => ({ name, stage, enter: (c) => c.next(), reply: () => undefined });

  it('no options, or null: ERR_SMTP_CLIENT_STATE_INCOMPLETE', () => {
    const conn = new ClientConnection();
    expect(codeOf(() => conn.registerState(def('a'), undefined as unknown as RegisterOptions))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => conn.registerState(def('b'), null as unknown as RegisterOptions))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    // a list is no options object: [ 'ehlo' ] meant as { after: 'ehlo' }
    for (const bad of [[], ['ehlo']]) expect(codeOf(() => conn.registerState(def('a'), bad as unknown as RegisterOptions)), JSON.stringify(bad)).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(conn.getState('a')).toBeUndefined();
  });

  it('a stage function that throws on a fresh local: ERR_SMTP_CLIENT_STATE_INCOMPLETE, for register and replace', () => {
    const conn = new ClientConnection();
    expect(codeOf(() => conn.registerState(def('c', () => { throw new Error('boom'); }), { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => conn.registerState(def('d', (l) => (l['a'] as { b: number }).b), { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    const mail = conn.getState('mail')!.definition;
    expect(codeOf(() => conn.replaceState('mail', { ...mail, stage: () => { throw new Error('boom'); } }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(conn.getState('mail')!.definition).toBe(mail);
    expect(conn.getState('c')).toBeUndefined();
  });
});
