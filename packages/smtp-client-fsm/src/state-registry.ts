/**
 * The ordered list of client states that users extend (the modern `register_smtp_client_state`,
 * `smtp_get_state`, `smtp_get_state_machine`). Per instance: no module-level mutable state.
 */
import type { Reply } from 'smtp-reply-reader';
import type { ServerCapabilities } from './capabilities.js';
import { SmtpClientError } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import { stageName } from './stages.js';
import type { TimeoutPhase } from './timeouts.js';

/**
 * What a state's handlers can do (the modern `delivery_construct` + `smtp_next_state`).
 *
 * @example
 * enter(ctx) { if (!ctx.capabilities.keywords['XFOO']) return ctx.next(); ctx.send('XFOO bar'); }
 * @see RFC 5321 §4.1
 */
export interface StateContext {
  /** Name of the state the handler runs for. */
  readonly state: string;
  /** The capabilities of the last EHLO (empty after STARTTLS until the new EHLO). */
  readonly capabilities: ServerCapabilities;
  /** True once TLS is active (implicit TLS or after STARTTLS). */
  readonly tls: boolean;
  /** Per-connection storage of this state (the legacy `state_closure`), kept across re-entries. */
  readonly local: Record<string, unknown>;
  /** The message being sent, if any. */
  readonly message: { readonly id: number; readonly from: string; readonly to: readonly string[] } | undefined;
  /** Sends one command line (CRLF added, control bytes rejected); one reply is expected for it. */
  send(command: string): void;
  /** Moves on: `null`/omitted = the next state in the list, or a state name or id. */
  next(state?: string | number | null): void;
  /** Gives up the connection politely: every pending message fails (transient unless `permanent`), then QUIT. */
  abandon(code: ClientErrorCode, reply?: Reply, permanent?: boolean): void;
  /** Discards the capabilities and says EHLO again (after XCLIENT, for example). */
  rehello(): void;
}

/**
 * A state definition: its name, its legacy stage code, what it sends on entry and how it reacts
 * to each reply. `timeout` picks the timer phase armed while it waits (default `command`).
 *
 * @example
 * const noop: ClientStateDefinition = { name: 'noop', stage: 11, enter: (c) => c.send('NOOP'), reply: (c) => c.next() };
 * @see RFC 5321 §4.1
 */
export interface ClientStateDefinition {
  readonly name: string;
  readonly stage: number;
  readonly timeout?: TimeoutPhase;
  enter(ctx: StateContext): void;
  reply(ctx: StateContext, reply: Reply): void;
}

/**
 * A registered state as `getState()` / `getStateMachine()` report it.
 *
 * @example
 * conn.getState('rcpt'); // { id: 5, name: 'rcpt', stage: 4, stageName: 'during RCPT TO', builtin: true, ... }
 * @see RFC 5321 §4.1
 */
export interface StateInfo {
  readonly id: number;
  readonly name: string;
  readonly stage: number;
  readonly stageName: string;
  readonly builtin: boolean;
  readonly definition: ClientStateDefinition;
}

/**
 * Where to insert a custom state: after a state name or id, or `-1` for before the banner.
 *
 * @example
 * conn.registerState(xclientState({ ADDR: '192.0.2.1' }), { after: 'starttls' });
 * @see RFC 5321 §4.1
 */
export interface RegisterOptions {
  readonly after: string | number;
}

function incomplete(what: string): never {
  throw new SmtpClientError('ERR_SMTP_CLIENT_STATE_INCOMPLETE', `state definition: ${what}`);
}

/**
 * The ordered state list of one connection (or shared by several, when passed as an option).
 *
 * @example
 * const reg = new StateRegistry(); reg.register(myState, { after: 'ehlo' });
 * @see RFC 5321 §4.1
 */
export class StateRegistry {
  readonly #list: StateInfo[] = [];
  #nextId = 0;

  /** @internal Adds a built-in at the end. */
  addBuiltin(def: ClientStateDefinition): void {
    this.#list.push(this.#info(def, true));
  }

  /** Inserts `def` after `options.after` (or first for `-1`) and returns its id. */
  register(def: ClientStateDefinition, options: RegisterOptions): number {
    if (typeof def !== 'object' || def === null) incomplete('not an object');
    if (typeof def.name !== 'string' || def.name === '') incomplete('name must be a non-empty string');
    if (typeof def.enter !== 'function') incomplete('enter must be a function');
    if (typeof def.reply !== 'function') incomplete('reply must be a function');
    if (!Number.isInteger(def.stage) || def.stage < 0 || def.stage > 22) incomplete('stage must be a code 0-22');
    if (this.#find(def.name) !== -1) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_DUPLICATE_STATE', `state ${JSON.stringify(def.name)} already exists`);
    }
    let at: number;
    if (options.after === -1) at = 0;
    else {
      const i = this.#find(options.after);
      if (i === -1) throw new SmtpClientError('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state ${JSON.stringify(options.after)} to insert after`);
      at = i + 1;
    }
    const info = this.#info(def, false);
    this.#list.splice(at, 0, info);
    return info.id;
  }

  /** A state by id or name. */
  get(idOrName: string | number): StateInfo | undefined {
    const i = this.#find(idOrName);
    return i === -1 ? undefined : this.#list[i];
  }

  /** The state after `idOrName` in the list. */
  after(idOrName: string | number): StateInfo | undefined {
    const i = this.#find(idOrName);
    return i === -1 ? undefined : this.#list[i + 1];
  }

  /** Position of a state in the list, -1 when absent. */
  indexOf(idOrName: string | number): number {
    return this.#find(idOrName);
  }

  /** The ordered list (a copy). */
  list(): StateInfo[] {
    return [...this.#list];
  }

  #find(idOrName: string | number): number {
    return this.#list.findIndex((s) => (typeof idOrName === 'number' ? s.id === idOrName : s.name === idOrName));
  }

  #info(def: ClientStateDefinition, builtin: boolean): StateInfo {
    return Object.freeze({ id: this.#nextId++, name: def.name, stage: def.stage, stageName: stageName(def.stage), builtin, definition: def });
  }
}
