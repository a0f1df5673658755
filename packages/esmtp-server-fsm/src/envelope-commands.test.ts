// MAIL and RCPT in the core, and the HELO/EHLO argument, against the mutation survivors of
// envelope-commands.ts and session-commands.ts: SMTPUTF8 per command, the SIZE declaration against
// the limit, spaces after the colon, AUTH required, RCPT during BDAT, a repeated recipient's
// parameters, the EHLO argument's syntax and length, an application's own greeting line, and
// AUTH advertised on a plaintext session only when allowed.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import type { ServerOptions } from './index.js';

/** A session after EHLO. */
function ehlo(options: ServerOptions = {}) {
  const d = drive(options);
  d.feed('EHLO client.test\r\n');
  return d;
}

describe('SMTPUTF8 addresses', () => {
  it('MAIL takes a UTF-8 sender with the SMTPUTF8 parameter when SMTPUTF8 is advertised', () => {
    const d = ehlo();
    expect(lines(d.feed('MAIL FROM:<üser@bü.example> SMTPUTF8\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    expect(lines(d.feed('RCPT TO:<émile@bü.example>\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
  });
  it('refuses a UTF-8 sender without the parameter with 553 5.6.7', () => {
    expect(lines(ehlo().feed('MAIL FROM:<üser@bü.example>\r\n'))).toEqual(['553 5.6.7 Non-ASCII sender address requires SMTPUTF8']);
  });
  it('refuses a UTF-8 recipient in a transaction opened without SMTPUTF8', () => {
    const d = ehlo();
    d.feed('MAIL FROM:<a@example.org>\r\n');
    expect(lines(d.feed('RCPT TO:<émile@bü.example>\r\n'))).toEqual(['553 5.6.7 Non-ASCII recipient address requires SMTPUTF8']);
  });
  it('is decided per transaction in one session: with SMTPUTF8, then without, then with again', () => {
    const d = ehlo();
    d.feed('MAIL FROM:<a@example.org> SMTPUTF8\r\n');
    expect(lines(d.feed('RCPT TO:<émile@bü.example>\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
    d.feed('RSET\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\n');
    expect(lines(d.feed('RCPT TO:<émile@bü.example>\r\n'))).toEqual(['553 5.6.7 Non-ASCII recipient address requires SMTPUTF8']);
    expect(lines(d.feed('RCPT TO:<b@example.net>\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
    d.feed('RSET\r\n');
    d.feed('MAIL FROM:<a@example.org> SMTPUTF8\r\n');
    expect(lines(d.feed('RCPT TO:<émile@bü.example>\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
  });
  it('with SMTPUTF8 switched off, a UTF-8 sender and the parameter are refused', () => {
    const d = ehlo({ extensions: { smtpUtf8: false } });
    expect(d.out).not.toContain('SMTPUTF8');
    expect(lines(d.feed('MAIL FROM:<üser@bü.example> SMTPUTF8\r\n'))[0]).toMatch(/^55[35] /);
    expect(d.events.some((e) => e.type === 'mail')).toBe(false);
  });
});

describe('the SIZE declaration', () => {
  it('is checked against maxMessageSize when SIZE is advertised: over it is 552 5.3.4, at it is fine', () => {
    const d = ehlo({ limits: { maxMessageSize: 1000 } });
    expect(d.out).toContain('250-SIZE 1000\r\n');
    expect(lines(d.feed('MAIL FROM:<a@example.org> SIZE=1001\r\n'))[0]).toMatch(/^552 5\.3\.4 /);
    expect(lines(d.feed('MAIL FROM:<a@example.org> SIZE=1000\r\n'))).toEqual(['250 2.1.0 Sender OK']);
  });
  it('is any number when the size is not limited (maxMessageSize 0: SIZE advertised with no number)', () => {
    const d = ehlo({ limits: { maxMessageSize: 0 } });
    expect(lines(d.feed('MAIL FROM:<a@example.org> SIZE=99999999999\r\n'))).toEqual(['250 2.1.0 Sender OK']);
  });
});

describe('MAIL and RCPT syntax and sequence', () => {
  it('tolerate spaces after the colon (as many deployed clients send)', () => {
    const d = ehlo();
    expect(lines(d.feed('MAIL FROM:  <a@example.org>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    expect(lines(d.feed('RCPT TO: <b@example.net>\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
    expect(d.events.find((e) => e.type === 'rcpt')).toMatchObject({ to: 'b@example.net' });
  });
  it('MAIL before AUTH is 530 5.7.0 when authentication is required', () => {
    const d = ehlo({ auth: { mechanisms: ['PLAIN'], required: true, allowInsecure: true } });
    expect(lines(d.feed('MAIL FROM:<a@example.org>\r\n'))).toEqual(['530 5.7.0 Authentication required']);
  });
  it('RCPT during a BDAT message is 503 and the message goes on', () => {
    const d = ehlo();
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
    d.feed('BDAT 2\r\nab');
    expect(lines(d.feed('RCPT TO:<c@example.net>\r\n'))).toEqual(['503 5.5.1 Error: BDAT in progress']);
    expect(lines(d.feed('BDAT 1 LAST\r\nc'))).toEqual(['250 2.0.0 Message accepted']);
    expect(d.events.find((e) => e.type === 'message-end')).toMatchObject({ recipients: ['b@example.net'] });
  });
  it('a recipient given again: the same parameters are fine, other ones (more, fewer or different) are 503', () => {
    const d = ehlo();
    d.feed('MAIL FROM:<a@example.org>\r\n');
    expect(lines(d.feed('RCPT TO:<b@example.net> NOTIFY=SUCCESS\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
    expect(lines(d.feed('RCPT TO:<b@example.net> NOTIFY=SUCCESS\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
    const refused = ['503 5.5.1 Error: recipient already given with different parameters'];
    expect(lines(d.feed('RCPT TO:<b@example.net> NOTIFY=SUCCESS ORCPT=rfc822;b@example.net\r\n'))).toEqual(refused);
    expect(lines(d.feed('RCPT TO:<b@example.net>\r\n'))).toEqual(refused);
    expect(lines(d.feed('RCPT TO:<b@example.net> NOTIFY=FAILURE\r\n'))).toEqual(refused);
    // the domain in another case is the same mailbox; the local part in another case is not
    expect(lines(d.feed('RCPT TO:<b@EXAMPLE.Net> NOTIFY=FAILURE\r\n'))).toEqual(refused);
    expect(lines(d.feed('RCPT TO:<b@EXAMPLE.Net> NOTIFY=SUCCESS\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
    expect(lines(d.feed('RCPT TO:<B@example.net> NOTIFY=FAILURE\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
  });
});

describe('parameters after HELO', () => {
  it('RCPT, like MAIL, takes none: 555 5.5.4 and no rcpt event (DSN is not in force without EHLO)', () => {
    const d = drive();
    d.feed('HELO client.test\r\n');
    expect(lines(d.feed('MAIL FROM:<a@example.org> SIZE=10\r\n'))).toEqual(['555 5.5.4 Parameters need EHLO']);
    expect(lines(d.feed('MAIL FROM:<a@example.org>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    for (const p of ['NOTIFY=NEVER', 'ORCPT=rfc822;b@example.net', 'NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b@example.net']) {
      expect(lines(d.feed(`RCPT TO:<b@example.net> ${p}\r\n`))).toEqual(['555 5.5.4 Parameters need EHLO']);
    }
    expect(d.events.some((e) => e.type === 'rcpt')).toBe(false);
    expect(lines(d.feed('RCPT TO:<b@example.net>\r\n'))).toEqual(['250 2.1.5 Recipient OK']);
  });
});

describe('the HELO/EHLO argument', () => {
  it('a missing one or one with a space or a tab is a syntax error; nothing of it is echoed', () => {
    const d = drive();
    expect(lines(d.feed('EHLO\r\n'))).toEqual(['501 5.5.4 Syntax: EHLO hostname']);
    expect(lines(d.feed('EHLO a.example b.example\r\n'))).toEqual(['501 5.5.4 Syntax: EHLO hostname']);
    expect(lines(d.feed('HELO a.example\tb\r\n'))).toEqual(['501 5.5.4 Syntax: HELO hostname']);
  });
  it('takes 255 bytes and refuses 256 as too long', () => {
    const label = 'a'.repeat(63);
    const name255 = `${label}.${label}.${label}.${'b'.repeat(63)}`; // 4 x 63 + 3 dots
    expect(name255.length).toBe(255);
    expect(lines(drive().feed(`HELO ${name255}\r\n`))).toEqual([`250 mx.test Hello ${name255}`]);
    expect(lines(drive().feed(`HELO ${name255}c\r\n`))).toEqual(['501 5.5.4 Error: host name too long']);
  });
  it("the application's own greeting line replaces the default one; the keywords follow", () => {
    const d = drive({ autoAccept: ['connect'] }, (e, conn) => {
      if (e.type !== 'helo') return false;
      conn.accept({ code: 250, text: 'mx.test at your service' });
      return true;
    });
    const out = lines(d.feed('EHLO client.test\r\n'));
    expect(out[0]).toBe('250-mx.test at your service');
    expect(out).toContain('250-PIPELINING');
  });
});

describe('AUTH on a plaintext session', () => {
  it('is advertised and taken only with allowInsecure', () => {
    const plain = ehlo({ auth: { mechanisms: ['PLAIN'] } });
    expect(plain.out).not.toContain('AUTH');
    const insecure = ehlo({ auth: { mechanisms: ['PLAIN'], allowInsecure: true } });
    expect(insecure.out).toContain('250-AUTH PLAIN\r\n');
  });
});
