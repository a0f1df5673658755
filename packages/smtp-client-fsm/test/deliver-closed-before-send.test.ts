// deliver() when an exchanger ends the session between EHLO and MAIL (a 421 in the same flight as
// the EHLO reply, or a close right after it): connect() resolved, but the session is over before
// the message starts, so send() rejects. Nothing was sent there: the next exchanger must be tried,
// and deliver() must resolve with every domain's result. It rejected as a whole, hiding deliveries
// already made to other domains (a caller retrying the whole message would send them twice).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { deliver } from '../src/node/index.js';
import type { MxResolver } from '../src/node/index.js';
import { ScriptedServer, listenScripted } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';

let good: ScriptedListener;
let last: ScriptedServer | undefined;
let bad: net.Server;
let badMode: 'close' | '421' = '421';
let badSessions = 0;

beforeAll(async () => {
  good = await listenScripted(() => (last = new ScriptedServer({})));
  // the same port on another loopback address: an exchanger that ends the session after its EHLO reply
  bad = net.createServer((sock) => {
    badSessions++;
    sock.on('error', () => undefined);
    sock.write('220 mx-bad ESMTP\r\n');
    sock.on('data', (d: Buffer) => {
      if (!d.toString('latin1').startsWith('EHLO')) return;
      sock.end(badMode === '421' ? '250-mx-bad\r\n250 PIPELINING\r\n421 4.3.2 shutting down\r\n' : '250-mx-bad\r\n250 PIPELINING\r\n');
    });
  });
  await new Promise<void>((r) => bad.listen(good.port, '127.0.0.2', r));
});

afterAll(async () => {
  await good.close();
  await new Promise<void>((r) => bad.close(() => r()));
});

const resolver: MxResolver = {
  resolveMx: (domain: string) => Promise.resolve(domain === 'one.test' ? [{ exchange: 'mx-bad.test', priority: 10 }, { exchange: 'mx-good.test', priority: 20 }] : [{ exchange: 'mx-good.test', priority: 10 }]),
  resolve4: (host: string) => Promise.resolve([host === 'mx-bad.test' ? '127.0.0.2' : '127.0.0.1']),
  resolve6: () => Promise.resolve([]),
} as unknown as MxResolver;

describe('deliver: an exchanger that ends the session right after EHLO', () => {
  for (const mode of ['421', 'close'] as const) {
    it(`${mode === '421' ? 'a 421 with the EHLO reply' : 'a close after the EHLO reply'}: the next exchanger takes the message; the other domain's delivery is reported`, async () => {
      badMode = mode;
      const before = badSessions;
      const r = await deliver({ port: good.port, security: 'off', resolver, from: 'a@x.test', to: ['b@one.test', 'c@two.test'], body: 'Subject: s\r\n\r\nhello\r\n' });
      expect(badSessions).toBe(before + 1);
      expect(r.outcome).toBe('delivered');
      expect(r.recipients.map((x) => [x.address, x.status])).toEqual([['b@one.test', 'accepted'], ['c@two.test', 'accepted']]);
      const one = r.domains.find((d) => d.domain === 'one.test')!;
      expect(one.attempts.map((a) => a.address)).toEqual(['127.0.0.2', '127.0.0.1']);
      expect(one.attempts[0]!.error).toBeDefined();
      expect(one.attempts[1]!.error).toBeUndefined();
      expect(last).toBeDefined();
    });
  }
});
