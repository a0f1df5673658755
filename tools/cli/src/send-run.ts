// The engine of `smtp send`: N messages over C connections (each connection reused for the messages
// it takes), per-recipient outcomes, a summary. The transport is pluggable, so this runs with
// smtp-client-fsm/node in the CLI and with fakes in tests.

/** The bounce class of a refused recipient (from smtp-errors). */
export interface BounceClass {
  readonly id: number;
  readonly name: string;
  readonly category: string;
}

/** What happened to one recipient. */
export interface RecipientOutcome {
  readonly address: string;
  readonly accepted: boolean;
  readonly code?: number;
  readonly enhanced?: string;
  readonly text?: string;
  /** True when the refusal is temporary (4xx or a transient class). */
  readonly transient?: boolean;
  readonly bounce?: BounceClass;
}

/** The result of one message, as printed by `--json` (`type: "message"`). */
export interface MessageOutcome {
  readonly type: 'message';
  readonly index: number;
  readonly connection: number;
  /** Every recipient accepted and the message itself accepted. */
  readonly ok: boolean;
  readonly recipients: readonly RecipientOutcome[];
  /** The final reply to the message (after the body), when one was received. */
  readonly reply?: { readonly code: number; readonly enhanced?: string; readonly text: string };
  /** Why the message failed as a whole (connection lost, TLS failure, refused MAIL...). */
  readonly error?: string;
  /** The failure was a connection/TLS problem rather than an SMTP refusal. */
  readonly connectionError?: boolean;
  readonly size: number;
  readonly ms: number;
}

/** What a transport returns for one message. */
export type SendOutcome = Pick<MessageOutcome, 'ok' | 'recipients'> & { readonly reply?: MessageOutcome['reply']; readonly error?: string };

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
  readonly accepted: number;
  readonly rejected: number;
  readonly transient: number;
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
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
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

  async function worker(slot: number): Promise<void> {
    let conn: SenderConnection | undefined;
    let connectFailures = 0;
    try {
      while (next < options.count) {
        const index = next++;
        const body = options.body(index);
        const t0 = now();
        const fail = (error: unknown, connectionError: boolean): void =>
          record({ type: 'message', index, connection: slot, ok: false, recipients: options.to.map((address) => ({ address, accepted: false })), error: describeError(error), connectionError, size: body.length, ms: now() - t0 });
        if (conn === undefined) {
          try {
            conn = await options.open();
            connectFailures = 0;
          } catch (e) {
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
          record({ type: 'message', index, connection: slot, ok: r.ok, recipients: r.recipients, ...(r.reply ? { reply: r.reply } : {}), ...(r.error !== undefined ? { error: r.error } : {}), size: body.length, ms: now() - t0 });
        } catch (e) {
          fail(e, true);
          const broken = conn;
          conn = undefined;
          await broken.close().catch(() => undefined);
        }
      }
    } finally {
      await conn?.close().catch(() => undefined);
    }
  }

  const slots = Math.max(1, Math.min(options.connections, options.count));
  await Promise.all(Array.from({ length: slots }, (_, i) => worker(i)));
  // Messages no slot could take (every slot gave up connecting).
  const notSent = options.count - outcomes.length;
  for (let i = 0; i < notSent; i++) {
    const index = next++;
    record({ type: 'message', index, connection: -1, ok: false, recipients: options.to.map((address) => ({ address, accepted: false })), error: 'not sent: could not connect', connectionError: true, size: 0, ms: 0 });
  }
  outcomes.sort((a, b) => a.index - b.index);
  return { outcomes, summary: summarize(outcomes, (now() - started) / 1000) };
}

/** Totals over the outcomes. */
export function summarize(outcomes: readonly MessageOutcome[], seconds: number): SendSummary {
  let recipients = 0;
  let accepted = 0;
  let rejected = 0;
  let transient = 0;
  let bytes = 0;
  let connectionErrors = 0;
  const byClass: Record<string, number> = {};
  for (const o of outcomes) {
    bytes += o.ok ? o.size : 0;
    if (o.connectionError === true) connectionErrors++;
    for (const r of o.recipients) {
      recipients++;
      if (r.accepted && (o.ok || (o.reply !== undefined && o.reply.code < 400))) accepted++;
      else if (r.accepted) {
        // Recipient accepted but the message failed afterwards (body refused): counts as its failure.
        if (o.reply !== undefined && o.reply.code >= 400 && o.reply.code < 500) transient++;
        else rejected++;
      } else if (r.transient === true || (r.code !== undefined && r.code >= 400 && r.code < 500) || (r.code === undefined && o.connectionError === true)) transient++;
      else {
        rejected++;
        const key = r.bounce !== undefined ? `${r.bounce.id} ${r.bounce.name}` : r.code !== undefined ? String(r.code) : 'unknown';
        byClass[key] = (byClass[key] ?? 0) + 1;
      }
    }
  }
  const messagesOk = outcomes.filter((o) => o.ok).length;
  return {
    type: 'summary',
    messages: outcomes.length,
    messagesOk,
    messagesFailed: outcomes.length - messagesOk,
    recipients,
    accepted,
    rejected,
    transient,
    rejectedByClass: byClass,
    connectionErrors,
    seconds,
    messagesPerSecond: seconds > 0 ? messagesOk / seconds : 0,
    bytes,
  };
}

/** One line per recipient: `  ok   bob@example.net  250 2.1.5 Ok`. */
export function formatOutcome(o: MessageOutcome, total: number): string[] {
  const lines: string[] = [];
  const head = total > 1 ? `message ${o.index + 1}/${total}` : 'message';
  const final = o.reply !== undefined ? `${o.reply.code}${o.reply.enhanced ? ` ${o.reply.enhanced}` : ''} ${o.reply.text}` : '';
  lines.push(`${head}: ${o.ok ? 'accepted' : 'NOT accepted'}${final ? ` (${final.split('\n')[0]})` : ''}${o.error !== undefined ? `: ${o.error}` : ''}`);
  for (const r of o.recipients) {
    const status = r.accepted ? 'ok  ' : r.code === undefined ? 'n/a ' : r.transient === true || r.code < 500 ? 'TEMP' : 'FAIL';
    const reply = r.code !== undefined ? `${r.code}${r.enhanced ? ` ${r.enhanced}` : ''} ${(r.text ?? '').split('\n')[0]}` : '';
    const bounce = r.bounce !== undefined && !r.accepted ? `  [class ${r.bounce.id} ${r.bounce.name}, ${r.bounce.category}]` : '';
    lines.push(`  ${status} ${r.address}  ${reply || (r.accepted ? '' : '(not attempted)')}${bounce}`);
  }
  return lines;
}

/** The summary block. */
export function formatSummary(s: SendSummary): string[] {
  const out = [
    `sent ${s.messagesOk}/${s.messages} messages in ${s.seconds.toFixed(2)} s (${s.messagesPerSecond.toFixed(1)} msg/s)`,
    `recipients: ${s.accepted} accepted, ${s.rejected} rejected, ${s.transient} transient (of ${s.recipients})`,
  ];
  const classes = Object.entries(s.rejectedByClass);
  if (classes.length > 0) out.push(`rejected by class: ${classes.map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  if (s.connectionErrors > 0) out.push(`connection errors: ${s.connectionErrors}`);
  return out;
}
