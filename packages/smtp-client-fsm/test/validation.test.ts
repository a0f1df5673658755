// Validate before the wire (issue 16, defect 6): bad input is a typed error naming the field and
// nothing is queued or sent.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';
import type { MessageInput } from '../src/index.js';

function refused(input: unknown): { code: string; message: string; kind: string } {
  const conn = new ClientConnection();
  try {
    conn.sendMessage(input as MessageInput);
  } catch (e) {
    expect(conn.dataToSend().length).toBe(0);
    return e as { code: string; message: string; kind: string };
  }
  throw new Error('sendMessage accepted the input');
}

describe('sendMessage validation', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['a@b@c', { from: 'a@x.test', to: ['a@b@c'] }, 'ERR_SMTP_CLIENT_INVALID_ADDRESS', /^to\[0\]/],
    ['no-at-sign', { from: 'a@x.test', to: ['no-at-sign'] }, 'ERR_SMTP_CLIENT_INVALID_ADDRESS', /^to\[0\]/],
    ['bad sender', { from: 'a@@x', to: ['b@y.test'] }, 'ERR_SMTP_CLIENT_INVALID_ADDRESS', /^from/],
    ['from: undefined', { to: ['b@y.test'] }, 'ERR_SMTP_CLIENT_INVALID_ADDRESS', /^from/],
    ['to: a string', { from: 'a@x.test', to: 'b@y.test' }, 'ERR_SMTP_CLIENT_INVALID_ADDRESS', /^to/],
    ['to: [42]', { from: 'a@x.test', to: [42] }, 'ERR_SMTP_CLIENT_INVALID_ADDRESS', /^to\[0\]/],
    ['body: 42', { from: 'a@x.test', to: ['b@y.test'], body: 42 }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^body/],
    ['bodyType: "base64"', { from: 'a@x.test', to: ['b@y.test'], bodyType: 'base64' }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^bodyType/],
    ['non-ASCII ENVID', { from: 'a@x.test', to: ['b@y.test'], dsn: { envid: 'idé' } }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn\.envid/],
    ['dsn: 5', { from: 'a@x.test', to: ['b@y.test'], dsn: 5 }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn:/],
    ['dsn: null', { from: 'a@x.test', to: ['b@y.test'], dsn: null }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn:/],
    ['dsn: "FULL"', { from: 'a@x.test', to: ['b@y.test'], dsn: 'FULL' }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn:/],
    ['dsn.envid: 5', { from: 'a@x.test', to: ['b@y.test'], dsn: { envid: 5 } }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn\.envid/],
    ['dsn.orcpt: 5', { from: 'a@x.test', to: ['b@y.test'], dsn: { orcpt: 5 } }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn\.orcpt/],
    ['dsn.orcpt: a string', { from: 'a@x.test', to: ['b@y.test'], dsn: { orcpt: 'b@y.test' } }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn\.orcpt/],
    ['dsn.orcpt value: 5', { from: 'a@x.test', to: ['b@y.test'], dsn: { orcpt: { 'b@y.test': 5 } } }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^dsn\.orcpt/],
    ['requireTls: "yes"', { from: 'a@x.test', to: ['b@y.test'], requireTls: 'yes' }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^requireTls/],
    ['requireTls: 1', { from: 'a@x.test', to: ['b@y.test'], requireTls: 1 }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^requireTls/],
    ['requireTls: null', { from: 'a@x.test', to: ['b@y.test'], requireTls: null }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^requireTls/],
    ['mailArgs: 5', { from: 'a@x.test', to: ['b@y.test'], mailArgs: 5 }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^mailArgs/],
    ['mailArgs: "X=1"', { from: 'a@x.test', to: ['b@y.test'], mailArgs: 'X=1' }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^mailArgs/],
    ['mailArgs: [["X", "1"]]', { from: 'a@x.test', to: ['b@y.test'], mailArgs: [['X', '1']] }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^mailArgs/],
    ['rcptArgs: 5', { from: 'a@x.test', to: ['b@y.test'], rcptArgs: 5 }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^rcptArgs/],
    ['rcptArgs: null', { from: 'a@x.test', to: ['b@y.test'], rcptArgs: null }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^rcptArgs/],
    ['size: "10"', { from: 'a@x.test', to: ['b@y.test'], size: '10' }, 'ERR_SMTP_CLIENT_INVALID_PARAMETER', /^size/],
  ];
  for (const [name, input, code, message] of cases) {
    it(`${name}: ${code}, nothing queued`, () => {
      const e = refused(input);
      expect(e.code).toBe(code);
      expect(e.kind).toBe('local');
      expect(e.message).toMatch(message);
    });
  }

  it('a valid quoted local part and the null sender still go out, rendered by smtp-client-args', () => {
    const server = new ScriptedServer({});
    const conn = new ClientConnection();
    conn.sendMessage({ from: '', to: ['"john doe"@y.test', 'postmaster'], body: 'x' });
    conn.quit();
    expect(sent(run(conn, server))[0]?.outcome).toBe('delivered');
    expect(server.commands).toContain('MAIL FROM:<> SIZE=3');
    expect(server.commands).toContain('RCPT TO:<"john doe"@y.test>');
    expect(server.commands).toContain('RCPT TO:<postmaster>');
  });
});

describe('credentials and unverified TLS', () => {
  const auth = { user: 'u', pass: 'p' };
  const script = { ehlo: ['STARTTLS'], ehloTls: ['AUTH PLAIN'] };

  function session(opts: ConstructorParameters<typeof ClientConnection>[0], verified: boolean) {
    const server = new ScriptedServer(script);
    const conn = new ClientConnection(opts);
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.quit();
    const events = [];
    for (let round = 0; round < 50; round++) {
      for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
        events.push(e);
        if (e.type === 'tls-start') {
          server.tlsUp();
          conn.tlsEstablished({ verified });
        }
      }
      const out = conn.dataToSend();
      if (out.length) server.push(out);
      const reply = server.output();
      if (reply) conn.receiveData(reply);
      if (conn.closed) break;
      if (server.eof && !out.length && !reply) conn.receiveEof();
    }
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    return { server, conn, events };
  }

  it('opportunistic TLS with an unverified certificate never carries AUTH', () => {
    const { server, conn, events } = session({ security: 'opportunistic', auth }, false);
    expect(server.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
    expect(conn.tls).toBe(true);
    expect(conn.tlsVerified).toBe(false);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_INSECURE_AUTH' });
    expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_INSECURE_AUTH' });
  });

  it('allowUnverifiedAuth opts in; a verified certificate needs no opt-in', () => {
    expect(session({ security: 'opportunistic', auth, allowUnverifiedAuth: true }, false).server.commands.some((c) => c.startsWith('AUTH PLAIN'))).toBe(true);
    const ok = session({ security: 'required', auth }, true);
    expect(ok.conn.tlsVerified).toBe(true);
    expect(sent(ok.events)[0]?.outcome).toBe('delivered');
  });
});
