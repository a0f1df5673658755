// Findings of an outside red-team pass over createServer (real loopback sockets), kept as
// regression tests. Each title names the requirement id it proves.
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import type { ThrowawayCertificate } from '@smtpkit/testkit';
import { ServerConnection } from '../src/index.js';
import type { ServerEvent } from '../src/index.js';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('redteam.test');

// THROWAWAY, TEST-ONLY certificate for the TLS tests of this file (made once, on first use)
const localhostCertificate = (): ThrowawayCertificate => throwawayCertificate({ commonName: 'localhost' });

const codes = (s: string): number[] => (s.match(/^\d{3}(?= )/gm) ?? []).map(Number);

/** Reads a body to its end: the text, or the error's code and reason. */
async function outcome(body: Readable): Promise<string> {
  let text = '';
  try {
    for await (const c of body) text += (c as Buffer).toString('latin1');
    return `end:${text}`;
  } catch (e) {
    return `error:${String((e as { code?: string }).code)}:${String((e as { reason?: string }).reason)}`;
  }
}

const MAIL = 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n';

describe('SRV-5 a transaction reset between BDAT chunks ends its body stream', () => {
  for (const [name, reset] of [
    ['RSET', 'RSET\r\n'],
    ['EHLO', 'EHLO again.example\r\n'],
    ['HELO', 'HELO again.example\r\n'],
  ] as const) {
    it(`SRV-5 ${name} after a non-LAST BDAT chunk aborts that message (reason reset) at once, the next message is delivered`, async () => {
      const outcomes: string[] = [];
      const { port } = await servers.start({
        onData: async (_env, body) => {
          outcomes.push(await outcome(body));
        },
      });
      // one command per reply, so that the steps are valid after HELO (no PIPELINING) too
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
        { write: 'RCPT TO:<c@d.example>\r\n', after: 3 },
        { write: 'BDAT 3\r\nabc', after: 4 },
        { write: reset, after: 5 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 6 },
        { write: 'RCPT TO:<c@d.example>\r\n', after: 7 },
        { write: 'BDAT 2 LAST\r\nok', after: 8 },
        { write: 'QUIT\r\n', after: 9 },
      ]);
      expect(codes(out).slice(-4)).toEqual([250, 250, 250, 221]);
      // before the fix the first stream was left open for ever (never ended, never destroyed):
      // only the second message's outcome was ever recorded
      expect(outcomes).toEqual(['error:ERR_SMTP_MESSAGE_ABORTED:reset', 'end:ok']);
    });
  }

  it('SRV-5 many BDAT+RSET cycles on one connection leave no body stream open while the session lasts', async () => {
    let open = 0;
    let most = 0;
    const { port } = await servers.start({
      onData: async (_env, body) => {
        open++;
        most = Math.max(most, open);
        await outcome(body);
        open--;
      },
    });
    const steps: { write: string; after: number }[] = [{ write: 'EHLO c.example\r\n', after: 1 }];
    for (let i = 0; i < 20; i++) steps.push({ write: `${MAIL}BDAT 1\r\nxRSET\r\n`, after: 2 + i * 4 });
    steps.push({ write: 'QUIT\r\n', after: 2 + 20 * 4 });
    const out = await rawSession(port, steps);
    expect(codes(out).filter((c) => c === 250)).toHaveLength(1 + 20 * 4);
    expect(codes(out).at(-1)).toBe(221);
    // every stream ended with its RSET: at most one was ever open (before the fix: all 20, never ended)
    expect(most).toBe(1);
    expect(open).toBe(0);
  });

  it('SRV-5 core: RSET, EHLO and HELO inside a BDAT transaction emit message-abort (reset) before the reset', () => {
    for (const line of ['RSET', 'EHLO x.example', 'HELO x.example']) {
      const conn = new ServerConnection({ hostname: 'core.test' });
      const events: ServerEvent[] = [];
      const feed = (text: string): void => {
        conn.receiveData(new TextEncoder().encode(text));
        for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = conn.nextEvent()) {
          events.push(e);
          if ('needsAnswer' in e && e.needsAnswer) conn.accept();
        }
      };
      feed('EHLO c.example\r\n');
      feed(`${MAIL}BDAT 1\r\nx`);
      feed(`${line}\r\n`);
      const types = events.map((e) => (e.type === 'message-abort' ? `abort:${e.reason}` : e.type));
      expect(types.slice(types.indexOf('data-start')), line).toContain('abort:reset');
      expect(types.filter((t) => t.startsWith('abort')), line).toEqual(['abort:reset']);
    }
  });
});

