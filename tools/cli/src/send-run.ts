// The engine of `smtp send`: N messages over C connections (each connection reused for the messages
// it takes), per-recipient outcomes, a summary. The transport is pluggable, so this runs with
// smtp-client-fsm/node in the CLI and with fakes in tests.
import { messageOutcome } from 'smtp-client-fsm';
import type { MessageOutcome as ClientOutcome, RecipientResult } from 'smtp-client-fsm';
import { EXIT } from './options.js';

/** The bounce class of a refused recipient (from smtp-errors). */
export interface BounceClass {
  readonly id: number;
  readonly name: string;
  readonly category: string;
}

/** A recipient's one final status (smtp-client-fsm's words). */
export type RecipientStatus = RecipientResult['status'];

/** A message's outcome, computed from its recipients' statuses. */
export type Outcome = ClientOutcome;

/** What happened to one recipient. */
export interface RecipientOutcome {
  readonly address: string;
  /** accepted (queued), rejected (for good), deferred (may succeed later), unknown (maybe delivered: no reply after the final dot). */
  readonly status: RecipientStatus;
  /** `status === 'accepted'`. */
  readonly accepted: boolean;
  /** The reply that decided it: for an accepted recipient, the reply that queued it. */
  readonly code?: number;
  readonly enhanced?: string;
  readonly text?: string;
  /** `status === 'deferred'` (never true for `unknown`: resending those may duplicate). */
  readonly transient: boolean;
  readonly bounce?: BounceClass;
}

/** The outcome of a message from its recipients: smtp-client-fsm's own rule. */
export const outcomeOf: (recipients: readonly Pick<RecipientOutcome, 'status'>[]) => Outcome = messageOutcome;

/**
 * Thrown by a transport's `open()` when the server refuses the session for good, such as AUTH
 * refused with a 5xx reply (`535 5.7.8`): no connection with the same settings can do better, so
 * every message not sent yet fails with `reply` (its recipients `rejected`, not `deferred`) and no
 * further connection is tried (a retry loop would only repeat the refusal, and may lock the account).
 */
export class SessionRefused extends Error {
  constructor(
    message: string,
    readonly reply: NonNullable<MessageOutcome['reply']>,
    readonly bounce?: BounceClass,
  ) {
    super(message);
    this.name = 'SessionRefused';
  }
}

/**
 * The connection had ended, or was saying QUIT, before this message was written to it
 * (smtp-client-fsm's `ERR_SMTP_CLIENT_CLOSED`): nothing of the message was tried there.
 */
function turnedAwayUntried(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_SMTP_CLIENT_CLOSED';
}

/** A recipient that was not tried (connection failure before its transaction). */
function notTried(address: string): RecipientOutcome {
  return { address, status: 'deferred', accepted: false, transient: true };
}

/** A recipient of a message the client refused to send (a local error: no reply to quote). */
function notSendable(address: string): RecipientOutcome {
  return { address, status: 'rejected', accepted: false, transient: false };
}

/**
 * An error the client raised about the message itself, before any of it reached the server (a
 * closed connection is also `kind: 'local'` in smtp-client-fsm, but it is the connection's failure).
 */
function isLocalRefusal(error: unknown): boolean {
  const e = error as { kind?: unknown; code?: unknown };
  return error instanceof Error && e.kind === 'local' && e.code !== 'ERR_SMTP_CLIENT_CLOSED';
}

/** The result of one message, as printed by `--json` (`type: "message"`). */
export interface MessageOutcome {
  readonly type: 'message';
  readonly index: number;
  readonly connection: number;
  /** From the recipients: delivered, partial, deferred, failed or unknown. */
  readonly outcome: Outcome;
  /** `outcome === 'delivered'`: every recipient accepted. */
  readonly ok: boolean;
  readonly recipients: readonly RecipientOutcome[];
  /** For delivered/partial: the reply that queued the message; otherwise the reply that stopped it, when there was one. */
  readonly reply?: { readonly code: number; readonly enhanced?: string; readonly text: string };
  /** Why the message failed as a whole (connection lost, TLS failure, refused MAIL...). */
  readonly error?: string;
  /** The failure was a connection/TLS problem rather than an SMTP refusal. */
  readonly connectionError?: boolean;
  readonly size: number;
  readonly ms: number;
}

