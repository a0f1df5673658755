// One flight of server replies fed to a ClientConnection by hand, for transcript tests.
import type { ClientConnection, ClientEvent } from '../src/index.js';

const dec = new TextDecoder();

/** Feeds `replies` (none when empty); returns what the client wrote after them, its events pushed to `events`. */
export function step(conn: ClientConnection, replies: string, events: ClientEvent[] = []): string {
  if (replies) conn.receiveData(replies);
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
  return dec.decode(conn.dataToSend());
}
