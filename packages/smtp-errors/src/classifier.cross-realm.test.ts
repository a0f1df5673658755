// Bytes made in another realm (a worker, a `vm` context, a test runner's sandbox) are a Uint8Array
// for which `instanceof Uint8Array` is false: they are read as bytes, not as a structural reply
// (which made every such reply class 1).
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';
import { classify } from './index.js';

const foreign = (text: string): Uint8Array => runInNewContext(`new Uint8Array([${Array.from(new TextEncoder().encode(text)).join(',')}])`) as Uint8Array;

describe('classify: a Uint8Array from another realm', () => {
  it('is the bytes it holds', () => {
    const ascii = foreign('550 5.1.1 <bob@example.com>: user unknown');
    expect(ascii instanceof Uint8Array).toBe(false);
    expect(classify(ascii).id).toBe(10);
    expect(classify(foreign('452 4.2.2 mailbox full')).id).toBe(22);
    // not ASCII: decoded, then matched
    expect(classify(foreign('550 Benutzer unbekannt – Postfachgröße überschritten')).id).toBe(classify('550 Benutzer unbekannt – Postfachgröße überschritten').id);
    expect(createClassifier().classify(foreign('550 5.1.1 user unknown'), { length: 3 }).id).toBe(50);
  });
});
