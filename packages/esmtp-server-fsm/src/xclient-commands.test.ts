// XCLIENT and XFORWARD (Postfix): trusted peers only, attributes as xtext with the two special
// values, the XCLIENT decision (accepted: the session starts over with a new greeting; refused:
// 550 and the session goes on as it was) and XFORWARD's attributes recorded as they come.
import { describe, expect, it } from 'vitest';
import { codes, drive, replyLines as lines } from '../test/harness.js';
import { buildReceivedHeader } from './index.js';
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

describe('INJ-5 XCLIENT and XFORWARD HELO and NAME are host names, checked as the EHLO argument is', () => {
  // they stand for the client's HELO argument and host name (the Received header's `from` part,
  // the events, the logs): a value EHLO would refuse is refused here too, nothing of it echoed
  const driveWith = (smtpUtf8: boolean) => {
    const d = drive({ trusted: true, xclient: true, xforward: true, extensions: { smtpUtf8 } }, (e, conn) => {
      if (e.type !== 'xclient') return false;
      conn.accept();
      return true;
    });
    d.feed('EHLO relay.test\r\n');
    return d;
  };
  const xforwards = (d: ReturnType<typeof driveWith>) => d.events.flatMap((e) => (e.type === 'xforward' ? [e.attributes] : []));
  const encode = (v: string): string => {
    let out = '';
    for (const b of new TextEncoder().encode(v)) out += b > 0x20 && b < 0x7f && b !== 0x2b && b !== 0x3d ? String.fromCharCode(b) : `+${b.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  };
  // refused as both HELO and NAME (with SMTPUTF8 on: U-labels are not the reason)
  const badNames = [
    'a b.test',
    'a;b.test',
    'a(b).test',
    'a"b.test',
    '<a>.test',
    'a\\b.test',
    'a..test',
    '-a.test',
    'a-.test',
    '.a.test',
    'a.test..',
    `${'a'.repeat(64)}.test`,
    `${'a.'.repeat(128)}test`,
    'a\u202eb.test',
    'a\u200bb.test',
    'a\u2028b.test',
    '\ufeffa.test',
    '[999.0.0.1]',
    '[192.0.2.1',
    '[IPv6:nope]',
    '[unknown]',
    '',
  ];
  const goodNames = ['client.test', 'client.test.', 'Client_1.example', 'caf\u00e9.test', 'xn--caf-dma.test', 'localhost'];

  it.each(badNames)('%j: XCLIENT HELO and NAME, XFORWARD HELO and NAME get 501 5.5.4, nothing decided or recorded', (bad) => {
    for (const attr of ['HELO', 'NAME']) {
      const d = driveWith(true);
      const line = `XCLIENT ADDR=192.0.2.7 ${attr}=${encode(bad)}\r\n`;
      const [reply, ...more] = lines(d.feed(line));
      expect(more).toEqual([]);
      expect(reply).toMatch(/^501 5\.5\.4 /);
      // nothing of the value comes back
      expect(reply!.slice(10)).not.toContain(bad === '' ? '\0' : bad.slice(0, 3));
      expect(xclientEvent(d.events)).toBeUndefined();
      expect(d.conn.session.xclient).toBeUndefined();
      expect(d.conn.session.helo).toBe('relay.test');
      expect(d.conn.session.clientAddress).not.toBe('192.0.2.7');

      expect(lines(d.feed('XFORWARD NAME=first.test\r\n'))).toEqual(['250 2.0.0 Ok']);
      const [fwd, ...rest] = lines(d.feed(`XFORWARD ADDR=198.51.100.9 ${attr}=${encode(bad)}\r\n`));
      expect(rest).toEqual([]);
      expect(fwd).toMatch(/^501 5\.5\.4 /);
      expect(xforwards(d)).toEqual([{ NAME: 'first.test' }]);
      expect(d.conn.session.xforward).toEqual({ NAME: 'first.test' });
      // the session goes on as it was
      expect(lines(d.feed('MAIL FROM:<a@x.test>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    }
  });

  it('a U-label only when SMTPUTF8 is offered, as for EHLO', () => {
    for (const attr of ['HELO', 'NAME']) {
      const off = driveWith(false);
      expect(lines(off.feed(`XCLIENT ${attr}=caf+C3+A9.test\r\n`))[0]).toMatch(/^501 5\.5\.4 /);
      expect(lines(off.feed(`XFORWARD ${attr}=caf+C3+A9.test\r\n`))[0]).toMatch(/^501 5\.5\.4 /);
      expect(lines(off.feed(`XFORWARD ${attr}=xn--caf-dma.test\r\n`))).toEqual(['250 2.0.0 Ok']);
      const on = driveWith(true);
      expect(codes(on.feed(`XCLIENT ${attr}=caf+C3+A9.test\r\n`))).toEqual([220]);
      expect(on.conn.session.xclient).toEqual({ [attr]: 'caf\u00e9.test' });
    }
  });

  it('HELO may be an address literal or [UNAVAILABLE]; NAME is a name (not an address), [UNAVAILABLE] or [TEMPUNAVAIL]', () => {
    for (const [line, ok] of [
      ['XCLIENT HELO=[192.0.2.1]', true],
      ['XCLIENT HELO=[IPv6:2001:db8::1]', true],
      ['XCLIENT HELO=[UNAVAILABLE]', true],
      ['XCLIENT NAME=[UNAVAILABLE]', true],
      ['XCLIENT NAME=[TEMPUNAVAIL]', true],
      ['XCLIENT NAME=[192.0.2.1]', false],
      ['XCLIENT NAME=[IPv6:2001:db8::1]', false],
      ['XFORWARD HELO=[192.0.2.1]', true],
      ['XFORWARD NAME=[TEMPUNAVAIL]', true],
      ['XFORWARD NAME=[192.0.2.1]', false],
    ] as const) {
      const d = driveWith(true);
      const [reply] = lines(d.feed(`${line}\r\n`));
      if (ok) expect(reply, line).toMatch(/^(220|250) /);
      else expect(reply, line).toMatch(/^501 5\.5\.4 /);
    }
  });

  it('what is accepted goes into a Received header as one token, and what would not is refused first', () => {
    for (const value of [...goodNames, ...badNames, '[192.0.2.1]', '[IPv6:2001:db8::1]', '[UNAVAILABLE]']) {
      const d = driveWith(true);
      d.feed(`XCLIENT ADDR=192.0.2.7 HELO=${encode(value)}\r\n`);
      const helo = d.conn.session.xclient?.HELO;
      d.feed('EHLO relay.test\r\n');
      d.feed(`XFORWARD NAME=${encode(value)}\r\n`);
      const name = d.conn.session.xforward?.NAME;
      if (goodNames.includes(value)) expect([helo, name], value).toEqual([value, value]);
      if (badNames.includes(value)) expect([helo, name], value).toEqual([undefined, undefined]);
      if (helo === undefined || name === undefined) continue;
      const header = buildReceivedHeader({ helo, ...(name === '[UNAVAILABLE]' ? {} : { clientHostname: name }), clientAddress: '192.0.2.7', by: 'mx.test', protocol: 'ESMTP', date: 'Sat, 5 Dec 2026 12:00:00 +0000' });
      const from = header.split('\r\n')[0]!;
      expect(from, value).toBe(name === '[UNAVAILABLE]' ? `Received: from ${helo} ([192.0.2.7])` : `Received: from ${helo} (${name} [192.0.2.7])`);
    }
  });
});

describe('the replies to a bad host name, EHLO next to XCLIENT and XFORWARD', () => {
  // one check serves the three commands; EHLO tells its two failures apart, XCLIENT and XFORWARD
  // name the attribute; these are the exact lines each sends
  const label = 'a'.repeat(63);
  const tooLongAscii = `${label}.${label}.${label}.${'b'.repeat(64)}`; // 256 octets
  // four 57-ü labels: 63 octets each as A-labels (255 in all), 459 octets in UTF-8
  const uLabel = '\u00fc'.repeat(57);
  const tooLongUtf8 = [uLabel, uLabel, uLabel, uLabel].join('.');
  const encode = (v: string): string => {
    let out = '';
    for (const b of new TextEncoder().encode(v)) out += b > 0x20 && b < 0x7f && b !== 0x2b && b !== 0x3d ? String.fromCharCode(b) : `+${b.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  };
  const cases: readonly (readonly [string, string])[] = [
    [tooLongAscii, 'Error: host name too long'],
    [tooLongUtf8, 'Error: host name too long'],
    ['a..test', 'Error: invalid host name'],
    ['[192.0.2.1', 'Error: invalid host name'],
    [`${'\u00fc'.repeat(58)}.test`, 'Error: invalid host name'],
  ];

  it.each(cases)('%j: EHLO gets 501 5.5.4 %s', (name, text) => {
    expect(lines(drive().feed(`EHLO ${name}\r\n`))).toEqual([`501 5.5.4 ${text}`]);
  });

  it.each(cases)('%j: XCLIENT and XFORWARD HELO and NAME get 501 5.5.4 Error: invalid host name in <attribute>', (name) => {
    for (const attr of ['HELO', 'NAME']) {
      // a long line: the UTF-8 name is 459 octets, three xtext characters each
      const d = drive({ trusted: true, xclient: true, xforward: true, limits: { maxCommandLine: 2048 } });
      d.feed('EHLO relay.test\r\n');
      expect(lines(d.feed(`XCLIENT ${attr}=${encode(name)}\r\n`))).toEqual([`501 5.5.4 Error: invalid host name in ${attr}`]);
      expect(lines(d.feed(`XFORWARD ${attr}=${encode(name)}\r\n`))).toEqual([`501 5.5.4 Error: invalid host name in ${attr}`]);
    }
  });

  it('an address literal: EHLO and XCLIENT HELO take it, NAME does not', () => {
    expect(codes(drive().feed('EHLO [192.0.2.1]\r\n'))).toEqual([250]);
    expect(lines(trusted().feed('XCLIENT NAME=[192.0.2.1]\r\n'))).toEqual(['501 5.5.4 Error: invalid host name in NAME']);
    expect(lines(trusted().feed('XFORWARD HELO=[192.0.2.1]\r\n'))).toEqual(['250 2.0.0 Ok']);
  });
});
