// A session that ends on an internal error (a bug) writes its 421 and half-closes; a 5 s timer then
// destroys a socket whose client never closes its side. That timer must end with the socket: once
// the socket has closed, nothing may keep the session (and its socket) in memory.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawSession, serversPerTest } from '../../test/servers.js';
import { watchTimers } from '../../test/watch-timers.js';
import { pollUntil as until } from '@smtpkit/testkit';

const servers = serversPerTest('node.test');
afterEach(() => {
  vi.restoreAllMocks();
});

describe('SRV-1 createServer: the close timer of a session ended by an internal error', () => {
  it('is cleared when the socket closes (a throwing isTrusted: 421 4.3.0, the client closes)', async () => {
    const errors: unknown[] = [];
    const { server, port } = await servers.start({
      isTrusted: () => {
        throw new Error('trust store down');
      },
      onError: (e) => errors.push(e),
    });
    const timers = watchTimers(5000);
    const out = await rawSession(port, []);
    expect(out).toMatch(/^421 4\.3\.0 node\.test Error: internal error, closing connection\r\n$/);
    expect(await until(() => server.connections === 0)).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual(['trust store down']);
    // the one 5 s close timer of that session, cleared with its socket
    expect(timers.made()).toHaveLength(1);
    const closeTimer = timers.made()[0];
    expect(await until(() => timers.cleared(closeTimer))).toBe(true);
  });
});
