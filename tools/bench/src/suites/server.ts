/**
 * server: esmtp-server-fsm against smtp-server (npm), measured in the same run.
 *  1. messages/s of createServer vs smtp-server, both driven by Postfix smtp-source over loopback
 *     (10 KB messages, 1 and 8 sessions, connection reuse), each server alone in a child process;
 *  2. MB/s of the sans-IO core on a pipelined transcript, against a baseline written the common
 *     way (decode to string, split lines, regex per command, string dot-unstuffing);
 *  3. resident memory growth while one 200 MB message streams through each server;
 *  4. the server code's own CPU per message without the kernel (an in-memory client).
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ServerConnection } from 'esmtp-server-fsm';
import { median, npmVersion, postfixVersion, throughput, type Comparison, type Figure, type Suite } from '../harness.js';
import { onCpu, pinServers, type Placement } from '../placement.js';
import { ours, peer, type ServerKind } from '../server-peers.js';

const run = promisify(execFile);
const SMTP_SERVER = `smtp-server ${npmVersion('smtp-server')}`;
const SOURCE = `smtp-source (Postfix ${postfixVersion()})`;

async function smtpSource(place: Placement, port: number, sessions: number, messages: number): Promise<number> {
  await run(...onCpu(place.source, '/usr/sbin/smtp-source', ['-s', String(sessions), '-m', String(messages), '-l', '10240', '-d', '-f', 'a@bench.test', '-t', 'b@bench.test', `127.0.0.1:${String(port)}`]), { timeout: 600_000 });
  return messages;
}

/** A server of the suite running alone in a child process (see server-child.ts). */
interface ChildServer {
  readonly kind: ServerKind;
  readonly port: number;
  /** µs of user + system CPU the child process has used so far. */
  cpu(): Promise<number>;
  close(): Promise<void>;
}

