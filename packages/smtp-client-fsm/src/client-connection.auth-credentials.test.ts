// `{ mechanism, credentials }` hands the same fields to a mechanism as `{ user, pass }` and
// `{ user, accessToken }` do, so they are checked alike (INJ-1): a NUL would split PLAIN's
// fields and a ^A would add an XOAUTH2/OAUTHBEARER pair, whichever form named the mechanism.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from './client-connection.js';
import type { AuthOptions, SaslMechanism } from './index.js';
import { OAUTHBEARER, PLAIN, XOAUTH2 } from './index.js';

const codeOf = (auth: AuthOptions): string | undefined => {
  try {
    new ClientConnection({ auth });
  } catch (e) {
    return (e as { code?: string }).code ?? 'untyped';
  }
  return undefined;
};

const custom: SaslMechanism = { name: 'X-TRACE', client: (c) => ({ initial: () => c.user, step: () => '' }) };

describe('auth { mechanism, credentials }: the credentials are checked as in the other forms', () => {
  it('refuses a NUL in a field PLAIN separates with NUL', () => {
    expect(codeOf({ mechanism: PLAIN, credentials: { user: 'a\0admin', pass: 'p' } })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
    expect(codeOf({ mechanism: PLAIN, credentials: { user: 'a', pass: 'p\0x' } })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
    expect(codeOf({ mechanism: PLAIN, credentials: { user: 'a', pass: 'p', authzid: 'z\0' } })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
    // the same as the { user, pass } form
    expect(codeOf({ user: 'a\0admin', pass: 'p' })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
  });

  it('refuses a control byte in the token or the user of a bearer token', () => {
    for (const mechanism of [XOAUTH2, OAUTHBEARER]) {
      expect(codeOf({ mechanism, credentials: { user: 'u', accessToken: 't\x01auth=Bearer other' } })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
      expect(codeOf({ mechanism, credentials: { user: 'u\x01x=y', accessToken: 't' } })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
      expect(codeOf({ mechanism, credentials: { user: 'u', accessToken: 'tok' } })).toBeUndefined();
    }
    expect(codeOf({ user: 'u', accessToken: 't\r\nQUIT' })).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
  });

  it('refuses credentials that are not an object or whose fields are not strings', () => {
    expect(codeOf({ mechanism: PLAIN, credentials: 'u:p' as never })).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
    expect(codeOf({ mechanism: PLAIN, credentials: { user: 5 as never, pass: 'p' } })).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
    expect(codeOf({ mechanism: PLAIN, credentials: { user: 'u', pass: 5 as never } })).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
  });

  it('takes what a custom mechanism needs: no password, or no credentials at all', () => {
    expect(codeOf({ mechanism: custom, credentials: { user: 'trace-1' } })).toBeUndefined();
    expect(codeOf({ mechanism: custom })).toBeUndefined();
    expect(codeOf({ user: 'u', pass: 'p', authzid: 'z' })).toBeUndefined();
    expect(codeOf({ user: 'u' } as never)).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
  });
});
