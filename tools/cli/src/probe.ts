// smtp probe: connect, EHLO, print the banner and the capabilities.
import type { Command } from 'commander';
import { parsePort } from './options.js';

/** Options of `smtp probe`, as parsed by commander. */
export interface ProbeOptions {
  host: string;
  port: number;
  starttls?: boolean;
  json?: boolean;
  helo: string;
  insecure?: boolean;
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('connect, say EHLO and print the banner and the capabilities (a table, or JSON)')
    .requiredOption('-H, --host <host>', 'server host')
    .requiredOption('-p, --port <port>', 'server port', parsePort)
    .option('--starttls', 'upgrade with STARTTLS and show the capabilities offered after it too')
    .option('--helo <name>', 'name sent in EHLO', 'localhost')
    .option('--insecure', 'accept any TLS certificate')
    .option('--json', 'print JSON instead of a table')
    .action((_opts: ProbeOptions) => {
      throw new Error('probe needs smtp-client-fsm/node, which is not available in this build yet');
    });
}
