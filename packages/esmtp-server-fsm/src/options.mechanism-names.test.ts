// auth.mechanisms names each mechanism once (case-insensitive for the built-in names): a second
// entry of a name was advertised twice (`AUTH PLAIN PLAIN`) or, for a custom mechanism named as a
// built-in one listed before it, silently never used.
import { describe, expect, it } from 'vitest';
import { PLAIN } from '@smtpkit/foundation';
import type { SaslMechanism } from '@smtpkit/foundation';
import { ServerConnection } from './index.js';
import type { ServerOptions } from './index.js';

function codeOf(options: ServerOptions): unknown {
  try {
    new ServerConnection(options).dispose();
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  return undefined;
}

const custom: SaslMechanism = { ...PLAIN, server: () => ({ step: () => ({ type: 'fail', text: 'never' }) }) };

describe('auth.mechanisms with a name twice', () => {
  it.each([
    ['the same name in two cases', ['PLAIN', 'plain']],
    ['a name twice', ['LOGIN', 'PLAIN', 'LOGIN']],
    ['a custom mechanism named as a built-in one listed before it', ['PLAIN', custom]],
    ['a built-in name after a custom mechanism of that name', [custom, 'plain']],
  ] as const)('%s is ERR_SMTP_INVALID_OPTION', (_, mechanisms) => {
    expect(codeOf({ auth: { mechanisms } })).toBe('ERR_SMTP_INVALID_OPTION');
  });
  it('distinct names are advertised once each', () => {
    const conn = new ServerConnection({ secure: true, auth: { mechanisms: ['plain', 'LOGIN'] } });
    conn.receiveData(new TextEncoder().encode('EHLO c.test\r\n'));
    while (conn.nextEvent().type !== 'need-data');
    expect(new TextDecoder().decode(conn.dataToSend())).toContain('250-AUTH PLAIN LOGIN\r\n');
  });
  it.each([['pla\u0131n'], ['PLA\u0130N'], ['\uff30LAIN']])('%s is no built-in name (only ASCII letters are folded): ERR_SMTP_INVALID_OPTION', (name) => {
    expect(codeOf({ auth: { mechanisms: [name] } })).toBe('ERR_SMTP_INVALID_OPTION');
  });
});
