// Character classes (controls, invisible code points, surrogates, UTF-8 byte counts), xtext at its
// edges, and the error brand, through parsePath, xtextEncode / xtextDecode and the error guards.
import { describe, expect, it } from 'vitest';
import { thrownBy } from '@smtpkit/testkit';
import { ClientArgsError, isClientArgsError, mailboxPath, parseMailFrom, parsePath, xtextDecode, xtextEncode, type ClientArgsRemoteError, type ClientArgsLocalError } from 'smtp-client-args';
import type { MailboxPath } from 'smtp-client-args';
const isRemoteError = (e: unknown): e is ClientArgsRemoteError => isClientArgsError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

const utf8 = { smtpUtf8: true } as const;

function accepted(local: string): boolean {
  try {
    return (parsePath(`<${local}@example.com>`, utf8) as MailboxPath).localPart === local;
  } catch (e) {
    if (isRemoteError(e) && e.code === 'ERR_SMTP_PATH_SYNTAX') return false;
    throw e;
  }
}

describe('INJ-3: invisible and control code points in addresses', () => {
  it('refuses every edge of each invisible range and C1 controls', () => {
    for (const c of [0x80, 0x9f, 0xad, 0x200b, 0x200f, 0x202a, 0x202e, 0x2060, 0x2064, 0x2066, 0x206f, 0xfeff, 0xfff9, 0xfffb]) {
      expect([c.toString(16), accepted(`a${String.fromCharCode(c)}b`)]).toEqual([c.toString(16), false]);
    }
  });

  it('accepts the visible neighbours of those ranges', () => {
    for (const c of [0xa0, 0xac, 0xae, 0x200a, 0x2010, 0x2029, 0x202f, 0x205f, 0x2070, 0xfefe, 0xffef, 0xfffc, 0xe000]) {
      expect([c.toString(16), accepted(`a${String.fromCharCode(c)}b`)]).toEqual([c.toString(16), true]);
    }
  });

  it('refuses every format character (Cf) and default-ignorable code point, not only a list: in the local part and the domain, parsed and built', () => {
    // U+061C ALM, U+180E, tags and variation selectors, Hangul fillers, U+034F, Khmer inherent vowels,
    // the Arabic number signs, U+2065 and U+FFF0-FFF8 (unassigned but default-ignorable), and astral ones outside the tag block (read as whole code points)
    const invisible = ['\u061c', '\u180e', '\u{e0041}', '\u{e0001}', '\u{e0fff}', '\u034f', '\u115f', '\u1160', '\u3164', '\uffa0', '\ufe00', '\ufe0f', '\u17b4', '\u17b5', '\u180b', '\u180f', '\u0600', '\u06dd', '\u2065', '\ufff0', '\ufff8', '\u{110bd}', '\u{110cd}', '\u{13430}', '\u{1343f}', '\u{1bca0}', '\u{1bca3}', '\u{1d173}', '\u{1d17a}'];
    for (const ch of invisible) {
      const name = `U+${ch.codePointAt(0)!.toString(16)}`;
      expect([name, accepted(`pay${ch}pal`)]).toEqual([name, false]);
      expect([name, accepted(`"pay${ch} pal"`)]).toEqual([name, false]);
      expect([name, thrownBy(() => parsePath(`<a@ex${ch}ample.com>`, utf8), isClientArgsError).code]).toEqual([name, 'ERR_SMTP_PATH_SYNTAX']);
      // what the builder refuses, the parser refuses (and the other way round)
      expect([name, thrownBy(() => mailboxPath(`pay${ch}pal`, 'example.com', utf8), isClientArgsError).code]).toEqual([name, 'ERR_SMTP_INVALID_PATH']);
      expect([name, thrownBy(() => mailboxPath('a', `ex${ch}ample.com`, utf8), isClientArgsError).code]).toEqual([name, 'ERR_SMTP_INVALID_PATH']);
    }
    // letters, marks and symbols around them stay accepted (astral ones too)
    for (const ok of ['\u0627\u0644', '\u1820', '\u17b6', '\u3131', '\u2764', '\u{1f600}', '\u{e0}', '\u{20000}']) {
      expect([ok, accepted(`a${ok}b`)]).toEqual([ok, true]);
      expect([ok, mailboxPath(`a${ok}b`, 'example.com', utf8).localPart]).toEqual([ok, `a${ok}b`]);
    }
  });
});

describe('INJ-6: UTF-16 well-formedness in addresses', () => {
  it('accepts surrogate pairs at the edges of the astral planes, after any character', () => {
    for (const s of ['\u{10000}', '\u{10FFFF}', 'x\u{1F600}', '\u{1F600}x\u{1F600}']) expect([s, accepted(s)]).toEqual([s, true]);
  });

  it('refuses lone or mismatched surrogates wherever they are', () => {
    for (const s of ['a\ud800', '\ud800a', 'a\udbff', 'a\udc00b', 'a\udfff', '\ud800\ue000', '\udc00\ud800']) expect([JSON.stringify(s), accepted(s)]).toEqual([JSON.stringify(s), false]);
  });
});

