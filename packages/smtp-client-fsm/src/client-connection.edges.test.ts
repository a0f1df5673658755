// Tests added from mutants of `pnpm mutation smtp-client-fsm` that no core test reached
// ("no coverage" in docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { ClientConnection } from './client-connection.js';
import type { createStateRegistry } from './states/index.js';
import { ScriptedServer, run, sent } from '../test/scripted-server.js';
import type { Script } from '../test/scripted-server.js';
import { isSmtpClientError } from './errors.js';

type Options = ConstructorParameters<typeof ClientConnection>[0];

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);

function session(script: Script = {}, opts: Options = {}) {
  return { server: new ScriptedServer(script), conn: new ClientConnection(opts) };
}

describe('ClientConnection options are validated', () => {
  it.each([
    ['an empty hostname', { hostname: '' }],
    ['a hostname with a space', { hostname: 'a b' }],
    ['a negative timeout', { timeouts: { command: -1 } }],
    ['an infinite timeout', { timeouts: { command: Infinity } }],
    ['maxRecipientsPerTransaction 0', { maxRecipientsPerTransaction: 0 }],
    ['a fractional maxRecipientsPerTransaction', { maxRecipientsPerTransaction: 1.5 }],
    ['an unknown starttls policy', { security: 'maybe' }],
    ['an empty state list', { states: { list: () => [] } as unknown as ReturnType<typeof createStateRegistry> }],
  ])('%s throws ERR_SMTP_CLIENT_INVALID_OPTION', (_name, opts) => {
    expect(codeOf(() => new ClientConnection(opts as Options))).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
  });
  it('the smallest valid values are accepted', () => {
    expect(codeOf(() => new ClientConnection({ hostname: '[192.0.2.1]', timeouts: { command: 0 }, maxRecipientsPerTransaction: 1, security: 'off' }))).toBeUndefined();
  });
});

describe('ClientConnection misuse', () => {
  it('endBody() outside the body phase is ERR_SMTP_CLIENT_NOT_IN_BODY', () => {
    const conn = new ClientConnection();
    expect(codeOf(() => conn.endBody())).toBe('ERR_SMTP_CLIENT_NOT_IN_BODY');
  });
});

describe('extensions the message needs but the server lacks fail the message locally', () => {
  it('BINARYMIME needs both BINARYMIME and CHUNKING', () => {
    const { server, conn } = session({ ehlo: ['BINARYMIME'] });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: new Uint8Array([0, 1]), bodyType: 'binarymime' });
    expect(sent(run(conn, server))[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE');
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });
  it('TLS-1 REQUIRETLS needs TLS and the keyword', () => {
    for (const [ehlo, tls] of [[['REQUIRETLS'], false], [[], true]] as const) {
      const { server, conn } = session({ ehlo: [...ehlo] }, { security: tls ? 'implicit' : 'off' });
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x', requireTls: true });
      expect(sent(run(conn, server))[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE');
    }
  });
  it('REQUIRETLS needs TLS whose certificate verified (RFC 8689 §4.2.1): over unverified TLS nothing is sent', () => {
    for (const [verified, code] of [[false, 'ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE'], [true, undefined]] as const) {
      const { server, conn } = session({ ehlo: ['REQUIRETLS'] }, { security: 'implicit', tlsVerified: verified });
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x', requireTls: true });
      expect(sent(run(conn, server))[0]!.recipients[0]!.errorCode).toBe(code);
      expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(verified);
      if (verified) expect(server.commands.find((c) => c.startsWith('MAIL'))).toMatch(/ REQUIRETLS$/);
    }
  });
  it('AUTH with no usable mechanism is reported, no credentials sent', () => {
    const { server, conn } = session({ ehlo: ['AUTH GSSAPI'] }, { security: 'implicit', auth: { user: 'u', pass: 'p' } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE' });
    expect(server.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
  });
});

describe('transcript', () => {
  it('client lines with credentials redacted, server lines with their enhanced code, the body summarized', () => {
    const lines: string[] = [];
    const { server, conn } = session(
      { ehlo: ['AUTH PLAIN'], auth: () => '235 2.7.0 ok' },
      { security: 'implicit', auth: { user: 'u', pass: 'secret' }, transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) },
    );
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'hello\r\n' });
    conn.quit();
    expect(sent(run(conn, server))[0]!.outcome).toBe('delivered');
    expect(lines).toContain('C: EHLO localhost');
    expect(lines).toContain('C: AUTH PLAIN <redacted>');
    expect(lines).toContain('S: 235 2.7.0 ok');
    expect(lines.some((l) => /^C: \[message body: \d+ bytes\]$/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain(btoa('\0u\0secret'));
  });
});
