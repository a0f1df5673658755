// MAIL's AUTH= parameter (RFC 4954 §5) from a client that has not authenticated is not trusted: the
// application sees AUTH=<>; after a successful AUTH it sees the identity as sent.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import type { ServerOptions } from './index.js';

const b64 = (s: string): string => btoa(s);
const plain = (authzid: string, user: string, pass: string): string => b64(`${authzid}\0${user}\0${pass}`);

function ready(options: ServerOptions) {
  const d = drive({ secure: true, auth: { mechanisms: ['PLAIN'] }, ...options });
  d.feed('EHLO client.test\r\n');
  return d;
}

describe('MAIL AUTH= from a client that has not authenticated (RFC 4954 §5)', () => {
  it('reaches the application as AUTH=<>, the claimed identity dropped', () => {
    const d = ready({});
    expect(lines(d.feed('MAIL FROM:<a@example.org> AUTH=boss@example.org\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    expect(d.events.find((e) => e.type === 'mail')).toMatchObject({ parameters: { AUTH: '<>' } });
    expect(d.conn.transaction.mailParameters).toMatchObject({ AUTH: '<>' });
  });
  it('after a successful AUTH it is passed on as sent', () => {
    const d = ready({});
    d.feed(`AUTH PLAIN ${plain('', 'user', 'pass')}\r\n`);
    d.feed('MAIL FROM:<a@example.org> AUTH=boss@example.org\r\n');
    expect(d.events.find((e) => e.type === 'mail')).toMatchObject({ parameters: { AUTH: 'boss@example.org' } });
  });
});
