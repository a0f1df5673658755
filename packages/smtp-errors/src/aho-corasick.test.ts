// The case folding table written out in aho-corasick.ts, checked against the runtime's own case
// mapping: every lower-case unit whose upper case lower-cases to another single unit is in it.
import { describe, expect, it } from 'vitest';
import { canonicalLiteral, ROUND_TRIP_FOLDS } from './aho-corasick.js';

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