describe('INJ-3 line and paragraph separators are refused in envelope addresses, as in HELO and Received', () => {
  // U+2028 / U+2029 end a line for JavaScript-based log viewers and editors; buildReceivedHeader
  // refuses them in `for`, and EHLO refuses them: an address holding one was accepted (SMTPUTF8)
  // and reached the hooks, the stored envelope and the log line of `smtp serve`.
  const cases = [
    ['local part', 'MAIL FROM:<a\u2028b@x.example> SMTPUTF8'],
    ['quoted local part', 'MAIL FROM:<"a\u2029b"@x.example> SMTPUTF8'],
    ['domain', 'MAIL FROM:<a@b\u2028c.example> SMTPUTF8'],
    ['ORCPT utf-8 (raw)', 'MAIL FROM:<a@x.example> SMTPUTF8\r\nRCPT TO:<c@d.example> ORCPT=utf-8;a\u2028b@c.example'],
    ['ORCPT utf-8 (\\x{} escape)', 'MAIL FROM:<a@x.example> SMTPUTF8\r\nRCPT TO:<c@d.example> ORCPT=utf-8;a\\x{2029}b@c.example'],
    ['ORCPT rfc822 (xtext UTF-8 bytes)', 'MAIL FROM:<a@x.example> SMTPUTF8\r\nRCPT TO:<c@d.example> ORCPT=rfc822;a+E2+80+A8b@c.example'],
  ] as const;
  for (const [name, command] of cases) {
    it(`INJ-3 U+2028/U+2029 in the ${name}: 501, nothing reaches the hooks`, async () => {
      const seen: string[] = [];
      const { port } = await servers.start({
        onMailFrom: (from) => void seen.push(from),
        onRcptTo: (to, params) => void seen.push(`${to} ${String(params.ORCPT)}`),
      });
      const lines = command.split('\r\n');
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        ...lines.map((l, i) => ({ write: Buffer.from(`${l}\r\n`, 'utf8'), after: 2 + i })),
        { write: 'QUIT\r\n', after: 2 + lines.length },
      ]);
      expect(codes(out).slice(-2)).toEqual([501, 221]);
      expect(seen.filter((s) => /[\u2028\u2029]/.test(s))).toEqual([]);
    });
  }

  it('INJ-3 other non-ASCII text stays accepted: a UTF-8 local part and ORCPT utf-8 with an escape', async () => {
    const seen: string[] = [];
    const { port } = await servers.start({ onRcptTo: (to, params) => void seen.push(`${to} ${String(params.ORCPT)}`) });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: Buffer.from('MAIL FROM:<jos\u00e9@x.example> SMTPUTF8\r\n', 'utf8'), after: 2 },
      { write: Buffer.from('RCPT TO:<\u00fc@d.example> ORCPT=utf-8;\\x{FC}\\x{2B}x@d.example\r\n', 'utf8'), after: 3 },
      { write: 'QUIT\r\n', after: 4 },
    ]);
    expect(codes(out).slice(-3)).toEqual([250, 250, 221]);
    expect(seen).toEqual(['\u00fc@d.example utf-8;\\x{FC}\\x{2B}x@d.example']);
  });
});

