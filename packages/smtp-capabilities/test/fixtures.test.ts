import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { resultsForEverySplit } from '@smtpkit/testkit';
import { ReplyReader } from 'smtp-reply-reader';
import { parseEhloReply, type Capabilities } from 'smtp-capabilities';

const dir = join(import.meta.dirname, 'fixtures');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -4))
  .sort();

interface Fixture {
  server: string;
  source: string;
  keywords: string[][];
  expect: Record<string, unknown>;
  warnings: string[];
}

function load(name: string): { wire: string; doc: Fixture } {
  return {
    wire: readFileSync(join(dir, `${name}.txt`), 'latin1'),
    doc: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Fixture,
  };
}

/** Reads the wire text with smtp-reply-reader, as a client would, then parses the EHLO reply. */
function parseWire(chunks: readonly Uint8Array[]): ReturnType<Capabilities['toJSON']> & { typed: Record<string, unknown> } {
  const reader = new ReplyReader();
  const replies = chunks.flatMap((c) => reader.push(c));
  expect(replies).toHaveLength(1);
  const caps = parseEhloReply(replies[0]!);
  return { ...caps.toJSON(), typed: typed(caps) };
}

function typed(caps: Capabilities): Record<string, unknown> {
  const set = (s: ReadonlySet<string> | undefined) => (s === undefined ? undefined : [...s]);
  return {
    size: caps.size, pipelining: caps.pipelining, startTls: caps.startTls, auth: [...caps.auth],
    eightBitMime: caps.eightBitMime, binaryMime: caps.binaryMime, chunking: caps.chunking, dsn: caps.dsn,
    enhancedStatusCodes: caps.enhancedStatusCodes, smtpUtf8: caps.smtpUtf8, requireTls: caps.requireTls,
    deliverBy: caps.deliverBy, mtPriority: caps.mtPriority, futureRelease: caps.futureRelease, limits: caps.limits,
    xclient: set(caps.xclient), xforward: set(caps.xforward), vrfy: caps.vrfy, expn: caps.expn, etrn: caps.etrn,
    atrn: caps.atrn, help: caps.help, noSoliciting: caps.noSoliciting, mtrk: caps.mtrk, conperm: caps.conperm,
    conneg: caps.conneg, rrvs: caps.rrvs, burl: caps.burl,
  };
}

describe('real EHLO replies of distinct servers (whole, byte by byte, every split, random splits)', () => {
  test('at least 15 distinct servers are covered', () => {
    const servers = new Set(names.map((n) => load(n).doc.server.split(' ')[0]));
    expect(servers.size).toBeGreaterThanOrEqual(15);
  });

  for (const name of names) {
    test(name, () => {
      const { wire, doc } = load(name);
      const { distinct, first } = resultsForEverySplit(wire, parseWire, { random: 10, maxExhaustive: 600 });
      expect(distinct).toHaveLength(1);
      // every keyword kept, in order, with its parameters (unknown ones too)
      expect(first.keywords.map((k) => [k.keyword, ...k.params])).toEqual(doc.keywords);
      expect(first.warnings.map((w) => w.code)).toEqual(doc.warnings);
      const firstLine = wire.slice(4, wire.indexOf('\r\n'));
      const sp = firstLine.indexOf(' ');
      expect(first.domain).toBe(sp < 0 ? firstLine : firstLine.slice(0, sp));
      expect(first.greeting).toBe(sp < 0 ? '' : firstLine.slice(sp + 1));
      for (const [key, value] of Object.entries(doc.expect)) {
        if (key === 'domain' || key === 'greeting') expect(first[key]).toBe(value);
        else expect(first.typed[key], key).toEqual(value === null ? undefined : value);
      }
    });
  }
});

describe('fixture details', () => {
  const caps = (name: string) => {
    const reader = new ReplyReader();
    return parseEhloReply(reader.push(load(name).wire)[0]!);
  };

  test('Amazon SES final "250 Ok" is kept as an unknown keyword, not dropped', () => {
    const c = caps('amazon-ses');
    expect(c.has('ok')).toBe(true);
    expect(c.keywords.at(-1)).toBe('OK');
  });

  test('Exchange keeps its X- keywords with parameters', () => {
    const c = caps('exchange-2016');
    expect(c.params('x-exps')).toEqual(['GSSAPI', 'NTLM']);
    expect(c.has('XEXCH50')).toBe(true);
    expect(c.auth.has('GSSAPI')).toBe(false);
  });

  test('Courier legacy KEYWORD=value forms are parsed as legacy entries', () => {
    const c = caps('courier');
    expect(c.get('XVERP')).toMatchObject({ form: 'legacy', params: ['Courier'], raw: 'XVERP=Courier' });
    expect(c.params('XSECURITY')).toEqual(['NONE,STARTTLS']);
  });

  test('Momentum: AUTH=LOGIN before AUTH LOGIN; params() prefers the standard line', () => {
    const c = caps('momentum');
    expect(c.get('AUTH')?.form).toBe('standard');
    expect(c.entriesFor('auth').map((e) => e.form)).toEqual(['legacy', 'standard']);
    expect(c.warnings).toEqual([]);
  });

  test('Exim X_PIPE_CONNECT breaks keyword syntax: kept as malformed, reported', () => {
    const c = caps('exim-x-pipe-connect');
    expect(c.get('X_PIPE_CONNECT')?.form).toBe('malformed');
    expect(c.warnings[0]).toMatchObject({ code: 'invalid-keyword', line: 4, keyword: 'X_PIPE_CONNECT' });
  });
});
