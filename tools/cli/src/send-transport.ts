// The transport of `smtp send`: one smtp-client-fsm/node client per connection slot.
import { isIP } from 'node:net';
import { formatEnhancedStatusCode } from 'smtp-reply-reader';
import type { Reply } from 'smtp-reply-reader';
import { connect } from 'smtp-client-fsm/node';
import type { ConnectOptions, SendResult } from 'smtp-client-fsm/node';
import { DEFAULT_TIMEOUTS } from 'smtp-client-fsm';
import type { TranscriptEntry } from 'smtp-client-fsm';
import type { Credentials } from './options.js';
import type { RecipientOutcome, SenderConnection, SendOutcome } from './send-run.js';

/** Connection settings shared by every slot. */
export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly starttls: 'off' | 'optional' | 'required';
  readonly auth?: Credentials;
  readonly helo: string;
  readonly insecure: boolean;
  readonly timeoutMs: number;
  readonly lmtp?: boolean;
  readonly chunking?: boolean;
  readonly pipelining?: boolean;
  readonly transcript?: (entry: TranscriptEntry) => void;
}

function replyOf(r: Reply): { code: number; enhanced?: string; text: string } {
  return { code: r.code, ...(r.enhanced !== undefined ? { enhanced: formatEnhancedStatusCode(r.enhanced) } : {}), text: r.text };
}

/** Maps the client's result to the CLI's outcome shape. */
export function toOutcome(r: SendResult): SendOutcome {
  const recipients: RecipientOutcome[] = r.recipients.map((x) => ({
    address: x.address,
    accepted: x.accepted,
    transient: x.transient,
    ...(x.reply !== undefined ? { code: x.reply.code, text: x.reply.text, ...(x.reply.enhanced !== undefined ? { enhanced: formatEnhancedStatusCode(x.reply.enhanced) } : {}) } : {}),
    ...(x.classification !== undefined && !x.accepted ? { bounce: { id: x.classification.id, name: x.classification.name, category: x.classification.category } } : {}),
  }));
  return {
    ok: r.outcome === 'delivered' && recipients.every((x) => x.accepted),
    recipients,
    ...(r.reply !== undefined ? { reply: replyOf(r.reply) } : {}),
    ...(r.errorCode !== undefined ? { error: r.errorCode } : {}),
  };
}

/** The smtp-client-fsm/node options for the CLI settings. */
export function connectOptions(options: TransportOptions): ConnectOptions {
  const security = options.starttls === 'required' ? 'starttls' : 'none';
  return {
    host: options.host,
    port: options.port,
    security,
    starttls: options.starttls === 'off' ? 'off' : options.starttls === 'optional' ? 'opportunistic' : 'required',
    hostname: options.helo,
    connectTimeout: options.timeoutMs,
    tls: { rejectUnauthorized: !options.insecure, ...(isIP(options.host) === 0 ? { servername: options.host } : {}) },
    timeouts: Object.fromEntries(Object.keys(DEFAULT_TIMEOUTS).filter((k) => k !== 'idle').map((k) => [k, options.timeoutMs])),
    ...(options.auth !== undefined ? { auth: { user: options.auth.user, pass: options.auth.pass }, allowInsecureAuth: options.starttls === 'off' } : {}),
    ...(options.transcript !== undefined ? { transcript: options.transcript } : {}),
    ...(options.lmtp === true ? { lmtp: true } : {}),
    ...(options.chunking === true ? { chunking: true } : {}),
    ...(options.pipelining === false ? { pipelining: false } : {}),
  };
}

/** Opens one client connection (greeting, EHLO, STARTTLS and AUTH done). */
export async function openClientConnection(options: TransportOptions): Promise<SenderConnection> {
  const client = await connect(connectOptions(options));
  return {
    send: async (m) => toOutcome(await client.send({ from: m.from, to: m.to, body: m.body })),
    close: async () => {
      if (!client.closed) await client.quit().catch(() => client.close());
    },
  };
}