describe('INJ-3 core: the ORCPT check never throws on a value a custom definition lets through', () => {
  it('INJ-3 parseEnvelopeArgument with a permissive custom ORCPT: odd escapes are refused (501), never an exception', async () => {
    const { parseEnvelopeArgument } = await import('../src/index.js');
    const parameters = [{ keyword: 'ORCPT', command: 'rcpt' as const, extensions: ['DSN'], rfc: 'test', value: 'required' as const }];
    const parse = (v: string) => parseEnvelopeArgument('rcpt', `<a@b.example> ORCPT=${v}`, { advertised: ['DSN'], parameters });
    for (const v of ['utf-8;a\\x{110000}b', 'rfc822;a+ZZb', 'rfc822;a+E2+80b', 'utf-8;a\\x{2029}b']) expect(parse(v).ok, v).toBe(false);
    // not escapes at all: plain text, which holds no separator
    for (const v of ['utf-8;a\\x{2028', 'utf-8;a\\x{}b']) expect(parse(v).ok, v).toBe(true);
    // rfc822 has no \x{} escapes: those are plain characters there
    expect(parseEnvelopeArgument('rcpt', '<a@b.example> ORCPT=rfc822;a\\x{2028}b@c.example', { advertised: ['DSN'] }).ok).toBe(true);
  });
});

describe('SRV-8 AUTH identities: controls, separators and lossily decoded bytes are refused before onAuth', () => {
  const b64 = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('base64');
  const utf8b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const cases = [
    ['LOGIN user name with CRLF', ['AUTH LOGIN', b64('u\r\nX-Injected: 1'), b64('p')]],
    ['PLAIN user name with ESC', [`AUTH PLAIN ${b64('\0u\x1b[31m\0p')}`]],
    ['PLAIN user name with U+2028', [`AUTH PLAIN ${utf8b64('\0u\u2028x\0p')}`]],
    ['PLAIN user name with invalid UTF-8', [`AUTH PLAIN ${b64('\0u\xff\0p')}`]],
    ['PLAIN authorization identity with CRLF', [`AUTH PLAIN ${b64('a\r\nb\0u\0p')}`]],
  ] as const;
  for (const [name, lines] of cases) {
    it(`SRV-8 ${name}: 501, onAuth never sees it, the session stays unauthenticated`, async () => {
      const seen: string[] = [];
      const { port } = await servers.start({
        auth: { allowInsecure: true },
        onAuth: (c) => {
          seen.push(c.username);
          return true;
        },
      });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        ...lines.map((l, i) => ({ write: `${l}\r\n`, after: 2 + i })),
        { write: 'QUIT\r\n', after: 2 + lines.length },
      ]);
      expect(codes(out).slice(-2)).toEqual([501, 221]);
      expect(seen).toEqual([]);
    });
  }

  it('SRV-8 a UTF-8 user name and a password with any bytes still reach onAuth', async () => {
    const seen: string[] = [];
    const { port } = await servers.start({ auth: { allowInsecure: true }, onAuth: (c) => seen.push(`${c.username}:${String(c.password)}`) > 0 });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `AUTH PLAIN ${utf8b64('\0j\u00f6rg\0p\tw\u2028')}\r\n`, after: 2 },
      { write: 'QUIT\r\n', after: 3 },
    ]);
    expect(codes(out).slice(-2)).toEqual([235, 221]);
    expect(seen).toEqual(['j\u00f6rg:p\tw\u2028']);
  });
});

describe('INJ-3 VRFY and EXPN arguments: controls and invisible characters are refused before the hooks', () => {
  for (const arg of ['a\x1bb', 'a\tb', 'a\u2028b', 'a\u202eb', 'a\u0085b']) {
    it(`INJ-3 VRFY/EXPN ${JSON.stringify(arg)}: 501, onVrfy never sees it`, async () => {
      const seen: string[] = [];
      const { port } = await servers.start({ onVrfy: (a) => void seen.push(a) });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: Buffer.from(`VRFY ${arg}\r\n`, 'utf8'), after: 2 },
        { write: Buffer.from(`EXPN ${arg}\r\n`, 'utf8'), after: 3 },
        { write: 'VRFY <postmaster@d.example>\r\n', after: 4 },
        { write: 'QUIT\r\n', after: 5 },
      ]);
      expect(codes(out).slice(-4)).toEqual([501, 501, 252, 221]);
      expect(seen).toEqual(['<postmaster@d.example>']);
    });
  }
});

