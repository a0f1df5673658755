// Builds the commander program with every command; main.ts runs it.
import { Command } from 'commander';
import { registerClassify } from './classify.js';
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
    .exitOverride();
  if (output !== undefined) program.configureOutput(output);
  // Commands created with .command() inherit exitOverride and showHelpAfterError.
  registerServe(program);
  registerSend(program);
  registerProbe(program);
  registerClassify(program);
  return program;
}
