// A hook that throws a reply-shaped object (not an SmtpReplyError) with a field of the wrong type
// gets what a returned one gets: ERR_SMTP_INVALID_REPLY to onError and the local-error reply to the
// client (451 4.3.0, 454 4.7.0 for onAuth), never the refusal sent with the bad field dropped.
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('thrown-replies.test');
const lines = (s: string): string[] => s.split('\r\n').filter((l) => /^\d{3} /.test(l));
const code = (e: unknown): unknown => (e as { code?: unknown }).code;
const plain = Buffer.from('\0a\0pw').toString('base64');

const MALFORMED: [string, unknown][] = [
  ['text that is not a string', { code: 550, text: 5 }],
  ['a list with a line that is not a string', { code: 550, text: ['ok', 1] }],
  ['an enhanced code that is not a string', { code: 550, enhanced: 5, text: 'No' }],
  ['a message that is not a string in place of the text', { code: 550, message: {} }],
];

describe('a thrown reply-shaped object with a field of the wrong type', () => {
  for (const [name, thrown] of MALFORMED) {
    it(`${name}: onMailFrom gives 451 4.3.0 and ERR_SMTP_INVALID_REPLY to onError`, async () => {
      const errors: unknown[] = [];
      const { port } = await servers.start({
        onMailFrom: () => {
          throw thrown;
        },
        onError: (e) => void errors.push(e),
      });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
      ], { timeoutMs: 5000 });
      expect(lines(out).slice(2)).toEqual(['451 4.3.0 Local error in processing']);
      expect(errors.map(code)).toEqual(['ERR_SMTP_INVALID_REPLY']);
    });
  }
  it('onAuth gives 454 4.7.0 and ERR_SMTP_INVALID_REPLY to onError, the client is not logged in', async () => {
    const errors: unknown[] = [];
    const { port } = await servers.start({
      auth: { mechanisms: ['PLAIN'], allowInsecure: true },
      onAuth: () => {
        throw Object.assign(new Error('No'), { code: 535, enhanced: 5 });
      },
      onError: (e) => void errors.push(e),
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `AUTH PLAIN ${plain}\r\n`, after: 2 },
    ], { timeoutMs: 5000 });
    expect(lines(out).slice(2)).toEqual(['454 4.7.0 Temporary authentication failure']);
    expect(errors.map(code)).toEqual(['ERR_SMTP_INVALID_REPLY']);
  });
  it('a well-formed one is still the refusal it carries, a message standing in for its text', async () => {
    const errors: unknown[] = [];
    const { port } = await servers.start({
      onMailFrom: () => {
        throw Object.assign(new Error('Sender blocked'), { code: 550, enhanced: '5.7.1' });
      },
      onError: (e) => void errors.push(e),
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
    ], { timeoutMs: 5000 });
    expect(lines(out).slice(2)).toEqual(['550 5.7.1 Sender blocked']);
    expect(errors).toEqual([]);
  });
});
