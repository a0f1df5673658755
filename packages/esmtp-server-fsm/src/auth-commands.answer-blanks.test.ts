// A SASL answer line loses trailing SP and HTAB only, as a command's argument does: Unicode white
// space (NBSP, U+FEFF, U+2028) after the base64 makes it no base64 (String#trim took it off).
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';

function loginStarted() {
  const d = drive({ secure: true, auth: { mechanisms: ['LOGIN'] } });
  d.feed('EHLO client.test\r\n');
  expect(lines(d.feed('AUTH LOGIN\r\n'))).toEqual(['334 VXNlcm5hbWU6']);
  return d;
}

describe('the blanks of a SASL answer line', () => {
  it('trailing SP and HTAB are dropped', () => {
    const d = loginStarted();
    expect(lines(d.feed(`${btoa('user')} \t \r\n`))).toEqual(['334 UGFzc3dvcmQ6']);
  });
  it.each([
    ['NBSP', '\u00a0'],
    ['ZERO WIDTH NO-BREAK SPACE', '\ufeff'],
    ['LINE SEPARATOR', '\u2028'],
    ['EM SPACE', '\u2003'],
  ])('a trailing %s makes the line no base64 (501)', (_, space) => {
    const d = loginStarted();
    expect(lines(d.feed(`${btoa('user')}${space}\r\n`))).toEqual(['501 5.5.2 Error: invalid base64 data']);
    expect(d.conn.state).toBe('awaiting-mail');
  });
  it('a leading NBSP too', () => {
    const d = loginStarted();
    expect(lines(d.feed(`\u00a0${btoa('user')}\r\n`))).toEqual(['501 5.5.2 Error: invalid base64 data']);
  });
});
