/**
 * The server code's own CPU per message, without the kernel: createServer or smtp-server driven
 * in this process by a scripted client behind an in-memory `Duplex` (no socket, no system call,
 * no second process), 10 KB messages over connection reuse, as smtp-source sends them (MAIL,
 * RCPT, DATA, the body; each after the reply to the one before). `fork`ed by suites/server.ts
 * with `<ours|peer> <sessions> <messages>`; it sends `{ cpu }` (µs of user + system CPU per
 * message after a warm-up) and exits. Both servers get the same client, the same body and an
 * `onData` that drains the body with 'data'/'end' listeners; the client's own work (one scan of
 * each reply) counts for both, which narrows the ratio rather than widening it.
 */
import { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { createServer } from 'esmtp-server-fsm/node';

const [kind, sessionsArg, messagesArg] = process.argv.slice(2);
const sessions = Number(sessionsArg);
const messages = Number(messagesArg);
if ((kind !== 'ours' && kind !== 'peer') || !(sessions > 0) || !(messages > 0) || process.send === undefined) {
  throw new Error('usage: fork in-process-child.ts <ours|peer> <sessions> <messages>');
}
const send = process.send.bind(process);

const line = `${'x'.repeat(78)}\r\n`;
const body = Buffer.from(`${line.repeat(Math.ceil(10240 / line.length))}.\r\n`);
const script = [Buffer.from('MAIL FROM:<a@bench.test>\r\n'), Buffer.from('RCPT TO:<b@bench.test>\r\n'), Buffer.from('DATA\r\n'), body];
const warmUp = Math.min(2000, messages);

let done = 0;
let start: NodeJS.CpuUsage | undefined;

function finish(): void {
  const used = process.cpuUsage(start);
  send({ cpu: (used.user + used.system) / messages }, () => process.exit(0));
}

/** One client session: each final reply line (`NNN `) lets it send the next step of the script. */
class ScriptedClient extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40000;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 25;
  /** smtp-server writes only to a socket in this state. */
  readonly readyState = 'open';
  private step = -1;
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    // a final reply line starts a line with three digits and a space
    let i = 0;
    while (i + 3 < chunk.length) {
      if (chunk[i + 3] === 0x20) this.next();
      const nl = chunk.indexOf(10, i);
      if (nl < 0) break;
      i = nl + 1;
    }
    callback();
  }
  private next(): void {
    if (this.step === -1) {
      this.step = 0;
      setImmediate(() => this.push('EHLO client.bench\r\n'));
      return;
    }
    if (this.step === script.length) {
      this.step = 0;
      if (++done === warmUp && start === undefined) {
        done = 0;
        start = process.cpuUsage();
      } else if (start !== undefined && done === messages) return finish();
    }
    const chunk = script[this.step++]!;
    setImmediate(() => this.push(chunk));
  }
}

function drain(stream: Readable, done: () => void): void {
  stream.on('data', () => undefined);
  stream.on('end', done);
}

// keeps the loop alive: smtp-server's timers are unref'd and nothing here is a real handle
setInterval(() => undefined, 1000);
if (kind === 'ours') {
  const server = createServer({ hostname: 'bench.test', limits: { maxMessageSize: 0 }, maxConnections: 1000, onData: (_env, b) => new Promise<void>((resolve) => drain(b, resolve)) });
  for (let i = 0; i < sessions; i++) server.handleConnection(new ScriptedClient() as never);
} else {
  // no reverse DNS lookup of the client's address: once per connection, not per message
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, maxClients: 1000, disableReverseLookup: true, onData: (stream, _session, callback) => drain(stream, () => callback()) });
  for (let i = 0; i < sessions; i++) (server as unknown as { connect(socket: Duplex, options: object): void }).connect(new ScriptedClient(), {});
}