/** What a transport returns for one message (the outcome is computed from the recipients). */
export type SendOutcome = Pick<MessageOutcome, 'recipients'> & { readonly reply?: MessageOutcome['reply']; readonly error?: string };

/** One open connection able to send messages one after another. */
export interface SenderConnection {
  send(message: { readonly from: string; readonly to: readonly string[]; readonly body: Uint8Array }): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** Totals printed at the end (`type: "summary"` with `--json`). */
export interface SendSummary {
  readonly type: 'summary';
  readonly messages: number;
  readonly messagesOk: number;
  readonly messagesFailed: number;
  readonly recipients: number;
  /** Recipients by final status: these four add up to `recipients`. */
  readonly accepted: number;
  readonly rejected: number;
  readonly deferred: number;
  /** Maybe delivered (no reply after the final dot): do not resend blindly. */
  readonly unknown: number;
  /** Messages by outcome. */
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly rejectedByClass: Readonly<Record<string, number>>;
  readonly connectionErrors: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly bytes: number;
}

export interface RunSendOptions {
  readonly count: number;
  readonly connections: number;
  readonly from: string;
  readonly to: readonly string[];
  readonly body: (index: number) => Uint8Array;
  readonly open: () => Promise<SenderConnection>;
  readonly onResult?: (outcome: MessageOutcome) => void;
  /** Stop a connection slot after this many consecutive failures to connect (default 3). */
  readonly maxConnectFailures?: number;
  readonly now?: () => number;
}

/** `message (CODE): cause` for an error thrown by a transport. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // The client's messages already quote their cause (e.g. the TLS error): say it once.
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
  return `${error.message}${typeof code === 'string' ? ` (${code})` : ''}${cause}`;
}

/** Sends `count` messages over up to `connections` parallel connections. */
export async function runSend(options: RunSendOptions): Promise<{ outcomes: MessageOutcome[]; summary: SendSummary }> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const outcomes: MessageOutcome[] = [];
  let next = 0;
  const record = (o: MessageOutcome): void => {
    outcomes.push(o);
    options.onResult?.(o);
  };

  // set once the server refused the session for good: the messages left fail with it, unsent
  let refused: SessionRefused | undefined;
  // Slots holding an open connection, and messages given back by a slot that could not connect
  // while another slot could (a server limiting connections per client): those go on the open ones.
  let live = 0;
  /** The slots' connections still opening (see the wait below). */
  const opens = new Set<Promise<SenderConnection>>();
  const givenBack: number[] = [];
  // messages a closing connection turned away untried, given to a new connection (once each)
  const untried = new Set<number>();

