// The README promises that case does not change the class. Letters whose upper case folds back to
// another letter (Turkish dotless `ı`, German `ß`, Greek final `ς`) are read the same on the rule
// side and on the reply side, so the lower-case, upper-case and 7-bit spellings of a reply agree.
import { describe, expect, it } from 'vitest';
import { classify, createClassifier } from '../src/index.js';

/** Pairs of spellings of one reply: [as written, another case or the ASCII spelling MTAs print]. */
const SAME: readonly (readonly [string, string])[] = [
  ['550 kullanıcı bulunamadı', '550 KULLANICI BULUNAMADI'],
  ['550 kullanıcı bulunamadı', '550 Kullanici Bulunamadi'],
  ['kota aşıldı', 'KOTA AŞILDI'],
  ['550 bulunamadı', '550 bulunamadi'],
  ['550 bulunamadı', '550 BULUNAMADI'],
  ['550 alan adı bulunamadı', '550 ALAN ADI BULUNAMADI'],
  ['452 posta kutusu dolu: kota aşıldı', '452 POSTA KUTUSU DOLU: KOTA AŞILDI'],
  ['550 Postfachgröße überschritten', '550 POSTFACHGRÖSSE ÜBERSCHRITTEN'],
  ['550 Postfachgröße überschritten', '550 Postfachgrösse überschritten'],
  ['550 Postfachgröße überschritten', '550 POSTFACHGRÖẞE ÜBERSCHRITTEN'],
  ['550 Nachrichtengröße', '550 NACHRICHTENGRÖSSE'],
  ['552 Nachricht zu groß', '552 NACHRICHT ZU GROSS'],
  ['552 maximale Größe erreicht', '552 MAXIMALE GRÖSSE ERREICHT'],
  ['550 geçersiz alıcı', '550 GEÇERSİZ ALICI'],
];

describe('case and the 7-bit spelling do not change the class', () => {
  it.each(SAME)('%s / %s', (a, b) => {
    const x = classify(a);
    expect(x.rule.kind).toBe('keyword');
    expect(classify(b).id).toBe(x.id);
  });

  it('a rule written with ß, ı or ς matches the other spellings, and a rule written in ASCII matches ß and ı', () => {
    const c = createClassifier({ builtinRules: false });
    c.addRule({ pattern: 'größenlimit', id: 23 });
    c.addRule({ pattern: 'kapasitesi aşıldı', id: 22 });
    c.addRule({ pattern: 'άγνωστος λογαριασμος', id: 10 });
    c.addRule({ pattern: 'strasse|gesperrt', id: 30 });
    c.addRule({ pattern: 'DİSK DOLU', id: 22 });
    expect(c.classify('552 GRÖSSENLIMIT').id).toBe(23);
    expect(c.classify('552 grössenlimit').id).toBe(23);
    expect(c.classify('552 KAPASİTESİ AŞILDI').id).toBe(22);
    expect(c.classify('552 KAPASITESI ASILDI').id).toBe(22);
    expect(c.classify('550 ΆΓΝΩΣΤΟΣ ΛΟΓΑΡΙΑΣΜΟΣ').id).toBe(10);
    expect(c.classify('550 άγνωστοσ λογαριασμοσ').id).toBe(10);
    expect(c.classify('550 Straße gesperrt').id).toBe(30);
    expect(c.classify('550 disk dolu').id).toBe(22);
    expect(c.classify('550 disk dolu').id).toBe(c.classify('550 dısk dolu').id);
  });

  it('the same reply as bytes reads as the string does', () => {
    const bytes = new TextEncoder().encode('550 POSTFACHGRÖSSE ÜBERSCHRITTEN');
    expect(classify(bytes).id).toBe(classify('550 Postfachgröße überschritten').id);
  });
});
