// The transport of `smtp send`: one smtp-client-fsm/node client per connection slot.
import { isIP } from 'node:net';
import { formatEnhancedStatusCode } from 'smtp-reply-reader';
import type { Reply } from 'smtp-reply-reader';
import { carryOnUntried, connect, isStaleConnectionResult } from 'smtp-client-fsm/node';
import type { ConnectOptions, SendInput, SendResult, SmtpClient } from 'smtp-client-fsm/node';
import { DEFAULT_TIMEOUTS, defaultClassify, isSmtpClientError } from 'smtp-client-fsm';
import type { DsnOptions, TranscriptEntry } from 'smtp-client-fsm';
import type { Credentials } from './options.js';
import { SessionRefused } from './send-run.js';
import type { RecipientOutcome, SenderConnection, SendOutcome } from './send-run.js';

/** Connection settings shared by every slot. */
export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly starttls: 'off' | 'optional' | 'opportunistic' | 'required';
  /** Implicit TLS from the first byte (port 465); `starttls` is then ignored. */
  readonly implicitTls?: boolean;
  readonly auth?: Credentials;
  /** `--auth-token USER:TOKEN`: an OAuth 2.0 bearer token (XOAUTH2, else OAUTHBEARER); `pass` is the token. */
  readonly authToken?: Credentials;
  readonly helo: string;
  readonly insecure: boolean;
  readonly timeoutMs: number;
  readonly lmtp?: boolean;
  readonly chunking?: boolean;
  readonly pipelining?: boolean;
  /** Send body lines over 998 octets as given (smtp-client-fsm's `allowLongLines`). */
  readonly allowLongLines?: boolean;
  readonly transcript?: (entry: TranscriptEntry) => void;
  /** DSN parameters for every message (RFC 3461): RET and ENVID on MAIL, NOTIFY on each RCPT. */
  readonly dsn?: DsnOptions;
}

/** A reply as the CLI's JSON shows it: code, enhanced code as text (when there is one), text. */
export function replyOf(r: Reply): { code: number; enhanced?: string; text: string } {
  return { code: r.code, ...(r.enhanced !== undefined ? { enhanced: formatEnhancedStatusCode(r.enhanced) } : {}), text: r.text };
}

/** Maps the client's result to the CLI's outcome shape. */
export function toOutcome(r: SendResult): SendOutcome {
  const recipients: RecipientOutcome[] = r.recipients.map((x) => ({
    address: x.address,
    status: x.status,
    accepted: x.status === 'accepted',
    transient: x.status === 'deferred',
    ...(x.reply !== undefined ? { code: x.reply.code, text: x.reply.text, ...(x.reply.enhanced !== undefined ? { enhanced: formatEnhancedStatusCode(x.reply.enhanced) } : {}) } : {}),
    ...(x.classification !== undefined && !x.accepted ? { bounce: { id: x.classification.id, name: x.classification.name, category: x.classification.category } } : {}),
  }));
  return {
    recipients,
    ...(r.reply !== undefined ? { reply: replyOf(r.reply) } : {}),
    ...(r.errorCode !== undefined ? { error: r.errorCode } : {}),
  };
}

/** The CLI's `--starttls` words in the library's vocabulary. */
export const SECURITY_OF = { off: 'off', optional: 'opportunistic', opportunistic: 'opportunistic', required: 'required' } as const;

/** The smtp-client-fsm/node options for the CLI settings. */
export function connectOptions(options: TransportOptions): ConnectOptions {
  return {
    host: options.host,
    port: options.port,
    security: options.implicitTls === true ? 'implicit' : SECURITY_OF[options.starttls],
    hostname: options.helo,
    // --timeout bounds connecting (through EHLO/STARTTLS/AUTH), each reply, and each message.
    connectTimeout: options.timeoutMs,
    messageTimeout: options.timeoutMs,
    tls: { ...(options.insecure ? { rejectUnauthorized: false } : {}), ...(isIP(options.host) === 0 ? { servername: options.host } : {}) },
    timeouts: Object.fromEntries(Object.keys(DEFAULT_TIMEOUTS).filter((k) => k !== 'idle').map((k) => [k, options.timeoutMs])),
    ...(options.auth !== undefined ? { auth: { user: options.auth.user, pass: options.auth.pass }, allowInsecureAuth: options.starttls === 'off' } : {}),
    ...(options.authToken !== undefined ? { auth: { user: options.authToken.user, accessToken: options.authToken.pass }, allowInsecureAuth: options.starttls === 'off' } : {}),
    ...(options.transcript !== undefined ? { transcript: options.transcript } : {}),
    ...(options.lmtp === true ? { lmtp: true } : {}),
    ...(options.chunking === true ? { chunking: true } : {}),
    ...(options.pipelining === false ? { pipelining: false } : {}),
    ...(options.allowLongLines === true ? { allowLongLines: true } : {}),
  };
}

