// The `registry` option is read when a session starts: its extension table (built once per registry
// object and set of switches, then shared by the sessions) is the session's own. Changing the
// registry or its definitions afterwards (a config reload, a shared list) changes nothing in a live
// session: not what its EHLO advertises, not which verbs it accepts, and never makes its EHLO fail.
import { describe, expect, it } from 'vitest';
import { ExtensionRegistry } from 'smtp-capabilities';
import type { ExtensionDefinition } from 'smtp-capabilities';
import { codes, drive } from '../test/harness.js';
import type { Driven } from '../test/harness.js';
import type { ServerOptions } from './options.js';
import { ServerConnection } from './server-connection.js';

/** The last line of the last EHLO reply in `out` (the custom keywords come last). */
const lastKeyword = (out: string): string => out.split('\r\n').filter((l) => l.startsWith('250 ')).at(-1)!.slice(4);

function session(options: ServerOptions): Driven {
  return drive({ hostname: 'mx.test', ...options });
}

describe('a registry changed after a session started changes nothing in that session', () => {
  it('an ExtensionRegistry: definitions registered, unregistered or hidden later', () => {
    const registry = new ExtensionRegistry([{ keyword: 'XOLD', verbs: [{ name: 'XOLD' }], advertise: 'A' }]);
    const d = session({ registry });
    registry.register({ keyword: 'XNEW', verbs: [{ name: 'XNEW' }] });
    registry.unregister('XOLD');
    registry.hide('XNEW');
    expect(lastKeyword(d.feed('EHLO c.test\r\n'))).toBe('XOLD A');
    expect(codes(d.feed('XOLD\r\n'))).toEqual([250]);
    expect(codes(d.feed('XNEW\r\n'))).toEqual([500]);
    // a session started after the change has it
    const later = session({ registry });
    expect(later.feed('EHLO c.test\r\n')).not.toContain('XOLD');
    expect(codes(later.feed('XNEW\r\n'))).toEqual([250]);
  });

  it('a list of definitions: definitions added, a definition changed in place', () => {
    const def: { keyword: string; verbs: { name: string }[]; advertise: unknown } = { keyword: 'XOLD', verbs: [{ name: 'XOLD' }], advertise: 'A' };
    const list: ExtensionDefinition[] = [def as ExtensionDefinition];
    const d = session({ registry: list });
    list.push({ keyword: 'XNEW', verbs: [{ name: 'XNEW' }] });
    def.advertise = false;
    def.verbs.push({ name: 'XMORE' });
    expect(lastKeyword(d.feed('EHLO c.test\r\n'))).toBe('XOLD A');
    expect(codes(d.feed('XNEW\r\nXMORE\r\nXOLD\r\n'))).toEqual([500, 500, 250]);
  });

  it('an advertise list changed later: the live session advertises what it was built with, in every EHLO, and never fails', () => {
    for (const form of ['list', 'ExtensionRegistry'] as const) {
      const params = ['A', 'B'];
      const defs: ExtensionDefinition[] = [{ keyword: 'XOLD', verbs: [{ name: 'XOLD' }], advertise: params }];
      const d = session({ registry: form === 'list' ? defs : new ExtensionRegistry(defs), secure: false, starttls: true, auth: { mechanisms: ['PLAIN'], allowInsecure: true } });
      params.push('C');
      expect(lastKeyword(d.feed('EHLO a.test\r\n')), form).toBe('XOLD A B');
      params[0] = 'bad param'; // would fail the EHLO formatter
      // other session facts (authenticated): an advertisement worked out anew, from the session's own copy
      expect(codes(d.feed(`AUTH PLAIN ${btoa('\0u\0p')}\r\n`)), form).toEqual([235]);
      expect(lastKeyword(d.feed('EHLO b.test\r\n')), form).toBe('XOLD A B');
      expect(d.conn.state, form).toBe('awaiting-mail');
    }
  });
});

describe('the extension table is built once per registry object, not per session', () => {
  // 200 definitions: more than 256 keyword lines would not be read back whole by a client
  // (smtp-capabilities' formatEhloReply refuses them: ERR_SMTP_INVALID_OPTION at construction here)
  it('a thousand sessions on one 200-definition list read its advertise lists once (no per-session copy)', () => {
    let reads = 0;
    const counted = (values: string[]): string[] =>
      new Proxy(values, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    const list: ExtensionDefinition[] = Array.from({ length: 200 }, (_, i) => ({ keyword: `X${String(i)}`, verbs: [{ name: `XV${String(i)}` }], advertise: counted(['P']) }));
    new ServerConnection({ hostname: 'mx.test', registry: list }).dispose();
    const first = reads;
    expect(first).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) new ServerConnection({ hostname: 'mx.test', registry: list }).dispose();
    expect(reads).toBe(first);
  });
});

describe('SRV-4 a static advertisement that no EHLO reply could carry is an invalid registry option', () => {
  it('ERR_SMTP_INVALID_OPTION at construction (every EHLO got 421 4.3.0 before)', () => {
    for (const advertise of [['bad param'], 'caf\u00e9', ['ok', 5], ['a\r\nb']] as unknown as NonNullable<ExtensionDefinition['advertise']>[]) {
      for (const registry of [[{ keyword: 'XA', advertise }], new ExtensionRegistry([{ keyword: 'XA', advertise }])]) {
        let code: unknown;
        try {
          new ServerConnection({ hostname: 'mx.test', registry });
        } catch (e) {
          code = (e as { code?: unknown }).code;
        }
        expect(code, JSON.stringify(advertise)).toBe('ERR_SMTP_INVALID_OPTION');
      }
    }
  });

  it('SRV-4 a static advertisement past a reply line\'s 512 octets is refused at construction; one that fits is advertised on one line', () => {
    const long = Array.from({ length: 300 }, (_, i) => `P${String(i)}`);
    for (const advertise of [['A'.repeat(5000)], ['A'.repeat(600)], long]) {
      let code: unknown;
      try {
        new ServerConnection({ hostname: 'mx.test', registry: [{ keyword: 'XBIG', advertise }] });
      } catch (e) {
        code = (e as { code?: unknown }).code;
      }
      expect(code, String(advertise.length)).toBe('ERR_SMTP_INVALID_OPTION');
    }
    const fits = ['A'.repeat(500 - 'XBIG '.length)];
    const d = session({ registry: [{ keyword: 'XBIG', advertise: fits }] });
    const line = lastKeyword(d.feed('EHLO c.test\r\n'));
    expect([line, line.length + 6 <= 512]).toEqual([`XBIG ${fits[0]!}`, true]);
  });

  it('an advertise function is the application\'s: called at EHLO time, as before', () => {
    const d = session({ registry: [{ keyword: 'XA', advertise: () => ['P1', 'P2'] }] });
    expect(lastKeyword(d.feed('EHLO c.test\r\n'))).toBe('XA P1 P2');
  });
});
