// Every entry point of smtp-client-fsm/node that takes an options object (connect, sendMail,
// createPool, deliver, and the messages of client.send and pool.send) reads the fields the
// caller's object inherits (an Object.create base, a class's getters) as its own ones, the core's
// options (auth, hostname) included, and a documented function option a class gives as a method.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { throwawayCertificate } from '@smtpkit/testkit';
import { connect, createPool, deliver, sendMail } from './index.js';
import type { ClientConnection } from '../index.js';
import type { ConnectOptions, DeliverOptions, PoolOptions, SendInput, SendMailOptions } from './index.js';
import type { TranscriptEntry } from '../index.js';
import { ScriptedServer, listenScripted, serveScriptedTls } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

const PLAIN = Buffer.from('\0me\0secret').toString('base64');
let listener: ScriptedListener;
const sessions: ScriptedServer[] = [];

beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer({
      ehlo: ['PIPELINING', 'AUTH PLAIN'],
      auth: (line) => (line.includes(PLAIN) ? '235 2.7.0 ok' : line === 'AUTH PLAIN' ? '334 ' : '535 5.7.8 bad credentials'),
    });
    sessions.push(s);
    return s;
  });
});
let tlsServer: net.Server | undefined;
const tlsSockets = new Set<net.Socket>();
afterAll(async () => {
  await listener.close();
  for (const s of tlsSockets) s.destroy();
  if (tlsServer) await new Promise<void>((r) => tlsServer!.close(() => r()));
});

/** A loopback STARTTLS server with a self-signed certificate for localhost; its port and certificate. */
async function starttlsServer(): Promise<{ port: number; cert: string }> {
  const cert = throwawayCertificate({ commonName: 'localhost', dns: ['localhost'] });
  tlsServer = net.createServer((sock) => {
    tlsSockets.add(sock);
    serveScriptedTls(sock, new ScriptedServer({ ehlo: ['STARTTLS', 'PIPELINING'], ehloTls: ['PIPELINING'] }), cert);
  });
  await new Promise<void>((r) => tlsServer!.listen(0, '127.0.0.1', r));
  return { port: (tlsServer.address() as net.AddressInfo).port, cert: cert.cert };
}

/** The core's options and the connection's, as a prototype gives them. */
const base = (): Record<string, unknown> => ({ host: '127.0.0.1', port: listener.port, security: 'off', allowInsecureAuth: true, hostname: 'client.test', auth: { user: 'me', pass: 'secret' } });

class Credentials {
  get user(): string {
    return 'me';
  }
  get pass(): string {
    return 'secret';
  }
}

/** Connection options as a class with getters (the credentials too) and a transcript method. */
class Options {
  readonly security = 'off' as const;
  readonly allowInsecureAuth = true;
  readonly lines: TranscriptEntry[] = [];
  get host(): string {
    return '127.0.0.1';
  }
  get port(): number {
    return listener.port;
  }
  get hostname(): string {
    return 'client.test';
  }
  get auth(): Credentials {
    return new Credentials();
  }
  transcript(entry: TranscriptEntry): void {
    this.lines.push(entry);
  }
}

/** A message as a class with getters. */
class Message {
  get from(): string {
    return 'a@x.test';
  }
  get to(): string[] {
    return ['b@y.test'];
  }
}

/** The commands of the sessions opened since `before`: EHLO with the inherited name, AUTH with the inherited credentials. */
function expectAuthenticated(before: number): void {
  const opened = sessions.slice(before);
  expect(opened.length).toBeGreaterThan(0);
  for (const s of opened) {
    expect(s.commands).toContain('EHLO client.test');
    expect(s.commands.some((c) => c.includes(PLAIN))).toBe(true);
  }
}

describe('connect() with a core option the caller\'s object inherits', () => {
  it('Object.create(base): auth, allowInsecureAuth and hostname reach the session', async () => {
    const before = sessions.length;
    const client = await connect(Object.create(base()) as ConnectOptions);
    await client.quit();
    expectAuthenticated(before);
  });

  it('a class with getters (credentials by getters too) authenticates, and its transcript method is called on it', async () => {
    const before = sessions.length;
    const options = new Options();
    const client = await connect(options);
    await client.quit();
    expectAuthenticated(before);
    expect(options.lines.some((l) => l.direction === 'client' && l.line === 'EHLO client.test')).toBe(true);
  });
});

describe('sendMail() with fields the caller\'s object inherits', () => {
  it('Object.create(base): host, port, auth and the envelope from a prototype', async () => {
    const before = sessions.length;
    const options = Object.assign(Object.create({ ...base(), from: 'a@x.test', to: ['b@y.test'] }) as SendMailOptions, { body: 'x\r\n' });
    const r = await sendMail(options);
    expect(r.outcome).toBe('delivered');
    expectAuthenticated(before);
  });

  it('a class with getters', async () => {
    const before = sessions.length;
    class Mail extends Options {
      readonly body = 'x\r\n';
      get from(): string {
        return 'a@x.test';
      }
      get to(): string[] {
        return ['b@y.test'];
      }
    }
    const r = await sendMail(new Mail());
    expect(r.outcome).toBe('delivered');
    expectAuthenticated(before);
  });
});