describe('SMUG-1 SMUG-2 through createServer: look-alike ends of data never end a message, nothing smuggled runs', () => {
  const vectors = ['\n.\n', '\r.\r', '\n.\r\n', '\r.\r\n', '\r\n.\n', '\r\n.\r', '\r.\n', '\n.\r', '\r\n\0.\r\n', '\r\n.\0\r\n', '\r\n.\r\r\n', '\r\r\n.\r\r\n'];
  for (const v of vectors) {
    it(`SMUG-1 ${JSON.stringify(v)} in one write with a smuggled transaction: one final reply, the smuggled MAIL never reaches onMailFrom`, async () => {
      const senders: string[] = [];
      const bodies: string[] = [];
      const { port } = await servers.start({
        onMailFrom: (from) => void senders.push(from),
        onData: async (_env, body) => void bodies.push(await outcome(body)),
      });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: `${MAIL}DATA\r\n`, after: 2 },
        { write: `Subject: x\r\n\r\nbody${v}MAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n`, after: 5 },
      ]);
      const bare = v.replace(/\r\n/g, '').replace(/[^\r\n]/g, '') !== '';
      // SMUG-2: a bare CR or LF fails the message at the real end (550, nothing handed over as
      // accepted); the NUL look-alikes are ordinary content
      expect(codes(out)).toEqual([220, 250, 250, 250, 354, bare ? 550 : 250, 221]);
      expect(senders).toEqual(['a@b.example']);
      expect(bodies).toHaveLength(1);
      if (bare) expect(bodies[0]).toMatch(/^error:ERR_SMTP_MESSAGE_ABORTED:bare-line-ending/);
      else expect(bodies[0]).toContain('MAIL FROM:<evil@x.example>');
    });
  }
});

describe('TLS-1 TLS-2 through createServer: plaintext after STARTTLS is discarded, the session starts over', () => {
  let tls: ThrowawayCertificate;
  beforeAll(() => {
    tls = localhostCertificate();
  });

  /** EHLO, then `injected` in the same write as STARTTLS; after TLS, `after` line by line. */
  async function upgrade(port: number, injected: string, after: readonly string[]): Promise<{ plain: string; secure: string }> {
    const raw = connect(port, '127.0.0.1');
    raw.on('error', () => undefined);
    let plain = '';
    const onPlain = (d: Buffer): void => void (plain += d.toString('latin1'));
    raw.on('data', onPlain);
    const until = async (done: RegExp | number, text: () => string): Promise<void> => {
      const ok = (): boolean => (typeof done === 'number' ? codes(text()).length >= done : done.test(text()));
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(/^220 /m, () => plain);
    raw.write('EHLO c.example\r\n');
    await until(/^250 /m, () => plain);
    raw.write(`STARTTLS\r\n${injected}`);
    await until(/^220 2\.0\.0/m, () => plain);
    raw.removeListener('data', onPlain);
    const secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
    secure.on('error', () => undefined);
    let text = '';
    secure.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await new Promise((r) => secure.once('secureConnect', r));
    for (const [i, line] of after.entries()) {
      secure.write(`${line}\r\n`);
      await until(i + 1, () => text);
    }
    secure.destroy();
    return { plain, secure: text };
  }

  it('TLS-1 STARTTLS + MAIL/RCPT/NOOP in one segment: exactly one reply (220) in plaintext, nothing of it runs after TLS', async () => {
    const senders: string[] = [];
    const { port } = await servers.start({ tls, onMailFrom: (from) => void senders.push(from) });
    const { plain, secure } = await upgrade(port, 'MAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\nNOOP\r\n', ['MAIL FROM:<a@b.example>', 'EHLO c.example', 'MAIL FROM:<a@b.example>']);
    expect(codes(plain)).toEqual([220, 250, 220]);
    // TLS-2: the injected MAIL never ran, and the pre-TLS EHLO is forgotten (503 until a new EHLO)
    expect(codes(secure)).toEqual([503, 250, 250]);
    expect(senders).toEqual(['a@b.example']);
  });

  it('TLS-1 STARTTLS + EHLO injected in the same segment: the post-TLS session still has no EHLO (503), AUTH state is not carried', async () => {
    const { port } = await servers.start({ tls, auth: { allowInsecure: true }, onAuth: () => true });
    const { secure } = await upgrade(port, 'EHLO injected.example\r\n', ['MAIL FROM:<a@b.example>']);
    expect(codes(secure)).toEqual([503]);
  });
});

describe('INJ-3 XCLIENT/XFORWARD ADDR must be an IP address (Postfix: IPv4, or IPv6 after IPV6:)', () => {
  for (const verb of ['XCLIENT', 'XFORWARD'] as const) {
    it(`INJ-3 ${verb} ADDR that is no IP address (spaces, U+2028, a general literal) gets 501 and changes nothing`, async () => {
      const addresses: (string | undefined)[] = [];
      const { port } = await servers.start({ isTrusted: () => true, xclient: true, xforward: true, onMailFrom: (_f, _p, s) => void addresses.push(s.info.clientAddress) });
      const bad = ['not+20an+20ip', 'a+E2+80+A8b', 'foo:bar', '1.2.3.256', 'IPV6:1::2::3', '::1', '[192.0.2.1]'];
      const steps = [{ write: 'EHLO c.example\r\n', after: 1 }];
      bad.forEach((a, i) => steps.push({ write: `${verb} ADDR=${a}\r\n`, after: 2 + i }));
      steps.push({ write: 'MAIL FROM:<a@b.example>\r\n', after: 2 + bad.length });
      steps.push({ write: 'QUIT\r\n', after: 3 + bad.length });
      const out = await rawSession(port, steps);
      expect(codes(out).slice(2)).toEqual([...bad.map(() => 501), 250, 221]);
      expect(addresses).toEqual(['127.0.0.1']);
    });
  }

  it('INJ-3 XCLIENT ADDR=192.0.2.7 and ADDR=IPV6:2001:db8::1 are taken', async () => {
    const addresses: (string | undefined)[] = [];
    const { port } = await servers.start({ isTrusted: () => true, xclient: true, onHelo: (_d, s) => void addresses.push(s.info.clientAddress) });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'XCLIENT ADDR=192.0.2.7\r\n', after: 2 },
      { write: 'EHLO c.example\r\n', after: 3 },
      { write: 'XCLIENT ADDR=IPV6:2001:db8::1\r\n', after: 4 },
      { write: 'EHLO c.example\r\n', after: 5 },
      { write: 'QUIT\r\n', after: 6 },
    ]);
    expect(codes(out)).toEqual([220, 250, 220, 250, 220, 250, 221]);
    expect(addresses).toEqual(['127.0.0.1', '192.0.2.7', 'IPV6:2001:db8::1']);
  });
});