async function startChild(kind: ServerKind): Promise<ChildServer> {
  // execArgv is inherited, so the child runs under the same loader (tsx) and resolves the
  // packages to the same built dist/ as this process; so is this process's CPU affinity (pinned
  // to the servers' CPU by pinServers when it can be, see placement.ts)
  const child: ChildProcess = fork(fileURLToPath(new URL('../server-child.ts', import.meta.url)), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`bench server ${kind} exited (${String(code)})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
    });
  const { port } = await next<{ port: number }>();
  return {
    kind,
    port,
    async cpu() {
      const reply = next<{ cpu: number }>();
      child.send('cpu');
      return (await reply).cpu;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send('close');
      }),
  };
}

async function messagesPerSecond(quick: boolean, place: Placement): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const kinds = ['ours', 'peer', 'floor', 'stream-floor', 'core-only', 'checked-stream-floor', 'core-stream'] as const;
  // long runs, so that every server is measured warmed up (the JIT has compiled its hot paths),
  // not on how fast it warms up
  const n = quick ? 300 : 4000;
  const warmUps = quick ? 1 : 2;
  // Fresh processes, several times: one process of the same server can settle into a slower or
  // faster steady state than the next (JIT and heap decisions; smtp-server 3.21.6 measured 98 in
  // one process and 118 µs CPU a message in the next on an idle machine, each steady over its
  // runs), so the figures are medians over the runs of `processes` processes per server.
  const processes = quick ? 1 : 3;
  const runs = quick ? 1 : 3;
  for (const sessions of [1, 8]) {
    const rate: number[][] = kinds.map(() => []);
    const cpu: number[][] = kinds.map(() => []);
    for (let p = 0; p < processes; p++) {
      // each server alone in its own process: the CPU counted for one is its own, with no other
      // server's heap, timers or garbage collection beside it
      const servers = await Promise.all(kinds.map(startChild));
      try {
        for (let w = 0; w < warmUps; w++) for (const server of servers) await smtpSource(place, server.port, sessions, n);
        // alternate the servers run by run, so that all see the same load on the machine
        for (let r = 0; r < runs; r++) {
          for (const [k, server] of servers.entries()) {
            const before = await server.cpu();
            const start = performance.now();
            await smtpSource(place, server.port, sessions, n);
            rate[k]!.push((n * 1000) / (performance.now() - start));
            // CPU time of the server's own process (the client is another process)
            cpu[k]!.push(((await server.cpu()) - before) / n);
          }
        }
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    }
    const fig = (name: string, values: number[]): Figure => ({ name, median: median(values), runs: values, unit: 'messages/s', higherIsBetter: true });
    const cpuFig = (name: string, values: number[]): Figure => ({ name, median: median(values), runs: values, unit: 'µs CPU/message', higherIsBetter: false });
    const s = `${String(sessions)} session(s)`;
    out.push({
      title: `messages/s, ${SOURCE}, 10 KB, ${s}`,
      ours: fig(`createServer, ${s}`, rate[0]!),
      peer: fig(`${SMTP_SERVER}, ${s}`, rate[1]!),
      aim: '>= 1.5x',
      notes: `${String(n)} messages per run; ${String(processes)} fresh process(es) per server, each with ${String(warmUps)} warm-up run(s) and then ${String(runs)} measured run(s), the servers alternating run by run; medians of all measured runs; loopback, connection reuse (-d); both servers drain the body with 'data'/'end' listeners and accept; ${place.text}`,
    });
    out.push({
      title: `server CPU time per message, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`createServer, ${s}`, cpu[0]!),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, cpu[1]!),
      aim: '>= 1.43x (at most 0.7x of its CPU)',
      notes: 'user + system CPU of the server\'s own process (each server runs alone in a child process) during the same runs, system calls included; less sensitive to other load on the machine than messages/s',
    });
    out.push({
      title: `ceiling: server CPU time per message, the canned-reply floor against smtp-server, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`canned replies, no parsing, ${s}`, cpu[2]!),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, cpu[1]!),
      notes: 'same runs; the CPU every server pays for the same system calls (reads, writes, the event loop): the least CPU per message any Node.js server can reach here',
    });
    out.push({
      title: `ceiling: server CPU time per message, a streaming floor against smtp-server, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`canned replies, body found with indexOf and streamed to the same onData, ${s}`, cpu[3]!),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, cpu[1]!),
      notes: 'same runs; the floor plus the least a server that streams each body to a callback and answers when it settles must add (smtp-server\'s contract, and createServer\'s): where this is below an aim, no such server can meet it',
    });
    out.push({
      title: `ceiling: server CPU time per message, the streaming floor with every body byte checked against smtp-server, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`canned replies, body read by the core's DataDecoder (bare CR/LF refused, dots removed) and streamed to the same onData, ${s}`, cpu[5]!),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, cpu[1]!),
      notes: 'same runs; the streaming floor plus the smuggling defence every server must apply to each body byte (a bare CR or LF never ends a line), with no command parsing at all: where this is below an aim, no server that streams the body and refuses smuggled line endings can meet it with this decoder',
    });
    out.push({
      title: `ceiling: server CPU time per message, createServer's core behind a bare socket against smtp-server, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`ServerConnection, every decision accepted, body dropped, no hooks, stream or timers, ${s}`, cpu[4]!),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, cpu[1]!),
      notes: 'same runs; createServer\'s parsing, checks and replies with the least socket glue: where this is below an aim, no Node adapter around this core can meet it',
    });
    out.push({
      title: `ceiling: server CPU time per message, createServer's core with each body streamed to onData against smtp-server, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`ServerConnection behind a bare socket, the body streamed to the same onData and answered when it settles, no timers, limits or batching, ${s}`, cpu[6]!),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, cpu[1]!),
      notes: 'same runs; the core plus createServer\'s contract (and smtp-server\'s): a Readable body per message, the reply when onData settles. Where this is below an aim, no Node adapter with this core and this contract can meet it',
    });
    out.push({
      title: `reference: server CPU time per message, createServer against its core with the body streamed, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`createServer, ${s}`, cpu[0]!),
      peer: cpuFig(`ServerConnection behind a bare socket, body streamed to onData, ${s}`, cpu[6]!),
      notes: 'same runs; what the rest of the Node adapter (timers and deadlines, per-client limits, output batching, guards, hook plumbing) adds',
    });
    out.push({
      title: `reference: server CPU time per message, createServer against its core behind a bare socket, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`createServer, ${s}`, cpu[0]!),
      peer: cpuFig(`ServerConnection behind a bare socket, ${s}`, cpu[4]!),
      notes: 'same runs; what the Node adapter (hooks, the body stream, timers and deadlines, output batching, accounting) adds to the core',
    });
    out.push({
      title: `reference: server CPU time per message, the core behind a bare socket against the canned-reply floor, smtp-source, 10 KB, ${s}`,
      ours: cpuFig(`ServerConnection behind a bare socket, ${s}`, cpu[4]!),
      peer: cpuFig(`canned replies, no parsing, ${s}`, cpu[2]!),
      notes: 'same runs; what the core\'s parsing, checks (every body byte included) and replies cost over canned replies',
    });
    out.push({
      title: `reference: createServer against a canned-reply floor, smtp-source, 10 KB, ${s}`,
      ours: fig(`createServer, ${s}`, rate[0]!),
      peer: fig(`canned replies, no parsing (the ceiling for a Node.js server), ${s}`, rate[2]!),
      aim: '>= 0.85x',
      notes: 'same runs; the floor writes fixed replies without parsing anything and makes the same system calls per message, so the gap to it is all the server code costs',
    });
    out.push({
      title: `ceiling: the canned-reply floor against smtp-server, smtp-source, 10 KB, ${s}`,
      ours: fig(`canned replies, no parsing, ${s}`, rate[2]!),
      peer: fig(`${SMTP_SERVER}, ${s}`, rate[1]!),
      notes: 'same runs; the most any server could be ahead of smtp-server on this machine with this client: where this ratio is below an aim, the aim cannot be met by any server code',
    });
    out.push({
      title: `reference: the streaming floor against the canned-reply floor, smtp-source, 10 KB, ${s}`,
      ours: fig(`canned replies, body streamed to onData, ${s}`, rate[3]!),
      peer: fig(`canned replies, no parsing, ${s}`, rate[2]!),
      notes: 'same runs; what streaming the body to a callback costs on its own, before any parsing or checking',
    });
    out.push({
      title: `ceiling: the streaming floor with every body byte checked against the canned-reply floor, messages/s, smtp-source, 10 KB, ${s}`,
      ours: fig(`canned replies, body checked by the DataDecoder and streamed to onData, ${s}`, rate[5]!),
      peer: fig(`canned replies, no parsing, ${s}`, rate[2]!),
      notes: 'same runs; a server that parses no command at all but streams each body with the smuggling check: where this is below the 0.85x aim, no server that streams and checks the body can meet it',
    });
    out.push({
      title: `ceiling: createServer's core with each body streamed to onData against the canned-reply floor, messages/s, smtp-source, 10 KB, ${s}`,
      ours: fig(`ServerConnection behind a bare socket, body streamed to onData, ${s}`, rate[6]!),
      peer: fig(`canned replies, no parsing, ${s}`, rate[2]!),
      notes: 'same runs; the core and the streamed-body contract with no adapter: where this is below the 0.85x aim, no Node adapter around this core with this contract can meet it',
    });
  }
  return out;
}

