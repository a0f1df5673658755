// createServer and handleConnection given what is not an options object or a socket: the typed
// error the README lists, not a TypeError from deep inside.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { isSmtpServerError } from '../errors.js';
import { createServer } from './create-server.js';
import type { CreateServerOptions } from './options.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);

describe('createServer and handleConnection argument types', () => {
  it('createServer without an options object throws ERR_SMTP_INVALID_OPTION', () => {
    for (const bad of [undefined, null, 0, 'mx.test', Symbol('o'), 1n, true]) expect(codeOf(() => createServer(bad as unknown as CreateServerOptions))).toBe('ERR_SMTP_INVALID_OPTION');
    // a list is no options object: it would give a server with every default
    for (const bad of [[], [{ hostname: 'mx.test' }]]) expect(codeOf(() => createServer(bad as unknown as CreateServerOptions))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  it('handleConnection with anything but a socket throws ERR_SMTP_INVALID_ARGUMENT', async () => {
    const server = createServer({ hostname: 'mx.test' });
    try {
      for (const bad of [undefined, null, 0, 'socket', Symbol('s'), 1n, [], new Uint8Array(2), {}, () => 1]) {
        expect(codeOf(() => server.handleConnection(bad as Parameters<typeof server.handleConnection>[0]))).toBe('ERR_SMTP_INVALID_ARGUMENT');
      }
      expect(server.connections).toBe(0);
    } finally {
      await server.close({ timeout: 10 });
    }
  });
});
