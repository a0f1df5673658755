// An in-memory client <-> server pair: smtp-client-fsm's ClientConnection wired to
// esmtp-server-fsm's ServerConnection, no sockets. Used by property tests, examples and benches.
import { ClientConnection } from 'smtp-client-fsm';
import type { ClientEvent, ClientOptions } from 'smtp-client-fsm';
import { ServerConnection } from 'esmtp-server-fsm';
import type { ServerEvent, ServerOptions } from 'esmtp-server-fsm';
import { endErrorDelay } from './tarpit.js';
import { joinBytes } from './split.js';

/** One message as the server received it. */
export interface PairMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly content: Uint8Array;
}

export interface PairOptions {
  readonly client?: ClientOptions;
  readonly server?: ServerOptions;
  /**
   * Answers the server's policy points (mail, rcpt, message-end, auth...). Return true when you
   * answered; otherwise the pair accepts.
   */
  readonly onServerEvent?: (event: ServerEvent, server: ServerConnection) => boolean | void;
  /** Supplies streamed bodies: chunks per client message id. */
  readonly bodies?: Readonly<Record<number, readonly (string | Uint8Array)[]>>;
}

export interface Pair {
  readonly client: ClientConnection;
  readonly server: ServerConnection;
  readonly messages: PairMessage[];
  readonly clientEvents: ClientEvent[];
  readonly serverEvents: ServerEvent[];
  /** Moves bytes both ways until neither side has anything to do. */
  run(maxRounds?: number): void;
}


/** Creates a client and a server wired together in memory. */
export function createPair(options: PairOptions = {}): Pair {
  const client = new ClientConnection(options.client ?? {});
  const server = new ServerConnection(options.server ?? {});
  const messages: PairMessage[] = [];
  const clientEvents: ClientEvent[] = [];
  const serverEvents: ServerEvent[] = [];
  let from = '';
  let to: string[] = [];
  let chunks: Uint8Array[] = [];
  const progress = new Map<string, number>();
  let eofSent = false;

  const serverPump = (): boolean => {
    let moved = false;
    for (let e = server.nextEvent(); e.type !== 'need-data' && e.type !== 'closed'; e = server.nextEvent()) {
      if (e.type === 'paused') {
        if (!endErrorDelay(server)) break; // the pair's clock jumps past a DOS-5 tarpit
        moved = true;
        continue;
      }
      moved = true;
      serverEvents.push(e);
      if (e.type === 'tls-start') {
        server.tlsEstablished();
        continue;
      }
      if (e.type === 'mail') {
        from = e.from;
        to = [];
        chunks = [];
      }
      if (e.type === 'data-chunk') chunks.push(e.bytes);
      if (e.type === 'message-abort') chunks = [];
      const answered = options.onServerEvent?.(e, server) === true;
      if (e.type === 'rcpt') to.push(e.to);
      if (e.type === 'message-end') {
        messages.push({ from, to: e.recipients.length ? [...e.recipients] : to, content: joinBytes(chunks) });
        chunks = [];
      }
      if (!answered && 'needsAnswer' in e && e.needsAnswer) server.accept();
    }
    return moved;
  };

  const clientPump = (): boolean => {
    let moved = false;
    for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) {
      moved = true;
      clientEvents.push(e);
      if (e.type === 'tls-start') client.tlsEstablished();
      if (e.type === 'need-body') {
        const list = options.bodies?.[e.messageId] ?? [];
        const key = `${e.messageId}:${e.transaction}`;
        const pos = progress.get(key) ?? 0;
        if (pos < list.length) {
          progress.set(key, pos + 1);
          client.writeBody(list[pos]!);
        } else client.endBody();
      }
    }
    return moved;
  };

  const run = (maxRounds = 100_000): void => {
    for (let i = 0; i < maxRounds; i++) {
      let moved = clientPump();
      moved = serverPump() || moved;
      const c = client.dataToSend();
      if (c.length > 0 && !server.shouldClose) {
        server.receiveData(c);
        moved = true;
      }
      moved = serverPump() || moved;
      const s = server.dataToSend();
      if (s.length > 0) {
        client.receiveData(s);
        moved = true;
      }
      if (server.shouldClose && !eofSent && s.length === 0) {
        eofSent = true;
        client.receiveEof();
        moved = true;
      }
      if (!moved) return;
    }
  };

  return { client, server, messages, clientEvents, serverEvents, run };
}
