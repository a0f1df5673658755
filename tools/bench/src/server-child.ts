/**
 * One server of the server suite alone in its own process (`fork`ed by suites/server.ts), so
 * that the CPU time counted for it is its own: no other server's heap, timers or garbage
 * collection in the same process. Protocol over the IPC channel:
 * child -> `{ port }` once listening; parent -> `'cpu'`, child -> `{ cpu: µs of user + system
 * CPU so far }`; parent -> `'close'`, child closes the server and exits.
 */
import { SERVERS, type ServerKind } from './server-peers.js';

const kind = process.argv[2] as ServerKind;
const start = SERVERS[kind];
if (start === undefined || process.send === undefined) throw new Error(`usage: fork server-child.ts <${Object.keys(SERVERS).join('|')}>`);
const send = process.send.bind(process);
const server = await start();
process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    send({ cpu: u.user + u.system });
  } else if (m === 'close') {
    void server.close().finally(() => process.exit(0));
  }
});
send({ port: server.port });
