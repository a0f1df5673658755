import { describe, expect, it } from 'vitest';
import { BUILTIN_EXTENSIONS } from 'smtp-capabilities';
import { drive } from '../test/harness.js';
import { DEFAULT_EXTENSIONS, SERVER_EXTENSIONS } from './extensions.js';
import type { ServerExtensions } from './extensions.js';

/** The keywords of an EHLO reply. */
function ehloKeywords(out: string): string[] {
  return out
    .split('\r\n')
    .filter((l) => l.startsWith('250'))
    .slice(1)
    .map((l) => l.slice(4).split(' ')[0]!);
}

/** One sample value per MAIL parameter of the built-in extensions. */
const MAIL_SAMPLES: Readonly<Record<string, string>> = {
  SIZE: 'SIZE=100',
  BODY: 'BODY=8BITMIME',
  RET: 'RET=HDRS',
  ENVID: 'ENVID=abc',
  SMTPUTF8: 'SMTPUTF8',
  REQUIRETLS: 'REQUIRETLS',
  BY: 'BY=120;R',
  'MT-PRIORITY': 'MT-PRIORITY=3',
  AUTH: 'AUTH=<>',
};

describe('the one extension table', () => {
  it('DEFAULT_EXTENSIONS and the extensions option are derived from SERVER_EXTENSIONS', () => {
    const switches = SERVER_EXTENSIONS.filter((r) => 'option' in r);
    expect(Object.keys(DEFAULT_EXTENSIONS).sort()).toEqual(switches.map((r) => ('option' in r ? r.option : '')).sort());
    for (const r of SERVER_EXTENSIONS) expect(BUILTIN_EXTENSIONS.some((d) => d.keyword === r.keyword), r.keyword).toBe(true);
  });

  it('EHLO lists the enabled rows in table order (formatted by smtp-capabilities)', () => {
    const d = drive({ secure: true, starttls: true, trusted: true, xclient: true, xforward: true, auth: { mechanisms: ['PLAIN'] }, extensions: { deliverBy: true } });
    const out = d.feed('EHLO c\r\n');
    const order = SERVER_EXTENSIONS.map((r) => r.keyword).filter((k) => k !== 'STARTTLS'); // not offered on a TLS session
    expect(ehloKeywords(out)).toEqual(order);
    expect(out).toContain('250-SIZE 10240000\r\n250-8BITMIME\r\n');
    expect(out).toContain('250-AUTH PLAIN\r\n');
    expect(out).toContain('250-MT-PRIORITY MIXER\r\n');
    expect(out).toContain('250-LIMITS RCPTMAX=1000\r\n');
    expect(out).toMatch(/250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n$/);
  });

  it('BINARYMIME needs CHUNKING; REQUIRETLS and AUTH only when TLS allows; SIZE without a limit has no value', () => {
    expect(ehloKeywords(drive({ extensions: { chunking: false } }).feed('EHLO c\r\n'))).not.toContain('BINARYMIME');
    const plain = ehloKeywords(drive({ auth: {} }).feed('EHLO c\r\n'));
    expect(plain).not.toContain('REQUIRETLS');
    expect(plain).not.toContain('AUTH');
    expect(drive({ limits: { maxMessageSize: 0 } }).feed('EHLO c\r\n')).toContain('250-SIZE\r\n');
  });

  it('every MAIL parameter is accepted exactly when its keyword was in the EHLO reply', () => {
    const switches = Object.keys(DEFAULT_EXTENSIONS) as (keyof ServerExtensions)[];
    const variants: { name: string; extensions: Partial<ServerExtensions>; secure: boolean }[] = [
      { name: 'defaults', extensions: {}, secure: false },
      { name: 'defaults over TLS', extensions: { deliverBy: true }, secure: true },
      ...switches.map((k) => ({ name: `${k} off`, extensions: { [k]: false }, secure: true })),
    ];
    for (const v of variants) {
      const d = drive({ extensions: v.extensions, secure: v.secure, auth: { mechanisms: ['PLAIN'] } });
      const advertised = new Set(ehloKeywords(d.feed('EHLO c\r\n')));
      for (const [param, sample] of Object.entries(MAIL_SAMPLES)) {
        // BODY=8BITMIME needs 8BITMIME itself (BINARYMIME allows BODY, but only 7BIT and BINARYMIME)
        const owners = param === 'BODY' ? ['8BITMIME'] : BUILTIN_EXTENSIONS.filter((x) => x.mailParams?.includes(param)).map((x) => x.keyword);
        const expected = owners.some((k) => advertised.has(k));
        const out = d.feed(`MAIL FROM:<a@b.example> ${sample}\r\n`);
        expect(out.startsWith('250 '), `${v.name}: ${sample} (advertised: ${[...advertised].join(' ')})`).toBe(expected);
        if (expected) d.feed('RSET\r\n');
      }
    }
  });

  it('RCPT parameters too: NOTIFY only with DSN', () => {
    const on = drive();
    on.feed('EHLO c\r\n');
    on.feed('MAIL FROM:<a@b.example>\r\n');
    expect(on.feed('RCPT TO:<c@d.example> NOTIFY=NEVER\r\n')).toMatch(/^250 /);
    const off = drive({ extensions: { dsn: false } });
    off.feed('EHLO c\r\n');
    off.feed('MAIL FROM:<a@b.example>\r\n');
    expect(off.feed('RCPT TO:<c@d.example> NOTIFY=NEVER\r\n')).toMatch(/^555 /);
  });

  it('after HELO, parameters are refused as a whole', () => {
    const d = drive();
    d.feed('HELO c\r\n');
    expect(d.feed('MAIL FROM:<a@b.example> BODY=8BITMIME\r\n')).toBe('555 5.5.4 Parameters need EHLO\r\n');
    expect(d.feed('MAIL FROM:<a@b.example>\r\n')).toBe('250 2.1.0 Sender OK\r\n');
  });
});
