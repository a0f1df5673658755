#!/usr/bin/env node
// The `smtp` command: serve, send, probe, classify (contract in docs/cli.md).
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { EXIT } from './options.js';

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
