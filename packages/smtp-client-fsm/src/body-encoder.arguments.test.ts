// BodyEncoder, encodeBody and normalizeBody with arguments of the wrong type: typed errors, never
// a TypeError from inside the encoder or an option silently read as its default.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { BodyEncoder, encodeBody, normalizeBody } from './body-encoder.js';
import type { BodyEncoderOptions } from './body-encoder.js';
import { isSmtpClientError } from './errors.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);
const dec = new TextDecoder();

describe('a body that is not a string or bytes is ERR_SMTP_CLIENT_INVALID_PARAMETER', () => {
  it.each([
    ['a number', 5],
    ['null', null],
    ['an array of bytes', [104, 105]],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['an object', { data: 'x' }],
  ])('%s', (_name, body) => {
    expect(codeOf(() => encodeBody(body as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(codeOf(() => normalizeBody(body as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(codeOf(() => new BodyEncoder().push(body as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(codeOf(() => new BodyEncoder({ binary: true }).push(body as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
  });
  it('a refused chunk leaves the encoder usable', () => {
    const e = new BodyEncoder();
    expect(codeOf(() => e.push(5 as never))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(dec.decode(e.push('.a'))).toBe('..a');
    expect(dec.decode(e.end())).toBe('\r\n.\r\n');
  });
});

describe('BodyEncoder options of the wrong type are ERR_SMTP_CLIENT_INVALID_OPTION naming the option', () => {
  it.each([
    ['options', null],
    ['options', 5],
    ['options', 'reject'],
    ['dotStuff', 'no'],
    ['dotStuff', 0],
    ['dotStuff', null],
    ['binary', 'yes'],
    ['binary', 1],
    ['bareLineEndings', 'strict'],
    ['bareLineEndings', 5],
    ['bareLineEndings', null],
  ])('%s: %s', (name, value) => {
    const options = (name === 'options' ? value : { [name]: value }) as BodyEncoderOptions;
    for (const f of [() => new BodyEncoder(options), () => encodeBody('x', options)]) {
      try {
        f();
        expect.unreachable('accepted');
      } catch (e) {
        expect(isSmtpClientError(e) && e.code).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
        expect((e as Error).message.startsWith(name)).toBe(true);
      }
    }
  });
  it('undefined options and members are the defaults', () => {
    expect(dec.decode(encodeBody('.a', undefined))).toBe('..a\r\n.\r\n');
    expect(dec.decode(encodeBody('.a', { dotStuff: undefined, binary: undefined, bareLineEndings: undefined } as unknown as BodyEncoderOptions))).toBe('..a\r\n.\r\n');
    expect(dec.decode(encodeBody('.a', { dotStuff: false }))).toBe('.a\r\n');
  });
});
