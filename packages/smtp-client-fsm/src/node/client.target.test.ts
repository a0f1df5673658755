// A connection factory is told where connect would have dialled.
import { afterAll, describe, expect, it } from 'vitest';
import { connect as netConnect, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { connect } from './index.js';
import type { ConnectionTarget } from './index.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function polite(): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('220 mx.test ESMTP\r\n');
    socket.on('data', (d) => {
      for (const line of d.toString('latin1').split('\r\n').filter(Boolean)) {
        if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 mx.test\r\n');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
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
