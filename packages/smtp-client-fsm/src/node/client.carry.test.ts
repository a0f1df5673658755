import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { sendMail } from './client.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

// LIMITS RCPTMAX=2 MAILMAX=1 (RFC 9422): each connection takes one transaction of two recipients.
const servers: ScriptedServer[] = [];
let listener: ScriptedListener;
/** Whether connection `n` (from 1) is turned away with a 554 greeting. */
let refuse = (_n: number): boolean => false;
let opened = 0;

beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer({ ...(refuse(++opened) ? { greeting: '554 5.3.2 no service here' } : {}), ehlo: ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=1'], rcpt: (a) => (a.startsWith('no') ? '550 5.1.1 no such mailbox' : '250 2.1.5 ok') });
    servers.push(s);
    return s;
  });
});
afterAll(() => listener.close());

const to = ['r1@y.test', 'r2@y.test', 'no3@y.test', 'r4@y.test', 'r5@y.test'];
const options = () => ({ host: '127.0.0.1', port: listener.port, security: 'off' as const, from: 'a@x.test', to });

describe('sendMail carries on the recipients LIMITS MAILMAX left untried', () => {
  it('on new connections, each recipient tried once, one result for the message', async () => {
    servers.length = 0;
    const r = await sendMail({ ...options(), body: 'Subject: s\r\n\r\nhi\r\n' });
    expect(r.recipients.map((x) => [x.address, x.status, x.transaction])).toEqual([
      ['r1@y.test', 'accepted', 0],
      ['r2@y.test', 'accepted', 0],
      ['no3@y.test', 'rejected', 1],
      ['r4@y.test', 'accepted', 1],
      ['r5@y.test', 'accepted', 2],
    ]);
    expect(r.outcome).toBe('partial');
    expect(r.transactions).toBe(3);
    expect(servers.length).toBe(3);
    expect(servers.map((s) => s.messages.length)).toEqual([1, 1, 1]);
  });

  it('a streamed body goes once: the recipients after its transaction stay deferred', async () => {
    servers.length = 0;
    const r = await sendMail({ ...options(), body: Readable.from(['Subject: s\r\n\r\nhi\r\n']) });
    expect(r.accepted).toEqual(['r1@y.test', 'r2@y.test']);
    expect(r.deferred).toEqual(['no3@y.test', 'r4@y.test', 'r5@y.test']);
    expect(servers.length).toBe(1);
  });

  it('recipients no new connection could take keep their MAILMAX result', async () => {
    servers.length = 0;
    opened = 0;
    refuse = (n) => n > 1;
    try {
      const r = await sendMail({ ...options(), body: 'x\r\n' });
      expect(r.accepted).toEqual(['r1@y.test', 'r2@y.test']);
      expect(r.recipients.slice(2).map((x) => [x.status, x.errorCode])).toEqual(Array(3).fill(['deferred', 'ERR_SMTP_CLIENT_MAILMAX_REACHED']));
      expect(opened).toBe(2);
    } finally {
      refuse = () => false;
    }
  });
});
