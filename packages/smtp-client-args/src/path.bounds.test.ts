import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH_LIMITS, scanPath, type PathLimits } from './path.js';

// scanPath reads a path inside a longer text (a command line) between `pos` and `end`. Whatever lies
// before `pos` or from `end` on must not change its result: for every text and every cut, the scan of
// the cut equals the scan of the text up to the cut, and a prefix before `pos` only shifts `next`.

const PATHS: readonly string[] = [
  '<>', '<a@b>', '<user@example.com>', '<postmaster>', '<POSTMASTER>', '<Postmaster@example.com>', '<postmaster >',
  '<"a b"@example.com>', '<"a\\"b"@example.com>', '<"a\\\\"@x.example>', '<"unterminated@x>', '<"a"b@c>', '<"">',
  '<@r1.example,@r2.example:u@example.com>', '<@r1.example:u@example.com>', '<@x:>', '<@>', '<@x,y:a@b>', '<@x,:a@b>', '<@x;a@b>',
  '<u@[192.0.2.1]>', '<u@[1.2.3]>', '<u@[256.1.1.1]>', '<u@[1.2.3.4.5]>', '<u@[1.2.3.]>', '<u@[1234.1.1.1]>',
  '<u@[IPv6:2001:db8::1]>', '<u@[IPv6:::]>', '<u@[IPv6:::1]>', '<u@[IPv6:1::]>', '<u@[IPv6:2001:db8:0:0:0:0:0:1]>',
  '<u@[IPv6:::ffff:192.0.2.1]>', '<u@[IPv6:1:2:3:4:5:6:192.0.2.1]>', '<u@[IPv6:1:2:3:4:5:6:7:8:9]>', '<u@[IPv6:1::2::3]>',
  '<u@[IPv6:1:2:3:4:5:6:7]>', '<u@[IPv6:12345::]>', '<u@[IPv6::1]>', '<u@[ipv6:1::2]>', '<u@[IPv6:1:2:3:4:5:6:7::]>',
  '<u@[tag-x:abc]>', '<u@[]>', '<u@[x]>', '<u@[-a:b]>', '<u@[a-:b]>', '<u@[ab:]>', '<u@[a:b]c>',
  '<u@exa_mple.com>', '<u@-ex.com>', '<u@ex-.com>', '<u@ex..com>', '<u@ex.com.>', '<u@.ex.com>', '<u@a-b.c-d>',
  '<a.b.c@d.e>', '<.a@b>', '<a.@b>', '<a..b@c>', '<a b@c>', '<a@b.c> x', '<u@example.com', '<u@example.com>>',
  '<u@ex\u007f.com>', '<u\u007f@ex.com>', '<u\u0080@ex.com>', '<u\u00ad@ex.com>', '<u@ex\u00e9.com>', '<\u00fc@ex\u00e4mple.com>',
  '<\ud83d\ude00@ex.com>', '<\ud83d@ex.com>', '<a@\u00e9.example>', '<"\u00e9"@x.example>', '<"a\u0001"@x>',
  'u@example.com', 'u@example.com SIZE=5', 'postmaster', 'postmaster SIZE=5', '@r.example:u@x.example y', '"a b"@x.example z',
  '<u@x.example> NOTIFY=NEVER', '<abcd@ex.example>', '<' + 'a'.repeat(70) + '@x.example>',
];

const SMALL: PathLimits = { localPart: 3, domain: 9, path: 16 };
/** Each role, with and without SMTPUTF8, bare paths and small limits, in four combinations. */
const OPTIONS = [
  { role: 'any', smtpUtf8: true, bare: false, limits: DEFAULT_PATH_LIMITS },
  { role: 'reverse', smtpUtf8: false, bare: true, limits: SMALL },
  { role: 'forward', smtpUtf8: true, bare: true, limits: DEFAULT_PATH_LIMITS },
  { role: 'forward', smtpUtf8: false, bare: false, limits: SMALL },
] as const;
const PREFIXES = ['x', '<', '"\\'];

