// A reply from the application is read once: a getter or a Proxy that gives a valid value to the
// check and another one afterwards must not change what goes on the wire (nor what the shared
// formatting cache keeps for other sessions).
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { drive } from '../test/harness.js';
import { isSmtpServerError } from './errors.js';
import { checkReply, formatServerReply } from './reply.js';
import type { ReplyInit } from './reply.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);

/** `base` with `field` a getter: `first` on the first read, `later` on every read after it. */
function flipping(base: Record<string, unknown>, field: string, first: unknown, later: unknown): { reply: ReplyInit; reads: () => number } {
  let n = 0;
  const reply = { ...base };
  Object.defineProperty(reply, field, { enumerable: true, get: () => (n++ === 0 ? first : later) });
  return { reply: reply as unknown as ReplyInit, reads: () => n };
}

describe('formatServerReply reads each field once', () => {
  it('writes the code it checked, and leaves the shared cache right for the next caller', () => {
    const { reply, reads } = flipping({ enhanced: '5.1.1', text: 'No such user (read once)' }, 'code', 550, 251);
    expect(formatServerReply(reply, true)).toBe('550 5.1.1 No such user (read once)\r\n');
    expect(reads()).toBe(1);
    expect(formatServerReply({ code: 550, enhanced: '5.1.1', text: 'No such user (read once)' }, true)).toBe('550 5.1.1 No such user (read once)\r\n');
  });
  it('writes the text and enhanced code it checked', () => {
    const t = flipping({ code: 550 }, 'text', 'checked text', 'x\r\n250 injected');
    expect(formatServerReply(t.reply, true)).toBe('550 5.0.0 checked text\r\n');
    const e = flipping({ code: 550, text: 'enhanced read once' }, 'enhanced', '5.1.1', '2.0.0');
    expect(formatServerReply(e.reply, true)).toBe('550 5.1.1 enhanced read once\r\n');
    expect(t.reads() + e.reads()).toBe(2);
  });
  it('reads each line of a list once', () => {
    let n = 0;
    const lines = ['a', 'b'];
    Object.defineProperty(lines, 1, { get: () => (n++ === 0 ? 'b' : 'x\r\n250 injected') });
    expect(formatServerReply({ code: 550, text: lines }, true)).toBe('550-5.0.0 a\r\n550 5.0.0 b\r\n');
    expect(n).toBe(1);
  });
  it('refuses what is not a reply object with ERR_SMTP_INVALID_REPLY, not a TypeError', () => {
    for (const bad of [undefined, null, 250, 'ok', Symbol('r'), 250n]) {
      expect(codeOf(() => formatServerReply(bad as unknown as ReplyInit, true))).toBe('ERR_SMTP_INVALID_REPLY');
      expect(codeOf(() => checkReply(bad as unknown as ReplyInit))).toBe('ERR_SMTP_INVALID_REPLY');
    }
    expect(codeOf(() => formatServerReply({ code: 550, text: new Uint8Array(2) as unknown as string[] }, true))).toBe('ERR_SMTP_INVALID_REPLY');
  });
});

describe('accept, reject, respond and continueCommand read the reply once', () => {
  function rcptAnswer(answer: (conn: Parameters<NonNullable<Parameters<typeof drive>[1]>>[1]) => void): string {
    const d = drive({}, (e, conn) => {
      if (e.type !== 'rcpt') return false;
      answer(conn);
      return true;
    });
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\n');
    return d.feed('RCPT TO:<b@example.net>\r\n');
  }
  it('reject(): the refusal checked is the refusal sent', () => {
    const { reply, reads } = flipping({ enhanced: '5.1.1', text: 'unknown' }, 'code', 550, 250);
    expect(rcptAnswer((conn) => conn.reject(reply))).toBe('550 5.1.1 unknown\r\n');
    expect(reads()).toBe(1);
  });
  it('respond() and accept(): text that changes after the check never reaches the wire', () => {
    const r = flipping({ code: 250, enhanced: '2.1.5' }, 'text', 'fine', 'x\r\n250 injected');
    expect(rcptAnswer((conn) => conn.respond(r.reply))).toBe('250 2.1.5 fine\r\n');
    const a = flipping({ code: 250, enhanced: '2.1.5' }, 'text', 'fine too', 'x\r\n250 injected');
    expect(rcptAnswer((conn) => conn.accept(a.reply))).toBe('250 2.1.5 fine too\r\n');
    expect(r.reads() + a.reads()).toBe(2);
  });
  it('respond() in LMTP reads the list and each reply once', () => {
    const one = flipping({ enhanced: '5.2.2', text: 'full' }, 'code', 552, 250);
    const list = [one.reply];
    let lengthReads = 0;
    const proxy = new Proxy(list, { get: (t, k, r) => (k === 'length' && lengthReads++, Reflect.get(t, k, r) as unknown) });
    const d = drive({ lmtp: true }, (e, conn) => {
      if (e.type !== 'message-end') return false;
      conn.respond(proxy);
      return true;
    });
    d.feed('LHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\n');
    d.feed('RCPT TO:<b@example.net>\r\n');
    d.feed('DATA\r\n');
    expect(d.feed('hi\r\n.\r\n')).toBe('552 5.2.2 full\r\n');
    expect(one.reads()).toBe(1);
    expect(lengthReads).toBe(1);
  });
  it('continueCommand(): the intermediate reply checked is the one sent', () => {
    const r = flipping({ text: 'go on' }, 'code', 334, 250);
    const step = flipping({ reply: r.reply }, 'read', 'line', 'dot');
    const d = drive({ registry: [{ keyword: 'XTEST', verbs: [{ name: 'XTEST' }] }] }, (e, conn) => {
      if (e.type !== 'command') return false;
      conn.continueCommand(step.reply as unknown as Parameters<typeof conn.continueCommand>[0]);
      return true;
    });
    d.feed('EHLO c.test\r\n');
    expect(d.feed('XTEST\r\n')).toBe('334 go on\r\n');
    expect(r.reads()).toBe(1);
    // the step is read once too: the line it asked for comes back as a line, not a dot block
    d.feed('answer\r\n');
    expect(d.events.at(-1)).toMatchObject({ type: 'command-line', line: 'answer' });
    expect(step.reads()).toBe(1);
  });
});
