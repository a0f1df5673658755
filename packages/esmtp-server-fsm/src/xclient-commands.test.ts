// XCLIENT and XFORWARD (Postfix): trusted peers only, attributes as xtext with the two special
// values, the XCLIENT decision (accepted: the session starts over with a new greeting; refused:
// 550 and the session goes on as it was) and XFORWARD's attributes recorded as they come.
import { describe, expect, it } from 'vitest';
import { codes, drive, replyLines as lines } from '../test/harness.js';
import type { ServerEvent } from './index.js';

/** A trusted session with XCLIENT and XFORWARD on, after EHLO; `answer` decides XCLIENT (default accept). */
function trusted(answer?: (e: Extract<ServerEvent, { type: 'xclient' }>) => boolean) {
  const d = drive({ trusted: true, xclient: true, xforward: true }, (e, conn) => {
    if (e.type !== 'xclient' || answer === undefined) return false;
    if (answer(e)) conn.accept();
    else conn.reject();
    return true;
  });
  d.feed('EHLO relay.test\r\n');
  return d;
}

const xclientEvent = (events: readonly ServerEvent[]): Extract<ServerEvent, { type: 'xclient' }> | undefined => {
  const e = events.find((x) => x.type === 'xclient');
  return e?.type === 'xclient' ? e : undefined;
};

describe('XCLIENT', () => {
  it('is advertised to a trusted peer only, and refused to anyone else with 550 5.7.0', () => {
    expect(trusted().out).toContain('250-XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT');
    const d = drive({ xclient: true });
    expect(d.feed('EHLO c.test\r\n')).not.toContain('XCLIENT');
    expect(lines(d.feed('XCLIENT ADDR=192.0.2.1\r\n'))).toEqual(['550 5.7.0 Error: insufficient authorization']);
  });

  it('attributes: names in any case, values xtext-decoded, [UNAVAILABLE] and [TEMPUNAVAIL] kept as they are', () => {
    const d = trusted(() => true);
    d.feed('XCLIENT name=mail+2Eclient.test ADDR=192.0.2.7 Port=40000 HELO=[UNAVAILABLE] LOGIN=[TEMPUNAVAIL]\r\n');
    expect(xclientEvent(d.events)?.attributes).toEqual({ NAME: 'mail.client.test', ADDR: '192.0.2.7', PORT: '40000', HELO: '[UNAVAILABLE]', LOGIN: '[TEMPUNAVAIL]' });
  });

  it.each([
    ['no attribute', 'XCLIENT'],
    ['an item without =', 'XCLIENT ADDR'],
    ['an empty name', 'XCLIENT =192.0.2.1'],
    ['an attribute XCLIENT does not have', 'XCLIENT IDENT=x'],
    ['malformed xtext', 'XCLIENT NAME=a+ZZ'],
    ['a control character by xtext', 'XCLIENT NAME=a+0Db'],
  ])('%s: 501 5.5.4 and nothing decided', (_name, line) => {
    const d = trusted(() => true);
    expect(lines(d.feed(`${line}\r\n`))).toEqual(['501 5.5.4 Syntax: XCLIENT attribute=value...']);
    expect(xclientEvent(d.events)).toBeUndefined();
  });

  it('inside a transaction: 503 5.5.1', () => {
    const d = trusted(() => true);
    d.feed('MAIL FROM:<a@x.test>\r\n');
    expect(lines(d.feed('XCLIENT ADDR=192.0.2.1\r\n'))).toEqual(['503 5.5.1 Error: MAIL transaction in progress']);
  });

  it('accepted: a new greeting, HELO needed again, the client address replaced (not by a special value)', () => {
    const d = trusted(() => true);
    expect(codes(d.feed('XCLIENT ADDR=192.0.2.7 NAME=mail.client.test\r\n'))).toEqual([220]);
    expect(d.conn.session.clientAddress).toBe('192.0.2.7');
    expect(d.conn.session.helo).toBeUndefined();
    expect(lines(d.feed('MAIL FROM:<a@x.test>\r\n'))[0]).toMatch(/^503 /);
    expect(codes(d.feed('EHLO relay.test\r\n'))).toEqual([250]);
    expect(codes(d.feed('XCLIENT ADDR=[UNAVAILABLE]\r\n'))).toEqual([220]);
    expect(d.conn.session.clientAddress).toBe('192.0.2.7');
  });

  it('refused: 550 5.7.0, and the session goes on as it was (same client, same greeting)', () => {
    const d = trusted(() => false);
    const before = d.conn.session.clientAddress;
    expect(lines(d.feed('XCLIENT ADDR=192.0.2.7\r\n'))).toEqual(['550 5.7.0 Error: XCLIENT refused']);
    expect(d.conn.session.clientAddress).toBe(before);
    expect(d.conn.session.helo).toBe('relay.test');
    expect(codes(d.feed('MAIL FROM:<a@x.test>\r\n'))).toEqual([250]);
  });
});

