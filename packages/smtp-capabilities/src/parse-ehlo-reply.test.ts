import { describe, expect, test } from 'vitest';
import {
  Capabilities,
  DEFAULT_EHLO_PARSE_LIMITS,
  isCapabilitiesError,
  isSmtpkitError,
  type CapabilitiesError,
  parseEhloReply,
  parseEhloReplyText,
} from 'smtp-capabilities';
import { ReplyReader } from 'smtp-reply-reader';
import fc from 'fast-check';

const ehlo = (...lines: string[]) => parseEhloReply({ code: 250, lines });

describe('parseEhloReply: basics', () => {
  test('first line is domain + greeting; keywords case-insensitive, kept in order', () => {
    const c = ehlo('mx.example.com Hello there [192.0.2.1]', 'pipelining', 'Size 1000', 'X-Custom a B c', 'starttls');
    expect(c.esmtp).toBe(true);
    expect(c.domain).toBe('mx.example.com');
    expect(c.greeting).toBe('Hello there [192.0.2.1]');
    expect(c.keywords).toEqual(['PIPELINING', 'SIZE', 'X-CUSTOM', 'STARTTLS']);
    expect(c.has('x-custom')).toBe(true);
    expect(c.has('X-CUSTOM')).toBe(true);
    expect(c.params('x-CUSTOM')).toEqual(['a', 'B', 'c']);
    expect(c.params('missing')).toBeUndefined();
    expect(c.size).toBe(1000);
    expect(c.pipelining && c.startTls).toBe(true);
    expect(c.count).toBe(4);
    expect([...c].map((e) => e.raw)).toEqual(['pipelining', 'Size 1000', 'X-Custom a B c', 'starttls']);
    expect([...c.entries()].map((e) => e.line)).toEqual([1, 2, 3, 4]);
    expect(c.toLines()).toEqual(['pipelining', 'Size 1000', 'X-Custom a B c', 'starttls']);
    expect(c.warnings).toEqual([]);
  });

  test('a domain-only first line and a one-line reply', () => {
    const c = ehlo('mx.example.com');
    expect(c.domain).toBe('mx.example.com');
    expect(c.greeting).toBe('');
    expect(c.count).toBe(0);
    expect(parseEhloReply({ code: 250, lines: [] }).domain).toBe('');
  });

  test('Capabilities.none() is an empty, non-ESMTP set (HELO session, TLS-6)', () => {
    const c = Capabilities.none();
    expect(c.esmtp).toBe(false);
    expect(c.count).toBe(0);
    expect(c.size).toBeUndefined();
    expect(c.auth.size).toBe(0);
    expect(c.pipelining || c.startTls || c.eightBitMime || c.chunking || c.dsn).toBe(false);
    expect(c.limits ?? c.xclient ?? c.xforward ?? c.mtPriority ?? c.deliverBy).toBeUndefined();
    expect(Capabilities.none('mx', 'hi').domain).toBe('mx');
  });

  test('typed accessors of every registered extension', () => {
    const c = ehlo(
      'mx',
      'SIZE', 'AUTH plain Login', 'AUTH=CRAM-MD5', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES',
      'SMTPUTF8', 'REQUIRETLS', 'DELIVERBY 120', 'MT-PRIORITY STANAG4406', 'FUTURERELEASE 86400 2026-01-01T00:00:00Z',
      'LIMITS RCPTMAX=100 MAILMAX=1000 RCPTDOMAINMAX=10 FOO=1', 'XCLIENT name addr', 'XFORWARD NAME ADDR', 'VRFY', 'EXPN',
      'ETRN', 'ATRN', 'HELP', 'NO-SOLICITING a:b', 'MTRK', 'CONPERM', 'CONNEG', 'RRVS', 'BURL imap imaps',
    );
    expect(c.warnings).toEqual([]);
    expect(c.size).toBe(0);
    expect([...c.auth]).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(c.params('AUTH')).toEqual(['plain', 'Login']);
    expect([c.eightBitMime, c.binaryMime, c.chunking, c.dsn, c.enhancedStatusCodes, c.smtpUtf8, c.requireTls]).toEqual(Array(7).fill(true));
    expect(c.deliverBy).toBe(120);
    expect(c.mtPriority).toBe('STANAG4406');
    expect(c.futureRelease).toEqual({ maxInterval: 86400, maxDateTime: '2026-01-01T00:00:00Z' });
    expect(c.limits).toEqual({ rcptMax: 100, mailMax: 1000, rcptDomainMax: 10 });
    expect(c.params('limits')).toContain('FOO=1');
    expect([...c.xclient!]).toEqual(['NAME', 'ADDR']);
    expect([...c.xforward!]).toEqual(['NAME', 'ADDR']);
    expect([c.vrfy, c.expn, c.etrn, c.atrn, c.help, c.mtrk, c.conperm, c.conneg, c.rrvs]).toEqual(Array(9).fill(true));
    expect(c.noSoliciting).toEqual(['a:b']);
    expect(c.burl).toEqual(['imap', 'imaps']);
  });

  test('value-less forms: SIZE 0, DELIVERBY, MT-PRIORITY and LIMITS without values', () => {
    const c = ehlo('mx', 'SIZE 0', 'DELIVERBY', 'MT-PRIORITY', 'LIMITS', 'BURL', 'NO-SOLICITING', 'XCLIENT');
    expect(c.size).toBe(0);
    expect(c.deliverBy).toBe(0);
    expect(c.mtPriority).toBe('');
    expect(c.limits).toEqual({});
    expect(c.burl).toEqual([]);
    expect(c.noSoliciting).toEqual([]);
    expect(c.xclient?.size).toBe(0);
    expect(c.warnings).toEqual([]);
  });

  test('extra spaces between parameters and trailing spaces are tolerated', () => {
    const c = ehlo('mx', 'AUTH  PLAIN   LOGIN ', '8BITMIME ');
    expect(c.params('AUTH')).toEqual(['PLAIN', 'LOGIN']);
    expect(c.params('8BITMIME')).toEqual([]);
    expect(c.warnings).toEqual([]);
  });

  test('Capabilities.from builds the same as parsing a reply with those lines', () => {
    const c = Capabilities.from({ domain: 'mx', greeting: 'hi', keywords: ['PIPELINING', 'SIZE 1000', { keyword: 'auth', params: ['PLAIN'] }, { keyword: 'DSN' }, 'X_BAD'] });
    expect(c.toJSON()).toEqual(ehlo('mx hi', 'PIPELINING', 'SIZE 1000', 'auth PLAIN', 'DSN', 'X_BAD').toJSON());
    expect(Capabilities.from({ keywords: [] }).esmtp).toBe(true);
    expect(Capabilities.from({ keywords: ['SIZE 5'] }).size).toBe(5);
  });

  test('toJSON is plain data', () => {
    const c = ehlo('mx hi', 'SIZE 5');
    expect(JSON.parse(JSON.stringify(c))).toEqual({ esmtp: true, domain: 'mx', greeting: 'hi', keywords: [{ keyword: 'SIZE', params: ['5'] }], warnings: [] });
  });
});