/** The scan's result as text, `next` counted from `pos`. */
function scanned(s: string, pos: number, end: number, o: (typeof OPTIONS)[number]): string {
  const r = scanPath(s, pos, end, o);
  return r.ok ? `${JSON.stringify(r.path)} next ${String(r.next - pos)}` : `${r.code} ${r.reason}`;
}

describe('scanPath reads only between pos and end', () => {
  it('the scan of a cut equals the scan of the text cut there, for every cut, option set and prefix', () => {
    const differ: string[] = [];
    let checked = 0;
    for (const o of OPTIONS) {
      for (const path of PATHS) {
        for (let k = 0; k <= path.length; k++) {
          const alone = scanned(path.slice(0, k), 0, k, o);
          if (scanned(path, 0, k, o) !== alone) differ.push(`${o.role}: ${JSON.stringify(path)} cut at ${String(k)}`);
          for (const p of PREFIXES) {
            if (scanned(p + path, p.length, p.length + k, o) !== alone) differ.push(`${o.role}: ${JSON.stringify(p + path)} from ${String(p.length)} cut at ${String(k)}`);
          }
          checked++;
        }
      }
    }
    expect(differ).toEqual([]);
    expect(checked).toBeGreaterThan(5_000);
  });

  it('the corpus reaches every outcome', () => {
    const o = OPTIONS[0];
    const kinds = new Set(PATHS.map((p) => scanPath(p, 0, p.length, o)).map((r) => (r.ok ? r.path.kind : r.code)));
    expect([...kinds].sort()).toEqual(['ERR_SMTP_PATH_SYNTAX', 'ERR_SMTP_PATH_TOO_LONG', 'mailbox', 'null', 'postmaster']);
  });
});

describe('a local part is read no further than its limit', () => {
  // What lies past the limit is not read: a fault there is not found, the length is the failure.
  // (Before, a quoted local part of 4 MB was scanned, unescaped and rendered whole first.)
  const o = { role: 'any', smtpUtf8: true, bare: false, limits: DEFAULT_PATH_LIMITS } as const;
  const outcome = (p: string) => {
    const r = scanPath(p, 0, p.length, o);
    return r.ok ? r.path.kind : `${r.code} ${r.reason}`;
  };
  it('quoted (plain, quoted pairs, spaces) and unquoted, with a fault past the 64 octets', () => {
    for (const [body, quoted] of [['a', true], ['\\a', true], [' ', true], ['a', false]] as const) {
      const long = body.repeat(70);
      const p = quoted ? `<"${long}\u0001"@x.example>` : `<${long}\u0001@x.example>`;
      expect(outcome(p), JSON.stringify(p.slice(0, 12))).toBe('ERR_SMTP_PATH_TOO_LONG local part too long');
    }
  });
  it('the limit itself: 64 octets as written pass, 65 do not; a fault within the limit is still named', () => {
    expect(outcome(`<"${'a'.repeat(62)}"@x.example>`)).toBe('mailbox');
    expect(outcome(`<"${'a'.repeat(63)}"@x.example>`)).toBe('ERR_SMTP_PATH_TOO_LONG local part too long');
    expect(outcome(`<${'a'.repeat(64)}@x.example>`)).toBe('mailbox');
    expect(outcome(`<${'a'.repeat(65)}@x.example>`)).toBe('ERR_SMTP_PATH_TOO_LONG local part too long');
    expect(outcome(`<"${'a'.repeat(20)}\u0001${'a'.repeat(60)}"@x.example>`)).toBe('ERR_SMTP_PATH_SYNTAX bad local part');
    expect(outcome(`<${'\u00e9'.repeat(32)}@x.example>`)).toBe('mailbox');
    expect(outcome(`<${'\u00e9'.repeat(33)}@x.example>`)).toBe('ERR_SMTP_PATH_TOO_LONG local part too long');
  });
});