describe('INJ-6: limits count UTF-8 bytes (RFC 6531 §3.3)', () => {
  it('U+07FF is 2 bytes, U+0800 is 3, an astral character is 4', () => {
    const fits = (local: string, max: number): boolean => {
      try {
        parsePath(`<${local}@b>`, { smtpUtf8: true, limits: { localPart: max } });
        return true;
      } catch (e) {
        if (isRemoteError(e) && e.code === 'ERR_SMTP_PATH_TOO_LONG') return false;
        throw e;
      }
    };
    expect([fits('\u07ff\u07ff', 4), fits('\u07ff\u07ff', 3)]).toEqual([true, false]);
    expect([fits('\u0800\u0800', 6), fits('\u0800\u0800', 5)]).toEqual([true, false]);
    expect([fits('\u{10FFFF}\u{10000}', 8), fits('\u{10FFFF}\u{10000}', 7)]).toEqual([true, false]);
  });
});

describe('xtext (RFC 3461 §4)', () => {
  it('encodes U+0080 and astral characters as their UTF-8 bytes', () => {
    expect(xtextEncode('\u0080')).toBe('+C2+80');
    expect(xtextEncode('\u{10FFFF}')).toBe('+F4+8F+BF+BF');
    expect(xtextEncode('a\u{1F600}b')).toBe('a+F0+9F+98+80b');
  });

  it('a lone surrogate is refused (it has no UTF-8 form), never encoded as U+FFFD', () => {
    expect(() => xtextEncode('\ud800x')).toThrow(expect.objectContaining({ code: 'ERR_SMTP_INVALID_ARGUMENT' }));
    expect(xtextEncode('\u{1f600}x')).toBe('+F0+9F+98+80x');
  });

  it('hex digits are 0-9, A-F and (by default) a-f, nothing else', () => {
    expect(xtextDecode('+2a+2f+2A+2F+30+39')).toBe('*/*/09');
    for (const bad of ['+:0', '+@0', '+[0', '+g0', '+0g', '+G0+90+80+80', '\u00e9', 'a b', 'a=b']) {
      let code = 'accepted';
      try {
        xtextDecode(bad);
      } catch (e) {
        code = isLocalError(e) ? `${e.code}:${e.argument}` : 'other';
      }
      expect([JSON.stringify(bad), code]).toEqual([JSON.stringify(bad), 'ERR_SMTP_XTEXT_SYNTAX:text']);
    }
  });

  it('each refusal says why', () => {
    for (const bad of ['a b', '+4', '+4G', '+FF', '+0D']) {
      const e = thrownBy(() => xtextDecode(bad), isLocalError);
      expect(e.code).toBe('ERR_SMTP_XTEXT_SYNTAX');
      expect(e.message).toMatch(/^xtext: [a-z]/);
      expect(e.message).not.toContain('undefined');
    }
  });
});

describe('error classes and guards', () => {
  const local = ClientArgsError.local('ERR_SMTP_INVALID_PATH', 'path', 'path: bad');
  const remote = ClientArgsError.remote('ERR_SMTP_PATH_SYNTAX', { code: 501, enhanced: '5.1.3', text: 'Bad' });

  it('names say which class it is', () => {
    expect(local.name).toBe('ClientArgsError');
    expect(remote.name).toBe('ClientArgsError');
    expect(String(remote)).toBe('ClientArgsError: 501 5.1.3 Bad');
  });

  it('the guards tell local from remote', () => {
    expect([isLocalError(local), isRemoteError(local)]).toEqual([true, false]);
    expect([isLocalError(remote), isRemoteError(remote)]).toEqual([false, true]);
  });

  it('nothing else passes the guards, not even a look-alike or a spread copy', () => {
    for (const x of [null, undefined, 'ERR_SMTP_PATH_SYNTAX', 42, {}, new Error('x'), { code: 'ERR_SMTP_PATH_SYNTAX', kind: 'remote' }, { kind: 'local' }, { ...remote }, { ...local }]) {
      expect([isClientArgsError(x), isRemoteError(x), isLocalError(x)]).toEqual([false, false, false]);
    }
  });
});

describe('a leading U+FEFF (byte order mark) is text, never silently dropped', () => {
  it('xtext round trip keeps it; decoded it counts as what it is', () => {
    expect(xtextEncode('\ufeffabc')).toBe('+EF+BB+BFabc');
    expect(xtextDecode('+EF+BB+BFabc')).toBe('\ufeffabc');
    expect(xtextDecode(xtextEncode('\ufeff'))).toBe('\ufeff');
  });
  it('ENVID=+EF+BB+BFx is refused (not ASCII once decoded), not read as "x"', () => {
    expect(() => parseMailFrom('FROM:<a@example.com> ENVID=+EF+BB+BFx')).toThrow(expect.objectContaining({ code: 'ERR_SMTP_PARAM_VALUE', keyword: 'ENVID' }));
  });
  it('command bytes that start with one are not a MAIL command', () => {
    const bytes = new TextEncoder().encode('\ufeffFROM:<a@example.com>');
    expect(() => parseMailFrom(bytes)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_COMMAND_SYNTAX' }));
  });
});
