// STARTTLS required (requireTls) but switched off in `extensions`: no such switch exists. The
// `starttls` option alone decides whether STARTTLS is offered; `extensions.starttls` is refused as
// an unknown extension, at `new ServerConnection` and at `createServer`, and no switch of
// `extensions` can hide STARTTLS from a session that must use it.
import { describe, expect, it } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import { drive } from '../test/harness.js';
import { isSmtpServerError } from './errors.js';
import { DEFAULT_EXTENSIONS } from './extensions.js';
import type { ServerExtensions } from './extensions.js';
import { ServerConnection } from './server-connection.js';
import type { ServerOptions } from './server-connection.js';
import { createServer } from './node/create-server.js';

/** The error `fn` throws (undefined when it throws none). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** What `requireTls` with STARTTLS turned off under `extensions` (not a known switch) gives. */
const offSwitch = { starttls: false } as unknown as Partial<ServerExtensions>;

describe('requireTls with extensions.starttls: false', () => {
  it('new ServerConnection refuses it: ERR_SMTP_INVALID_OPTION naming extensions.starttls (there is no such switch)', () => {
    for (const options of [{ starttls: true, requireTls: true }, { security: 'required' }, {}] as ServerOptions[]) {
      const e = thrown(() => new ServerConnection({ ...options, extensions: offSwitch }));
      expect(isSmtpServerError(e) && e.code).toBe('ERR_SMTP_INVALID_OPTION');
      expect((e as Error).message).toBe('extensions.starttls is not a known extension');
    }
  });

  it('createServer refuses it the same, before listening', () => {
    const tls = throwawayCertificate({ commonName: 'localhost' });
    for (const options of [{ requireTls: true }, { security: 'required' as const }]) {
      const e = thrown(() => createServer({ tls, ...options, extensions: offSwitch }));
      expect(isSmtpServerError(e) && e.code).toBe('ERR_SMTP_INVALID_OPTION');
      expect((e as Error).message).toBe('extensions.starttls is not a known extension');
    }
  });

  it('the type has no starttls switch either', () => {
    // @ts-expect-error -- STARTTLS is decided by the starttls option, not by extensions
    const ext: Partial<ServerExtensions> = { starttls: false };
    expect('starttls' in DEFAULT_EXTENSIONS).toBe(false);
    expect(ext).toEqual({ starttls: false });
  });

  it('with every known switch off, STARTTLS is still advertised and works where requireTls makes MAIL wait for it', () => {
    const allOff = Object.fromEntries(Object.keys(DEFAULT_EXTENSIONS).map((k) => [k, false])) as unknown as ServerExtensions;
    const d = drive({ starttls: true, requireTls: true, extensions: allOff });
    expect(d.feed('EHLO c.test\r\n')).toMatch(/^250-[^\r]*\r\n250 STARTTLS\r\n$/);
    expect(d.feed('MAIL FROM:<a@c.test>\r\n')).toMatch(/^530 /);
    expect(d.feed('STARTTLS\r\n')).toMatch(/^220 /);
    expect(d.events.some((e) => e.type === 'tls-start')).toBe(true);
    d.conn.tlsEstablished();
    expect(d.feed('EHLO c.test\r\n')).not.toContain('STARTTLS');
    expect(d.feed('MAIL FROM:<a@c.test>\r\n')).toMatch(/^250 /);
  });

  it('starttls: false alone turns STARTTLS off: not advertised, and the command gets 502 5.5.1', () => {
    const d = drive({ starttls: false });
    expect(d.feed('EHLO c.test\r\n')).not.toContain('STARTTLS');
    expect(d.feed('STARTTLS\r\n')).toMatch(/^502 5\.5\.1 /);
    expect(d.events.some((e) => e.type === 'tls-start')).toBe(false);
  });
});
