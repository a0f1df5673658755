// The Node entries (`smtp-client-fsm/node`, `esmtp-server-fsm/node`) against the built packages as
// an application resolves them: the Node entry and the main entry of a package share one copy of
// its core, so what one makes works with the other (a state registry or a built-in state from
// `smtp-client-fsm` in a connection from `smtp-client-fsm/node`), and a registered state that
// throws ends its connection with a typed error instead of stopping the process.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORE_PACKAGES } from '../src/packages.mjs';
import { join } from 'node:path';
import { NODE18, distExists, root } from '../src/harness.js';

const SCRIPT = `
import { createServer } from 'esmtp-server-fsm/node';
import { isSmtpServerError } from 'esmtp-server-fsm';
import { connect } from 'smtp-client-fsm/node';
import { STAGE, createStateRegistry, isSmtpClientError } from 'smtp-client-fsm';
const out = {};
const server = createServer({ hostname: 'mx.test' });
const { port } = await server.listen(0, '127.0.0.1');
const message = { from: 'a@x.test', to: ['b@y.test'], body: 'Subject: t\\r\\n\\r\\nhi\\r\\n' };
const states = createStateRegistry();
states.register({ name: 'noop', stage: STAGE.AFTER_MAIL, enter: (c) => c.send('NOOP'), reply: (c) => c.next() }, { after: 'mail' });
const c1 = await connect({ host: '127.0.0.1', port, security: 'off', states });
out.registry = (await c1.send(message)).outcome;
await c1.quit();
const buggy = createStateRegistry();
buggy.register({ name: 'buggy', stage: STAGE.AFTER_MAIL, enter: (c) => c.send('NOOP'), reply: () => { throw new Error('a bug in a state'); } }, { after: 'mail' });
const c2 = await connect({ host: '127.0.0.1', port, security: 'off', states: buggy });
const r2 = await c2.send(message);
out.throwing = [r2.outcome, r2.recipients[0].errorCode, c2.closed];
const c3 = await connect({ host: '127.0.0.1', port, security: 'off' });
out.after = (await c3.send(message)).outcome;
await c3.quit();
try { await connect({ host: '127.0.0.1', port, security: 'sometimes' }); } catch (e) { out.clientGuard = isSmtpClientError(e); }
try { createServer({ hostname: 'mx.test', limits: { maxMessageSize: -5 } }); } catch (e) { out.serverGuard = isSmtpServerError(e); }
await server.close({ timeout: 100 });
console.log(JSON.stringify(out));
`;

// esmtp-server-fsm declares Node >= 18: its Node entry takes a message over loopback in Node 18 too.
const SERVER_SCRIPT = `
import { createServer } from 'esmtp-server-fsm/node';
import { connect } from 'node:net';
const got = [];
const server = createServer({
  hostname: 'mx.test',
  onData: async (_env, body) => {
    const parts = [];
    for await (const c of body) parts.push(c);
    got.push(Buffer.concat(parts).toString('latin1'));
  },
});
const { port } = await server.listen(0, '127.0.0.1');
const s = connect(port, '127.0.0.1');
const codes = [];
let rest = '';
let wake = () => {};
s.on('data', (d) => {
  rest += d.toString('latin1');
  for (let i = rest.indexOf('\\r\\n'); i >= 0; i = rest.indexOf('\\r\\n')) {
    const line = rest.slice(0, i);
    rest = rest.slice(i + 2);
    if (line[3] === ' ') { codes.push(line.slice(0, 3)); wake(); }
  }
});
const reply = () => new Promise((r) => { wake = r; });
await reply();
for (const line of ['EHLO c.test', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@y.test>', 'DATA', 'Subject: t\\r\\n\\r\\n..dot\\r\\n.', 'QUIT']) {
  const next = reply();
  s.write(line + '\\r\\n');
  await next;
}
await new Promise((r) => s.once('close', r));
await server.close({ timeout: 100 });
console.log(JSON.stringify({ version: process.version, codes, got }));
`;

beforeAll(() => {
  if (!CORE_PACKAGES.every(distExists)) {
    const r = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('pnpm build failed');
  }
}, 180_000);

describe('the Node entries share their package core (built packages, resolved by name)', () => {
  it('a registry made with smtp-client-fsm runs in connect(); a state that throws fails its message, not the process', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: join(root, 'tools', 'portability'), encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      registry: 'delivered',
      throwing: ['deferred', 'ERR_SMTP_CLIENT_HOOK_FAILED', true],
      after: 'delivered',
      clientGuard: true,
      serverGuard: true,
    });
  });

  it.each([['the Node running the suite', process.execPath], ['Node 18.20.8', NODE18]])('esmtp-server-fsm/node takes a message in %s', (_name, node) => {
    const r = spawnSync(node, ['--input-type=module', '-e', SERVER_SCRIPT], { cwd: join(root, 'tools', 'portability'), encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { version: string; codes: string[]; got: string[] };
    expect(out.version).toBe(node === NODE18 ? 'v18.20.8' : process.version);
    expect(out.codes).toEqual(['220', '250', '250', '250', '354', '250', '221']);
    expect(out.got).toEqual(['Subject: t\r\n\r\n.dot\r\n']);
  });
});
