// registry.advertise: keywords that another keyword's RFC requires are not offered without it.
// RFC 6531 §3.1: a server offering SMTPUTF8 also announces 8BITMIME. RFC 3030 §3: BINARYMIME is
// used only with CHUNKING (BODY=BINARYMIME data goes by BDAT; DATA is refused with 503).
import { describe, expect, test } from 'vitest';
import { defaultExtensionRegistry } from 'smtp-capabilities';

describe('ExtensionRegistry.advertise: SMTPUTF8 needs 8BITMIME, BINARYMIME needs CHUNKING', () => {
  test('hiding 8BITMIME (per session or registry-wide) also withholds SMTPUTF8', () => {
    const r = defaultExtensionRegistry();
    expect(r.advertise({ hide: ['8bitmime'] })).toEqual(['PIPELINING', 'ENHANCEDSTATUSCODES', 'CHUNKING', 'DSN']);
    r.hide('8BITMIME');
    expect(r.advertise({})).not.toContain('SMTPUTF8');
    expect(r.capabilities({}).smtpUtf8).toBe(false);
  });

  test('BINARYMIME enabled with CHUNKING hidden is not offered', () => {
    const r = defaultExtensionRegistry();
    expect(r.advertise({ enable: ['BINARYMIME'], hide: ['CHUNKING'] })).not.toContain('BINARYMIME');
    const caps = r.capabilities({ enable: ['BINARYMIME'], hide: ['CHUNKING'] });
    expect([caps.binaryMime, caps.chunking]).toEqual([false, false]);
    expect(r.mailParameters(caps).has('BODY')).toBe(true); // 8BITMIME still allows BODY=8BITMIME
  });

  test('with what they need, both are offered as before', () => {
    const r = defaultExtensionRegistry();
    expect(r.advertise({ enable: ['BINARYMIME'] })).toEqual([
      'PIPELINING', 'ENHANCEDSTATUSCODES', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'DSN', 'SMTPUTF8',
    ]);
    expect(r.advertise({ hide: ['SMTPUTF8'] })).toContain('8BITMIME');
  });
});
