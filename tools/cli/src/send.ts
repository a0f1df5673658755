// smtp send: sends N messages over C connections with smtp-client-fsm/node.
import { Option } from 'commander';
import type { Command } from 'commander';
import { collect, parseByteSize, parseCredentials, parsePort, parsePositiveInt } from './options.js';
import type { Credentials } from './options.js';

/** STARTTLS policy of `smtp send`. */
export type StartTlsPolicy = 'off' | 'optional' | 'required';

/** Options of `smtp send`, as parsed by commander. */
export interface SendOptions {
  host: string;
  port: number;
  from: string;
  to: string[];
  file?: string;
  size?: number;
  count: number;
  connections: number;
  starttls: StartTlsPolicy;
  auth?: Credentials;
  json?: boolean;
  helo?: string;
  insecure?: boolean;
  progress: boolean;
}

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send messages with smtp-client-fsm/node and print per-recipient results with their bounce class')
    .requiredOption('-H, --host <host>', 'server host')
    .requiredOption('-p, --port <port>', 'server port', parsePort)
    .requiredOption('-f, --from <address>', 'envelope sender (MAIL FROM); "" for the null path')
    .requiredOption('-t, --to <address>', 'envelope recipient (RCPT TO); repeat for more', collect)
    .option('--file <file.eml>', 'message to send (the exact bytes; line ends normalised to CRLF)')
    .option('--size <bytes>', 'generate a message of about this size instead of --file, e.g. 10k', parseByteSize)
    .option('-n, --count <n>', 'number of messages', parsePositiveInt, 1)
    .option('-c, --connections <c>', 'parallel connections', parsePositiveInt, 1)
    .addOption(new Option('--starttls <policy>', 'use STARTTLS when offered, never, or fail without it').choices(['off', 'optional', 'required']).default('optional'))
    .option('--auth <user:pass>', 'authenticate with these credentials', parseCredentials)
    .option('--helo <name>', 'name sent in EHLO/HELO', 'localhost')
    .option('--insecure', 'accept any TLS certificate (test servers with self-signed certificates)')
    .option('--json', 'print one JSON object per message')
    .option('--no-progress', 'never show the progress bar')
    .action((opts: SendOptions, cmd: Command) => {
      if (opts.file !== undefined && opts.size !== undefined) cmd.error('error: --file and --size exclude each other', { exitCode: 2 });
      throw new Error('send needs smtp-client-fsm/node, which is not available in this build yet');
    });
}
