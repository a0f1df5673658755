import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ServerConnection, isSmtpServerError } from '../src/index.js';

const ALPHABET = 'HELOMAIRCPTDBSQUVXNFG:<>@.= -0123456789\r\n\0';
const WORDS = ['EHLO a\r\n', 'HELO b\r\n', 'MAIL FROM:<a@b.c>\r\n', 'RCPT TO:<d@e.f>\r\n', 'DATA\r\n', '.\r\n', 'BDAT 3\r\n', 'BDAT 2 LAST\r\n', 'RSET\r\n', 'AUTH PLAIN\r\n', 'AHUAcA==\r\n', '*\r\n', 'STARTTLS\r\n', 'QUIT\r\n', '\r\n.\n', 'NOOP\r\n', 'VRFY x\r\n', 'XCLIENT ADDR=1.2.3.4\r\n'];

function session(opts: ConstructorParameters<typeof ServerConnection>[0], chunks: readonly string[], answerAll: boolean): string {
  const conn = new ServerConnection(opts);
  let out = '';
  const dec = new TextDecoder();
  for (const c of chunks) {
    if (conn.state === 'closed') break;
    if (conn.state === 'awaiting-tls') conn.tlsEstablished();
    conn.receiveData(c);
    for (let i = 0; i < 10_000; i++) {
      const e = conn.nextEvent();
      if (e.type === 'need-data' || e.type === 'closed') break;
      if (e.type === 'paused') {
        if (conn.pendingDecision === undefined) break;
        if (answerAll) conn.accept();
        else conn.reject();
        continue;
      }
      if ('needsAnswer' in e && e.needsAnswer) {
        if (answerAll) conn.accept();
        else conn.reject();
      }
    }
    out += dec.decode(conn.dataToSend());
  }
  return out;
}

describe('TEST-4 no input makes the session throw', () => {
  const opts = { autoAccept: [], starttls: true, secure: false, auth: { mechanisms: ['PLAIN', 'LOGIN'], allowInsecure: true }, xclient: true, trusted: true, pipeliningSync: 'off' as const };
  it('random commands from a protocol alphabet, accepted or rejected, never throw; every reply line is well formed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 30 })), { maxLength: 25 }), fc.boolean(), (chunks, answerAll) => {
        let out = '';
        try {
          out = session(opts, chunks, answerAll);
        } catch (e) {
          expect(isSmtpServerError(e)).toBe(true);
          return;
        }
        for (const line of out.split('\r\n').slice(0, -1)) expect(line).toMatch(/^[2-5][0-5][0-9][ -]/);
      }),
      { numRuns: 300 },
    );
  });
});
