/**
 * smtp-reply-reader against a real, independently written SMTP server: Postfix smtp-sink.
 * Every reply is parsed from the raw socket chunks; a second reader gets the same bytes one at a
 * time and must agree.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReplyReader, expectReply, isPermanentNegative, isTransientNegative, type Reply } from 'smtp-reply-reader';
import { freePort } from '@smtpkit/testkit';

const SINK = '/usr/sbin/smtp-sink';
const HOST = '127.0.0.1';


function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A client that feeds every raw chunk to a ReplyReader and lets the test await N replies. */
class Session {
  readonly replies: Reply[] = [];
  readonly raw: Buffer[] = [];
  readonly reader = new ReplyReader();
  #waiters: { n: number; resolve: () => void }[] = [];
  #error: Error | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      try {
        this.replies.push(...this.reader.push(chunk));
      } catch (e) {
        this.#error = e instanceof Error ? e : new Error(String(e));
      }
      this.#wake();
    });
    socket.on('close', () => this.#wake());
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.replies.length >= w.n || this.#error || this.socket.destroyed) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  /** Resolves when `n` replies in total have arrived (bounded by a timeout). */
  async until(n: number, ms = 5000): Promise<Reply[]> {
    if (this.replies.length < n && !this.#error) {
      await Promise.race([
        new Promise<void>((resolve) => {
          this.#waiters.push({ n, resolve });
        }),
        delay(ms),
      ]);
    }
    if (this.#error) throw this.#error;
    expect(this.replies.length).toBeGreaterThanOrEqual(n);
    return this.replies;
  }

  send(text: string): void {
    this.socket.write(text);
  }
}

async function open(port: number): Promise<Session> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect(port, HOST);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
      return new Session(socket);
    } catch {
      await delay(100);
    }
  }
  throw new Error(`smtp-sink did not accept connections on ${HOST}:${port}`);
}

const available = existsSync(SINK);

describe.skipIf(!available)('smtp-reply-reader against Postfix smtp-sink', () => {
  let child: ChildProcess | undefined;
  let port = 0;
  const sessions: Session[] = [];

  beforeAll(async () => {
    port = await freePort();
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    // -r VRFY: soft (4xx) reject; -f NOOP: hard (5xx) reject; -h: the greeting host name.
    const args = [...(asRoot ? ['-u', 'nobody'] : []), '-4', '-h', 'sink.test', '-r', 'VRFY', '-f', 'NOOP', `${HOST}:${port}`, '10'];
    child = spawn(SINK, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  afterAll(async () => {
    for (const s of sessions) s.socket.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, delay(2000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  test('greeting, EHLO, pipelined MAIL/RCPT/DATA, message, rejected commands, RSET, QUIT', async () => {
    const s = await open(port);
    sessions.push(s);
    const [greeting] = await s.until(1);
    expect(greeting!.code).toBe(220);
    expect(greeting!.text).toMatch(/^sink\.test\b/);

    s.send('EHLO client.test\r\n');
    const ehlo = (await s.until(2))[1]!;
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines[0]).toBe('sink.test');
    expect(ehlo.lines).toEqual(expect.arrayContaining(['8BITMIME', 'ENHANCEDSTATUSCODES', 'DSN']));
    expect(ehlo.enhanced).toBeUndefined();

    s.send('MAIL FROM:<alice@client.test>\r\nRCPT TO:<bob@sink.test>\r\nDATA\r\n');
    const [mail, rcpt, data] = (await s.until(5)).slice(2);
    expect(expectReply(mail!, 250)).toBe(true);
    expect(mail!.enhanced).toEqual({ class: 2, subject: 1, detail: 0 });
    expect(expectReply(rcpt!, 250, 251)).toBe(true);
    expect(rcpt!.enhanced).toEqual({ class: 2, subject: 1, detail: 5 });
    expect(data!.code).toBe(354);

    s.send('Subject: interop\r\n\r\nhello\r\n.\r\n');
    const queued = (await s.until(6))[5]!;
    expect(queued.code).toBe(250);
    expect(queued.enhanced).toEqual({ class: 2, subject: 0, detail: 0 });

    s.send('VRFY bob\r\nNOOP\r\nRSET\r\nQUIT\r\n');
    const [vrfy, noop, rset, quit] = (await s.until(10)).slice(6);
    expect(isTransientNegative(vrfy!)).toBe(true);
    expect(vrfy!.enhanced?.class).toBe(4);
    expect(isPermanentNegative(noop!)).toBe(true);
    expect(noop!.enhanced?.class).toBe(5);
    expect(rset!.code).toBe(250);
    expect(quit!.code).toBe(221);

    await new Promise<void>((resolve) => {
      if (s.socket.destroyed || s.socket.readableEnded) resolve();
      else s.socket.once('close', () => resolve());
      setTimeout(resolve, 3000);
    });
    s.reader.end();

    // the same bytes, one at a time, give the same replies.
    const again = new ReplyReader();
    const bytewise: Reply[] = [];
    for (const chunk of s.raw) for (const b of chunk) bytewise.push(...again.push(new Uint8Array([b])));
    again.end();
    expect(bytewise).toEqual(s.replies);
  });

  test('a second session with a fresh reader: greeting and a QUIT pipelined after EHLO', async () => {
    const s = await open(port);
    sessions.push(s);
    await s.until(1);
    s.send('EHLO second.test\r\nQUIT\r\n');
    const replies = await s.until(3);
    expect(replies.map((r) => r.code)).toEqual([220, 250, 221]);
  });
});
