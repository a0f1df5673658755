import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatReply, parseReply } from 'smtp-reply-reader';

// The documented contract of formatReply for a text that starts like an enhanced status code: the
// wire cannot tell such a text from a code (RFC 2034 §4), so it is one unless `enhanced` is given.
describe('formatReply: text that starts with an enhanced status code', () => {
  it('without enhanced, a code of the reply class at the start is the enhanced code on the wire', () => {
    const wire = formatReply({ code: 250, text: '2.0.0 is the version' });
    expect(wire).toBe('250 2.0.0 is the version\r\n');
    expect(parseReply(wire)).toEqual(parseReply(formatReply({ code: 250, enhanced: '2.0.0', text: 'is the version' })));
  });

  it('with enhanced given, a code-shaped text reads back exactly', () => {
    const back = parseReply(formatReply({ code: 250, enhanced: '2.0.0', text: '2.0.0 is the version' }));
    expect([back.enhanced, back.text]).toEqual([{ class: 2, subject: 0, detail: 0 }, '2.0.0 is the version']);
    const lines = parseReply(formatReply({ code: 550, enhanced: '5.1.1', lines: ['5.1.1 first', '5.1.1 second'] }));
    expect(lines.lines).toEqual(['5.1.1 first', '5.1.1 second']);
  });

  it('a code of another class than the reply stays text', () => {
    const back = parseReply(formatReply({ code: 250, text: '5.0.0 x' }));
    expect([back.enhanced, back.text]).toEqual([undefined, '5.0.0 x']);
  });

  it('with enhanced given, every one-line text reads back exactly (property)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'2450.1 9ax\t'), maxLength: 40 });
    fc.assert(
      fc.property(fc.constantFrom([250, '2.1.5'] as const, [451, '4.7.1'] as const, [550, '5.1.1'] as const), text, ([code, enhanced], t) => {
        expect(parseReply(formatReply({ code, enhanced, text: t })).text).toBe(t);
      }),
      { numRuns: 1000 },
    );
  });
});
