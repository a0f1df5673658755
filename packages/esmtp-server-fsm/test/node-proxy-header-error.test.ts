// A malformed PROXY header is the peer's doing: `onError` and the logger get a ProxyHeaderError with a
// stable code (ERR_SMTP_PROXY_HEADER_INVALID), an esmtp-server-fsm error (brand) that the
// application can import from the ./node entry and check by code or class.
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { isSmtpServerError, isSmtpkitError } from 'esmtp-server-fsm';
import { createServer, ProxyHeaderError } from 'esmtp-server-fsm/node';
import type { CreateServerOptions } from 'esmtp-server-fsm/node';

interface Logged {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

async function badHeader(header: string, options: CreateServerOptions = {}): Promise<{ errors: unknown[]; logged: Logged[] }> {
  const errors: unknown[] = [];
  const logged: Logged[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void logged.push({ level, fields, message });
  const server = createServer({ hostname: 'proxy.test', proxyProtocol: true, onError: (e) => errors.push(e), logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, ...options });
  try {
    const { port } = await server.listen(0, '127.0.0.1');
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.resume();
    await new Promise((r) => socket.once('connect', r));
    socket.write(header);
    await new Promise((r) => socket.once('close', r));
    await vi.waitFor(() => expect(errors).toHaveLength(1));
  } finally {
    await server.close({ timeout: 200 });
  }
  return { errors, logged };
}

describe('SRV-7 a malformed PROXY header is a typed error', () => {
  it('onError gets a ProxyHeaderError with code ERR_SMTP_PROXY_HEADER_INVALID, kind remote, the address it came from', async () => {
    for (const header of ['GET / HTTP/1.0\r\n\r\n', 'PROXY TCP4 192.0.2.999 192.0.2.1 1 25\r\n', '\r\n\r\n\0\r\nQUIX\n']) {
      const { errors } = await badHeader(header);
      const e = errors[0];
      expect(e, JSON.stringify(header)).toBeInstanceOf(ProxyHeaderError);
      expect(e).toBeInstanceOf(Error);
      expect(isSmtpServerError(e)).toBe(true);
      expect(isSmtpkitError(e)).toBe(true);
      expect(e).toMatchObject({ name: 'ProxyHeaderError', code: 'ERR_SMTP_PROXY_HEADER_INVALID', kind: 'remote', package: 'esmtp-server-fsm', remoteAddress: '127.0.0.1' });
    }
  });

  it('the logger warns with the code (never at error level)', async () => {
    const { logged } = await badHeader('EHLO client.test\r\n');
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(logged).toEqual([{ level: 'warn', message: 'bad PROXY header', fields: { remoteAddress: '127.0.0.1', err: { name: 'ProxyHeaderError', message: 'missing PROXY header', code: 'ERR_SMTP_PROXY_HEADER_INVALID' } } }]);
  });

  it('the class is exported from esmtp-server-fsm/node and can be made by an application (tests, a proxy of its own)', () => {
    const e = new ProxyHeaderError('bad PROXY v2 signature', '192.0.2.7');
    expect(e.code).toBe('ERR_SMTP_PROXY_HEADER_INVALID');
    expect(e.remoteAddress).toBe('192.0.2.7');
    expect(e.message).toBe('bad PROXY v2 signature');
    expect(isSmtpServerError(e) && e.code === 'ERR_SMTP_PROXY_HEADER_INVALID').toBe(true);
  });
});
