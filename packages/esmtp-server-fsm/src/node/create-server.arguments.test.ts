// createServer and handleConnection given what is not an options object or a socket: the typed
// error the README lists, not a TypeError from deep inside.
import { describe, expect, it, vi } from 'vitest';
import { errorCodeOf, throwawayCertificate } from '@smtpkit/testkit';
import { isSmtpServerError } from '../errors.js';
import { createServer } from './create-server.js';
import type { CreateServerOptions } from './options.js';
import type { Readable } from 'node:stream';
import { freshTransaction, rawClient, recorder, serversPerTest, startTlsOn, TRANSACTION_OK } from '../../test/servers.js';

const servers = serversPerTest('mx.test');

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

describe('createServer takes its TLS settings and set-up from one read of tls', () => {
  it('a tls getter that answers once still gives a server whose advertised STARTTLS works', async () => {
    const cert = throwawayCertificate({ commonName: 'localhost' });
    let reads = 0;
    // read for the settings and again for the set-up, it would advertise STARTTLS with no TLS behind it
    const options = {
      hostname: 'mx.test',
      get tls() {
        reads++;
        return reads === 1 ? cert : undefined;
      },
    } as CreateServerOptions;
    const server = servers.track(createServer(options));
    const { port } = await server.listen(0, '127.0.0.1');
    const c = await rawClient(port);
    const secure = await startTlsOn(c);
    expect(c.got()).toMatch(/^250-STARTTLS\r$/m);
    expect(secure.encrypted).toBe(true);
    secure.destroy();
  });
});

describe('createServer keeps the options object it is given', () => {
  it('hooks a class defines on its prototype are called, with a logger too (no copy drops them)', async () => {
    const { logger, entries } = recorder();
    const bodies: string[] = [];
    class Options {
      readonly hostname = 'mx.test';
      readonly logger = logger;
      async onData(_envelope: unknown, body: Readable): Promise<void> {
        let text = '';
        for await (const chunk of body) text += String(chunk);
        bodies.push(text);
      }
    }
    const server = servers.track(createServer(new Options()));
    const { port } = await server.listen(0, '127.0.0.1');
    expect(await freshTransaction(port)).toEqual(TRANSACTION_OK);
    expect(bodies).toEqual(['Subject: fresh\r\n\r\nhello\r\n']);
    // the logger is the class's too
    await vi.waitFor(() => expect(entries.some((e) => e.message === 'close')).toBe(true), { timeout: 4000 });
  });
});

