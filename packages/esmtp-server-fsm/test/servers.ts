// Servers that a test file starts on loopback, each closed after the test that started it.
import { afterEach } from 'vitest';
import { createServer } from '../src/node/index.js';
import type { CreateServerOptions, SmtpServer } from '../src/node/index.js';

export interface TestServers {
  /** Starts a server on a free loopback port. */
  start(options: CreateServerOptions): Promise<{ port: number; server: SmtpServer }>;
  /** Closes a server made elsewhere after the current test too. */
  track(server: SmtpServer): SmtpServer;
}

/** Call once at the top of a test file; `hostname` is the servers' default name. */
export function serversPerTest(hostname: string): TestServers {
  const servers: SmtpServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close({ timeout: 200 });
  });
  return {
    track(server) {
      servers.push(server);
      return server;
    },
    async start(options) {
      const server = createServer({ hostname, ...options });
      servers.push(server);
      return { port: (await server.listen(0, '127.0.0.1')).port, server };
    },
  };
}