describe('TMO-3 a STARTTLS handshake that never completes: the timeout closes the connection, no plaintext after the 220', () => {
  for (const [name, after] of [
    ['nothing', ''],
    ['half a ClientHello', '\x16\x03\x01\x00\xa5\x01\x00'],
  ] as const) {
    it(`TMO-3 ${name} after 220 to STARTTLS: the connection closes at timeouts.tlsHandshake with no plaintext reply inside the TLS stream`, async () => {
      const closed: string[] = [];
      const { port } = await servers.start({ tls: localhostCertificate(), timeouts: { tlsHandshake: 200 }, onClose: (s) => void closed.push(s.id) });
      const steps: { write: string | Buffer; after: number }[] = [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'STARTTLS\r\n', after: 2 },
      ];
      if (after) steps.push({ write: Buffer.from(after, 'latin1'), after: 3 });
      const out = await rawSession(port, steps, { end: false, timeoutMs: 5000 });
      // before the fix a plaintext "421 4.4.2 ... timeout exceeded" followed the 220, where the
      // client expects TLS records
      expect(out.slice(out.indexOf('220 2.0.0'))).toMatch(/^220 2\.0\.0 [^\n]*\r\n$/);
      expect(codes(out)).toEqual([220, 250, 220]);
      await vi.waitFor(() => expect(closed).toHaveLength(1));
    });
  }
});

