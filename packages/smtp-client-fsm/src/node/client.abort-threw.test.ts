// A registered state that throws in a way that makes ending the session throw too: the client
// still settles every pending send() (no hang), releases their bodies, and nothing escapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { connect } from './index.js';
import type { SendResult } from './index.js';
import type { ClientConnection, ClientStateDefinition } from 'smtp-client-fsm';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

let listener: ScriptedListener;
let port = 0;

beforeAll(async () => {
  listener = await listenScripted(() => new ScriptedServer({}));
  port = listener.port;
});
afterAll(() => listener.close());

/** A streamed body that is never read here: released, it is destroyed. */
function tracked(): { body: Readable; released: () => boolean } {
  const body = new Readable({ read: () => undefined });
  return { body, released: () => body.destroyed };
}

/** `p` settled, or a rejection naming the hang. */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} never settled`)), 3000)));
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

// Every handler throws this package's usage error, which reaches the adapter.
const broken: ClientStateDefinition = {
  name: 'broken',
  stage: 3,
  enter: (ctx) => ctx.next('no-such-state'),
  reply: (ctx) => ctx.next('no-such-state'),
};

describe('a state that makes abort() throw', () => {
  it('settles every pending send as unknown with the connection error code, bodies released', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const setup = (c: ClientConnection): void => {
        c.registerState(broken, { after: 'mail' });
        // hooks wrapped around the ways a session ends, broken on every call: the core never
        // reports the messages settled
        c.abort = c.receiveEof = () => {
          throw new Error('hook broke');
        };
      };
      const client = await connect({ host: '127.0.0.1', port, security: 'off', setup });
      const one = tracked();
      const two = tracked();
      const sends = [client.send({ from: 'a@x.test', to: ['b@y.test'], body: one.body }), client.send({ from: 'a@x.test', to: ['c@y.test', 'd@y.test'], body: two.body })];
      const [r1, r2] = (await bounded(Promise.allSettled(sends), 'send()')).map((s) => (s.status === 'fulfilled' ? s.value : undefined)) as [SendResult, SendResult];
      expect(r1).toMatchObject({ outcome: 'unknown', transient: false, unknown: ['b@y.test'], accepted: [], deferred: [] });
      expect(r2).toMatchObject({ outcome: 'unknown', unknown: ['c@y.test', 'd@y.test'] });
      // the connection's error: the state's own (a usage error from this package, typed)
      expect(r1.errorCode).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
      expect(r2.recipients.map((r) => [r.address, r.status, r.errorCode])).toEqual([
        ['c@y.test', 'unknown', r1.errorCode],
        ['d@y.test', 'unknown', r1.errorCode],
      ]);
      expect(client.closed).toBe(true);
      expect([one.released(), two.released()]).toEqual([true, true]);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('when only abort() breaks, the end of input still lets the core settle the messages (deferred, nothing sent)', async () => {
    const setup = (c: ClientConnection): void => {
      c.registerState(broken, { after: 'mail' });
      c.abort = () => {
        throw new Error('hook broke');
      };
    };
    const client = await connect({ host: '127.0.0.1', port, security: 'off', setup });
    const one = tracked();
    const r = await bounded(client.send({ from: 'a@x.test', to: ['b@y.test'], body: one.body }), 'send()');
    expect(r).toMatchObject({ outcome: 'deferred', transient: true, deferred: ['b@y.test'], errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(one.released()).toBe(true);
  });
});
