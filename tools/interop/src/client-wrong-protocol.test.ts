// LMTP spoken to an SMTP server and SMTP to an LMTP server: Postfix smtpd answers LHLO with "500
// 5.5.2 Error: command not recognized"; aiosmtpd's LMTP class answers EHLO and HELO with 500. The
// session cannot start, and the reason the client reports is that reply (ERR_SMTP_CLIENT_HELLO_REJECTED),
// a permanent refusal for smtp send (failed, exit 1), not a lost connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'smtp-client-fsm/node';
import { freePort } from '@smtpkit/testkit';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';
import { runCli } from '../../cli/src/run-cli.js';
import { pythonServeTail, startPython } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

const LMTP_SERVER = String.raw`
import sys
from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
class Handler:
    pass
class C(Controller):
    def factory(self):
        return LMTP(self.handler)
c = C(Handler(), hostname='127.0.0.1', port=int(sys.argv[1]))
${pythonServeTail()}`;

describe.runIf(postfixAvailable())('the wrong protocol: LMTP to Postfix smtpd, SMTP to aiosmtpd LMTP', () => {
  let pf: PrivatePostfix;
  let lmtp: Running | undefined;
  let lmtpPort = 0;
  let work = '';

  beforeAll(async () => {
    pf = await startPrivatePostfix({ transport: { 'pf.test': 'discard:' } });
    work = mkdtempSync(join(tmpdir(), 'wrong-protocol-'));
    writeFileSync(join(work, 'lmtp.py'), LMTP_SERVER);
    lmtpPort = await freePort();
    lmtp = await startPython(join(work, 'lmtp.py'), [String(lmtpPort)], lmtpPort);
    const version = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    console.log(`peers: Postfix ${version('/usr/sbin/postconf', ['-d', 'mail_version']).replace(/^mail_version = /, '')}, aiosmtpd ${version('/usr/bin/python3', ['-c', 'import aiosmtpd; print(aiosmtpd.__version__)'])}`);
  });

  afterAll(async () => {
    await lmtp?.stop();
    await pf?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('library: connect() rejects with ERR_SMTP_CLIENT_HELLO_REJECTED and the 500 reply, both ways', async () => {
    await expect(connect({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', lmtp: true })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', reply: { code: 500 } });
    await expect(connect({ host: '127.0.0.1', port: lmtpPort, security: 'off' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', reply: { code: 500 } });
  });

  it('smtp send: every message failed with the 500, exit 1, one connection tried', async () => {
    for (const args of [['-p', String(pf.smtpPort), '--lmtp'], ['-p', String(lmtpPort)]]) {
      const run = await runCli(['send', '-H', '127.0.0.1', ...args, '--starttls', 'off', '-f', 'a@c.test', '-t', 'x@pf.test', '-n', '2', '--json']);
      expect(run.code).toBe(1);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; outcome?: string; reply?: { code: number } });
      expect(lines.filter((l) => l.type === 'message').map((l) => [l.outcome, l.reply?.code])).toEqual([['failed', 500], ['failed', 500]]);
      expect(lines.at(-1)).toMatchObject({ type: 'summary', rejected: 2, connectionErrors: 0 });
    }
    expect(pf.deliveries()).toEqual([]);
  });
});