describe('SRV-3 a BDAT line the server cannot parse closes the connection: its chunk never runs as commands', () => {
  // A peer that ends a verb at any blank or control byte (Exim, Postfix) reads these lines as BDAT and
  // the bytes after them as the chunk; before the fix the server answered 500/501 and ran those
  // bytes: `QUIT` got its 221, and a whole smuggled transaction could be delivered.
  const SMUGGLED = 'QUIT\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\nBDAT 5 LAST\r\nevil!';
  const lines: [string, Buffer][] = [
    ...['BDAT\t3', 'BDAT\t3 LAST', 'BDAT  3', 'BDAT 3\t', 'BDAT 3 LAST\t', 'BDAT\v3', 'BDAT 3 LAST extra', 'BDAT 3' + ' '.repeat(600)].map((l): [string, Buffer] => [JSON.stringify(l.slice(0, 16)), Buffer.from(l, 'latin1')]),
    ['BDAT<NUL>3', Buffer.from('BDAT\x003', 'latin1')],
    ['BDAT 3<CR>x', Buffer.from('BDAT 3\rx', 'latin1')],
    ['BDAT 3 <0xff>', Buffer.from('BDAT 3 \xff', 'latin1')],
  ];
  for (const [name, line] of lines) {
    it(`SRV-3 SMUG-7 ${name}: one 501, the connection closes, no reply to the smuggled bytes, nothing delivered`, async () => {
      const delivered: string[] = [];
      const senders: string[] = [];
      let closed = 0;
      const { port } = await servers.start({
        onMailFrom: (from) => void senders.push(from),
        onData: async (_env, body) => void delivered.push(await outcome(body)),
        onClose: () => void closed++,
      });
      const started = Date.now();
      const out = await rawSession(
        port,
        [
          { write: 'EHLO c.example\r\n', after: 1 },
          { write: MAIL, after: 2 },
          { write: Buffer.concat([line, Buffer.from(`\r\n${SMUGGLED}`)]), after: 4 },
        ],
        { end: false, timeoutMs: 8000 },
      );
      expect(codes(out)).toEqual([220, 250, 250, 250, 501]);
      expect(out).not.toMatch(/^221 /m);
      // the server closed it (the client never half-closed; the timeout is 8 s)
      expect(Date.now() - started).toBeLessThan(5000);
      await vi.waitFor(() => expect(closed).toBe(1));
      expect(senders).toEqual(['a@b.example']);
      expect(delivered).toEqual([]);
    });
  }

  it('SRV-3 lower-case bdat and LAST keep working over a socket', async () => {
    const delivered: string[] = [];
    const { port } = await servers.start({ onData: async (_env, body) => void delivered.push(await outcome(body)) });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `${MAIL}bdat 3\r\nabcbdat 2 last\r\nde`, after: 2 },
      { write: 'QUIT\r\n', after: 6 },
    ]);
    expect(codes(out)).toEqual([220, 250, 250, 250, 250, 250, 221]);
    expect(delivered).toEqual(['end:abcde']);
  });
});

describe('SRV-8 an empty AUTH user name or password never reaches onAuth (PLAIN and LOGIN agree)', () => {
  const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');
  const cases = [
    // before the fix LOGIN passed an empty user name (and both mechanisms an empty password) to onAuth
    ['LOGIN empty user name (empty line)', ['AUTH LOGIN', '']],
    ['LOGIN empty user name (=)', ['AUTH LOGIN', '=']],
    ['LOGIN empty password', ['AUTH LOGIN', b64('u'), '']],
    ['PLAIN empty user name', [`AUTH PLAIN ${b64('\0\0p')}`]],
    ['PLAIN empty password', [`AUTH PLAIN ${b64('\0u\0')}`]],
  ] as const;
  for (const [name, lines] of cases) {
    it(`SRV-8 ${name}: 501 5.5.2, onAuth is never called, MAIL still needs AUTH`, async () => {
      const seen: string[] = [];
      const { port } = await servers.start({
        auth: { allowInsecure: true, required: true },
        onAuth: (c) => {
          seen.push(`${c.username}:${String(c.password)}`);
          return true;
        },
      });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        ...lines.map((l, i) => ({ write: `${l}\r\n`, after: 2 + i })),
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 + lines.length },
        { write: 'QUIT\r\n', after: 3 + lines.length },
      ]);
      expect(out).toMatch(/^501 5\.5\.2 Malformed (PLAIN|LOGIN) response\r$/m);
      expect(codes(out).slice(-3)).toEqual([501, 530, 221]);
      expect(seen).toEqual([]);
    });
  }
});

