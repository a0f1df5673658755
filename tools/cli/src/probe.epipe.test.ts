// smtp probe with its stdout closed (`smtp probe ... | head -c1`): the exit code is the probe's
// outcome as with stdout open (0 served, 1 refused for good, 3 refused for now or no connection),
// never a stack trace, with the table or --json.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { crlfLines } from '@smtpkit/testkit';
import { runCli } from './run-cli.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that greets with `greeting` and answers EHLO and QUIT. */
function scripted(greeting: string): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(greeting);
    socket.setEncoding('latin1');
    socket.on(
      'data',
      crlfLines((line) => {
        if (line.startsWith('EHLO')) socket.write('250-mx.test\r\n250 PIPELINING\r\n');
        else if (line === 'QUIT') socket.end('221 2.0.0 bye\r\n');
        else socket.write('502 5.5.2 what\r\n');
      }),
    );
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A loopback port nothing listens on (a server opened and closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('smtp probe with stdout closed', () => {
  it.each([
    ['served', 0, '220 mx.test ESMTP\r\n'],
    ['refused for good (554 greeting)', 1, '554 5.7.1 go away\r\n'],
    ['refused for now (421 greeting)', 3, '421 4.3.2 busy\r\n'],
  ] as const)('%s: exit %i as with stdout open, no stack trace', async (_what, code, greeting) => {
    const port = await scripted(greeting);
    for (const output of [[], ['--json']]) {
      const open = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), ...output]);
      expect(open.code, `open ${output.join(' ')}`).toBe(code);
      for (const stdoutBytes of [0, 1]) {
        const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), ...output], { stdoutBytes });
        expect(r.signal).toBeNull();
        expect(r.stderr, `${stdoutBytes} ${output.join(' ')}`).not.toMatch(/EPIPE|\n\s+at /);
        expect(r.code, `${stdoutBytes} ${output.join(' ')}`).toBe(code);
      }
    }
  }, 60_000);

  it('no connection: exit 3, no stack trace', async () => {
    const port = await closedPort();
    for (const output of [[], ['--json']]) {
      for (const stdoutBytes of [0, 1]) {
        const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), ...output], { stdoutBytes });
        expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
        expect(r.code, `${stdoutBytes} ${output.join(' ')}`).toBe(3);
      }
    }
  }, 30_000);
});