/** µs of CPU per message of one in-process run (see in-process-child.ts), in a fresh process. */
function inProcessRun(kind: 'ours' | 'peer', sessions: number, messages: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('../in-process-child.ts', import.meta.url)), [kind, String(sessions), String(messages)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve((m as { cpu: number }).cpu);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`in-process bench ${kind} exited (${String(code)}) before reporting`));
    });
  });
}

/**
 * The server code's CPU per message with the kernel taken out: each server in its own fresh
 * process, driven by an in-memory client with smtp-source's script (in-process-child.ts),
 * alternating ours and the peer. The smtp-source figures above add the same system calls and
 * event-loop work to both servers (the canned-reply floor's CPU); this one shows the part each
 * server's own JavaScript costs.
 */
async function inProcess(quick: boolean, place: Placement): Promise<Comparison[]> {
  const messages = quick ? 3000 : 20000;
  const processes = quick ? 1 : 5;
  const out: Comparison[] = [];
  for (const sessions of [1, 8]) {
    const ours: number[] = [];
    const peer: number[] = [];
    for (let p = 0; p < processes; p++) {
      ours.push(await inProcessRun('ours', sessions, messages));
      peer.push(await inProcessRun('peer', sessions, messages));
    }
    const s = `${String(sessions)} session(s)`;
    const cpuFig = (name: string, values: number[]): Figure => ({ name, median: median(values), runs: values, unit: 'µs CPU/message', higherIsBetter: false });
    out.push({
      title: `server code CPU time per message without the kernel: an in-memory client with smtp-source's script in the server's process, 10 KB, ${s}`,
      ours: cpuFig(`createServer, ${s}`, ours),
      peer: cpuFig(`${SMTP_SERVER}, ${s}`, peer),
      notes: `${String(messages)} messages after a warm-up of 2,000, in ${String(processes)} fresh process(es) per server, alternating; medians; no socket: a Duplex whose writes are scanned for final replies, each next command pushed with setImmediate (that client's work counts for both servers); both drain the body with 'data'/'end' listeners and accept; smtp-server without its reverse DNS lookup (once per connection). The smtp-source rows add to both the CPU of the system calls and the event loop (the canned-reply floor's), which is what keeps their ratio lower; ${place.server === undefined ? 'not pinned' : `on CPU ${String(place.server)}`}`,
    });
  }
  return out;
}