describe('createPool() with fields the caller\'s object inherits', () => {
  it('Object.create(base): host, port and auth from a prototype', async () => {
    const before = sessions.length;
    const pool = createPool(Object.assign(Object.create(base()) as PoolOptions, { maxConnections: 1 }));
    try {
      expect((await pool.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x\r\n' })).outcome).toBe('delivered');
    } finally {
      await pool.close();
    }
    expectAuthenticated(before);
  });

  it('a class with getters', async () => {
    const before = sessions.length;
    const pool = createPool(new Options());
    try {
      expect((await pool.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x\r\n' })).outcome).toBe('delivered');
    } finally {
      await pool.close();
    }
    expectAuthenticated(before);
  });
});

describe('deliver() with fields the caller\'s object inherits', () => {
  // an address literal: no DNS, the port (and the rest) from the prototype
  it('Object.create(base): port, auth and the envelope from a prototype', async () => {
    const before = sessions.length;
    const { host: _h, ...rest } = base();
    const options = Object.assign(Object.create({ ...rest, from: 'a@x.test', to: ['b@[127.0.0.1]'] }) as DeliverOptions, { body: 'x\r\n' });
    const r = await deliver(options);
    expect(r.outcome).toBe('delivered');
    expectAuthenticated(before);
  });

  it('a class with getters', async () => {
    const before = sessions.length;
    class Delivery extends Options {
      readonly body = 'x\r\n';
      get from(): string {
        return 'a@x.test';
      }
      get to(): string[] {
        return ['b@[127.0.0.1]'];
      }
    }
    const r = await deliver(new Delivery());
    expect(r.outcome).toBe('delivered');
    expectAuthenticated(before);
  });
});

describe('client.send() and pool.send() with a message whose fields are inherited', () => {
  it('client.send: Object.create({ from, to }) and a class with getters', async () => {
    const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off' });
    try {
      const a = await client.send(Object.assign(Object.create({ from: 'a@x.test', to: ['b@y.test'] }) as SendInput, { body: 'x\r\n' }));
      const b = await client.send(Object.assign(new Message(), { body: 'x\r\n' }));
      expect([a.outcome, b.outcome]).toEqual(['delivered', 'delivered']);
    } finally {
      await client.quit();
    }
  });

  it('pool.send: Object.create({ from, to }) and a class with getters', async () => {
    const pool = createPool({ host: '127.0.0.1', port: listener.port, security: 'off', maxConnections: 1 });
    try {
      const a = await pool.send(Object.assign(Object.create({ from: 'a@x.test', to: ['b@y.test'] }) as SendInput, { body: 'x\r\n' }));
      const b = await pool.send(Object.assign(new Message() as unknown as SendInput, { body: 'x\r\n' }));
      expect([a.outcome, b.outcome]).toEqual(['delivered', 'delivered']);
    } finally {
      await pool.close();
    }
  });
});

describe('nested options the client spreads (tls, timeouts), and function options given as methods', () => {
  it('tls: rejectUnauthorized from a prototype reaches the handshake (security required, self-signed certificate)', async () => {
    const { port } = await starttlsServer();
    const client = await connect({ host: '127.0.0.1', port, security: 'required', tls: Object.create({ rejectUnauthorized: false }) as NonNullable<ConnectOptions['tls']> });
    expect(client.tls?.verified).toBe(false);
    await client.quit();
  });

  it('tls: a class whose ca is a getter verifies the certificate', async () => {
    const { port, cert } = await starttlsServer();
    class Tls {
      readonly servername = 'localhost';
      get ca(): string {
        return cert;
      }
    }
    const client = await connect({ host: '127.0.0.1', port, security: 'required', tls: new Tls() });
    expect(client.tls?.verified).toBe(true);
    await client.quit();
  });

  it('timeouts: a value a prototype gives is checked as an own one is', async () => {
    const options = { host: '127.0.0.1', port: listener.port, security: 'off', timeouts: Object.create({ greeting: -1 }) as NonNullable<ConnectOptions['timeouts']> } as const;
    await expect(connect(options)).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringContaining('timeouts.greeting') as unknown });
  });

  it('setup given as a class method is called with this the caller\'s object; another method is not an option', async () => {
    class WithSetup {
      readonly host = '127.0.0.1';
      readonly port = listener.port;
      readonly security = 'off' as const;
      seen: ClientConnection | undefined;
      setup(conn: ClientConnection): void {
        this.seen = conn;
      }
      describe(): string {
        return 'not an option';
      }
    }
    const options = new WithSetup();
    const client = await connect(options);
    await client.quit();
    expect(options.seen).toBe(client.connection);
  });
});