  async function worker(slot: number): Promise<void> {
    let conn: SenderConnection | undefined;
    let connectFailures = 0;
    const drop = (): void => {
      if (conn !== undefined) live--;
      conn = undefined;
    };
    try {
      while (next < options.count || givenBack.length > 0) {
        const index = givenBack.length > 0 ? givenBack.shift()! : next++;
        const body = options.body(index);
        const t0 = now();
        const fail = (error: unknown, connectionError: boolean): void =>
          record({ type: 'message', index, connection: slot, outcome: 'deferred', ok: false, recipients: options.to.map(notTried), error: describeError(error), connectionError, size: body.length, ms: now() - t0 });
        const failFor = (r: SessionRefused): void => {
          const { code, enhanced, text } = r.reply;
          const recipients = options.to.map((address): RecipientOutcome => ({ address, status: 'rejected', accepted: false, transient: false, code, ...(enhanced !== undefined ? { enhanced } : {}), text, ...(r.bounce !== undefined ? { bounce: r.bounce } : {}) }));
          record({ type: 'message', index, connection: slot, outcome: 'failed', ok: false, recipients, reply: r.reply, error: r.message, size: body.length, ms: now() - t0 });
        };
        if (refused !== undefined) {
          failFor(refused);
          continue;
        }
        if (conn === undefined) {
          const opening = (async () => options.open())();
          opens.add(opening);
          try {
            conn = await opening;
            opens.delete(opening);
            live++;
            connectFailures = 0;
          } catch (e) {
            opens.delete(opening);
            if (e instanceof SessionRefused) {
              refused ??= e;
              failFor(e);
              continue;
            }
            // Another slot's connection still in its handshake may be the one the server takes (a
            // per-client limit refuses the others at once): wait for it before counting a failure.
            if (live === 0 && opens.size > 0) await Promise.allSettled(opens);
            if (live > 0) {
              // another slot's connection is open: it takes this message; this slot stops
              givenBack.push(index);
              return;
            }
            fail(e, true);
            if (++connectFailures >= (options.maxConnectFailures ?? 3)) {
              // Give the remaining messages to the other slots; if none is left, they are not sent.
              return;
            }
            continue;
          }
        }
        try {
          const r = await conn.send({ from: options.from, to: options.to, body });
          const outcome = outcomeOf(r.recipients);
          record({ type: 'message', index, connection: slot, outcome, ok: outcome === 'delivered', recipients: r.recipients, ...(r.reply ? { reply: r.reply } : {}), ...(r.error !== undefined ? { error: r.error } : {}), size: body.length, ms: now() - t0 });
        } catch (e) {
          if (e instanceof SessionRefused) {
            // the new connection a send opened (the server had ended the last one) was refused for good
            refused ??= e;
            failFor(e);
            const broken = conn;
            drop();
            await broken.close().catch(() => undefined);
            continue;
          }
          if (turnedAwayUntried(e) && !untried.has(index)) {
            // Not tried at all: no connection error, the message goes on a new connection.
            untried.add(index);
            givenBack.unshift(index);
            const closing = conn;
            drop();
            await closing.close().catch(() => undefined);
            continue;
          }
          if (isLocalRefusal(e)) {
            // The client refused the message itself before sending any of it (smtp-client-fsm's
            // `kind: 'local'`): that message failed, the connection is fine and stays in use.
            record({ type: 'message', index, connection: slot, outcome: 'failed', ok: false, recipients: options.to.map(notSendable), error: describeError(e), size: body.length, ms: now() - t0 });
            continue;
          }
          fail(e, true);
          const broken = conn;
          drop();
          await broken.close().catch(() => undefined);
        }
      }
    } finally {
      const last = conn;
      drop();
      await last?.close().catch(() => undefined);
    }
  }

  const slots = Math.max(1, Math.min(options.connections, options.count));
  await Promise.all(Array.from({ length: slots }, (_, i) => worker(i)));
  // Messages no slot could take (every slot gave up connecting).
  const notSent = givenBack.splice(0);
  while (next < options.count) notSent.push(next++);
  for (const index of notSent) {
    record({ type: 'message', index, connection: -1, outcome: 'deferred', ok: false, recipients: options.to.map(notTried), error: 'not sent: could not connect', connectionError: true, size: 0, ms: 0 });
  }
  outcomes.sort((a, b) => a.index - b.index);
  return { outcomes, summary: summarize(outcomes, (now() - started) / 1000) };
}

/** Totals over the outcomes: every count comes from the same per-recipient records the lines show. */
export function summarize(outcomes: readonly MessageOutcome[], seconds: number): SendSummary {
  const count: Record<RecipientStatus, number> = { accepted: 0, rejected: 0, deferred: 0, unknown: 0 };
  const byOutcome: Record<Outcome, number> = { delivered: 0, partial: 0, deferred: 0, failed: 0, unknown: 0 };
  let recipients = 0;
  let bytes = 0;
  let connectionErrors = 0;
  const byClass: Record<string, number> = {};
  for (const o of outcomes) {
    byOutcome[o.outcome]++;
    if (o.outcome === 'delivered' || o.outcome === 'partial') bytes += o.size;
    if (o.connectionError === true) connectionErrors++;
    for (const r of o.recipients) {
      recipients++;
      count[r.status]++;
      if (r.status === 'rejected') {
        const key = r.bounce !== undefined ? `${r.bounce.id} ${r.bounce.name}` : r.code !== undefined ? String(r.code) : 'local';
        byClass[key] = (byClass[key] ?? 0) + 1;
      }
    }
  }
  const messagesOk = byOutcome.delivered;
  return {
    type: 'summary',
    messages: outcomes.length,
    messagesOk,
    messagesFailed: outcomes.length - messagesOk,
    recipients,
    ...count,
    outcomes: byOutcome,
    rejectedByClass: byClass,
    connectionErrors,
    seconds,
    messagesPerSecond: seconds > 0 ? messagesOk / seconds : 0,
    bytes,
  };
}

