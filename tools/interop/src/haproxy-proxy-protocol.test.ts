// HAProxy in front of `smtp serve --proxy-protocol`, with PROXY protocol v1 (send-proxy) and v2
// (send-proxy-v2): the stored envelope shows the real client address (127.0.0.2), not HAProxy's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, readStored, runProgram, serverAdapterAvailable, startServe, tempDir, waitForPort, waitForStored } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

const available = await serverAdapterAvailable();

/** An HAProxy configuration with one TCP frontend per PROXY protocol version. */
export function haproxyConfig(v1Port: number, v2Port: number, backendPort: number): string {
  return [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend smtp_v1',
    `  bind 127.0.0.1:${v1Port}`,
    '  default_backend sink_v1',
    'frontend smtp_v2',
    `  bind 127.0.0.1:${v2Port}`,
    '  default_backend sink_v2',
    'backend sink_v1',
    `  server s1 127.0.0.1:${backendPort} send-proxy`,
    'backend sink_v2',
    `  server s2 127.0.0.1:${backendPort} send-proxy-v2`,
    '',
  ].join('\n');
}

describe.runIf(available)('HAProxy with the PROXY protocol in front of smtp serve', () => {
  const tmp = tempDir('cli-haproxy-');
  const store = join(tmp.dir, 'store');
  let serve: Running | undefined;
  let haproxy: ReturnType<typeof spawn> | undefined;
  let v1 = 0;
  let v2 = 0;

  beforeAll(async () => {
    serve = await startServe(['--dir', store, '--proxy-protocol']);
    v1 = await freePort();
    v2 = await freePort();
    const cfg = join(tmp.dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(v1, v2, serve.port));
    haproxy = spawn('/usr/sbin/haproxy', ['-db', '-f', cfg], { stdio: 'ignore' });
    await waitForPort(v1, 10_000);
    await waitForPort(v2, 10_000);
  });

  afterAll(async () => {
    if (haproxy !== undefined && haproxy.exitCode === null) {
      const h = haproxy;
      await new Promise((r) => {
        h.once('exit', r);
        h.kill('SIGKILL');
      });
    }
    await serve?.stop();
    tmp.cleanup();
  });

  it.each([
    ['v1', () => v1],
    ['v2', () => v2],
  ] as const)('PROXY %s: the envelope records the real client address', async (version, port) => {
    const before = (await readStored(store)).length;
    const r = await runProgram('swaks', ['--server', '127.0.0.1', '--port', String(port()), '--local-interface', '127.0.0.2', '--from', `proxy-${version}@example.org`, '--to', 'bob@example.net', '--body', `via haproxy ${version}`], { timeoutMs: 30_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [s] = (await waitForStored(store, before + 1)).slice(before);
    expect(s!.envelope.from).toBe(`proxy-${version}@example.org`);
    expect(s!.envelope.clientAddress).toBe('127.0.0.2');
  });

  it('a direct connection without a PROXY header is refused and stores nothing', async () => {
    const before = (await readStored(store)).length;
    const r = await runProgram('swaks', ['--server', '127.0.0.1', '--port', String(serve!.port), '--from', 'a@example.org', '--to', 'b@example.net', '--timeout', '2'], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect((await readStored(store)).length).toBe(before);
  });
});
