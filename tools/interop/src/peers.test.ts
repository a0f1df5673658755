// The interop files skip a peer that is not installed, for local runs. This test makes that
// impossible to miss: it fails when any peer is absent (bash tools/scripts/install-peers.sh).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { postfixAvailable } from './private-postfix.js';

describe('interop peers are installed', () => {
  it.each(['/usr/sbin/smtp-sink', '/usr/sbin/smtp-source', '/usr/bin/swaks', '/usr/sbin/haproxy', '/usr/bin/openssl'])('%s', (path) => {
    expect(existsSync(path)).toBe(true);
  });

  it('Python aiosmtpd under /usr/bin/python3', () => {
    const version = execFileSync('/usr/bin/python3', ['-c', 'import aiosmtpd; print(aiosmtpd.__version__)'], { encoding: 'utf8' });
    expect(version.trim()).toMatch(/^\d+\.\d+/);
  });

  it('a complete Postfix (postfix, postqueue) and root, for the private relay tests', () => {
    expect(postfixAvailable()).toBe(true);
  });
});
