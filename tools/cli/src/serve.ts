// smtp serve: a sink server on esmtp-server-fsm/node that stores each message as <id>.eml + <id>.json.
import type { Command } from 'commander';
import { parseByteSize, parseCredentials, parsePort } from './options.js';
import type { Credentials } from './options.js';

/** Options of `smtp serve`, as parsed by commander. */
export interface ServeOptions {
  port: number;
  host: string;
  dir: string;
  tlsCert?: string;
  tlsKey?: string;
  auth?: Credentials;
  maxSize?: number;
  lmtp?: boolean;
  proxyProtocol?: boolean;
  hostname?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run a sink server: every accepted message is stored byte-exact as <id>.eml with its envelope in <id>.json')
    .requiredOption('-p, --port <port>', 'TCP port to listen on (0 = any free port)', parsePort)
    .option('-H, --host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('-d, --dir <dir>', 'directory for the stored messages (created if missing)')
    .option('--tls-cert <file>', 'PEM certificate: enables STARTTLS (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--auth <user:pass>', 'advertise AUTH and accept only these credentials', parseCredentials)
    .option('--max-size <bytes>', 'largest message accepted (advertised in SIZE), e.g. 25M', parseByteSize)
    .option('--lmtp', 'speak LMTP (LHLO, one reply per recipient after the body)')
    .option('--proxy-protocol', 'expect a PROXY protocol v1/v2 header first (behind HAProxy); the envelope records the real client')
    .option('--hostname <name>', 'host name in the greeting and EHLO reply', 'localhost')
    .action((opts: ServeOptions, cmd: Command) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) cmd.error('error: --tls-cert and --tls-key go together', { exitCode: 2 });
      throw new Error('serve needs esmtp-server-fsm/node createServer, which is not available in this build yet');
    });
}
