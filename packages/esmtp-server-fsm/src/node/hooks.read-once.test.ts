// What a hook throws is read once: a thrown reply (or an Error with a `code`) whose code reads as
// a refusal for the check and as a success afterwards must still refuse, on the wire, and text
// that changes after the check never reaches a real client.
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from '../../test/servers.js';
import { SmtpReplyError } from './hooks.js';

const servers = serversPerTest('read-once.test');

/** An object whose `field` reads `first` `good` times, then `later` on every read after. */
function flipping<T extends object>(base: T, field: string, first: unknown, later: unknown, good = 1): T {
  let n = 0;
  Object.defineProperty(base, field, { enumerable: true, configurable: true, get: () => (n++ < good ? first : later) });
  return base;
}

const afterRcpt = (port: number): Promise<string> =>
  rawSession(port, [{ write: 'EHLO c.test\r\n', after: 1 }, { write: 'MAIL FROM:<a@example.org>\r\n', after: 2 }, { write: 'RCPT TO:<b@example.net>\r\n', after: 3 }, { write: 'QUIT\r\n', after: 4 }]);

describe('a hook answer is read once', () => {
  it('a thrown SmtpReplyError whose code turns positive after the check still refuses', async () => {
    const { port } = await servers.start({
      onRcptTo: () => {
        // (the first read is the constructor's, for the message)
        throw new SmtpReplyError(flipping({ enhanced: '5.1.1', text: 'No such user' } as { code: number; enhanced: string; text: string }, 'code', 550, 250, 2));
      },
    });
    const got = await afterRcpt(port);
    expect(got).toContain('\r\n550 5.1.1 No such user\r\n');
    expect(got).not.toMatch(/^250 2\.1\.5/m);
  });
  it('an Error with a code that turns positive after the check still refuses', async () => {
    const { port } = await servers.start({
      onRcptTo: () => {
        throw flipping(Object.assign(new Error('Mailbox full'), { enhanced: '4.2.2' }), 'code', 452, 250);
      },
    });
    const got = await afterRcpt(port);
    expect(got).toContain('\r\n452 4.2.2 Mailbox full\r\n');
  });
  it('a returned reply whose text turns into two lines after the check sends one line', async () => {
    const { port } = await servers.start({
      onRcptTo: () => flipping({ code: 550, enhanced: '5.1.1' } as { code: number; enhanced: string; text: string }, 'text', 'unknown', 'x\r\n250 injected'),
    });
    const got = await afterRcpt(port);
    expect(got).toContain('\r\n550 5.1.1 unknown\r\n');
    expect(got).not.toContain('injected');
  });
});
