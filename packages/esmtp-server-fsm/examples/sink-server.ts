// A sink server with createServer: stores each message as <id>.eml next to its envelope.
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createServer, SmtpReplyError } from 'esmtp-server-fsm/node';

const server = createServer({
  hostname: 'sink.example',
  limits: { maxMessageSize: 25 * 1024 * 1024 },
  auth: { allowInsecure: true },
  onAuth: (c) => c.username === 'user' && c.password === 'secret',
  onRcptTo: (to) => {
    if (to.startsWith('nobody@')) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: 'No such user' });
  },
  onData: async (envelope, body) => {
    await pipeline(body, createWriteStream(`/tmp/${envelope.id}.eml`));
    await writeFile(`/tmp/${envelope.id}.json`, JSON.stringify(envelope));
    return { code: 250, enhanced: '2.0.0', text: `Queued as ${envelope.id}` };
  },
});

const address = await server.listen(2525, '127.0.0.1');
console.log(`listening on ${address.address}:${String(address.port)}`);
process.once('SIGINT', () => void server.close({ timeout: 10_000 }));
