#!/usr/bin/env node
// The `smtp` command: serve, send, probe, classify (contract in docs/cli.md).
import { catchServeSignals } from './serve-signals.js';

// `smtp serve` catches SIGINT/SIGTERM/SIGHUP before the program loads, most of its start-up time
// under tsx: a SIGHUP meanwhile met the default action and ended the server before it listened.
// Only then is the rest imported (a static import would be evaluated before this line).
if (process.argv[2] === 'serve') catchServeSignals();
const { CommanderError } = await import('commander');
const { createProgram } = await import('./program.js');
const { EXIT } = await import('./options.js');

// A reader that goes away early (`smtp serve --help | head -1`) closes the pipe: what is left to
// print is dropped, quietly (an unhandled 'error' event would print a stack trace). serve keeps
// serving (it handles these errors itself too); the other commands finish as they would.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other parse problem is a usage error.
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version';
    process.exitCode = ok ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`smtp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.connection;
  }
}