describe('SMUG-5 a refused line that a lenient peer reads as a verb: checked as that verb over a socket', () => {
  // Exim and Postfix end a verb at a tab, VT, FF, CR or NUL: a middlebox like them takes `DATA\t`
  // for DATA and forwards what follows as the message; before the fix this server answered 500
  // and ran those bytes as commands (a second transaction was delivered).
  const SMUGGLED = 'RSET\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\nBDAT 5 LAST\r\nevil!';
  for (const [name, line] of [['DATA<HT>', 'DATA\t'], ['DATA<VT>', 'DATA\v'], ['DATA<NUL>', 'DATA\0'], ['DATA<CR>', 'DATA\rx'], ['QUIT<HT>', 'QUIT\t'], ['STARTTLS<HT>', 'STARTTLS\t'], ['DATA + 600 blanks', `DATA${' '.repeat(600)}`]] as const) {
    it(`SMUG-5 ${name} with a transaction pipelined behind it: 554 and close, nothing smuggled runs or is delivered`, async () => {
      const delivered: string[] = [];
      const senders: string[] = [];
      const { port } = await servers.start({
        onMailFrom: (from) => void senders.push(from),
        onData: async (_env, body) => void delivered.push(await outcome(body)),
      });
      const out = await rawSession(
        port,
        [
          { write: 'EHLO c.example\r\n', after: 1 },
          { write: MAIL, after: 2 },
          { write: Buffer.from(`${line}\r\n${SMUGGLED}`, 'latin1'), after: 4 },
        ],
        { end: false, timeoutMs: 8000 },
      );
      expect(codes(out)).toEqual([220, 250, 250, 250, 554]);
      expect(senders).toEqual(['a@b.example']);
      expect(delivered).toEqual([]);
    });
  }

  it('SMUG-5 MAIL<HT>FROM: / RCPT<HT>TO: are refused (500, RFC 5321 separates with SP); pipelined behind them, RCPT gets 503 and the DATA that would start a body closes the connection', async () => {
    const delivered: string[] = [];
    const { port } = await servers.start({ onData: async (_env, body) => void delivered.push(await outcome(body)) });
    const out = await rawSession(
      port,
      [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL\tFROM:<a@b.example>\r\nRCPT\tTO:<c@d.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n', after: 2 },
      ],
      { end: false, timeoutMs: 8000 },
    );
    expect(codes(out)).toEqual([220, 250, 500, 500, 503, 554]);
    expect(delivered).toEqual([]);
  });

  it('SMUG-5 non-ASCII letters that Unicode upper-casing folds (ſTARTTLS, RſET, MAıL FROM) are unknown commands, not STARTTLS, RSET or MAIL', async () => {
    const senders: string[] = [];
    const { port } = await servers.start({ onMailFrom: (from) => void senders.push(from) });
    const lines = ['\u017fTARTTLS', 'R\u017fET', 'MA\u0131L FROM:<a@b.example>'];
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      ...lines.map((l, i) => ({ write: Buffer.from(`${l}\r\n`, 'utf8'), after: 2 + i })),
      { write: 'QUIT\r\n', after: 2 + lines.length },
    ]);
    expect(codes(out)).toEqual([220, 250, 500, 500, 500, 221]);
    expect(senders).toEqual([]);
  });
});

describe('TLS-1 SMUG-5 a refused STARTTLS with input behind it closes the connection', () => {
  it('TLS-1 SMUG-5 STARTTLS with an argument, then a pipelined transaction in the same write: 501, 554 and close, nothing delivered', async () => {
    // before the fix the 501 was followed by the pipelined bytes run as plaintext commands, though a
    // peer that took the line for STARTTLS (a trailing blank) sends them for the TLS session
    const delivered: string[] = [];
    const { port } = await servers.start({ tls: localhostCertificate(), onData: async (_env, body) => void delivered.push(await outcome(body)) });
    const out = await rawSession(
      port,
      [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: `STARTTLS x\r\n${MAIL}BDAT 2 LAST\r\nhi`, after: 2 },
      ],
      { end: false, timeoutMs: 8000 },
    );
    expect(codes(out)).toEqual([220, 250, 501, 554]);
    expect(delivered).toEqual([]);
  });
});
