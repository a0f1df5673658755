import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import type { ExtensionDefinition } from 'smtp-capabilities';
import { isSmtpServerError, ServerConnection, withTlsSecurity, type ServerOptions } from './index.js';

const codeOf = (options: unknown): string | undefined => errorCodeOf(() => new ServerConnection(options as ServerOptions), isSmtpServerError);

// Every option of the wrong type is refused when the session is made, naming the option: never an
// untyped TypeError, a silently ignored or misread value, nor a session that dies at its greeting.
describe('ServerConnection options of the wrong type are ERR_SMTP_INVALID_OPTION', () => {
  it('options, limits, timeouts, extensions and auth that are not objects', () => {
    for (const bad of [null, 5, 'mx', true]) expect(codeOf(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    expect(errorCodeOf(() => withTlsSecurity(null as never), isSmtpServerError)).toBe('ERR_SMTP_INVALID_OPTION');
    // a list is no options object: it would give a session with every default
    for (const bad of [[], [{ hostname: 'mx.example' }]]) {
      expect(codeOf(bad), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
      expect(errorCodeOf(() => withTlsSecurity(bad as never), isSmtpServerError), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    }
    for (const name of ['limits', 'timeouts', 'extensions', 'auth']) {
      for (const bad of [null, 5, 'x', true, [], [1000]]) expect(codeOf({ [name]: bad }), `${name}: ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });

  it('text options that are not strings, or would put a control character in a reply', () => {
    for (const bad of [5, {}, null]) {
      expect(codeOf({ hostname: bad }), `hostname ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf({ banner: bad }), `banner ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf({ clientAddress: bad }), `clientAddress ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    }
    for (const bad of ['hi\r\n250 x', 'nul\u0000', 'del\u007f', 'c1\u0085']) expect(codeOf({ banner: bad })).toBe('ERR_SMTP_INVALID_OPTION');
    for (const bad of [5, 'Commands: NOOP', [5], ['a\r\n250 b'], null]) expect(codeOf({ help: bad }), `help ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf({ banner: 'ready', help: ['Commands: NOOP', 'See RFC 5321'] })).toBeUndefined();
  });

  it('a banner or help line with a lone surrogate is refused at construction (it has no UTF-8 form: every greeting would fail)', () => {
    for (const bad of ['hi \ud800', '\udc00', 'a\ud800\ud800\udc00', 'end\ud83d']) {
      expect(codeOf({ banner: bad }), `banner ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf({ help: ['ok', bad] }), `help ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    }
    // a surrogate pair is a character like any other, and the session greets with it
    expect(codeOf({ banner: 'ready \u{1f4ec}', help: ['\u{1f4ec} Commands: NOOP'] })).toBeUndefined();
    const conn = new ServerConnection({ hostname: 'mx.example', banner: 'ready \u{1f4ec}' });
    expect(conn.nextEvent().type).toBe('connect');
    expect(conn.nextEvent().type).toBe('need-data');
    expect(conn.textToSend()).toBe('220 mx.example ESMTP ready \u{1f4ec}\r\n');
  });

  it('auth switches that are not booleans (allowInsecure: 1 no longer offers AUTH in the clear)', () => {
    for (const bad of [1, 'yes', null, {}]) {
      expect(codeOf({ auth: { required: bad } })).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf({ auth: { allowInsecure: bad } })).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });

  it('list options that are not lists, or hold the wrong things', () => {
    for (const bad of [5, 'PLAIN', {}, null]) expect(codeOf({ auth: { mechanisms: bad } }), `mechanisms ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    for (const bad of [5, 'connect', {}, null, ['bogus'], [5]]) expect(codeOf({ autoAccept: bad }), `autoAccept ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    for (const bad of [5, 'SMTPUTF8', {}, null, [5]]) expect(codeOf({ enable: bad }), `enable ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    for (const bad of [5, 'XSTATS', {}, null]) expect(codeOf({ registry: bad }), `registry ${JSON.stringify(bad)}`).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf({ autoAccept: [], enable: [], auth: { mechanisms: ['PLAIN'] } })).toBeUndefined();
  });

  it('an enable keyword that no definition holds (a typo advertised nothing, silently); built-in and registered ones in any case are taken', () => {
    for (const bad of [['VRFYY'], ['XBETA'], ['HELP', 'X-NOPE']]) expect(codeOf({ enable: bad }), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf({ enable: ['vrfy', 'HELP', 'Binarymime'] })).toBeUndefined();
    const optIn: ExtensionDefinition = { keyword: 'XBETA', advertise: (_s, ctx) => ctx.enabled('XBETA') };
    expect(codeOf({ enable: ['xbeta'], registry: [optIn] })).toBeUndefined();
  });

  it('a challenge that is not a function', () => {
    for (const bad of [5, 'abc', {}, null]) expect(codeOf({ challenge: bad, auth: { mechanisms: ['CRAM-MD5'] } })).toBe('ERR_SMTP_INVALID_OPTION');
  });
});
