/**
 * The ordered list of client states that users extend (the modern `register_smtp_client_state`,
 * `smtp_get_state`, `smtp_get_state_machine`). Per instance: no module-level mutable state.
 */
import type { Reply } from 'smtp-reply-reader';
import type { Capabilities } from 'smtp-capabilities';
import { SmtpClientError } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import { stageName } from './stages.js';
import type { ClientTimerName } from './timeouts.js';
import { isOptionsObject } from '@smtpkit/foundation';

/**
 * What a state's handlers can do (the modern `delivery_construct` + `smtp_next_state`).
 *
 * @example
 * enter(ctx) { if (!ctx.capabilities.has('XFOO')) return ctx.next(); ctx.send('XFOO bar'); }
 * @see RFC 5321 §4.1
 */
export interface StateContext {
  /** Name of the state the handler runs for. */
  readonly state: string;
  /** The capabilities of the last EHLO (`Capabilities.none()` before it, after HELO, and right after STARTTLS). */
  readonly capabilities: Capabilities;
  /** True once TLS is active (implicit TLS or after STARTTLS). */
  readonly tls: boolean;
  /** True while the current mail transaction's commands were written as one RFC 2920 group. */
  readonly pipelined: boolean;
  /** Per-connection storage of this state (the legacy `state_closure`), kept across re-entries. */
  readonly local: Record<string, unknown>;
  /** The message being sent, if any. */
  readonly message: { readonly id: number; readonly from: string; readonly to: readonly string[] } | undefined;
  /** Sends one command line (CRLF added, control bytes rejected); one reply is expected for it. */
  send(command: string): void;
  /**
   * Writes raw bytes that expect no reply (a PROXY protocol header). Only states placed before
   * `banner` may do it; elsewhere it throws `ERR_SMTP_CLIENT_RAW_WRITE`.
   */
  write(bytes: Uint8Array | string): void;
  /** Moves on: `null`/omitted = the next state in the list, or a state name or id. */
  next(state?: string | number | null): void;
  /**
   * Gives up the connection politely: an `error` event with `code` (and `reply`), every pending
   * message fails (`deferred` unless `permanent`; `reply`, when given, is kept in its recipients'
   * results, unclassified when a 5xx goes with `deferred`), then QUIT. The Node adapter's `connect()`
   * rejects with that code when a state gives up before the session is ready.
   */
  abandon(code: ClientErrorCode, reply?: Reply, permanent?: boolean): void;
  /**
   * Discards the capabilities and says EHLO again (after XCLIENT, for example). `name` replaces
   * the `hostname` option in this and every later EHLO/HELO of the connection: after XCLIENT, the
   * original client's HELO name, which the server would otherwise take from the new EHLO.
   * A name with a space or a control character is `ERR_SMTP_CLIENT_INVALID_PARAMETER`.
   */
  rehello(name?: string): void;
}

/**
 * How a state takes part in RFC 2920 pipelining. `'group'`: the state belongs to a mail
 * transaction that may be written as one group (MAIL, RCPT..., DATA) and, while `ctx.pipelined`
 * is true, sends nothing of its own (it reads its share of the group's replies, or only passes
 * through). `'barrier'` (the default): the state needs the replies to everything before it, so no
 * group is written across it.
 *
 * @example
 * const audit: ClientStateDefinition = { name: 'audit', stage: 3, pipelining: 'group', enter: (c) => c.next(), reply: () => undefined };
 * @see RFC 2920 §3.1
 */
export type StatePipelining = 'group' | 'barrier';

/**
 * A state definition: its name, its legacy stage code (a number, or a function of the state's
 * `local` data), what it sends on entry (`enter`), how it reacts to each reply (`reply`), the
 * timer armed while it waits (`timeout`, default `command`) and its pipelining role.
 * The built-in states are definitions of this shape: `getState('mail').definition` can be wrapped
 * and put back with `replaceState`.
 *
 * @example
 * const noop: ClientStateDefinition = { name: 'noop', stage: 11, enter: (c) => c.send('NOOP'), reply: (c) => c.next() };
 * @see RFC 5321 §4.1
 */
export interface ClientStateDefinition {
  readonly name: string;
  readonly stage: number | ((local: Readonly<Record<string, unknown>>) => number);
  readonly timeout?: ClientTimerName;
  readonly pipelining?: StatePipelining;
  /** One line for `BUILTIN_STATES` and diagrams. */
  readonly description?: string;
  enter(ctx: StateContext): void;
  reply(ctx: StateContext, reply: Reply): void;
}

/**
 * A registered state as `getState()` / `getStateMachine()` report it. `stage` is the code for a
 * fresh `local` (a state whose stage depends on its data reports the live one in `conn.stage`).
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

/** The stage code of a definition for a given `local` (22, unknown, when the function misbehaves). */
export function stageOf(def: ClientStateDefinition, local: Readonly<Record<string, unknown>>): number {
  const s = typeof def.stage === 'function' ? def.stage(local) : def.stage;
  return Number.isInteger(s) && s >= 0 && s <= 22 ? s : 22;
}

