/** Small helpers to drive a ServerConnection in unit tests. */
import { endErrorDelay } from '@smtpkit/testkit';
import { ServerConnection } from '../src/index.js';
import type { ServerEvent, ServerOptions } from '../src/index.js';

export interface Driven {
  readonly conn: ServerConnection;
  readonly events: ServerEvent[];
  /** Server output so far (all of it). */
  out: string;
  /** Message contents accepted so far. */
  readonly messages: string[];
  /** DOS-5 tarpit delays the session asked for (each resolved at once by this host). */
  delays: number;
  feed(data: string | Uint8Array): string;
}

const dec = new TextDecoder();

/** Creates a session that accepts every decision (or asks `decide`), past the greeting. */
export function drive(options: ServerOptions = {}, decide?: (e: ServerEvent, conn: ServerConnection) => boolean): Driven {
  const conn = new ServerConnection({ hostname: 'mx.test', ...options });
  const events: ServerEvent[] = [];
  const messages: string[] = [];
  let body: Uint8Array[] = [];
  const d: Driven = {
    conn,
    events,
    out: '',
    messages,
    delays: 0,
    feed(data) {
      if (conn.state !== 'closed') conn.receiveData(data);
      return pump();
    },
  };
  const pump = (): string => {
    for (let i = 0; i < 1_000_000; i++) {
      const e = conn.nextEvent();
      if (e.type === 'paused' && endErrorDelay(conn)) {
        d.delays++; // this host's clock jumped past a DOS-5 tarpit
        continue;
      }
      if (e.type === 'need-data' || e.type === 'closed' || e.type === 'paused') {
        if (e.type === 'closed' && !events.some((x) => x.type === 'closed')) events.push(e);
        break;
      }
      if (e.type !== 'data-chunk') events.push(e);
      if (e.type === 'data-chunk') body.push(e.bytes);
      if (e.type === 'message-abort' || e.type === 'data-start') body = [];
      if ('needsAnswer' in e && e.needsAnswer) {
        if (decide?.(e, conn)) continue;
        if (e.type === 'message-end') {
          messages.push(body.map((b) => dec.decode(b)).join(''));
          body = [];
        }
        conn.accept();
      }
    }
    const s = dec.decode(conn.dataToSend());
    d.out += s;
    return s;
  };
  pump();
  return d;
}

/** A session after EHLO and (optionally) a MAIL + RCPT. */
export function inTransaction(options: ServerOptions = {}): Driven {
  const d = drive(options);
  d.feed('EHLO client.test\r\n');
  d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
  return d;
}

/** The reply lines (continuation lines included) in an output string. */
export function replyLines(out: string): string[] {
  return out.split('\r\n').filter((l) => /^\d{3}[ -]/.test(l));
}

/** Reply codes in an output string. */
export function codes(out: string): number[] {
  return out
    .split('\r\n')
    .filter((l) => /^\d{3} /.test(l))
    .map((l) => Number(l.slice(0, 3)));
}
