// A thrown error's `message` is written for logs: it becomes the reply text only when it is one
// short line. A long message, or one with a line break, never reaches the peer: the throw is an
// unexpected exception (the error itself to onError, 451 4.3.0 to the client).
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from '../../test/servers.js';
import { MESSAGE_TEXT_MAX, replyOfError } from './hooks.js';

const servers = serversPerTest('error-message.test');

const afterRcpt = (port: number): Promise<string> =>
  rawSession(port, [{ write: 'EHLO c.test\r\n', after: 1 }, { write: 'MAIL FROM:<a@example.org>\r\n', after: 2 }, { write: 'RCPT TO:<b@example.net>\r\n', after: 3 }, { write: 'QUIT\r\n', after: 4 }]);

describe("a thrown error's message as reply text", () => {
  it('stands in for a missing text when it is one short line', () => {
    expect(replyOfError(Object.assign(new Error('Mailbox full'), { code: 452 }))).toEqual({ code: 452, enhanced: undefined, text: 'Mailbox full' });
    const longest = 'm'.repeat(MESSAGE_TEXT_MAX);
    expect(replyOfError({ code: 550, message: longest })).toEqual({ code: 550, enhanced: undefined, text: longest });
  });

  it('makes the throw an unexpected exception when it is long or holds a control character', () => {
    expect(replyOfError({ code: 550, message: 'm'.repeat(MESSAGE_TEXT_MAX + 1) })).toBeUndefined();
    expect(replyOfError(Object.assign(new Error('query failed\n    at Pool.query (db.js:10:3)'), { code: 503 }))).toBeUndefined();
    expect(replyOfError({ code: 451, message: 'a\rb' })).toBeUndefined();
    expect(replyOfError({ code: 451, message: 'a\u0085b' })).toBeUndefined();
    expect(replyOfError({ code: 451, message: 'tab\there' })).toBeUndefined();
  });

  it('an explicit text is the application’s choice and is kept, whatever the message', () => {
    expect(replyOfError({ code: 550, text: 'x'.repeat(1000), message: 'y\nz' })).toEqual({ code: 550, enhanced: undefined, text: 'x'.repeat(1000) });
  });

  it('a 100 KB error message thrown by a hook reaches onError, never the client', async () => {
    const errors: unknown[] = [];
    const secret = `connection to db-internal.corp:5432 refused ${'detail '.repeat(15_000)}`;
    const thrown = Object.assign(new Error(secret), { code: 503 });
    const { port } = await servers.start({
      onError: (e) => void errors.push(e),
      onRcptTo: () => {
        throw thrown;
      },
    });
    const got = await afterRcpt(port);
    expect(got).toContain('\r\n451 4.3.0 Local error in processing\r\n');
    expect(got).not.toContain('db-internal');
    expect(got.length).toBeLessThan(1000);
    expect(errors).toContain(thrown);
  });

  it('a multi-line driver message is not sent either, and onError gets the error itself', async () => {
    const errors: unknown[] = [];
    const thrown = Object.assign(new Error('deadlock detected\nDETAIL: Process 4242 waits for ShareLock'), { code: 450 });
    const { port } = await servers.start({
      onError: (e) => void errors.push(e),
      onMailFrom: () => {
        throw thrown;
      },
    });
    const got = await rawSession(port, [{ write: 'EHLO c.test\r\n', after: 1 }, { write: 'MAIL FROM:<a@example.org>\r\n', after: 2 }, { write: 'QUIT\r\n', after: 3 }]);
    expect(got).toContain('\r\n451 4.3.0 Local error in processing\r\n');
    expect(got).not.toContain('ShareLock');
    expect(errors).toEqual([thrown]);
  });

  it('a short message still answers with the thrown code', async () => {
    const { port } = await servers.start({
      onRcptTo: () => {
        throw Object.assign(new Error('Mailbox full'), { code: 452, enhanced: '4.2.2' });
      },
    });
    expect(await afterRcpt(port)).toContain('\r\n452 4.2.2 Mailbox full\r\n');
  });
});
