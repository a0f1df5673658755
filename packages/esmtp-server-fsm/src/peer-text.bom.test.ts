// A command line that starts with a UTF-8 byte order mark (EF BB BF) is not the command after it:
// the strict decoder kept dropping the mark, so `\uFEFFDATA` was DATA here where Postfix answers
// an unknown command; a peer in front that reads the line as text would disagree on where the
// data starts (a smuggling-kind difference).
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import { utf8Text } from './peer-text.js';

describe('a byte order mark before a command', () => {
  it('utf8Text keeps it', () => {
    expect(utf8Text(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('\uFEFFA');
  });

  for (const verb of ['DATA', 'NOOP', 'RSET', 'MAIL FROM:<a@x.test>', 'QUIT']) {
    it(`\\uFEFF${verb} is no ${verb.split(' ')[0]}`, () => {
      const d = drive({});
      d.feed('EHLO client.test\r\n');
      if (verb === 'DATA') {
        d.feed('MAIL FROM:<a@x.test>\r\n');
        d.feed('RCPT TO:<b@y.test>\r\n');
      }
      const r = lines(d.feed(`\uFEFF${verb}\r\n`));
      expect(r).toHaveLength(1);
      expect(r[0]).toMatch(/^5\d\d /);
      expect(d.conn.shouldClose).toBe(false);
    });
  }
});
