// The case folding table written out in aho-corasick.ts, checked against the runtime's own case
// mapping: every lower-case unit whose upper case lower-cases to another single unit is in it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Automaton, canonicalLiteral, ROUND_TRIP_FOLDS } from './aho-corasick.js';

describe('ROUND_TRIP_FOLDS', () => {
  it('holds every unit of the BMP whose round trip through upper case is another unit, and no other', () => {
    const found: string[] = [];
    for (let c = 0x80; c < 65536; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCharCode(c);
      if (s.toLowerCase() !== s) continue;
      const up = s.toUpperCase();
      if (up.length !== 1 || up === s) continue;
      const back = up.toLowerCase();
      if (back.length === 1 && back !== s) found.push(s + back);
    }
    expect(found.join('')).toBe(ROUND_TRIP_FOLDS);
  });

  it('a literal is written with the letter the round trip gives, and ß as ss', () => {
    expect(canonicalLiteral('kullanıcı')).toBe('kullanici');
    expect(canonicalLiteral('λογαριασμος')).toBe('λογαριασμοσ');
    expect(canonicalLiteral('größe')).toBe('grosse');
  });
});

describe('Automaton', () => {
  /** Every `[end, literal]` the automaton reports over `text`, read as `RuleMatcher` reads it. */
  function reported(a: Automaton, text: string): string[] {
    const out: string[] = [];
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const cls = a.charClass[text.charCodeAt(i)]!;
      const v = a.delta[s + cls]!;
      if (v >= 0) {
        s = v;
        continue;
      }
      s = cls === a.wide ? a.wideStep(s, text.charCodeAt(i)) : -v - 1;
      const state = s / a.stride;
      for (let t = a.own[state]! >= 0 ? state : a.dict[state]!; t >= 0; t = a.dict[t]!) out.push(`${i}:${a.own[t]}`);
    }
    return out.sort();
  }

  /** The same, by comparing every literal at every unit. */
  function naive(literals: readonly string[], text: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < text.length; i++) {
      literals.forEach((lit, id) => {
        if (i + 1 >= lit.length && text.slice(i + 1 - lit.length, i + 1) === lit) out.push(`${i}:${id}`);
      });
    }
    return out.sort();
  }

  it('reports what a naive search finds, with more states than the breadth-first part and chains of non-ASCII units', () => {
    // 600 literals of 3 to 8 units over ASCII and non-ASCII letters, so that failure paths cross
    // states with non-ASCII children other than the root (seeded, the same every run)
    const units = 'abcé存я';
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 16) % n;
    };
    const literals = [...new Set(Array.from({ length: 600 }, () => Array.from({ length: 3 + random(6) }, () => units[random(units.length)]).join('')))];
    const a = new Automaton(literals);
    expect(a.states).toBeGreaterThan(1024);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...units, 'x'), maxLength: 60 }), (text) => {
        expect(reported(a, text)).toEqual(naive(literals, text));
      }),
      { numRuns: process.env['SMTPKIT_MUTATION_PACKAGE'] === undefined ? 300 : 30 },
    );
  });
});