describe('parseEhloReply: malformed input becomes warnings, never exceptions', () => {
  test('DOS-10: SIZE abc and a 23-digit SIZE are invalid, reported, treated as no declared limit', () => {
    for (const v of ['abc', '99999999999999999999999', '-1', '1.5', '12345678901234567890']) {
      const c = ehlo('mx', `SIZE ${v}`);
      expect(c.has('SIZE')).toBe(true);
      expect(c.size).toBe(0);
      expect(c.warnings).toMatchObject([{ code: 'invalid-param', line: 1, keyword: 'SIZE' }]);
    }
    expect(ehlo('mx', 'SIZE 9007199254740991').size).toBe(Number.MAX_SAFE_INTEGER);
  });

  test('DOS-10: STARTTLS on the first line is the greeting, not a capability', () => {
    const c = ehlo('STARTTLS', 'PIPELINING');
    expect(c.startTls).toBe(false);
    expect(c.domain).toBe('STARTTLS');
    expect(c.warnings).toMatchObject([{ code: 'greeting-looks-like-keyword', line: 0 }]);
  });

  test('DOS-10: no substring matching: keywords inside the greeting or parameters do not count', () => {
    const c = ehlo('mx.example.com ESMTP PIPELINING STARTTLS ready', 'X-NOTE AUTH PLAIN PIPELINING', 'X-STARTTLS', 'XPIPELINING');
    expect(c.pipelining).toBe(false);
    expect(c.startTls).toBe(false);
    expect(c.auth.size).toBe(0);
    expect(c.has('X-NOTE')).toBe(true);
  });

  test('DOS-10: 10 000 capability lines: at most maxKeywords kept, one warning', () => {
    const lines = ['mx', ...Array.from({ length: 10_000 }, (_, i) => `X-K${i} v`)];
    const c = parseEhloReply({ code: 250, lines });
    expect(c.count).toBe(DEFAULT_EHLO_PARSE_LIMITS.maxKeywords);
    expect(c.warnings).toMatchObject([{ code: 'too-many-keywords', line: 257 }]);
    expect(parseEhloReply({ code: 250, lines }, { limits: { maxKeywords: 3 } }).keywords).toEqual(['X-K0', 'X-K1', 'X-K2']);
  });

  test('DOS-10: parameters per keyword are capped', () => {
    const c = ehlo('mx', `AUTH ${Array.from({ length: 100 }, (_, i) => `M${i}`).join(' ')}`);
    expect(c.params('AUTH')).toHaveLength(64);
    expect(c.auth.size).toBe(64);
    expect(c.warnings).toMatchObject([{ code: 'too-many-params', keyword: 'AUTH' }]);
  });

  test('DOS-10 / X-4: AUTH followed by 100 000 spaces and x', () => {
    const c = ehlo('mail.example', `AUTH${' '.repeat(100_000)}x`, 'OK');
    expect([...c.auth]).toEqual(['X']);
    expect(c.has('OK')).toBe(true);
  });

  test('bad keyword syntax is kept as a malformed entry and reported', () => {
    const c = ehlo('mx', 'X_FOO bar', '-DASH', ' LEADING', 'ÜBER 1', 'PIPELINING');
    expect(c.keywords).toEqual(['X_FOO', '-DASH', 'LEADING', 'ÜBER', 'PIPELINING']);
    expect(c.get('x_foo')).toMatchObject({ form: 'malformed', params: ['bar'] });
    expect(c.warnings.map((w) => [w.code, w.line])).toEqual([
      ['invalid-keyword', 1],
      ['invalid-keyword', 2],
      ['invalid-keyword', 3],
      ['invalid-keyword', 4],
    ]);
    expect(c.pipelining).toBe(true);
  });

  test('parameters outside %d33-126 are kept and reported', () => {
    const c = ehlo('mx', 'X-FOO a\tb', 'X-BAR é');
    expect(c.params('X-FOO')).toEqual(['a\tb']);
    expect(c.warnings.map((w) => w.code)).toEqual(['invalid-param', 'invalid-param']);
  });

  test('empty lines are skipped with a warning', () => {
    const c = ehlo('mx', '', '   ', 'DSN', '');
    expect(c.keywords).toEqual(['DSN']);
    expect(c.warnings.map((w) => [w.code, w.line])).toEqual([
      ['empty-line', 1],
      ['empty-line', 2],
      ['empty-line', 4],
    ]);
  });

  test('duplicate keywords: first wins; conflicting values reported; identical ones and AUTH lines are fine', () => {
    const c = ehlo('mx', 'SIZE 100', 'SIZE 200', 'DSN', 'dsn', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH=XOAUTH2');
    expect(c.size).toBe(100);
    expect(c.params('SIZE')).toEqual(['100']);
    expect(c.entriesFor('size').map((e) => e.params)).toEqual([['100'], ['200']]);
    expect([...c.auth]).toEqual(['PLAIN', 'LOGIN', 'XOAUTH2']);
    expect(c.warnings).toMatchObject([{ code: 'duplicate-keyword', line: 2, keyword: 'SIZE' }]);
  });

  test('legacy KEYWORD= form counts as the keyword; a later standard line replaces it for params()', () => {
    const c = ehlo('mx', 'SIZE=500', 'SIZE 1000');
    expect(c.size).toBe(1000);
    expect(c.warnings).toEqual([]);
    expect(ehlo('mx', 'AUTH=LOGIN PLAIN').auth).toEqual(new Set(['LOGIN', 'PLAIN']));
  });

  test('LIMITS and FUTURERELEASE with bad values are reported', () => {
    const c = ehlo('mx', 'LIMITS RCPTMAX=abc MAILMAX=0 RCPTDOMAINMAX', 'FUTURERELEASE soon');
    expect(c.limits).toEqual({});
    expect(c.futureRelease).toEqual({ maxInterval: undefined, maxDateTime: undefined });
    expect(c.warnings.map((w) => w.code)).toEqual(['invalid-param', 'invalid-param', 'invalid-param', 'invalid-param']);
    expect(ehlo('mx', 'DELIVERBY x').warnings[0]?.code).toBe('invalid-param');
  });

  test('warnings are capped', () => {
    const lines = ['mx', ...Array.from({ length: 200 }, (_, i) => `X_${i}`)];
    const c = parseEhloReply({ code: 250, lines }, { limits: { maxWarnings: 5 } });
    expect(c.warnings).toHaveLength(6);
    expect(c.warnings.at(-1)?.code).toBe('too-many-warnings');
    expect(c.count).toBe(200);
  });

  test('a negative reply yields an empty non-ESMTP set with a warning (the caller falls back to HELO)', () => {
    const c = parseEhloReply({ code: 502, lines: ['5.5.1 Command unrecognized: "EHLO"'] });
    expect(c.esmtp).toBe(false);
    expect(c.count).toBe(0);
    expect(c.warnings).toMatchObject([{ code: 'not-ehlo-reply' }]);
    const odd = parseEhloReply({ code: 220, lines: ['mx', 'PIPELINING'] });
    expect(odd.pipelining).toBe(true);
    expect(odd.warnings[0]?.code).toBe('not-ehlo-reply');
  });

  test('invalid limits are API misuse with a typed, branded error', () => {
    let caught: unknown;
    try {
      parseEhloReply({ code: 250, lines: ['mx'] }, { limits: { maxKeywords: -1 } });
    } catch (e) {
      caught = e;
    }
    expect(isCapabilitiesError(caught)).toBe(true);
    expect(isSmtpkitError(caught)).toBe(true);
    expect((caught as CapabilitiesError).kind).toBe('local');
    expect((caught as { code: string }).code).toBe('ERR_SMTP_INVALID_OPTION');
    expect(isCapabilitiesError(new Error('x'))).toBe(false);
    expect(isCapabilitiesError(null)).toBe(false);
  });
});

describe('client-side discard (Postfix smtp_discard_ehlo_keywords)', () => {
  test('discard option and without()', () => {
    const c = parseEhloReply({ code: 250, lines: ['mx', 'PIPELINING', 'CHUNKING', 'SIZE 10', 'SIZE 20'] }, { discard: ['pipelining'] });
    expect(c.pipelining).toBe(false);
    expect(c.chunking).toBe(true);
    const d = c.without(['chunking', 'SIZE']);
    expect(d.keywords).toEqual([]);
    expect(d.size).toBeUndefined();
    expect(d.warnings).toEqual([]);
    expect(c.warnings).toHaveLength(1);
    expect(d.domain).toBe('mx');
    expect(c.without([])).toBe(c);
  });
});

describe('X-4: linear time on hostile input (generous ratio, no absolute timing)', () => {
  const time = (fn: () => void): number => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      fn();
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };

  test('1 MiB hostile EHLO replies parse in one pass', () => {
    const mib = 1 << 20;
    const shapes: ((n: number) => string[])[] = [
      (n) => ['mx', `AUTH${' '.repeat(n)}x`],
      (n) => ['mx', `AUTH ${'a '.repeat(n / 2)}`],
      (n) => ['mx', `SIZE ${'9'.repeat(n)}`],
      (n) => ['mx', 'X'.repeat(n)],
      (n) => ['mx', ...Array.from({ length: n / 16 }, () => 'X_Y=          z')],
      (n) => ['mx', `LIMITS ${'RCPTMAX=1 '.repeat(n / 10)}`],
      (n) => ['mx', `XCLIENT${' NAME'.repeat(n / 5)}`, ...Array.from({ length: n / 8 }, () => 'SIZE 1')],
    ];
    for (const shape of shapes) {
      const small = shape(mib);
      const big = shape(4 * mib);
      const c = parseEhloReply({ code: 250, lines: big });
      expect(c.count).toBeLessThanOrEqual(256);
      const t1 = time(() => parseEhloReply({ code: 250, lines: small }));
      const t4 = time(() => parseEhloReply({ code: 250, lines: big }));
      expect(t4).toBeLessThan(20 * t1 + 100);
    }
  });
});