const STATUS_WORD: Record<RecipientStatus, string> = { accepted: 'ok     ', rejected: 'FAIL   ', deferred: 'TEMP   ', unknown: 'UNKNOWN' };
const OUTCOME_WORD: Record<Outcome, string> = {
  delivered: 'delivered',
  partial: 'PARTLY delivered',
  deferred: 'DEFERRED (may succeed later)',
  failed: 'NOT delivered',
  unknown: 'UNKNOWN (maybe delivered: no reply after the final dot; do not resend blindly)',
};

/** One line per recipient: `  ok      bob@example.net  250 2.1.5 Ok`. */
export function formatOutcome(o: MessageOutcome, total: number): string[] {
  const lines: string[] = [];
  const head = total > 1 ? `message ${o.index + 1}/${total}` : 'message';
  const final = o.reply !== undefined ? `${o.reply.code}${o.reply.enhanced ? ` ${o.reply.enhanced}` : ''} ${o.reply.text}` : '';
  lines.push(`${head}: ${OUTCOME_WORD[o.outcome]}${final ? ` (${final.split('\n')[0]})` : ''}${o.error !== undefined ? `: ${o.error}` : ''}`);
  for (const r of o.recipients) {
    const reply = r.code !== undefined ? `${r.code}${r.enhanced ? ` ${r.enhanced}` : ''} ${(r.text ?? '').split('\n')[0]}` : '';
    const bounce = r.bounce !== undefined && !r.accepted ? `  [class ${r.bounce.id} ${r.bounce.name}, ${r.bounce.category}]` : '';
    lines.push(`  ${STATUS_WORD[r.status]} ${r.address}  ${reply || (r.accepted ? '' : r.status === 'unknown' ? '(no reply after the final dot)' : '(not attempted)')}${bounce}`);
  }
  return lines;
}

/** The summary block. */
export function formatSummary(s: SendSummary): string[] {
  const o = s.outcomes;
  const out = [
    `sent ${s.messagesOk}/${s.messages} messages in ${s.seconds.toFixed(2)} s (${s.messagesPerSecond.toFixed(1)} msg/s)`,
    `messages: ${o.delivered} delivered, ${o.partial} partly, ${o.deferred} deferred, ${o.failed} failed, ${o.unknown} unknown`,
    `recipients: ${s.accepted} accepted, ${s.rejected} rejected, ${s.deferred} deferred, ${s.unknown} unknown (of ${s.recipients})`,
  ];
  const classes = Object.entries(s.rejectedByClass);
  if (classes.length > 0) out.push(`rejected by class: ${classes.map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  if (s.unknown > 0) out.push(`unknown: ${s.unknown} recipient(s) may have been delivered; resending may duplicate`);
  if (s.connectionErrors > 0) out.push(`connection errors: ${s.connectionErrors}`);
  return out;
}

/**
 * The exit code for a summary (docs/cli.md): 4 when any recipient's outcome is unknown (maybe
 * delivered), 3 when connections failed, 1 when any recipient was not accepted, else 0.
 */
export function exitCodeOf(s: SendSummary): number {
  if (s.unknown > 0) return EXIT.unknown;
  if (s.connectionErrors > 0) return EXIT.connection;
  return s.accepted === s.recipients && s.messagesOk === s.messages ? EXIT.ok : EXIT.rejected;
}
