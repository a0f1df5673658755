import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS, mergeSpecs, parseBy, parseRrvs, specsOf } from './parameters.js';
import type { ParameterSpec } from './parameters.js';

describe('mergeSpecs', () => {
  // parseMailFrom / parseRcptTo pass [] when the caller defines no parameter: once per MAIL and
  // RCPT a server reads. A copy of the table there cost the server core about a fifth of its
  // throughput (pnpm bench server, core MB/s), so no definitions must mean the shared table itself.
  it('with no definitions is the built-in table itself, not a copy', () => {
    expect(mergeSpecs(undefined)).toBe(DEFAULT_PARAMETERS);
    expect(mergeSpecs([])).toBe(DEFAULT_PARAMETERS);
  });

  it('with definitions is a new table holding the built-in ones and the private ones, upper-cased', () => {
    const m = mergeSpecs([{ keyword: 'x-trace', command: 'mail', extensions: ['x-trace'], rfc: 'private', value: 'required' }]);
    expect(m).not.toBe(DEFAULT_PARAMETERS);
    expect(m.get('X-TRACE')).toMatchObject({ keyword: 'X-TRACE', extensions: ['X-TRACE'] });
    expect(m.get('SIZE')).toBe(DEFAULT_PARAMETERS.get('SIZE'));
    expect(DEFAULT_PARAMETERS.has('X-TRACE')).toBe(false);
  });
});

describe('specsOf', () => {
  it('merges a list once while it holds the same items, again once it is changed in place', () => {
    expect(specsOf(undefined)).toBe(DEFAULT_PARAMETERS);
    expect(specsOf([])).toBe(DEFAULT_PARAMETERS);
    const list: ParameterSpec[] = [{ keyword: 'x-trace', command: 'mail', extensions: [], rfc: 'private', value: 'none' }];
    const first = specsOf(list);
    expect(first.get('X-TRACE')?.value).toBe('none');
    expect(specsOf(list)).toBe(first);
    expect(specsOf([...list])).not.toBe(first); // another list
    list[0] = { ...list[0]!, value: 'required' };
    const second = specsOf(list);
    expect(second).not.toBe(first);
    expect(second.get('X-TRACE')?.value).toBe('required');
    list.push({ keyword: 'x-other', command: 'rcpt', extensions: [], rfc: 'private', value: 'none' });
    expect(specsOf(list).has('X-OTHER')).toBe(true);
    expect(() => specsOf([{ keyword: '' } as ParameterSpec])).toThrow(/options\.parameters/);
  });
});

describe('keyword and mode letters are upper-cased in ASCII only', () => {
  // toUpperCase maps ı (U+0131) to I, ſ (U+017F) to S and ﬅ (U+FB05) to ST; nothing non-ASCII may
  // read as a BY mode, an RRVS mode or a parameter keyword
  it('BY and RRVS modes', () => {
    expect(parseBy('120;rt')).toEqual({ seconds: 120, mode: 'R', trace: true });
    for (const mode of ['\u0280', 'n\ufb05', 'R\u0131', '\u017f']) expect(parseBy(`120;${mode}`), mode).toBeUndefined();
    expect(parseRrvs('2026-01-02T03:04:05Z;c')).toEqual({ dateTime: '2026-01-02T03:04:05Z', mode: 'C' });
    for (const mode of ['\u0280', '\u1d04', '\u017f']) expect(parseRrvs(`2026-01-02T03:04:05Z;${mode}`), mode).toBeUndefined();
  });
});
