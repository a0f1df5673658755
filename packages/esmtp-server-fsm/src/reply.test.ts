import { describe, expect, it } from 'vitest';
import { drive } from '../test/harness.js';
import { formatServerReply } from './reply.js';
import { ServerConnection } from './server-connection.js';

const dec = new TextDecoder();

describe('formatted replies are cached per session without mixing them up', () => {
  it('same text with other codes, enhanced codes or ENHANCEDSTATUSCODES on and off', () => {
    const d = drive({}, (e, conn) => {
      if (e.type === 'rcpt' && e.to.startsWith('a')) conn.reject({ code: 550, enhanced: '5.1.1', text: 'No' });
      else if (e.type === 'rcpt' && e.to.startsWith('b')) conn.reject({ code: 550, enhanced: '5.1.10', text: 'No' });
      else if (e.type === 'rcpt' && e.to.startsWith('c')) conn.reject({ code: 450, enhanced: '4.1.1', text: 'No' });
      else if (e.type === 'rcpt' && e.to.startsWith('d')) conn.reject({ code: 550, text: 'No' });
      else conn.accept();
      return true;
    });
    d.feed('EHLO c.test\r\n');
    expect(d.feed('MAIL FROM:<x@y.test>\r\n')).toBe('250 2.1.0 Sender OK\r\n');
    const rcpts = ['a', 'b', 'c', 'd', 'a', 'b'].map((p) => d.feed(`RCPT TO:<${p}@y.test>\r\n`));
    expect(rcpts).toEqual(['550 5.1.1 No\r\n', '550 5.1.10 No\r\n', '450 4.1.1 No\r\n', '550 5.0.0 No\r\n', '550 5.1.1 No\r\n', '550 5.1.10 No\r\n']);
    // HELO replies carry no enhanced code, EHLO-session replies do: same text, different forms
    const plain = drive({ extensions: { enhancedStatusCodes: false } });
    plain.feed('EHLO c.test\r\n');
    expect(plain.feed('NOOP\r\n')).toBe('250 Ok\r\n');
    expect(d.feed('NOOP\r\n')).toBe('250 2.0.0 Ok\r\n');
  });

  it('dataToSend returns bytes the caller owns: changing them does not change later replies', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: ['connect', 'helo'] });
    const pump = (): string => {
      for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'closed' && e.type !== 'paused'; e = conn.nextEvent()) void e;
      return dec.decode(conn.dataToSend());
    };
    pump();
    conn.receiveData('EHLO c.test\r\n');
    pump();
    conn.receiveData('NOOP\r\n');
    conn.receiveData('');
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) void e;
    const first = conn.dataToSend();
    const text = dec.decode(first);
    first.fill(0x58);
    conn.receiveData('NOOP\r\n');
    expect(pump()).toBe(text);
  });

  it('many distinct replies: the cache stays bounded and every reply is still right', () => {
    const d = drive({ limits: { junkCommandLimit: 1000 } }, (e, conn) => {
      if (e.type === 'mail') conn.accept({ code: 250, enhanced: '2.1.0', text: `Sender ${e.from} OK` });
      else conn.accept();
      return true;
    });
    d.feed('EHLO c.test\r\n');
    for (let i = 0; i < 200; i++) {
      expect(d.feed(`MAIL FROM:<u${String(i)}@y.test>\r\n`)).toBe(`250 2.1.0 Sender u${String(i)}@y.test OK\r\n`);
      expect(d.feed('RSET\r\n')).toBe('250 2.0.0 Ok\r\n');
    }
  });
});

describe('textToSend', () => {
  const session = (): { conn: ServerConnection; pump: () => void } => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: ['connect', 'helo'], extensions: { smtpUtf8: true } });
    const pump = (): void => {
      for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'closed' && e.type !== 'paused'; e = conn.nextEvent()) {
        if (e.type === 'mail') conn.reject({ code: 550, enhanced: '5.7.1', text: 'Refusé' });
      }
    };
    return { conn, pump };
  };

  it('gives the same output as dataToSend, as text, and empties it', () => {
    const a = session();
    const b = session();
    for (const input of ['', 'EHLO c.test\r\n', 'MAIL FROM:<x@y.test>\r\nNOOP\r\n', 'QUIT\r\n']) {
      for (const s of [a, b]) {
        if (input) s.conn.receiveData(input);
        s.pump();
      }
      const text = a.conn.textToSend();
      expect(text).toBe(dec.decode(b.conn.dataToSend()));
      expect(a.conn.textToSend()).toBe('');
    }
    expect(a.conn.shouldClose).toBe(true);
  });

  it('holds the reply during the DOS-5 error delay, like dataToSend', () => {
    const { conn, pump } = session();
    pump();
    conn.receiveData('EHLO c.test\r\n');
    pump();
    conn.textToSend();
    conn.receiveData('XXXX\r\n'.repeat(10));
    pump();
    expect(conn.pendingTimeout()?.name).toBe('errorDelay');
    expect(conn.textToSend()).toBe('');
    conn.handleTimeout(conn.pendingTimeout()!.id);
    expect(conn.textToSend()).toMatch(/^500 5\.5\.2 /m);
  });

  it('pendingTimeout gives the same frozen object for the same timer', () => {
    const { conn, pump } = session();
    pump();
    const first = conn.pendingTimeout();
    expect(first).toMatchObject({ name: 'command', ms: 300_000 });
    expect(conn.pendingTimeout()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe('formatServerReply shares one-line replies across sessions without mixing them up', () => {
  it('same text with other codes, enhanced codes and flags; past the bound; long texts, lists and 334', () => {
    const expected = (code: number, enhanced: string | undefined, text: string, flag: boolean): string =>
      `${String(code)} ${flag && code !== 354 ? `${enhanced ?? `${String(Math.floor(code / 100))}.0.0`} ` : ''}${text}\r\n`;
    for (let round = 0; round < 2; round++) {
      // 3 x 400 distinct entries: the shared table is cleared several times on the way
      for (let n = 0; n < 400; n++) {
        const text = `Reply ${String(n % 150)}`;
        for (const [code, enhanced] of [
          [250, '2.1.0'],
          [250, undefined],
          [550, '5.1.1'],
        ] as const) {
          for (const flag of [true, false]) {
            const init = enhanced === undefined ? { code, text } : { code, enhanced, text };
            expect(formatServerReply(init, flag)).toBe(expected(code, enhanced, text, flag));
          }
        }
      }
    }
    expect(formatServerReply({ code: 354, text: 'End data with <CR><LF>.<CR><LF>' }, true)).toBe('354 End data with <CR><LF>.<CR><LF>\r\n');
    expect(formatServerReply({ code: 334, text: 'abc' }, true)).toBe('334 abc\r\n');
    expect(formatServerReply({ code: 334, text: 'abd' }, true)).toBe('334 abd\r\n');
    expect(formatServerReply({ code: 250, text: ['a', 'b'] }, false)).toBe('250-a\r\n250 b\r\n');
    const long = 'y'.repeat(300);
    expect(formatServerReply({ code: 250, text: long }, false)).toBe(`250 ${long}\r\n`);
    expect(() => formatServerReply({ code: 250, text: 'a\r\nb' }, false)).toThrow();
    expect(() => formatServerReply({ code: 250, text: 'a\r\nb' }, false)).toThrow();
  });
});
