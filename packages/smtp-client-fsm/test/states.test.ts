// The state list through the public entry: built-ins are definitions a user can wrap, states
// before the banner (PROXY header, early commands), nextState() guarded by outstanding replies,
// stages that depend on state data, and pipelining decided by the states' declared roles.
import { describe, expect, it } from 'vitest';
import { byteByByte, errorCodeOf } from '@smtpkit/testkit';
import { ClientConnection, STAGE, createStateRegistry, isSmtpClientError, mailState } from '../src/index.js';
import type { ClientStateDefinition } from '../src/index.js';
import { ScriptedServer, drain, run, sent } from './scripted-server.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);

describe('built-in states are definitions', () => {
  it('getState("mail").definition is the exported mailState; a wrapper that logs and delegates still delivers, pipelined', () => {
    const conn = new ClientConnection();
    const mail = conn.getState('mail')!.definition;
    expect(mail).toBe(mailState);
    const log: string[] = [];
    const replaced = conn.replaceState('mail', {
      ...mail,
      enter(ctx) {
        log.push(`enter ${ctx.message?.id ?? 'none'}`);
        mail.enter(ctx);
      },
      reply(ctx, reply) {
        log.push(`reply ${reply.code}`);
        mail.reply(ctx, reply);
      },
    });
    expect(replaced).toBe(mailState);
    expect(conn.getState('mail')!.builtin).toBe(true);
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250-mx.test\r\n250 PIPELINING\r\n');
    // The spread kept `pipelining: 'group'`: MAIL, both RCPTs and DATA go out in one write.
    expect(dec.decode(conn.dataToSend())).toBe('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n');
    conn.receiveData('250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go on\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('Subject: t\r\n\r\nhi\r\n.\r\n');
    conn.receiveData('250 2.0.0 queued\r\n');
    expect(drain(conn).find((e) => e.type === 'message-sent')).toMatchObject({ outcome: 'delivered', transactions: 1 });
    expect(log).toEqual(['enter 1', 'reply 250']);
  });

  it('a replacement must keep the name; unknown states cannot be replaced', () => {
    const conn = new ClientConnection();
    expect(codeOf(() => conn.replaceState('mail', { ...mailState, name: 'other' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => conn.replaceState('nope', { ...mailState, name: 'nope' }))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
    expect(codeOf(() => conn.replaceState('mail', { ...mailState, pipelining: 'sometimes' as never }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
  });
});

describe('states before the banner (position -1)', () => {
  it('a PROXY protocol header goes out first and expects no reply', () => {
    const conn = new ClientConnection();
    const header = 'PROXY TCP4 192.0.2.10 192.0.2.20 40000 25\r\n';
    conn.registerState({ name: 'proxy', stage: STAGE.NOT_CONNECTED, enter: (ctx) => { ctx.write(header); ctx.next(); }, reply: () => undefined }, { after: -1 });
    expect(conn.getStateMachine().map((s) => s.name).slice(0, 2)).toEqual(['proxy', 'banner']);
    expect(dec.decode(conn.dataToSend())).toBe(header);
    expect(conn.state).toBe('banner');
    const server = new ScriptedServer();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.quit();
    const events = run(conn, server);
    expect(events.find((e) => e.type === 'greeting')).toBeDefined();
    expect(sent(events)[0]?.outcome).toBe('delivered');
    expect(server.commands[0]).toBe('EHLO localhost');
  });

  it('a raw write keeps its bytes when the state refills its Buffer right after', () => {
    const conn = new ClientConnection();
    const buf = Buffer.from('PROXY TCP4 192.0.2.10 192.0.2.20 40000 25\r\n');
    conn.registerState({ name: 'proxy', stage: STAGE.NOT_CONNECTED, enter: (ctx) => { ctx.write(buf); buf.fill(0x58); ctx.next(); }, reply: () => undefined }, { after: -1 });
    expect(dec.decode(conn.dataToSend())).toBe('PROXY TCP4 192.0.2.10 192.0.2.20 40000 25\r\n');
  });

  it('raw writes are refused once the banner is reached', () => {
    const states = createStateRegistry();
    let error: string | undefined;
    states.register({ name: 'late', stage: STAGE.AFTER_EHLO, enter: (ctx) => { error = codeOf(() => ctx.write('X\r\n')); ctx.next(); }, reply: () => undefined }, { after: 'ehlo' });
    const conn = new ClientConnection({ states });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.quit();
    expect(sent(run(conn, new ScriptedServer()))[0]?.outcome).toBe('delivered');
    expect(error).toBe('ERR_SMTP_CLIENT_RAW_WRITE');
  });

  const early: (seen: string[]) => ClientStateDefinition = (seen) => ({
    name: 'early',
    stage: STAGE.NOT_CONNECTED,
    enter: (ctx) => ctx.send('XEARLY hello'),
    reply(ctx, reply) {
      seen.push(`${reply.code} ${reply.text}`);
      ctx.next();
    },
  });

  for (const [how, split] of [['in one flight', (d: Uint8Array) => [d]], ['byte by byte', byteByByte]] as const) {
    it(`a command sent before the banner reads its own reply after the greeting (${how})`, () => {
      const seen: string[] = [];
      const conn = new ClientConnection();
      conn.registerState(early(seen), { after: -1 });
      expect(dec.decode(conn.dataToSend())).toBe('XEARLY hello\r\n');
      expect(conn.stage).toBe(STAGE.NOT_CONNECTED);
      for (const piece of split(enc.encode('220 mx.test ready\r\n250 early ok\r\n'))) conn.receiveData(piece);
      const events = drain(conn);
      expect(seen).toEqual(['250 early ok']);
      expect(events.find((e) => e.type === 'greeting')).toMatchObject({ reply: { code: 220 } });
      expect(events.some((e) => e.type === 'error')).toBe(false);
      expect(conn.state).toBe('ehlo');
      expect(dec.decode(conn.dataToSend())).toBe('EHLO localhost\r\n');
    });
  }

  it('an early state that leaves before its reply is refused: that reply would be read by a later state', () => {
    const conn = new ClientConnection();
    conn.registerState({ name: 'hasty', stage: STAGE.NOT_CONNECTED, enter: (ctx) => { ctx.send('XEARLY'); ctx.next(); }, reply: () => undefined }, { after: -1 });
    expect(codeOf(() => conn.dataToSend())).toBe('ERR_SMTP_CLIENT_REPLIES_OUTSTANDING');
  });

  it('the greeting alone does not wake the early state; its reply then moves the session on', () => {
    const seen: string[] = [];
    const conn = new ClientConnection();
    conn.registerState(early(seen), { after: -1 });
    conn.dataToSend();
    conn.receiveData('220 mx.test ready\r\n');
    expect(drain(conn)).toEqual([]);
    expect(conn.state).toBe('early');
    conn.receiveData('502 5.5.2 what\r\n');
    expect(seen).toEqual(['502 what']);
    expect(drain(conn).map((e) => e.type)).toEqual(['greeting']);
    expect(conn.state).toBe('ehlo');
  });
});

describe('nextState()', () => {
  it('refuses with a typed error while replies are outstanding, and writes nothing', () => {
    const conn = new ClientConnection();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    expect(codeOf(() => conn.nextState('mail'))).toBe('ERR_SMTP_CLIENT_REPLIES_OUTSTANDING'); // the greeting is due
    conn.receiveData('220 mx.test ready\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('EHLO localhost\r\n');
    expect(codeOf(() => conn.nextState('mail'))).toBe('ERR_SMTP_CLIENT_REPLIES_OUTSTANDING');
    expect(conn.dataToSend()).toHaveLength(0);
    expect(conn.state).toBe('ehlo');
  });

  it('moves once every reply is in (from idle to quit)', () => {
    const conn = new ClientConnection();
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250 mx.test\r\n');
    expect(conn.state).toBe('idle');
    conn.nextState('quit');
    expect(dec.decode(conn.dataToSend())).toBe('QUIT\r\n');
  });
});

describe('stages', () => {
  it('the starttls stage depends on its data: 15 during STARTTLS, 17 while the handshake runs', () => {
    const conn = new ClientConnection();
    expect(conn.getState('starttls')!.stage).toBe(STAGE.DURING_STARTTLS);
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250-mx.test\r\n250 STARTTLS\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('STARTTLS\r\n');
    expect(conn.stage).toBe(STAGE.DURING_STARTTLS);
    conn.receiveData('220 go ahead\r\n');
    expect(drain(conn).map((e) => e.type)).toContain('tls-start');
    expect(conn.stage).toBe(STAGE.HANDSHAKING_TLS);
    expect(conn.pendingTimeout()).toMatchObject({ name: 'tlsHandshake' });
    conn.tlsEstablished();
    expect(conn.stage).toBe(STAGE.DURING_EHLO);
  });

  it('a custom stage function is evaluated on the live local data; a bad value reads as 22', () => {
    const states = createStateRegistry();
    states.register({ name: 'probe', stage: (local) => (local['n'] === 1 ? STAGE.AFTER_EHLO : 99), enter: (ctx) => { ctx.local['n'] = 1; ctx.send('NOOP'); }, reply: (ctx) => ctx.next() }, { after: 'ehlo' });
    expect(states.get('probe')!.stage).toBe(STAGE.UNKNOWN);
    const conn = new ClientConnection({ states });
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250 mx.test\r\n');
    expect(conn.state).toBe('probe');
    expect(conn.stage).toBe(STAGE.AFTER_EHLO);
  });
});

describe('pipelining follows the states\u2019 declared roles', () => {
  function firstFlight(extra: ClientStateDefinition | undefined): string {
    const states = createStateRegistry();
    if (extra) states.register(extra, { after: 'rcpt' });
    const conn = new ClientConnection({ states });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], body: 'x' });
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250-mx.test\r\n250 PIPELINING\r\n');
    return dec.decode(conn.dataToSend());
  }
  const audit = (pipelining: 'group' | 'barrier' | undefined): ClientStateDefinition => ({
    name: 'audit',
    stage: STAGE.AFTER_RCPT,
    ...(pipelining ? { pipelining } : {}),
    enter: (ctx) => ctx.next(),
    reply: () => undefined,
  });

  it('ctx.pipelined tells a group state that the group was written for it', () => {
    const seen: boolean[] = [];
    firstFlight({ name: 'audit', stage: STAGE.AFTER_RCPT, pipelining: 'group', enter: (ctx) => { seen.push(ctx.pipelined); ctx.next(); }, reply: () => undefined });
    expect(seen).toEqual([]); // not entered yet: the RCPT replies come first
    const states = createStateRegistry();
    states.register({ name: 'audit', stage: STAGE.AFTER_RCPT, pipelining: 'group', enter: (ctx) => { seen.push(ctx.pipelined); ctx.next(); }, reply: () => undefined }, { after: 'rcpt' });
    const conn = new ClientConnection({ states });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250-mx.test\r\n250 PIPELINING\r\n');
    conn.dataToSend();
    conn.receiveData('250 ok\r\n250 ok\r\n354 go\r\n');
    expect(seen).toEqual([true]);
    expect(conn.state).toBe('final');
  });

  it('a group state keeps MAIL, RCPT and DATA in one write; a barrier (the default) splits it', () => {
    const group = 'MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n';
    expect(firstFlight(undefined)).toBe(group);
    expect(firstFlight(audit('group'))).toBe(group);
    expect(firstFlight(audit('barrier'))).toBe('MAIL FROM:<a@x.test>\r\n');
    expect(firstFlight(audit(undefined))).toBe('MAIL FROM:<a@x.test>\r\n');
  });
});

describe('a registered state that throws', () => {
  const buggy = (where: 'enter' | 'reply'): ClientStateDefinition => ({
    name: 'buggy',
    stage: STAGE.AFTER_MAIL,
    enter: (ctx) => {
      if (where === 'enter') throw new TypeError('cannot read properties of undefined');
      ctx.send('NOOP');
    },
    reply: () => {
      throw new TypeError('cannot read properties of undefined');
    },
  });
  for (const where of ['enter', 'reply'] as const) {
    it(`in ${where}: the session ends with ERR_SMTP_CLIENT_HOOK_FAILED and the exception as cause; the message is deferred, nothing escapes`, () => {
      const conn = new ClientConnection();
      conn.registerState(buggy(where), { after: 'mail' });
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
      const server = new ScriptedServer();
      const events = run(conn, server);
      const error = events.find((e) => e.type === 'error');
      expect(error).toMatchObject({ code: 'ERR_SMTP_CLIENT_HOOK_FAILED', message: 'state buggy threw: cannot read properties of undefined' });
      expect(error?.type === 'error' && error.cause).toBeInstanceOf(TypeError);
      expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_HOOK_FAILED' });
      expect(conn.closed).toBe(true);
    });
  }
  it("this package's own usage errors from inside a state still reach the caller", () => {
    const conn = new ClientConnection();
    conn.registerState({ name: 'lost', stage: STAGE.AFTER_MAIL, enter: (ctx) => ctx.next('no-such-state'), reply: () => undefined }, { after: 'mail' });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.receiveData('220 mx.test\r\n');
    conn.dataToSend();
    conn.receiveData('250 mx.test\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('MAIL FROM:<a@x.test>\r\n');
    expect(codeOf(() => conn.receiveData('250 2.1.0 ok\r\n'))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
  });
});
