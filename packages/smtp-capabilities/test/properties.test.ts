import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ReplyReader } from 'smtp-reply-reader';
import {
  defaultExtensionRegistry,
  formatEhloReply,
  formatEhloReplyText,
  isCapabilitiesError,
  parseEhloReply,
  parseEhloReplyText,
  type SessionSettings,
} from 'smtp-capabilities';

const chars = (s: string) => fc.constantFrom(...s.split(''));
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const keywordArb = fc
  .tuple(chars(ALNUM), fc.array(chars(`${ALNUM}-`), { maxLength: 12 }))
  .map(([h, t]) => h + t.join(''));
const paramArb = fc.array(fc.integer({ min: 33, max: 126 }), { minLength: 1, maxLength: 16 }).map((cs) => String.fromCharCode(...cs));
const domainArb = fc
  .tuple(chars('abcdefghijklmnopqrstuvwxyz'), fc.array(chars('abcdefghijklmnopqrstuvwxyz0123456789.-[]:'), { maxLength: 30 }))
  .map(([h, t]) => h + t.join(''));
// eslint-disable-next-line no-control-regex
const greetingArb = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !/[\x00-\x08\x0a-\x1f\x7f]/.test(s) && new TextEncoder().encode(s).length <= 300);
const entryArb = fc.record({ keyword: keywordArb, params: fc.array(paramArb, { maxLength: 6 }) });
// the formatter refuses a keyword given twice (a client would read its first line only)
const entriesArb = (maxLength: number) => fc.uniqueArray(entryArb, { maxLength, selector: (e) => e.keyword.toUpperCase() });

describe('properties (fast-check)', () => {
  test('round trip: formatEhloReply -> parseEhloReply keeps every keyword and parameter, in order', () => {
    fc.assert(
      fc.property(domainArb, greetingArb, entriesArb(20), (domain, greeting, entries) => {
        const lines = formatEhloReply({ domain, greeting, keywords: entries });
        const caps = parseEhloReply({ code: 250, lines });
        expect(caps.domain).toBe(domain);
        expect(caps.greeting).toBe(greeting);
        expect([...caps].map((e) => ({ keyword: e.keyword, params: e.params }))).toEqual(
          entries.map((e) => ({ keyword: e.keyword.toUpperCase(), params: e.params })),
        );
        for (const e of entries) expect(caps.has(e.keyword.toLowerCase())).toBe(true);
        // only typed-value checks may warn on well-formed replies
        for (const w of caps.warnings) expect(w.code).toBe('invalid-param');
      }),
      { numRuns: 300 },
    );
  });

  test('round trip on the wire: formatEhloReplyText -> ReplyReader -> parseEhloReply', () => {
    fc.assert(
      fc.property(domainArb, entriesArb(10), (domain, entries) => {
        const [reply] = new ReplyReader().push(formatEhloReplyText({ domain, greeting: 'hi', keywords: entries }));
        const caps = parseEhloReply(reply!);
        expect(caps.toJSON().keywords).toEqual(entries.map((e) => ({ keyword: e.keyword.toUpperCase(), params: e.params })));
      }),
      { numRuns: 150 },
    );
  });

  test('parseEhloReplyText(formatEhloReplyText(x)) equals parseEhloReply(formatEhloReply(x)); any text parses without throwing', () => {
    fc.assert(
      fc.property(domainArb, greetingArb, entriesArb(10), (domain, greeting, entries) => {
        const input = { domain, greeting, keywords: entries };
        expect(parseEhloReplyText(formatEhloReplyText(input)).toJSON()).toEqual(parseEhloReply({ code: 250, lines: formatEhloReply(input) }).toJSON());
      }),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom('250-', '250 ', '220 ', 'AUTH', ' ', '=', '\r\n', '\n', 'x', '\r'), { maxLength: 60 }).map((a) => a.join(''))), (text) => {
        const caps = parseEhloReplyText(text, { limits: { maxKeywords: 8 } });
        expect(caps.count).toBeLessThanOrEqual(8);
      }),
      { numRuns: 500 },
    );
  });

  test('TEST-4 fuzz: any lines parse without throwing, within the caps; re-parsing toLines() is stable', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.tuple(fc.constantFrom('SIZE', 'AUTH', 'AUTH=', 'LIMITS', 'DELIVERBY', 'FUTURERELEASE', 'XCLIENT', 'MT-PRIORITY', 'X_Y', ''), fc.string({ maxLength: 20 })).map(([k, r]) => `${k} ${r}`),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.array(line, { maxLength: 40 }), (code, lines) => {
        const caps = parseEhloReply({ code, lines }, { limits: { maxKeywords: 16, maxParams: 4, maxWarnings: 8 } });
        expect(caps.count).toBeLessThanOrEqual(16);
        for (const e of caps) expect(e.params.length).toBeLessThanOrEqual(4);
        expect(caps.warnings.length).toBeLessThanOrEqual(9);
        if (caps.esmtp) {
          const again = parseEhloReply({ code: 250, lines: ['d', ...caps.toLines()] });
          expect(again.toJSON().keywords).toEqual(caps.toJSON().keywords);
          expect(again.size).toBe(caps.size);
          expect([...again.auth]).toEqual([...caps.auth]);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('registry: any session either advertises lines formatEhloReply accepts, or throws a typed error', () => {
    const names = fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 });
    const session: fc.Arbitrary<SessionSettings> = fc.record(
      {
        tls: fc.boolean(),
        startTls: fc.boolean(),
        authenticated: fc.boolean(),
        authMechanisms: names,
        authBeforeTls: fc.boolean(),
        maxSize: fc.integer({ min: -5, max: 1e9 }),
        requireTls: fc.boolean(),
        limits: fc.record({ rcptMax: fc.nat(), mailMax: fc.nat() }, { requiredKeys: [] }),
        xclient: names,
        deliverBy: fc.nat(),
        mtPriority: fc.string({ maxLength: 8 }),
        enable: fc.array(fc.constantFrom('VRFY', 'etrn', 'BURL', 'NO-SOLICITING', 'X'), { maxLength: 3 }),
        hide: fc.array(fc.constantFrom('PIPELINING', 'dsn', 'SIZE'), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(session, (s) => {
        const r = defaultExtensionRegistry();
        let lines: string[];
        try {
          lines = r.advertise(s);
        } catch (e) {
          expect(isCapabilitiesError(e)).toBe(true);
          return;
        }
        const caps = parseEhloReply({ code: 250, lines: formatEhloReply({ domain: 'mx', keywords: lines }, { maxLineLength: 10_000 }) });
        expect(caps.keywords).toEqual(lines.map((l) => l.split(' ')[0]));
        if (s.tls) expect(caps.startTls).toBe(false);
        if (!s.tls) expect(caps.requireTls).toBe(false);
        for (const h of s.hide ?? []) expect(caps.has(h)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