/** Connect errors that are the server's refusal of the session when their reply is a 5xx. */
const REFUSALS: Readonly<Record<string, string>> = {
  ERR_SMTP_CLIENT_AUTH_FAILED: 'authentication refused',
  ERR_SMTP_CLIENT_GREETING_REJECTED: 'session refused at the greeting',
  ERR_SMTP_CLIENT_HELLO_REJECTED: 'EHLO and HELO refused', // unless the error names the command (LHLO)
};

/**
 * The connect error as the CLI reports it: a 5xx reply to the connection (a `554` greeting, RFC 5321
 * §3.1), to EHLO and then HELO, or to the credentials (`535 5.7.8`) is a permanent refusal of the
 * session ({@link SessionRefused}: every message fails with the reply); anything else (a 4xx such
 * as `421` or `454`, a lost connection, TLS) stays as it is, a transient failure.
 */
export function connectFailure(error: unknown): unknown {
  const reply = (error as { reply?: Reply } | undefined)?.reply;
  if (!isSmtpClientError(error)) return error;
  // A refused hello is named by the library's own words: the command it sent (LHLO for LMTP).
  const what = error.code === 'ERR_SMTP_CLIENT_HELLO_REJECTED' ? (/^[A-Z]+(?: and [A-Z]+)? refused/.exec(error.message)?.[0] ?? REFUSALS[error.code]) : REFUSALS[error.code];
  if (what === undefined || reply === undefined || reply.code < 500 || reply.code > 599) return error;
  const c = defaultClassify(reply, undefined);
  return new SessionRefused(`${what} (${error.code})`, replyOf(reply), { id: c.id, name: c.name, category: c.category });
}

/** A message the connection turned away at LIMITS MAILMAX before trying any of its recipients. */
function turnedAwayByMailMax(result: SendResult): boolean {
  return result.errorCode === 'ERR_SMTP_CLIENT_MAILMAX_REACHED' && result.recipients.every((r) => r.errorCode === 'ERR_SMTP_CLIENT_MAILMAX_REACHED');
}

/**
 * Opens one client connection (greeting, EHLO, STARTTLS and AUTH done). When the session has ended
 * or is ending since the last message (an idle timeout, a 421 such as Postfix's "too many errors",
 * a refused RSET after which the client says QUIT), the next message was not tried there: a new
 * connection takes it at once (the old one's QUIT goes on in the background), and its failure to
 * connect is that message's error. A message that met such a stale connection with nothing of it
 * sent (a 421 to its MAIL, a refused RSET before it: smtp-client-fsm's `isStaleConnectionResult`,
 * the rule of its pool), or that the connection turned away untried at the server's LIMITS MAILMAX,
 * is sent once more on a new connection (bodies here are bytes: they go again whole). When LIMITS
 * MAILMAX ends the connection in the middle of a message (its recipients took several transactions,
 * LIMITS RCPTMAX apart), the recipients it never tried go on new connections, as the pool carries
 * them on, while each takes some of them: each recipient is tried once, and the message has one
 * outcome.
 */
export async function openClientConnection(options: TransportOptions): Promise<SenderConnection> {
  const open = async (): Promise<SmtpClient> => {
    try {
      return await connect(connectOptions(options));
    } catch (e) {
      throw connectFailure(e);
    }
  };
  let client = await open();
  // messages handed to `client`: a stale-connection result only counts on a reused one
  let used = 0;
  // old connections saying QUIT; `close()` waits for them (each bounded by the quit timeout)
  const quitting: Promise<void>[] = [];
  const replace = async (): Promise<void> => {
    const old = client;
    if (!old.closed) quitting.push(old.quit().catch(() => old.close()));
    // a failure to connect is this message's error, never tried twice
    client = await open();
    used = 0;
  };
  const sendHere = (m: SendInput): Promise<SendResult> => {
    used++;
    return client.send(m);
  };
  return {
    send: async (m) => {
      const input: SendInput = { from: m.from, to: m.to, body: m.body, ...(options.dsn !== undefined ? { dsn: options.dsn } : {}) };
      if (client.closing) await replace();
      let result: SendResult;
      try {
        result = await sendHere(input);
      } catch (e) {
        // Turned away before anything was written because the connection was closing (a message
        // the client itself refuses fails the same way on any connection): once more, on a new one.
        if (!client.closing) throw e;
        await replace();
        return toOutcome(await sendHere(input));
      }
      // LIMITS MAILMAX (RFC 9422) reached: the connection turned the message away before trying any
      // of its recipients, and says QUIT (the body is bytes: it goes again whole). A stale one:
      // only when reused, as a fresh connection's own refusal would only come again.
      if (turnedAwayByMailMax(result) || (used > 1 && isStaleConnectionResult(input, result, client))) {
        await replace();
        result = await sendHere(input);
      }
      result = await carryOnUntried(result, async (to) => {
        try {
          await replace();
          return await sendHere({ ...input, to });
        } catch {
          // No new connection (or it turned them away): those recipients stay deferred with the
          // MAILMAX code; the next message meets the failure on its own.
          return undefined;
        }
      });
      return toOutcome(result);
    },
    close: async () => {
      if (!client.closed) await client.quit().catch(() => client.close());
      await Promise.all(quitting);
    },
  };
}
