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

describe('TEST-4 custom-verb exchanges never make the session throw', () => {
  const registry = [
    { keyword: 'XPROVE', verbs: [{ name: 'XPROVE' }] },
    { keyword: 'XSCRIPT', verbs: [{ name: 'XSCRIPT' }] },
    { keyword: 'XPUT', verbs: [{ name: 'XPUT', mustBeLastInGroup: false, blockLength: (a: string) => (/^[0-9]{1,3}$/.test(a) ? Number(a) : undefined) }] },
  ];
  const words = ['EHLO a\r\n', 'XPUT x\r\n', 'XPUT\t3\r\n', 'XPROVE u\r\n', 'XSCRIPT s\r\n', 'XPUT 3\r\n', 'XPUT 0\r\n', 'abc', '.\r\n', '..x\r\n', 'line\r\n', 'NOOP\r\n', 'RSET\r\n', 'QUIT\r\n', '\n', '\r'];
  it('random exchange steps (line, dot, bytes, final answers) on random input: replies well formed, state back to a command state', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 20 })), { maxLength: 25 }), fc.array(fc.nat(5), { minLength: 1, maxLength: 30 }), (chunks, choices) => {
        const conn = new ServerConnection({ registry, limits: { maxMessageSize: 16 }, pipeliningSync: 'off' });
        let out = '';
        let k = 0;
        const dec = new TextDecoder();
        for (const c of chunks) {
          if (conn.state === 'closed') break;
          conn.receiveData(c);
          for (let i = 0; i < 10_000; i++) {
            const e = conn.nextEvent();
            if (e.type === 'need-data' || e.type === 'closed' || e.type === 'paused') break;
            if (!('needsAnswer' in e) || !e.needsAnswer) continue;
            const choice = choices[k++ % choices.length]!;
            if (e.type !== 'command' && e.type !== 'command-line' && e.type !== 'command-end') conn.accept();
            // a verb with a block: its block (the declared length), or a final answer that skips it
            else if (e.type === 'command' && e.verb === 'XPUT' && choice < 3) conn.continueCommand({ read: { bytes: Number(e.argument) } });
            else if (e.type === 'command' && e.verb === 'XPUT') conn.reject({ code: 550, text: 'no' });
            else if (choice === 0) conn.continueCommand({ reply: { code: 334, text: 'Zm9v' }, read: 'line' });
            else if (choice === 1) conn.continueCommand({ reply: { code: 354, text: 'go' }, read: 'dot' });
            else if (choice === 2) conn.continueCommand({ reply: { code: 354, text: 'send 6 bytes' }, read: { bytes: choice * 3 } });
            else if (choice === 3) conn.reject({ code: 550, text: 'no' });
            else conn.accept();
          }
          out += dec.decode(conn.dataToSend());
        }
        for (const line of out.split('\r\n').slice(0, -1)) expect(line).toMatch(/^[2-5][0-5][0-9][ -]/);
        expect(['awaiting-helo', 'awaiting-mail', 'awaiting-rcpt', 'extension', 'closed', 'command-decision', 'helo-decision']).toContain(conn.state);
      }),
      { numRuns: 300 },
    );
  });
});
