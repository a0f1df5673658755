// SIGINT, SIGTERM and SIGHUP of `smtp serve`: one set of handlers for the single process, the
// --workers primary and its workers. A signal that comes before its handler is set meets the
// default action, which for each of the three ends the process: main.ts catches them first thing,
// before it loads the program (most of the start-up time under tsx), and the command catches them
// again as it starts (a no-op then) for a program run some other way.
// Until the command says how it answers them (answerServeSignals: once it listens, or for the
// primary once it can stop its workers), a SIGHUP is remembered and answered then, and a SIGINT or
// SIGTERM ends the process at once with the exit code of a signal's stop, 0: nothing listens yet.

/** How a started `smtp serve` answers its signals. */
export interface ServeSignalAnswers {
  /** SIGHUP. `whileStarting`: it came before answerServeSignals and is answered late. */
  hangup(whileStarting: boolean): void;
  /** SIGINT or SIGTERM. */
  stop(signal: 'SIGINT' | 'SIGTERM'): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let catching = false;
let answers: ServeSignalAnswers | undefined;
let hangupWhileStarting = false;

function onSignal(signal: NodeJS.Signals): void {
  if (answers === undefined) {
    if (signal === 'SIGHUP') hangupWhileStarting = true;
    else process.exit(0);
  } else if (signal === 'SIGHUP') answers.hangup(false);
  else answers.stop(signal as 'SIGINT' | 'SIGTERM');
}

/** Catches SIGINT, SIGTERM and SIGHUP from now on (again: a no-op). */
export function catchServeSignals(): void {
  if (catching) return;
  catching = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** One turn of the event loop: its poll dispatches the signals already received. */
function dispatchReceivedSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Whether a SIGHUP came while starting, forgetting it: called just before the certificate files
 * are read, which answers it (the files read are at least as new as the signal).
 */
export async function takeHangupWhileStarting(): Promise<boolean> {
  await dispatchReceivedSignals();
  const came = hangupWhileStarting;
  hangupWhileStarting = false;
  return came;
}

/**
 * From now on the signals go to `to`. A signal that came while starting is taken as such first
 * (start-up runs without turning the event loop for long stretches, so it may not have been
 * dispatched yet): a SIGINT/SIGTERM exits 0 here, a SIGHUP is answered now (once, however many came).
 */
export async function answerServeSignals(to: ServeSignalAnswers): Promise<void> {
  catchServeSignals();
  await dispatchReceivedSignals();
  answers = to;
  if (hangupWhileStarting) {
    hangupWhileStarting = false;
    to.hangup(true);
  }
}

/** Stops catching them: a signal meets its default action again. */
export function releaseServeSignals(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
  catching = false;
  answers = undefined;
  hangupWhileStarting = false;
}