function validate(def: ClientStateDefinition): void {
  if (typeof def !== 'object' || def === null) incomplete('not an object');
  if (typeof def.name !== 'string' || def.name === '') incomplete('name must be a non-empty string');
  if (typeof def.enter !== 'function') incomplete('enter must be a function');
  if (typeof def.reply !== 'function') incomplete('reply must be a function');
  if (typeof def.stage !== 'function' && (!Number.isInteger(def.stage) || def.stage < 0 || def.stage > 22)) incomplete('stage must be a code 0-22 or a function of local');
  if (def.pipelining !== undefined && def.pipelining !== 'group' && def.pipelining !== 'barrier') incomplete("pipelining must be 'group' or 'barrier'");
  if (typeof def.stage === 'function') {
    // Its code for a fresh `local` is what getState() reports: a function that throws on `{}` is refused now.
    try {
      def.stage({});
    } catch (e) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_STATE_INCOMPLETE', `state definition: the stage function threw for a fresh local: ${e instanceof Error ? e.message : String(e)}`, 'local', { cause: e });
    }
  }
}

/**
 * Built-in states no registered state may follow, and why: `body` ends by jumping to `final`
 * once the last byte is queued, and a state between them would read the reply to the end of
 * data; nothing follows `quit`, whose reply ends the session.
 */
const NO_STATE_AFTER: Readonly<Record<string, string>> = Object.freeze({
  body: 'a state there would read the reply to the end of data (insert after final instead)',
  quit: 'the session ends with the reply to QUIT (insert after idle instead)',
});

/**
 * The ordered state list of one connection (or shared by several, when passed as an option).
 *
 * @example
 * const reg = createStateRegistry(); reg.register(myState, { after: 'ehlo' });
 * @see RFC 5321 §4.1
 */
export class StateRegistry {
  private readonly entries: StateInfo[] = [];
  private nextId = 0;

  /** @internal Adds a built-in at the end. */
  addBuiltin(def: ClientStateDefinition): void {
    this.entries.push(this.info(def, true, this.nextId++));
  }

  /**
   * Inserts `def` after `options.after` (or first for `-1`, before the banner) and returns its id.
   * `options` that are not an object (a list included) are `ERR_SMTP_CLIENT_STATE_INCOMPLETE`.
   */
  register(def: ClientStateDefinition, options: RegisterOptions): number {
    validate(def);
    const given: unknown = options;
    if (!isOptionsObject(given)) throw new SmtpClientError('ERR_SMTP_CLIENT_STATE_INCOMPLETE', 'register options: expected { after: state name or id, or -1 }');
    if (this.find(def.name) !== -1) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_DUPLICATE_STATE', `state ${JSON.stringify(def.name)} already exists`);
    }
    let at: number;
    if (options.after === -1) at = 0;
    else {
      const i = this.find(options.after);
      const anchor = this.entries[i];
      if (!anchor) throw new SmtpClientError('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state ${JSON.stringify(options.after)} to insert after`);
      const why = anchor.builtin ? NO_STATE_AFTER[anchor.name] : undefined;
      if (why !== undefined) throw new SmtpClientError('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state may be inserted after ${JSON.stringify(anchor.name)}: ${why}`);
      at = i + 1;
    }
    const info = this.info(def, false, this.nextId++);
    this.entries.splice(at, 0, info);
    return info.id;
  }

  /**
   * Puts `def` in the place of the state `idOrName` (same id and position; `def.name` must be that
   * state's name): the way to wrap a built-in. Returns the definition it replaced.
   *
   * @example
   * const mail = reg.get('mail')!.definition;
   * reg.replace('mail', { ...mail, enter(ctx) { log(ctx.message?.id); mail.enter(ctx); } });
   */
  replace(idOrName: string | number, def: ClientStateDefinition): ClientStateDefinition {
    validate(def);
    const i = this.find(idOrName);
    const old = this.entries[i];
    if (!old) throw new SmtpClientError('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state ${JSON.stringify(idOrName)} to replace`);
    if (def.name !== old.name) throw new SmtpClientError('ERR_SMTP_CLIENT_STATE_INCOMPLETE', `state definition: a replacement for ${JSON.stringify(old.name)} must keep its name`);
    this.entries[i] = this.info(def, old.builtin, old.id);
    return old.definition;
  }

  /** A state by id or name. */
  get(idOrName: string | number): StateInfo | undefined {
    const i = this.find(idOrName);
    return i === -1 ? undefined : this.entries[i];
  }

  /** The state after `idOrName` in the list. */
  after(idOrName: string | number): StateInfo | undefined {
    const i = this.find(idOrName);
    return i === -1 ? undefined : this.entries[i + 1];
  }

  /** Position of a state in the list, -1 when absent. */
  indexOf(idOrName: string | number): number {
    return this.find(idOrName);
  }

  /** True when every state from `from` to `to` (both included) declares `pipelining: 'group'`. */
  groupBetween(from: string, to: string): boolean {
    const a = this.find(from);
    const b = this.find(to);
    if (a === -1 || b === -1) return false;
    for (let i = a; i <= b; i++) if (this.entries[i]!.definition.pipelining !== 'group') return false;
    return true;
  }

  /**
   * @internal A copy of the list, for one connection: what is registered or replaced in either
   * afterwards does not reach the other.
   */
  static copyOf(source: Pick<StateRegistry, 'list'>): StateRegistry {
    const r = new StateRegistry();
    for (const info of source.list()) {
      r.entries.push(info);
      r.nextId = Math.max(r.nextId, info.id + 1);
    }
    return r;
  }

  /** The ordered list (a copy). */
  list(): StateInfo[] {
    return [...this.entries];
  }

  private find(idOrName: string | number): number {
    return this.entries.findIndex((s) => (typeof idOrName === 'number' ? s.id === idOrName : s.name === idOrName));
  }

  private info(def: ClientStateDefinition, builtin: boolean, id: number): StateInfo {
    const stage = stageOf(def, {});
    return Object.freeze({ id, name: def.name, stage, stageName: stageName(stage), builtin, definition: def });
  }
}
