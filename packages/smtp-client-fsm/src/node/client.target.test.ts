// A connection factory is told where connect would have dialled.
import { afterAll, describe, expect, it } from 'vitest';
import { connect as netConnect } from 'node:net';
import { connect } from './index.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';
import type { ConnectionTarget } from './index.js';

const listeners: ScriptedListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});

/** A scripted server that greets and answers every command (closed after the tests). */
async function polite(): Promise<number> {
  const listener = await listenScripted(() => new ScriptedServer());
  listeners.push(listener);
  return listener.port;
}

describe('connect({ connection }): the factory gets the target', () => {
  it('host in A-labels and the port given; the factory dials it', async () => {
    const port = await polite();
    const seen: ConnectionTarget[] = [];
    const client = await connect({
      host: 'mx.bücher.example',
      port,
      security: 'off',
      connection: (target) => {
        seen.push(target);
        return netConnect(target.port, '127.0.0.1');
      },
    });
    expect(seen).toEqual([{ host: 'mx.xn--bcher-kva.example', port }]);
    await client.quit();
  });

  it('the port of the security when none is given: 25, or 465 for implicit TLS', async () => {
    const seen: ConnectionTarget[] = [];
    const fail = (target: ConnectionTarget): never => {
      seen.push(target);
      throw new Error('no tunnel');
    };
    await expect(connect({ host: '192.0.2.1', security: 'off', connection: fail })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    await expect(connect({ host: '192.0.2.1', security: 'implicit', connection: fail })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(seen).toEqual([
      { host: '192.0.2.1', port: 25 },
      { host: '192.0.2.1', port: 465 },
    ]);
  });
});
