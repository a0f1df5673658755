// Runs the sans-IO core with no sockets: feed client bytes, answer decisions, write replies, and
// run the session's timers on a simulated clock. Run it to print a session:
// `pnpm tsx packages/esmtp-server-fsm/examples/sans-io-session.ts`.
import { pathToFileURL } from 'node:url';
import { ServerConnection, stateName } from 'esmtp-server-fsm';
import type { ServerEvent, ServerOptions } from 'esmtp-server-fsm';

/** A timer armed by the host: the session's `id` and when it fires on the simulated clock. */
interface Armed {
  readonly id: number;
  readonly at: number;
}

/** A host for one session: what a socket server does, with a string for the socket and a number for the clock. */
export class Host {
  readonly conn: ServerConnection;
  /** Everything written to the client. */
  written = '';
  /** The message contents received (`data-chunk` bytes). */
  readonly body: Uint8Array[] = [];
  /** The simulated clock, in ms. */
  now = 0;
  private timeout: Armed | undefined;
  private deadline: Armed | undefined;

  constructor(options: ServerOptions = {}) {
    this.conn = new ServerConnection({ hostname: 'mx.example', ...options });
    this.pump(); // the 220 greeting
  }

  /** Bytes from the client. */
  receive(text: string): void {
    this.conn.receiveData(new TextEncoder().encode(text));
    this.pump();
  }

  /** `ms` pass: the armed timers that fall due fire in order (`handleTimeout` / `handleDeadline`, then a pump). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const t = this.timeout;
      const d = this.deadline;
      const next = t !== undefined && (d === undefined || t.at <= d.at) ? t : d;
      if (next === undefined || next.at > end) break;
      this.now = next.at;
      if (next === t) {
        this.timeout = undefined;
        this.conn.handleTimeout(next.id);
      } else {
        this.deadline = undefined;
        this.conn.handleDeadline(next.id);
      }
      this.pump();
    }
    this.now = end;
  }

  /** The one loop of a host: after input, after answering a decision later, after a timer fired. */
  pump(): void {
    const conn = this.conn;
    for (;;) {
      const e = conn.nextEvent();
      if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') {
        const out = conn.textToSend();
        this.written += out; // socket.write(out)
        // `paused` with output: the unsent replies had reached maxPendingOutput; now written, go on
        if (e.type === 'paused' && out.length > 0) continue;
        break;
      }
      this.decide(e);
    }
    // Arm what the session asks for: a changed id replaces the armed timer, none cancels it.
    // (`paused` with nothing to write and no decision pending is the errorDelay tarpit: its timer resumes the session.)
    const t = conn.pendingTimeout();
    if (t?.id !== this.timeout?.id) this.timeout = t === undefined ? undefined : { id: t.id, at: this.now + t.ms };
    const d = conn.pendingDeadline();
    if (d?.id !== this.deadline?.id) this.deadline = d === undefined ? undefined : { id: d.id, at: this.now + d.ms };
  }

  /** The application's decisions (answered at once here; a real one may answer later, then `pump()`). */
  private decide(e: ServerEvent): void {
    const conn = this.conn;
    switch (e.type) {
      case 'rcpt':
        if (e.to.endsWith('@mx.example')) conn.accept();
        else conn.reject({ code: 550, enhanced: '5.7.1', text: 'Relaying denied' });
        break;
      case 'mail':
        conn.accept();
        break;
      case 'data-chunk':
        this.body.push(e.bytes);
        break;
      case 'message-end':
        conn.accept({ code: 250, enhanced: '2.0.0', text: 'Queued as 1' });
        break;
      default:
        break;
    }
  }
}

/** Runs one scripted session and prints what the server wrote after each flight of the client. */
export function main(print: (line: string) => void = console.log): Host {
  const host = new Host({ autoAccept: ['connect', 'helo', 'data-start'] });
  const dec = new TextDecoder();
  print(host.written.trimEnd());
  const flights = ['EHLO client.example\r\n', 'MAIL FROM:<a@client.example>\r\nRCPT TO:<b@mx.example>\r\nRCPT TO:<c@elsewhere.example>\r\nDATA\r\n', 'Subject: hi\r\n\r\n..dot\r\n.\r\n', 'QUIT\r\n'];
  for (const flight of flights) {
    const before = host.written.length;
    host.receive(flight);
    host.advance(1_000); // the client reads the replies, then sends its next flight
    print(host.written.slice(before).trimEnd());
    print(`-- state ${String(host.conn.stage)} (${stateName(host.conn.stage)}), ${host.conn.state}`);
  }
  const body = host.body.map((b) => dec.decode(b)).join('');
  print(JSON.stringify(body));
  return host;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
