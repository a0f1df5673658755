// The interop files skip a peer that is not installed, for local runs. This test makes that
// impossible to miss: it fails when any peer is absent (bash tools/scripts/install-peers.sh).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

  it('prints every peer version (npm peers pinned exactly in tools/interop/package.json)', () => {
    const require = createRequire(import.meta.url);
    const pins = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    const npmVersion = (name: string): string => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
    const versions: Record<string, string> = {
      nodemailer: npmVersion('nodemailer'),
      'smtp-server': npmVersion('smtp-server'),
      postfix: run('/usr/sbin/postconf', ['-d', 'mail_version']).replace(/^mail_version = /, ''),
      swaks: run('/usr/bin/swaks', ['--version']).replace(/^swaks version /, ''),
      haproxy: run('/usr/sbin/haproxy', ['-v']).replace(/^HAProxy version (\S+).*$/, '$1'),
      aiosmtpd: run('/usr/bin/python3', ['-c', 'import aiosmtpd; print(aiosmtpd.__version__)']),
      openssl: run('/usr/bin/openssl', ['version']).split(' ')[1]!,
    };
    console.log(`interop peers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const name of ['nodemailer', 'smtp-server']) expect(versions[name]).toBe(pins[name]);
    for (const v of Object.values(versions)) expect(v).toMatch(/^\d+\.\d+/);
  });
});
