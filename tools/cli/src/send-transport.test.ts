import { describe, expect, it } from 'vitest';
import { SmtpClientError } from 'smtp-client-fsm';
import { connectFailure } from './send-transport.js';
import { SessionRefused } from './send-run.js';

const reply = (code: number, detail: string, text: string) => ({ code, enhanced: { class: Math.floor(code / 100), subject: 7, detail: Number(detail) }, lines: [text], text });

describe('connectFailure', () => {
  it('credentials refused with a 5xx reply are a permanent refusal of the session, carrying the reply and its bounce class', () => {
    const e = new SmtpClientError('ERR_SMTP_CLIENT_AUTH_FAILED', 'authentication failed: 535 bad credentials', 'remote', { reply: reply(535, '8', 'bad credentials') });
    const r = connectFailure(e);
    expect(r).toBeInstanceOf(SessionRefused);
    expect(r).toMatchObject({ message: 'authentication refused (ERR_SMTP_CLIENT_AUTH_FAILED)', reply: { code: 535, enhanced: '5.7.8', text: 'bad credentials' }, bounce: { id: expect.any(Number), name: expect.any(String), category: expect.any(String) } });
  });

  it('a 4xx AUTH refusal, an AUTH failure without a reply and other connect errors stay as they are (transient)', () => {
    const temporary = new SmtpClientError('ERR_SMTP_CLIENT_AUTH_FAILED', 'authentication failed: 454', 'remote', { reply: reply(454, '0', 'try later') });
    const noReply = new SmtpClientError('ERR_SMTP_CLIENT_AUTH_FAILED', 'the access-token provider failed: down', 'remote');
    const busy = new SmtpClientError('ERR_SMTP_CLIENT_GREETING_REJECTED', 'session refused: 421 busy', 'remote', { reply: reply(421, '0', 'busy') });
    const lost = new Error('ECONNREFUSED');
    const timeout = new SmtpClientError('ERR_SMTP_CLIENT_TIMEOUT', 'no reply', 'remote');
    for (const e of [temporary, noReply, busy, lost, timeout]) expect(connectFailure(e)).toBe(e);
  });

  it.each([
    ['ERR_SMTP_CLIENT_GREETING_REJECTED', 554, '1', 'no SMTP service here', 'session refused at the greeting'],
    ['ERR_SMTP_CLIENT_HELLO_REJECTED', 550, '7', 'go away', 'EHLO and HELO refused'],
  ])('%s with a 5xx reply is a permanent refusal of the session', (code, status, detail, text, what) => {
    const r = connectFailure(new SmtpClientError(code as 'ERR_SMTP_CLIENT_GREETING_REJECTED', `refused: ${status} ${text}`, 'remote', { reply: reply(status, detail, text) }));
    expect(r).toBeInstanceOf(SessionRefused);
    expect(r).toMatchObject({ message: `${what} (${code})`, reply: { code: status, enhanced: `5.7.${detail}`, text }, bounce: { id: expect.any(Number) } });
  });

  it.each([
    ['LHLO refused: 500 5.5.2 Error: command not recognized', 'LHLO refused'],
    ['EHLO and HELO refused: 550 go away', 'EHLO and HELO refused'],
    ['EHLO refused: 554 go away', 'EHLO refused'],
  ])('a refused hello names the command the library says it sent (%s)', (message, what) => {
    const r = connectFailure(new SmtpClientError('ERR_SMTP_CLIENT_HELLO_REJECTED', message, 'remote', { reply: reply(Number(message.split(': ')[1]!.slice(0, 3)), '1', 'refused') }));
    expect(r).toMatchObject({ message: `${what} (ERR_SMTP_CLIENT_HELLO_REJECTED)` });
  });
});
