// The lines of an exchange (an AUTH continuation after a 334, a custom verb's line step after its
// 3xx) are not commands here, but a peer that ends lines at a bare CR or LF (Postfix, Exim, a
// middlebox in front of this server) reads the segments after a bare CR or LF in them as commands,
// as it does in a command line. A segment that starts a body or chunk (DATA, BDAT) would make it
// take the lines behind as data while this session runs them as commands: the same rule as for
// command lines (SMUG-5) applies, whether the line is within its limit or longer (read in one
// pass as it is discarded): 554 and close (501 for a custom verb with a block), a must-be-last
// verb with input behind it likewise. Anything else keeps the exchange's own answer.
import { describe, expect, it } from 'vitest';
import { splittings } from '@smtpkit/testkit';
import type { ExtensionDefinition } from 'smtp-capabilities';
import { codes, drive } from '../test/harness.js';
import type { Driven } from '../test/harness.js';
import type { ServerEvent, ServerOptions } from './index.js';
import type { ServerConnection } from './server-connection.js';

const SMUGGLED = 'MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nsmuggled\r\n.\r\n';
const XPUT: ExtensionDefinition = { keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a) => (/^[0-9]{1,9}$/.test(a) ? Number(a) : undefined) }] };
const XPROVE: ExtensionDefinition = { keyword: 'XPROVE', verbs: [{ name: 'XPROVE', mustBeLastInGroup: true }] };
const AUTH: ServerOptions = { auth: { mechanisms: ['LOGIN', 'PLAIN', 'XOAUTH2'], allowInsecure: true } };

/** The events that would show a smuggled command ran. */
const smuggled = (d: Driven): unknown[] => d.events.filter((e) => (e.type === 'mail' && e.from === 'evil@x.test') || e.type === 'rcpt' || e.type === 'data-start' || e.type === 'message-end' || (e.type === 'command' && e.verb === 'XPUT'));

/** Custom verb steps: XPROVE asks for a line; its answer `again` asks for another. */
function decide(e: ServerEvent, conn: ServerConnection): boolean {
  if (e.type === 'command' && e.verb === 'XPROVE') {
    conn.continueCommand({ reply: { code: 334, text: 'bm9uY2U=' }, read: 'line' });
    return true;
  }
  if (e.type === 'auth' && e.credentials.mechanism === 'XOAUTH2') {
    conn.reject(); // XOAUTH2 then sends its error challenge and reads one more line
    return true;
  }
  return false;
}

/** A session in an exchange that waits for a line: `auth` (AUTH LOGIN's 334), `xoauth2` (its error challenge), `command` (XPROVE's 334). */
function inExchange(kind: 'auth' | 'xoauth2' | 'command', options: ServerOptions = {}): Driven {
  const d = drive({ ...AUTH, registry: [XPUT, XPROVE], ...options }, decide);
  d.feed('EHLO client.test\r\n');
  if (kind === 'auth') expect(codes(d.feed('AUTH LOGIN\r\n'))).toEqual([334]);
  else if (kind === 'xoauth2') expect(codes(d.feed(`AUTH XOAUTH2 ${btoa('user=u@x\x01auth=Bearer t\x01\x01')}\r\n`))).toEqual([334]);
  else expect(codes(d.feed('XPROVE me\r\n'))).toEqual([334]);
  return d;
}

/** Feeds `input` into a fresh session in the exchange, cut every way `splittings` gives. */
function everySplit(kind: 'auth' | 'xoauth2' | 'command', input: string, options: ServerOptions = {}): Driven[] {
  const out: Driven[] = [];
  for (const s of splittings(input, { random: 6, maxExhaustive: 300 })) {
    const d = inExchange(kind, options);
    const before = d.out.length;
    for (const c of s.chunks) d.feed(c);
    d.out = d.out.slice(before);
    out.push(d);
  }
  return out;
}

const KINDS = ['auth', 'xoauth2', 'command'] as const;
const LONG = { auth: 'A'.repeat(13_000), xoauth2: 'A'.repeat(13_000), command: 'A'.repeat(600) } as const;

