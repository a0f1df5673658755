import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { buildReceivedHeader, checkReply, DataDecoder, isSmtpServerError, parseEnvelopeArgument, ServerConnection, type ReceivedInfo, type ReplyInit } from './index.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);

describe('exported helpers: arguments of the wrong type are typed errors', () => {
  it('checkReply: a reply that is not an object, text that is not a string or a list of strings, an enhanced code that is not a string', () => {
    for (const bad of [null, undefined, 5, 'ok']) expect(codeOf(() => checkReply(bad as unknown as ReplyInit))).toBe('ERR_SMTP_INVALID_REPLY');
    for (const text of [5, {}, [5], ['ok', null], true]) expect(codeOf(() => checkReply({ code: 250, text } as unknown as ReplyInit)), JSON.stringify(text)).toBe('ERR_SMTP_INVALID_REPLY');
    for (const enhanced of [5, {}, null]) expect(codeOf(() => checkReply({ code: 250, enhanced } as unknown as ReplyInit))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => checkReply({ code: 250, enhanced: '2.0.0', text: ['a', 'b'] }))).toBeUndefined();
    // a lone surrogate has no UTF-8 form: refused here, as formatReply refuses it, not at the write
    for (const text of ['a\ud800', ['ok', '\udc00x']]) expect(codeOf(() => checkReply({ code: 250, text })), JSON.stringify(text)).toBe('ERR_SMTP_INVALID_REPLY');
    expect(codeOf(() => checkReply({ code: 250, text: 'ok \u{1f600}' }))).toBeUndefined();
  });

  it('buildReceivedHeader: info that is not an object, required fields that are not strings', () => {
    for (const bad of [null, undefined, 5]) expect(codeOf(() => buildReceivedHeader(bad as unknown as ReceivedInfo))).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    const ok: ReceivedInfo = { by: 'mx.example', protocol: 'ESMTP', date: 'Mon, 1 Jan 2024 00:00:00 +0000' };
    for (const field of ['by', 'protocol', 'date', 'helo', 'id', 'for', 'tls', 'clientAddress', 'clientHostname']) {
      for (const bad of [5, {}, null]) expect(codeOf(() => buildReceivedHeader({ ...ok, [field]: bad })), `${field}: ${JSON.stringify(bad)}`).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    }
    expect(codeOf(() => buildReceivedHeader({ ...ok, by: '' }))).toBe('ERR_SMTP_UNSAFE_HEADER_VALUE');
    expect(buildReceivedHeader(ok)).toBe('Received: by mx.example\r\n\twith ESMTP;\r\n\tMon, 1 Jan 2024 00:00:00 +0000\r\n');
  });

  it('parseEnvelopeArgument: a kind other than mail or rcpt, options that are not an object', () => {
    expect(codeOf(() => parseEnvelopeArgument('from' as 'mail', '<a@b.example>'))).toBe('ERR_SMTP_INVALID_OPTION');
    for (const bad of [null, 5, 'x']) expect(codeOf(() => parseEnvelopeArgument('mail', '<a@b.example>', bad as never))).toBe('ERR_SMTP_INVALID_OPTION');
    // a list is no options object: ['SIZE'] meant as { advertised: ['SIZE'] } would parse with the defaults
    for (const bad of [[], ['SIZE']]) expect(codeOf(() => parseEnvelopeArgument('mail', '<a@b.example>', bad as never)), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    expect(parseEnvelopeArgument('rcpt', '<a@b.example>').ok).toBe(true);
  });

  it('DataDecoder: an unknown policy, bytes that are not a Uint8Array, a range outside them', () => {
    for (const bad of ['x', null, 5, 'replace']) expect(codeOf(() => new DataDecoder(bad as never))).toBe('ERR_SMTP_INVALID_OPTION');
    const bytes = new Uint8Array([65, 13, 10]);
    const noop = (): void => undefined;
    for (const [from, to] of [[NaN, 3], [0, NaN], [2, 1], [-1, 3], [0, 2.5], [4, 5], [1.5, 3]] as const) {
      expect(codeOf(() => new DataDecoder().push(bytes, from, to, noop)), `${from}..${to}`).toBe('ERR_SMTP_INVALID_ARGUMENT');
    }
    expect(codeOf(() => new DataDecoder().push('abc' as never, 0, 3, noop))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => new DataDecoder().push(bytes, 0, 3, 5 as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(new DataDecoder().push(bytes, 1, 1, noop)).toEqual({ consumed: 0, done: false });
    // a range past the end stops at the end: what is consumed is what is there
    expect(new DataDecoder().push(bytes, 0, 10, noop)).toEqual({ consumed: 3, done: false });
    expect(new DataDecoder().push(bytes, 1, Infinity, noop)).toEqual({ consumed: 2, done: false });
  });

  it('ServerConnection.receiveData: anything but bytes or a string', () => {
    for (const bad of [5, null, undefined, {}, new ArrayBuffer(3), [78, 79]]) {
      const conn = new ServerConnection({ hostname: 'mx.test' });
      expect(codeOf(() => conn.receiveData(bad as never)), JSON.stringify(bad) ?? typeof bad).toBe('ERR_SMTP_INVALID_ARGUMENT');
      const off = new ServerConnection({ hostname: 'mx.test', copyInput: false });
      expect(codeOf(() => off.receiveData(bad as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    }
  });
});
