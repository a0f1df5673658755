// One flight of server replies fed to a ClientConnection by hand, for transcript tests.
import { ClientConnection } from '../src/index.js';
import type { AuthOptions, ClientEvent } from '../src/index.js';

const dec = new TextDecoder();

/** Feeds `replies` (none when empty); returns what the client wrote after them, its events pushed to `events`. */
export function step(conn: ClientConnection, replies: string, events: ClientEvent[] = []): string {
  if (replies) conn.receiveData(replies);
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
  return dec.decode(conn.dataToSend());
}

/**
 * A client over implicit TLS with one message queued and `auth`, taken to the AUTH command by a
 * greeting and an EHLO reply offering `AUTH <mechanisms>`; `first` is what it wrote then.
 */
export function openAuth(auth: AuthOptions, mechanisms: string): { conn: ClientConnection; events: ClientEvent[]; first: string } {
  const events: ClientEvent[] = [];
  const conn = new ClientConnection({ hostname: 'c.test', security: 'implicit', auth });
  conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
  step(conn, '220 mx.test\r\n', events);
  const first = step(conn, `250-mx.test\r\n250 AUTH ${mechanisms}\r\n`, events);
  return { conn, events, first };
}
