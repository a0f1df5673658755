import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isClientArgsError, parsePath } from 'smtp-client-args';
import type { ClientArgsError } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

const source = readFileSync(new URL('./path.ts', import.meta.url), 'utf8');

describe('PathLimits.path counts the source route, as its TSDoc and the README say', () => {
  // a route domain of 240 octets, in labels of at most 63 (RFC 1035 §2.3.4)
  const route = `@${['r'.repeat(63), 'r'.repeat(63), 'r'.repeat(63), 'r'.repeat(48)].join('.')}:`;

  it('a path within the limit without its route but over it with the route is refused', () => {
    expect(parsePath('<user@example.com>').kind).toBe('mailbox');
    const e = thrownBy(() => parsePath(`<${route}user@example.com>`), isClientArgsError) as ClientArgsError;
    expect(e.code).toBe('ERR_SMTP_PATH_TOO_LONG');
    // `<` + the route (242 bytes) + `user@example.com` (16) + `>`: 260 bytes, route included
    expect(parsePath(`<${route}user@example.com>`, { limits: { path: 260 } }).kind).toBe('mailbox');
    expect(thrownBy(() => parsePath(`<${route}user@example.com>`, { limits: { path: 259 } }), isClientArgsError).code).toBe('ERR_SMTP_PATH_TOO_LONG');
  });

  it('the TSDoc of PathLimits.path does not say the route is dropped', () => {
    const doc = /\/\*\*([^*]|\*(?!\/))*\*\/\s*readonly path: number;/.exec(source)?.[0];
    expect(doc, 'the TSDoc of PathLimits.path').toBeDefined();
    expect(doc).toContain('source route');
    expect(doc).not.toContain('dropped');
  });
});