describe('SMUG-5 an AUTH continuation or custom verb line with a data verb after a bare CR or LF', () => {
  for (const kind of KINDS) {
    it(`SMUG-5 an over-long ${kind} line with "\\nDATA" or "\\rBDAT n LAST" inside: 554 and close, the lines behind never run (every split)`, () => {
      for (const segment of ['\nDATA', '\rbdat 5 last', '\n \tData', '\n\nRSET\nDATA x']) {
        for (const options of [{}, { pipeliningSync: 'off' } as const]) {
          for (const d of everySplit(kind, `${LONG[kind]}${segment}\r\n${SMUGGLED}`, options)) {
            const at = `${kind} ${JSON.stringify(segment)} ${JSON.stringify(options)}`;
            expect(codes(d.out), at).toEqual([554]);
            expect(d.conn.state, at).toBe('closed');
            expect(smuggled(d), at).toEqual([]);
          }
        }
      }
    });

    it(`SMUG-5 a ${kind} line within its limit with "\\nDATA" inside: 554 and close, the lines behind never run (every split)`, () => {
      for (const d of everySplit(kind, `dGVzdA==\nDATA\r\n${SMUGGLED}`)) {
        expect(codes(d.out)).toEqual([554]);
        expect(d.conn.state).toBe('closed');
        expect(smuggled(d)).toEqual([]);
      }
    });

    it(`SRV-3 SMUG-5 a ${kind} line with a custom verb with a block after a bare LF (over-long or not): 501 and close`, () => {
      for (const line of [`${LONG[kind]}\nXPUT 5`, 'dGVzdA==\nXPUT 5']) {
        const d = inExchange(kind);
        expect(codes(d.feed(`${line}\r\nhello${SMUGGLED}`)), `${kind} ${line.slice(-10)}`).toEqual([501]);
        expect(d.conn.state).toBe('closed');
        expect(smuggled(d)).toEqual([]);
      }
    });

    it(`SMUG-5 a ${kind} line with a must-be-last verb after a bare LF and input behind it: 554 and close`, () => {
      for (const line of [`${LONG[kind]}\nQUIT`, 'dGVzdA==\nNOOP', `${LONG[kind]}\rSTARTTLS`]) {
        const d = inExchange(kind);
        expect(codes(d.feed(`${line}\r\n${SMUGGLED}`)), `${kind} ${line.slice(-10)}`).toEqual([554]);
        expect(d.conn.state).toBe('closed');
        expect(smuggled(d)).toEqual([]);
      }
    });
  }

  it('SMUG-3 other segments change nothing: the exchange gives its own answer and the session goes on', () => {
    // an over-long AUTH line: 500 5.5.6; a custom line too long 500 5.5.6, with a bare LF 501 5.5.2; an
    // invalid base64 AUTH answer 501; XOAUTH2's error-challenge answer is read whatever it holds: 535
    const cases: readonly [kind: (typeof KINDS)[number], line: string, code: number][] = [
      ['auth', `${LONG.auth}\nRSET x\nMAIL FROM:<a@b>`, 500],
      ['auth', `${LONG.auth}`, 500],
      ['auth', 'dGVzdA==\nRSET', 501],
      ['xoauth2', `${LONG.xoauth2}\nRSET`, 535],
      ['xoauth2', '\nRSET', 535],
      ['command', `${LONG.command}\nRSET\rDATAX`, 500],
      ['command', 'proof\nRSET', 501],
      ['command', 'proof\nQUIT', 501], // must-be-last, but nothing behind it
    ];
    for (const [kind, line, code] of cases) {
      const d = inExchange(kind);
      const at = `${kind} ${JSON.stringify(line.slice(-14))}`;
      expect(codes(d.feed(`${line}\r\n`)), at).toEqual([code]);
      expect(codes(d.feed('RSET\r\n')), at).toEqual([250]);
      expect(d.conn.state, at).toBe('awaiting-mail');
    }
  });

  it('an AUTH exchange answered within its limit is unchanged (LOGIN user and password, then the decision)', () => {
    const d = inExchange('auth');
    expect(codes(d.feed(`${btoa('user')}\r\n`))).toEqual([334]);
    expect(codes(d.feed(`${btoa('pass')}\r\n`))).toEqual([235]);
    expect(d.events.some((e) => e.type === 'auth')).toBe(true);
  });
});