describe('parseEhloReplyText (wire text or bytes, e.g. from a transcript)', () => {
  test('CRLF and LF line ends, bytes or string', () => {
    const wire = '250-mx.example.com hi\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 AUTH PLAIN\r\n';
    for (const input of [wire, wire.replaceAll('\r\n', '\n'), new TextEncoder().encode(wire)]) {
      const c = parseEhloReplyText(input);
      expect(c.toJSON()).toEqual(parseEhloReply({ code: 250, lines: ['mx.example.com hi', 'PIPELINING', 'SIZE 1000', 'AUTH PLAIN'] }).toJSON());
    }
    expect(parseEhloReplyText('250 mx\r\n').domain).toBe('mx');
    expect(parseEhloReplyText('250-mx\r\n250\r\n').warnings.map((w) => w.code)).toEqual(['empty-line']);
  });

  test('a leading byte order mark is skipped alike in a string and in bytes', () => {
    const wire = '\ufeff250-mx.example.com\r\n250 SIZE 1000\r\n';
    const fromText = parseEhloReplyText(wire);
    const fromBytes = parseEhloReplyText(new TextEncoder().encode(wire));
    expect(fromText.toJSON()).toEqual(fromBytes.toJSON());
    expect(fromText.domain).toBe('mx.example.com');
    expect(fromText.size).toBe(1000);
    expect(fromText.warnings).toEqual([]);
    // only one mark, only at the start, in a string and in bytes alike
    expect(parseEhloReplyText('\ufeff\ufeff250 mx\r\n').esmtp).toBe(false);
    expect(parseEhloReplyText(new TextEncoder().encode('\ufeff\ufeff250 mx\r\n')).esmtp).toBe(false);
  });

  test('a lone surrogate in a string is read as its UTF-8 bytes are (U+FFFD), as smtp-reply-reader reads it', () => {
    const wire = '250-mx.example greets \ud800 you\r\n250-X\ud83dY a\udc00b\r\n250 SIZE 100\r\n';
    const fromText = parseEhloReplyText(wire);
    expect(fromText.toJSON()).toEqual(parseEhloReplyText(new TextEncoder().encode(wire)).toJSON());
    expect(JSON.stringify(fromText.toJSON())).not.toMatch(/\\ud[89a-f]/);
    expect(fromText.size).toBe(100);
    expect(fromText.toJSON()).toEqual(parseEhloReply(new ReplyReader().push(wire)[0]!).toJSON());
  });

  test('bad lines, a different code and trailing text become warnings; a negative reply is empty', () => {
    const c = parseEhloReplyText('250-mx\r\ngarbage\r\n251-X\r\n250-DSN\r\n250 SIZE 5\r\n220 more\r\n');
    expect(c.keywords).toEqual(['DSN', 'SIZE']);
    expect(c.warnings.map((w) => [w.code, w.line])).toEqual([
      ['bad-reply-line', 1],
      ['bad-reply-line', 2],
      ['bad-reply-line', 5],
    ]);
    const neg = parseEhloReplyText('502 5.5.2 Error: command not recognized\r\n');
    expect(neg.esmtp).toBe(false);
    expect(neg.warnings[0]?.code).toBe('not-ehlo-reply');
    expect(parseEhloReplyText('').warnings[0]?.code).toBe('not-ehlo-reply');
    expect(parseEhloReplyText('hello').esmtp).toBe(false);
  });

  test('empty and discarded lines do not count against maxKeywords: a later keyword is kept, as parseEhloReply keeps it', () => {
    const lines = ['mx', ...Array<string>(300).fill(''), 'PIPELINING'];
    const wire = lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join('');
    expect(parseEhloReplyText(wire).toJSON()).toEqual(parseEhloReply({ code: 250, lines }).toJSON());
    expect(parseEhloReplyText(wire).pipelining).toBe(true);
    const vendor = ['mx', ...Array<string>(300).fill('X-A 1'), 'x-a', 'PIPELINING'];
    const wire2 = vendor.map((l, i) => `250${i === vendor.length - 1 ? ' ' : '-'}${l}\r\n`).join('');
    const c = parseEhloReplyText(wire2, { discard: ['x-a'] });
    expect(c.toJSON()).toEqual(parseEhloReply({ code: 250, lines: vendor }, { discard: ['X-A'] }).toJSON());
    expect(c.keywords).toEqual(['PIPELINING']);
    // discarded lines still count when not discarded
    expect(parseEhloReplyText(wire2).warnings.map((w) => w.code)).toContain('too-many-keywords');
  });

  test('RPL-2 control characters from the peer become "?", as smtp-reply-reader shows them', () => {
    const wire = '250-mx \x1b[31mred\x07\r\n250-X-\x85A\r\n250-SIZE\r10\r\n250 AUTH PLAIN\x00 LOGIN\tX\r\n';
    const c = parseEhloReplyText(wire);
    expect(c.greeting).toBe('?[31mred?');
    expect(c.keywords).toEqual(['X-?A', 'SIZE?10', 'AUTH']);
    expect([...c.auth]).toEqual(['PLAIN?', 'LOGIN\tX']);
    expect(JSON.stringify(c.toJSON())).not.toMatch(/\\u00[01]|\\u00[89]|\\r/);
    const lenient = wire.replace('\r10', '?10');
    expect(parseEhloReplyText(new TextEncoder().encode(wire)).toJSON()).toEqual(parseEhloReplyText(lenient).toJSON());
  });

  test('DOS-10: a huge transcript stops collecting past maxKeywords', () => {
    const c = parseEhloReplyText(`250-mx\r\n${'250-X\r\n'.repeat(100_000)}250 Y\r\n`);
    expect(c.count).toBe(1);
    expect(c.warnings.map((w) => w.code)).toEqual(['too-many-keywords']);
  });
});

