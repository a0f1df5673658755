// Builds the commander program with every command; main.ts runs it.
import { Command, CommanderError } from 'commander';
import { registerClassify } from './classify.js';
import { EXIT } from './options.js';
import { registerProbe } from './probe.js';
import { registerSend } from './send.js';
import { registerServe } from './serve.js';

/** Where commander writes help and errors (tests capture it). */
export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** The `smtp` program with all commands registered (parse errors throw instead of exiting). */
export function createProgram(output?: ProgramOutput): Command {
  const program = new Command('smtp')
    .description('SMTP from both ends: a sink server, a sender, a capability probe and a bounce classifier (smtpkit)')
    .version('0.0.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // `smtp` without a command (or `smtp help bogus`) is a bad command line: commander prints the
    // usage on stderr and ends with its help code, which main.ts reads as success. It becomes a
    // usage error (exit 2); `smtp --help` and `smtp help` still end with help, exit 0.
    .exitOverride((error) => {
      if (error.code === 'commander.help' && error.exitCode !== 0) throw new CommanderError(EXIT.usage, 'smtp.missingCommand', 'missing command');
      throw error;
    });
  if (output !== undefined) program.configureOutput(output);
  // Commands created with .command() inherit exitOverride and showHelpAfterError.
  registerServe(program);
  registerSend(program);
  registerProbe(program);
  registerClassify(program);
  return program;
}
