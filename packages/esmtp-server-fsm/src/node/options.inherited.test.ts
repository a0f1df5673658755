// createServer's options may come from a prototype (`Object.create(base)`) or a class's getters:
// the core options among them reach every session as own fields do.
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';
import { resolveSettings } from './options.js';
import type { CreateServerOptions } from './options.js';
import { rawSession, serversPerTest } from '../../test/servers.js';

const servers = serversPerTest('mx.test');

class Limits {
  get maxMessageSize(): number {
    return 2048;
  }
}

class Options {
  readonly maxConnections = 3;
  get hostname(): string {
    return 'mx.class.test';
  }
  get banner(): string {
    return 'class banner';
  }
  get limits(): NonNullable<CreateServerOptions['limits']> {
    return new Limits();
  }
  get timeouts(): NonNullable<CreateServerOptions['timeouts']> {
    return Object.create({ proxyHeader: 700, command: 9000 }) as NonNullable<CreateServerOptions['timeouts']>;
  }
}

describe('resolveSettings with inherited options', () => {
  it('an Object.create object: its core options go to the core, its adapter options are read', () => {
    const s = resolveSettings(Object.create({ hostname: 'mx.proto.test', banner: 'proto banner', lmtp: true, limits: { maxMessageSize: 4096 }, maxConnections: 7 }) as CreateServerOptions, false);
    expect(s.maxConnections).toBe(7);
    expect(s.core).toMatchObject({ hostname: 'mx.proto.test', banner: 'proto banner', lmtp: true, limits: { maxMessageSize: 4096 } });
    expect(s.core).not.toHaveProperty('maxConnections');
  });

  it('a class instance: getters and nested getters (limits, timeouts) reach the core; proxyHeader stays with the adapter', () => {
    const s = resolveSettings(new Options(), false);
    expect(s.maxConnections).toBe(3);
    expect(s.proxyHeaderTimeoutMs).toBe(700);
    expect(s.core).toMatchObject({ hostname: 'mx.class.test', banner: 'class banner', limits: { maxMessageSize: 2048 }, timeouts: { command: 9000 } });
    expect(s.core.timeouts).not.toHaveProperty('proxyHeader');
  });

  it('createServer(Object.create({ hostname, banner, limits, onData })) greets with them and advertises the size', async () => {
    const base = { hostname: 'mx.proto.test', banner: 'proto banner', limits: { maxMessageSize: 4096 }, onData: () => undefined };
    const server = servers.track(createServer(Object.create(base) as CreateServerOptions));
    const { port } = await server.listen(0, '127.0.0.1');
    const got = await rawSession(port, [{ write: 'EHLO c.test\r\n', after: 1 }, { write: 'QUIT\r\n', after: 2 }]);
    expect(got).toMatch(/^220 mx\.proto\.test ESMTP proto banner\r\n/);
    expect(got).toContain('250-SIZE 4096\r\n');
  });
});

describe('resolveSettings: inherited timeouts beside proxyHeader', () => {
  it('an unknown inherited timeout is refused as an own one is', () => {
    const timeouts = Object.create({ proxyHeader: 500, comand: 1 }) as CreateServerOptions['timeouts'] & object;
    expect(() => resolveSettings({ timeouts }, false)).toThrow(/timeouts\.comand is not a known timeout/);
    expect(() => resolveSettings({ timeouts: { proxyHeader: 500, comand: 1 } as CreateServerOptions['timeouts'] & object }, false)).toThrow(/timeouts\.comand is not a known timeout/);
  });
});