/** The common approach to a server command/data parser, as a peer for the core figure. */
class NaiveServer {
  #buf = '';
  #inData = false;
  #body = '';
  replies = 0;
  push(chunk: Uint8Array): void {
    this.#buf += Buffer.from(chunk).toString('latin1');
    for (;;) {
      if (this.#inData) {
        const end = this.#buf.indexOf('\r\n.\r\n');
        if (end < 0 && !this.#buf.startsWith('.\r\n')) return;
        const cut = this.#buf.startsWith('.\r\n') ? 0 : end + 2;
        this.#body = this.#buf.slice(0, cut).replace(/^\.\./gm, '.');
        this.#buf = this.#buf.slice(cut + 3);
        this.#inData = false;
        this.replies++;
        continue;
      }
      const nl = this.#buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 2);
      const m = /^([A-Za-z]+)(?: (.*))?$/.exec(line);
      if (!m) continue;
      const verb = m[1]!.toUpperCase();
      if (verb === 'MAIL' || verb === 'RCPT') {
        if (!/^(FROM|TO):<[^>]*>/i.test(m[2] ?? '')) throw new Error('bad');
      }
      if (verb === 'DATA') this.#inData = true;
      this.replies++;
    }
  }
  get bodyLength(): number {
    return this.#body.length;
  }
}

function transcript(): { flights: Uint8Array[]; bytes: number } {
  const enc = new TextEncoder();
  const line = 'x'.repeat(76) + '\r\n';
  const body = ('Subject: bench\r\n\r\n' + line.repeat(130) + '.dotted line\r\n').replace(/^\./gm, '..') + '.\r\n';
  const flights: Uint8Array[] = [enc.encode('EHLO client.bench\r\n')];
  for (let i = 0; i < 20; i++) {
    flights.push(enc.encode(`MAIL FROM:<a${String(i)}@bench.test>\r\nRCPT TO:<b@bench.test>\r\nRCPT TO:<c@bench.test>\r\nDATA\r\n`));
    flights.push(enc.encode(body));
  }
  flights.push(enc.encode('QUIT\r\n'));
  return { flights, bytes: flights.reduce((n, f) => n + f.length, 0) };
}

/**
 * The least work any SMTP server must do on the transcript: find every line end (CR LF) and look
 * at the byte after it (a leading dot), with `indexOf` on the bytes and nothing else: no
 * parsing, no reply, no event. It is the ceiling for the core figure on this machine in this run.
 */
function byteScan(flights: readonly Uint8Array[]): number {
  let lines = 0;
  for (const f of flights) {
    for (let i = f.indexOf(13); i >= 0 && i + 1 < f.length; i = f.indexOf(13, i + 2)) {
      if (f[i + 1] === 10) {
        lines++;
        if (f[i + 2] === 46) lines++;
      }
    }
  }
  return lines;
}

function coreThroughput(quick: boolean, place: Placement): Comparison[] {
  const { flights, bytes } = transcript();
  const mb = bytes / 1e6;
  // CPU time, not wall-clock: the machine is shared, and time spent descheduled is not the code's
  const opts = { runs: 1, ms: quick ? 100 : 300, clock: 'cpu' as const };
  const rounds = quick ? 2 : 7;
  // `adapter`: the Node adapter's settings, copyInput: false (it hands over the socket's buffers)
  // and the replies taken as text (textToSend, written to the socket as a string); otherwise the
  // defaults: input copied, replies as bytes (dataToSend, a new Uint8Array the caller owns)
  const core = (adapter: boolean) => (): Figure =>
    throughput(`ServerConnection${adapter ? ', copyInput: false, textToSend' : ''}`, 'MB/s', () => {
      const conn = new ServerConnection({ autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start', 'message-end'], copyInput: !adapter });
      for (const f of flights) {
        conn.receiveData(f);
        for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'closed'; e = conn.nextEvent()) void e;
        if (adapter) conn.textToSend();
        else conn.dataToSend();
      }
      return mb;
    }, opts);
  const naive = (): Figure =>
    throughput('string split + regex baseline', 'MB/s', () => {
      const p = new NaiveServer();
      for (const f of flights) p.push(f);
      return mb;
    }, opts);
  let sink = 0;
  const scan = (): Figure =>
    throughput('byte scan only (indexOf CR, look at the next bytes)', 'MB/s', () => {
      sink += byteScan(flights);
      return mb;
    }, opts);
  // one measurement of each per round, alternating, so that load on the shared machine hits all alike
  const runs: number[][] = [[], [], [], []];
  const last: Figure[] = [];
  for (let r = 0; r < rounds; r++) {
    [core(false), core(true), naive, scan].forEach((f, k) => {
      last[k] = f();
      runs[k]!.push(last[k].median);
    });
  }
  if (sink < 0) throw new Error('unreachable');
  const fig = (k: number): Figure => ({ ...last[k]!, median: median(runs[k]!), runs: runs[k]! });
  const title = 'core MB/s on a pipelined transcript (20 messages of 10 KB, 2 recipients each)';
  const same = `${String(rounds)} alternating rounds of ${String(opts.ms)} ms each; MB per second of this process's CPU time (user + system), so that other load on the machine does not count; ${place.server === undefined ? 'not pinned' : `on CPU ${String(place.server)}, the servers' CPU`}`;
  return [
    {
      title,
      ours: fig(0),
      peer: fig(2),
      notes: `ours with the defaults (input copied, replies as bytes with dataToSend) parses, validates paths and parameters, enforces limits and formats replies; the baseline only splits lines; ${same}`,
    },
    {
      title: `${title}, as the Node adapter runs it (copyInput: false: the caller hands over the bytes; replies taken with textToSend)`,
      ours: fig(1),
      peer: fig(3),
      aim: 'ours >= 1,000 MB/s',
      notes: `peer: the ceiling on this machine in this run, a bare byte scan that finds the line ends and nothing else; ${same}`,
    },
  ];
}

function readReply(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const lines = buf.split('\r\n');
      if (lines.some((l) => /^\d{3} /.test(l))) {
        socket.removeListener('data', onData);
        resolve(buf);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

async function send(socket: Socket, line: string): Promise<string> {
  const r = readReply(socket);
  socket.write(line);
  return r;
}

/** Streams one `bytes`-long message and returns the peak RSS growth in MB. */
async function streamBig(port: number, bytes: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const socket = connect(port, '127.0.0.1');
  await readReply(socket);
  await send(socket, 'EHLO big.test\r\n');
  await send(socket, 'MAIL FROM:<a@big.test>\r\n');
  await send(socket, 'RCPT TO:<b@big.test>\r\n');
  await send(socket, 'DATA\r\n');
  const line = Buffer.from('y'.repeat(998) + '\r\n');
  const block = Buffer.concat(Array.from({ length: 64 }, () => line));
  let sent = 0;
  const final = readReply(socket);
  while (sent < bytes) {
    if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
    sent += block.length;
  }
  socket.write('.\r\n');
  const reply = await final;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  socket.end('QUIT\r\n');
  if (!reply.includes('250')) throw new Error(`big message not accepted: ${reply}`);
  return (peak - base) / 1e6;
}

async function memory(quick: boolean): Promise<Comparison> {
  const size = quick ? 20e6 : 200e6;
  const o = await ours();
  const p = await peer();
  try {
    const oursRuns: number[] = [];
    const peerRuns: number[] = [];
    for (let i = 0; i < (quick ? 1 : 2); i++) {
      oursRuns.push(await streamBig(o.port, size));
      peerRuns.push(await streamBig(p.port, size));
    }
    const fig = (name: string, runs: number[]): Figure => ({ name, median: median(runs), runs, unit: 'MB', higherIsBetter: false });
    return {
      title: `resident memory growth while streaming one ${String(size / 1e6)} MB message`,
      ours: fig('createServer', oursRuns),
      peer: fig(SMTP_SERVER, peerRuns),
      aim: '< 32 MB',
      notes: 'client, server and sampler in the same process; peak RSS minus RSS before the session',
    };
  } finally {
    await o.close();
    await p.close();
  }
}

const suite: Suite = {
  name: 'server',
  async run({ quick }) {
    const results: Comparison[] = [];
    // every server process (the children, and this one for the core and memory figures) on one
    // CPU and smtp-source on another, when the machine allows it (see placement.ts)
    const place = await pinServers();
    console.log(`placement: ${place.text}`);
    try {
      results.push(...(await messagesPerSecond(quick, place)));
      results.push(...(await inProcess(quick, place)));
      results.push(...coreThroughput(quick, place));
      results.push(await memory(quick));
    } finally {
      await place.restore();
    }
    return results;
  },
};

export default suite;