describe('XFORWARD', () => {
  it('trusted peers only (550 5.7.0), after EHLO (503 5.5.1)', () => {
    const d = drive({ xforward: true });
    d.feed('EHLO c.test\r\n');
    expect(lines(d.feed('XFORWARD ADDR=192.0.2.1\r\n'))).toEqual(['550 5.7.0 Error: insufficient authorization']);
    const early = drive({ trusted: true, xforward: true });
    expect(lines(early.feed('XFORWARD ADDR=192.0.2.1\r\n'))).toEqual(['503 5.5.1 Error: send HELO/EHLO first']);
  });

  it('attributes are recorded as they come, later ones adding to the earlier; bad ones get 501 5.5.4', () => {
    const d = trusted();
    expect(lines(d.feed('XFORWARD NAME=mail+2Eorigin.test ADDR=198.51.100.9\r\n'))).toEqual(['250 2.0.0 Ok']);
    expect(lines(d.feed('XFORWARD PROTO=ESMTP SOURCE=REMOTE IDENT=[UNAVAILABLE]\r\n'))).toEqual(['250 2.0.0 Ok']);
    expect(d.events.flatMap((e) => (e.type === 'xforward' ? [e.attributes] : []))).toEqual([
      { NAME: 'mail.origin.test', ADDR: '198.51.100.9' },
      { PROTO: 'ESMTP', SOURCE: 'REMOTE', IDENT: '[UNAVAILABLE]' },
    ]);
    expect(lines(d.feed('XFORWARD LOGIN=someone\r\n'))).toEqual(['501 5.5.4 Syntax: XFORWARD attribute=value...']);
    expect(lines(d.feed('XFORWARD\r\n'))).toEqual(['501 5.5.4 Syntax: XFORWARD attribute=value...']);
  });
});

describe('SMUG-5 XCLIENT and XFORWARD attribute names are matched in ASCII only', () => {
  // 'ı'.toUpperCase() is 'I', 'ſ'.toUpperCase() is 'S', 'ﬆ'.toUpperCase() is 'ST': read with Unicode
  // rules these were LOGIN, SOURCE, DESTADDR..., names Postfix and any proxy in between take for unknown
  const utf8 = new TextEncoder();
  const oneByteAtATime = (d: ReturnType<typeof trusted>, line: string): string => {
    let out = '';
    for (const b of utf8.encode(line)) out += d.feed(Uint8Array.of(b));
    return out;
  };

  it.each([
    ['XCLIENT LOG\u0131N=alice'],
    ['XCLIENT ADDR=192.0.2.1 LOG\u0131N=alice'],
    ['XCLIENT \u0131ADDR=192.0.2.1'],
    ['XCLIENT NAME=c.test DE\ufb06ADDR=192.0.2.9'],
    ['XCLIENT HELO=c.test PROTO=ESMTP \u017fOURCE=x'],
    ['XCLIENT he\u0142o=c.test'],
  ])('%s: 501 5.5.4 (nothing echoed), no xclient decision, whole and byte by byte', (line) => {
    for (const split of [false, true]) {
      const d = trusted(() => true);
      const out = split ? oneByteAtATime(d, `${line}\r\n`) : d.feed(`${line}\r\n`);
      expect(lines(out), line).toEqual(['501 5.5.4 Syntax: XCLIENT attribute=value...']);
      expect(xclientEvent(d.events), line).toBeUndefined();
      // the session goes on as it was
      expect(lines(d.feed('MAIL FROM:<a@x.test>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    }
  });

  it('ASCII names in any case are still the attributes', () => {
    const d = trusted(() => true);
    d.feed('XCLIENT login=alice DestAddr=192.0.2.9\r\n');
    expect(xclientEvent(d.events)?.attributes).toEqual({ LOGIN: 'alice', DESTADDR: '192.0.2.9' });
  });

  it.each([['XFORWARD \u017fOURCE=REMOTE'], ['XFORWARD \u0131DENT=x'], ['XFORWARD NAME=a.test PROTO=ESMTP HEL\u00d6=c']])('%s: 501 5.5.4, no xforward event, whole and byte by byte', (line) => {
    for (const split of [false, true]) {
      const d = trusted();
      const out = split ? oneByteAtATime(d, `${line}\r\n`) : d.feed(`${line}\r\n`);
      expect(lines(out), line).toEqual(['501 5.5.4 Syntax: XFORWARD attribute=value...']);
      expect(d.events.some((e) => e.type === 'xforward'), line).toBe(false);
    }
    const d = trusted();
    expect(lines(d.feed('XFORWARD source=remote ident=x\r\n'))).toEqual(['250 2.0.0 Ok']);
    expect(d.events.flatMap((e) => (e.type === 'xforward' ? [e.attributes] : []))).toEqual([{ SOURCE: 'remote', IDENT: 'x' }]);
  });
});