describe('DOS-10 look-alike keywords', () => {
  test('DOS-10 a keyword with a non-ASCII letter that upper-cases to ASCII ("\u017Ftarttls") is not STARTTLS', () => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', '\u017Ftarttls', 'AUTH \u017Fcram-md5 plain'] });
    expect(caps.has('STARTTLS')).toBe(false);
    expect(caps.warnings.some((w) => w.code === 'invalid-keyword')).toBe(true);
    expect([...(caps.auth ?? [])]).not.toContain('SCRAM-MD5');
  });
});

describe('parseEhloReplyText reads lines as smtp-reply-reader does: an enhanced code before the text is dropped (RFC 2034 forbids it in EHLO replies; some servers send it)', () => {
  const viaReader = (wire: string) => parseEhloReply(new ReplyReader().push(wire)[0]!);
  const same = (wire: string) => {
    const a = viaReader(wire).toJSON();
    const b = parseEhloReplyText(wire).toJSON();
    expect(b, JSON.stringify(wire)).toEqual(a);
    return b;
  };
  test('a code on every line: the domain and the keywords are read after it', () => {
    const c = same('250-2.0.0 mx.example.com Hello\r\n250-2.0.0 PIPELINING\r\n250 2.0.0 SIZE 1000\r\n');
    expect([c.domain, c.greeting, c.keywords.map((k) => k.keyword)]).toEqual(['mx.example.com', 'Hello', ['PIPELINING', 'SIZE']]);
    expect(parseEhloReplyText('250-2.0.0 mx.example.com Hello\r\n250-2.0.0 PIPELINING\r\n250 2.0.0 SIZE 1000\r\n').size).toBe(1000);
  });
  test('later lines lose only the first line\'s code (same subject and detail); a code of another class is text', () => {
    for (const wire of [
      '250-2.0.0 mx\r\n250-2.1.0 PIPELINING\r\n250 SIZE 1\r\n',
      '250-2.0.0 mx\r\n250 PIPELINING\r\n',
      '250-mx\r\n250 2.0.0 PIPELINING\r\n',
      '250-5.0.0 mx\r\n250 5.0.0 PIPELINING\r\n',
      '250-2.0.0\tmx\r\n250 2.0.0\tDSN\r\n',
      '250-2.0.0\r\n250 2.0.0\r\n',
      '250-2.00.000 mx\r\n250 2.0.0 DSN\r\n',
      '250-2.0000.0 mx\r\n250 2.0000.0 DSN\r\n',
      '250-2.0.0x mx\r\n250 DSN\r\n',
      '250-2.0. mx\r\n250 DSN\r\n',
      '250-2.999.999 mx\r\n250-2.999.999 8BITMIME\r\n250 2.999.99 DSN\r\n',
    ]) {
      same(wire);
    }
  });
});

describe('parseEhloReplyText and parseEhloReply of smtp-reply-reader agree on lines with and without enhanced codes (property)', () => {
  test('any mix of codes, separators and keywords', () => {
    const piece = fc.constantFrom('', '2.0.0', '2.0.0 ', '2.0.0\t', '2.1.5 ', '2.00.0 ', '5.0.0 ', '4.7.0 ', '2.1234.0 ', '2.0 ', '2.0.0x', ' ');
    const word = fc.constantFrom('', 'mx.example.com', 'PIPELINING', 'SIZE 10', 'AUTH PLAIN', 'AUTH=LOGIN', 'x_bad', 'Hello there');
    fc.assert(
      fc.property(fc.constantFrom(250, 251, 450, 550, 354), fc.array(fc.tuple(piece, word), { minLength: 1, maxLength: 6 }), (code, lines) => {
        const wire = lines.map(([p, w], i) => `${String(code)}${i === lines.length - 1 ? ' ' : '-'}${p}${w}\r\n`).join('');
        expect(parseEhloReplyText(wire).toJSON()).toEqual(parseEhloReply(new ReplyReader().push(wire)[0]!).toJSON());
      }),
      { numRuns: 3000 },
    );
  });
});
