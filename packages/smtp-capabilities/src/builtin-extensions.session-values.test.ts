// advertise(): a session value the advertisement cannot carry is ERR_SMTP_INVALID_OPTION naming the
// setting, whatever is wrong with it, as for every other session value.
import { describe, expect, test } from 'vitest';
import { isCapabilitiesError } from './errors.js';
import { parseEhloReply } from './parse-ehlo-reply.js';
import { defaultExtensionRegistry } from './registry.js';
import type { SessionSettings } from './session.js';

function advertised(session: SessionSettings, keyword: string): string {
  try {
    return defaultExtensionRegistry().advertise(session).find((l) => l === keyword || l.startsWith(`${keyword} `)) ?? 'none';
  } catch (e) {
    return isCapabilitiesError(e) ? `${e.code}: ${e.message}` : 'untyped';
  }
}

describe('mtPriority: one priority profile name (RFC 6710), or none', () => {
  test.each(['MIXER', 'STANAG4406', 'NSEP', 'x-local'])('%s is advertised', (p) => {
    expect(advertised({ mtPriority: p }, 'MT-PRIORITY')).toBe(`MT-PRIORITY ${p}`);
  });
  test("'' advertises the keyword alone", () => {
    expect(advertised({ mtPriority: '' }, 'MT-PRIORITY')).toBe('MT-PRIORITY');
  });
  test.each(['A\r\nB', 'MIXER\r\n250 AUTH PLAIN', 'A\nB', 'A B', 'A\tB', 'MIXÉR', 'A\u0000'])('%j is ERR_SMTP_INVALID_OPTION', (p) => {
    expect(advertised({ mtPriority: p }, 'MT-PRIORITY')).toMatch(/^ERR_SMTP_INVALID_OPTION: session mtPriority /);
  });
});

describe('deliverBy: the min-by-time of RFC 2852 §4 is 1*9DIGIT', () => {
  test.each([1, 240, 999_999_999])('%i is advertised and read back', (n) => {
    const line = advertised({ deliverBy: n }, 'DELIVERBY');
    expect(line).toBe(`DELIVERBY ${n}`);
    expect(parseEhloReply({ code: 250, lines: ['mx', line] }).deliverBy).toBe(n);
  });
  test('0 advertises the keyword alone', () => {
    expect(advertised({ deliverBy: 0 }, 'DELIVERBY')).toBe('DELIVERBY');
  });
  test.each([1_000_000_000, 1_234_567_890, Number.MAX_SAFE_INTEGER])('%i (ten digits or more) is ERR_SMTP_INVALID_OPTION', (n) => {
    expect(advertised({ deliverBy: n }, 'DELIVERBY')).toMatch(/^ERR_SMTP_INVALID_OPTION: session deliverBy /);
  });
});

describe('futureRelease.maxInterval: the max-future-release-interval of RFC 4865 is 1*9DIGIT', () => {
  const when = '2030-01-01T00:00:00Z';
  test.each([0, 1, 604_800, 999_999_999])('%i is advertised and read back', (n) => {
    const line = advertised({ futureRelease: { maxInterval: n, maxDateTime: when } }, 'FUTURERELEASE');
    expect(line).toBe(`FUTURERELEASE ${n} ${when}`);
    expect(parseEhloReply({ code: 250, lines: ['mx', line] }).futureRelease).toEqual({ maxInterval: n, maxDateTime: when });
  });
  test.each([1_000_000_000, 1_234_567_890, Number.MAX_SAFE_INTEGER])('%i (ten digits or more) is ERR_SMTP_INVALID_OPTION', (n) => {
    expect(advertised({ futureRelease: { maxInterval: n, maxDateTime: when } }, 'FUTURERELEASE')).toMatch(/^ERR_SMTP_INVALID_OPTION: session futureRelease\.maxInterval .*9 digits/);
  });
});
