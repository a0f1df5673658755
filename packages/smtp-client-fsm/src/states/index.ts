/** The built-in client states, in order, and the registry that holds them. */
import type { ClientStateDefinition } from '../state-registry.js';
import { StateRegistry, stageOf } from '../state-registry.js';
import { authState } from './auth.js';
import { bannerState } from './banner.js';
import { bodyState } from './body.js';
import { dataState } from './data.js';
import { ehloState } from './ehlo.js';
import { finalState } from './final.js';
import { idleState } from './idle.js';
import { mailState } from './mail.js';
import { quitState } from './quit.js';
import { rcptState } from './rcpt.js';
import { rsetState } from './rset.js';
import { starttlsState } from './starttls.js';

const BUILTIN: readonly ClientStateDefinition[] = [
  bannerState,
  ehloState,
  starttlsState,
  authState,
  mailState,
  rcptState,
  dataState,
  bodyState,
  finalState,
  rsetState,
  idleState,
  quitState,
];

/**
 * The built-in client states in order, with their legacy stage codes (what `getStateMachine()`
 * lists before any registration). Rendered as the state diagram of the README.
 *
 * @example
 * BUILTIN_STATES.map((s) => `${s.name} (${s.stage})`);
 * @see RFC 5321 §3, §4.1
 */
export const BUILTIN_STATES: readonly { readonly id: number; readonly name: string; readonly stage: number; readonly description: string }[] = Object.freeze(
  BUILTIN.map((s, id) => Object.freeze({ id, name: s.name, stage: stageOf(s, {}), description: s.description ?? '' })),
);

/**
 * A fresh state list holding the built-in states (share one between connections via options).
 *
 * @example
 * const states = createStateRegistry(); states.register(xclientState({ ADDR: '192.0.2.1' }), { after: 'starttls' });
 * @see RFC 5321 §4.1
 */
export function createStateRegistry(): StateRegistry {
  const r = new StateRegistry();
  for (const s of BUILTIN) r.addBuiltin(s);
  return r;
}
