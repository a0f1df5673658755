// A message field whose getter throws: client.send and pool.send, which return a promise, reject
// with the getter's error (as a throwing own getter did before messages were copied at the call)
// instead of throwing at the caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool } from './index.js';
import type { SendInput } from './index.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

let listener: ScriptedListener;
beforeAll(async () => {
  listener = await listenScripted(() => new ScriptedServer({ ehlo: ['PIPELINING'] }));
});
afterAll(async () => {
  await listener.close();
});

/** A message whose own enumerable `from` getter throws. */
function throwingMessage(): SendInput {
  const message = { to: ['b@y.test'], body: 'x\r\n' };
  Object.defineProperty(message, 'from', {
    enumerable: true,
    get(): string {
      throw new Error('from: not loaded');
    },
  });
  return message as unknown as SendInput;
}

/** The call's promise, or what the call threw at once. */
function call(f: () => Promise<unknown>): { promise?: Promise<unknown>; thrown?: unknown } {
  try {
    return { promise: f() };
  } catch (e) {
    return { thrown: e };
  }
}

describe('a message getter that throws', () => {
  it('client.send rejects with its error, and the connection sends the next message', async () => {
    const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off' });
    try {
      const r = call(() => client.send(throwingMessage()));
      expect(r.thrown).toBeUndefined();
      await expect(r.promise).rejects.toThrow('from: not loaded');
      expect((await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x\r\n' })).outcome).toBe('delivered');
    } finally {
      await client.quit();
    }
  });

  it('pool.send rejects with its error', async () => {
    const pool = createPool({ host: '127.0.0.1', port: listener.port, security: 'off', maxConnections: 1 });
    try {
      const r = call(() => pool.send(throwingMessage()));
      expect(r.thrown).toBeUndefined();
      await expect(r.promise).rejects.toThrow('from: not loaded');
    } finally {
      await pool.close();
    }
  });
});
