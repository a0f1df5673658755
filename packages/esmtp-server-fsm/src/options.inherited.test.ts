// Options objects need not be plain: a caller may give an object built on a prototype
// (`Object.create(base)`) or a class instance whose options are getters. The session reads every
// option it knows from such an object as from a plain one.
import { describe, expect, it } from 'vitest';
import { ServerConnection } from './server-connection.js';
import { pumpOutput } from '../test/harness.js';
import { snapshotOptions } from './options.js';
import type { ServerOptions } from './index.js';


const pump = pumpOutput;

class Limits {
  get maxMessageSize(): number {
    return 1234;
  }
}

class Options {
  readonly clientAddress = '192.0.2.7';
  get hostname(): string {
    return 'mx.class.test';
  }
  get banner(): string {
    return 'class banner';
  }
  get limits(): Partial<ServerOptions['limits'] & object> {
    return new Limits();
  }
}

describe('options that are inherited or getters', () => {
  it('a prototype\'s fields (Object.create) reach the session: hostname, banner, limits', () => {
    const conn = new ServerConnection(Object.create({ hostname: 'mx.proto.test', banner: 'proto banner', limits: { maxMessageSize: 4321 } }) as ServerOptions);
    expect(pump(conn)).toBe('220 mx.proto.test ESMTP proto banner\r\n');
    conn.receiveData('EHLO c.test\r\n');
    expect(pump(conn)).toContain('250-SIZE 4321\r\n');
  });

  it('a class instance\'s getters reach the session, nested ones (limits) included, beside its own fields', () => {
    const conn = new ServerConnection(new Options());
    expect(pump(conn)).toBe('220 mx.class.test ESMTP class banner\r\n');
    expect(conn.session.clientAddress).toBe('192.0.2.7');
    conn.receiveData('EHLO c.test\r\n');
    expect(pump(conn)).toContain('250-SIZE 1234\r\n');
  });

  it('snapshotOptions makes inherited fields own ones, read once, and keeps the snapshot independent of the prototype', () => {
    let reads = 0;
    const base = {
      get hostname(): string {
        reads++;
        return 'mx.once.test';
      },
      timeouts: Object.create({ command: 5000 }) as ServerOptions['timeouts'],
      auth: Object.create({ allowInsecure: true, mechanisms: ['PLAIN'] }) as ServerOptions['auth'],
    };
    const snap = snapshotOptions(Object.create(base) as ServerOptions);
    expect(reads).toBe(1);
    expect(Object.keys(snap).sort()).toEqual(['auth', 'hostname', 'timeouts']);
    expect(snap).toEqual({ hostname: 'mx.once.test', timeouts: { command: 5000 }, auth: { allowInsecure: true, mechanisms: ['PLAIN'] } });
    expect(snap.auth!.mechanisms).not.toBe(Object.getPrototypeOf(base.auth).mechanisms);
  });

  it('an inherited field is taken as an own one: an unknown name in limits is refused wherever it is; a class\'s methods are no fields', () => {
    const limits = (l: object): ServerOptions => ({ limits: l });
    expect(() => new ServerConnection(limits({ maxMesageSize: 5 }))).toThrow(/limits\.maxMesageSize is not a known limit/);
    expect(() => new ServerConnection(limits(Object.create({ maxMesageSize: 5 })))).toThrow(/limits\.maxMesageSize is not a known limit/);
    class WithMethod extends Limits {
      describe(): string {
        return 'limits';
      }
    }
    expect(snapshotOptions(limits(new WithMethod())).limits).toEqual({ maxMessageSize: 1234 });
    expect(() => new ServerConnection(limits(new WithMethod()))).not.toThrow();
    // unknown top-level names are carried and ignored, own or inherited
    expect(snapshotOptions(Object.create({ notAnOption: 1 }) as ServerOptions)).toEqual({ notAnOption: 1 });
  });
});
