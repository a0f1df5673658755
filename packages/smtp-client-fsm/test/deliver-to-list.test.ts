// deliver() checks its `to` as send() does: a list of addresses (an array or another iterable),
// never bytes or a plain object. A typed array or DataView is no list of recipients (an empty
// Uint8Array must not pass for an empty one), and an object that is no list is a typed error, not
// a TypeError from iterating it. Nothing is looked up before the envelope is refused.
import { describe, expect, it } from 'vitest';
import { deliver } from '../src/node/index.js';
import { exchangerResolver } from './fake-resolver.js';

/** The code deliver() rejects with for `to` (undefined when it resolves). */
async function codeFor(to: unknown): Promise<string | undefined> {
  try {
    await deliver({ resolver: exchangerResolver({}), from: 'a@x.test', to: to as string[], body: 'Subject: x\r\n\r\nx\r\n' });
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? `untyped ${String(e)}`;
  }
}

describe('deliver(): to must be a list of addresses', () => {
  it.each([
    ['an empty Uint8Array', new Uint8Array(0)],
    ['a Uint8Array of a letter', new Uint8Array([97])],
    ['an empty DataView', new DataView(new ArrayBuffer(0))],
    ['a plain object', {}],
    ['an object with a length', { length: 1, 0: 'b@y.test' }],
  ])('%s is ERR_SMTP_CLIENT_INVALID_ADDRESS', async (_name, to) => {
    expect(await codeFor(to)).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
  });

  it('a Set of addresses is a list like an array (its domain looked up: none here, so failed)', async () => {
    const r = await deliver({ resolver: exchangerResolver({}), from: 'a@x.test', to: new Set(['b@y.test']) as unknown as string[], body: 'x\r\n' });
    expect(r.recipients.map((x) => x.address)).toEqual(['b@y.test']);
  });
});
