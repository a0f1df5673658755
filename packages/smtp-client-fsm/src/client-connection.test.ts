import { describe, expect, it } from 'vitest';
import { byteByByte, randomSplits } from '@smtpkit/testkit';
import { ClientConnection } from './client-connection.js';
import { createStateRegistry } from './states/index.js';
import { xclientState } from './xclient.js';
import { ScriptedServer, run, sent } from '../test/scripted-server.js';
import type { Script } from '../test/scripted-server.js';
import { isSmtpClientError } from './errors.js';
import type { SmtpClientArgs } from 'smtp-client-args';

const dec = new TextDecoder();
const BODY = 'Subject: hi\r\n\r\nhello\n.dot line\r\n';

const splits: [string, ((d: Uint8Array) => Uint8Array[]) | undefined][] = [
  ['whole', undefined],
  ['byte by byte', byteByByte],
  ['random splits', (d) => randomSplits(d, 1, d.length)[0]!],
];

function session(script: Script = {}, opts: ConstructorParameters<typeof ClientConnection>[0] = {}) {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection(opts);
  return { server, conn };
}

describe('ClientConnection: transcripts', () => {
  for (const [name, split] of splits) {
    it(`delivers one message with pipelining (${name})`, () => {
      const { server, conn } = session();
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], body: BODY });
      conn.quit();
      const events = run(conn, server, split ? { split } : {});
      const [m] = sent(events);
      expect(m?.outcome).toBe('delivered');
      expect(m?.recipients.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      expect(dec.decode(server.messages[0]!.content)).toBe('Subject: hi\r\n\r\nhello\r\n.dot line\r\n');
      expect(server.commands.slice(0, 5)).toEqual(['EHLO localhost', 'MAIL FROM:<a@x.test> SIZE=33', 'RCPT TO:<b@y.test>', 'RCPT TO:<c@y.test>', 'DATA']);
      expect(events.at(-1)).toEqual({ type: 'closed', reason: 'quit', reply: expect.anything() });
    });
  }

  it('a recipient listed twice (its domain in any case) gets one RCPT and one result, under its first spelling; a local part in another case is another mailbox', () => {
    const { server, conn } = session();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test', 'b@y.test', 'B@y.test', 'b@Y.TEST', 'B@y.Test'], body: 'x' });
    conn.quit();
    const [m] = sent(run(conn, server));
    expect(server.commands.filter((c) => c.startsWith('RCPT'))).toEqual(['RCPT TO:<b@y.test>', 'RCPT TO:<c@y.test>', 'RCPT TO:<B@y.test>']);
    expect(m?.recipients.map((r) => [r.address, r.status])).toEqual([
      ['b@y.test', 'accepted'],
      ['c@y.test', 'accepted'],
      ['B@y.test', 'accepted'],
    ]);
    expect(server.messages).toHaveLength(1);
  });

  it('a recipient listed with its domain in U-labels and in A-labels (any case) gets one RCPT and one result, under its first spelling', () => {
    const { server, conn } = session({ ehlo: ['PIPELINING', 'SMTPUTF8'] });
    conn.sendMessage({ from: 'a@x.test', to: ['user@bücher.test', 'user@xn--bcher-kva.test', 'user@BÜCHER.test', 'user@XN--BCHER-KVA.TEST', 'other@xn--bcher-kva.test', 'other@bücher.test'], body: 'x' });
    // a non-ASCII local part (SMTPUTF8): its domain is compared in A-labels too
    conn.sendMessage({ from: 'a@x.test', to: ['üser@xn--bcher-kva.test', 'üser@bücher.test', 'Üser@bücher.test'], body: 'y' });
    conn.quit();
    const [m, m2] = sent(run(conn, server));
    expect(server.commands.filter((c) => c.startsWith('RCPT'))).toEqual(['RCPT TO:<user@xn--bcher-kva.test>', 'RCPT TO:<other@xn--bcher-kva.test>', 'RCPT TO:<üser@xn--bcher-kva.test>', 'RCPT TO:<Üser@bücher.test>']);
    expect(m?.recipients.map((r) => [r.address, r.status])).toEqual([
      ['user@bücher.test', 'accepted'],
      ['other@xn--bcher-kva.test', 'accepted'],
    ]);
    expect(m2?.recipients.map((r) => r.address)).toEqual(['üser@xn--bcher-kva.test', 'Üser@bücher.test']);
  });

  it('pipelines MAIL, every RCPT and DATA in one write (RFC 2920)', () => {
    const { server, conn } = session();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], body: 'x' });
    conn.receiveData(server.output());
    conn.dataToSend();
    conn.receiveData('250-mx\r\n250 PIPELINING\r\n');
    const out = dec.decode(conn.dataToSend());
    expect(out).toBe('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n');
  });

  it('sends one command at a time without PIPELINING', () => {
    const { server, conn } = session({ ehlo: ['8BITMIME'] });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    conn.receiveData(server.output());
    server.push(conn.dataToSend());
    conn.receiveData(server.output());
    expect(dec.decode(conn.dataToSend())).toBe('MAIL FROM:<a@x.test>\r\n');
  });

  it('falls back to HELO when EHLO is refused', () => {
    const { server, conn } = session({ ehloReply: '502 5.5.2 no' });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    const events = run(conn, server);
    expect(server.commands[1]).toBe('HELO localhost');
    expect(sent(events)[0]?.outcome).toBe('delivered');
  });

  for (const verb of ['MAIL', 'DATA']) {
    it(`reports a ${verb} rejection and sends RSET before the next message`, () => {
      // keepsRefused: no RCPT without an accepted MAIL, as real servers do
      const script: Script = verb === 'MAIL' ? { mail: '550 5.7.1 sender refused', keepsRefused: true } : { data: '451 4.3.0 try later' };
      const { server, conn } = session(script);
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
      conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'y' });
      const events = run(conn, server);
      const [m1] = sent(events);
      expect(m1?.outcome).toBe(verb === 'DATA' ? 'deferred' : 'failed');
      expect(m1?.recipients[0]?.transient).toBe(verb === 'DATA');
      expect(server.commands).toContain('RSET');
      expect(server.messages.every((x) => x.content.length === 0)).toBe(true);
    });
  }

  it('classifies per-recipient results and reports a partial message', () => {
    const { server, conn } = session({ rcpt: (a) => (a.startsWith('bad') ? '550 5.1.1 no such user' : '250 ok') });
    conn.sendMessage({ from: 'a@x.test', to: ['good@y.test', 'bad@y.test'], body: 'x' });
    const m = sent(run(conn, server))[0]!;
    expect(m.outcome).toBe('partial');
    const bad = m.recipients[1]!;
    expect(bad).toMatchObject({ status: 'rejected', permanent: true, stage: 4, classification: { id: 10, category: 'hard' } });
    expect(server.messages[0]!.to).toEqual(['good@y.test']);
  });

  it('SM-3: no recipient accepted: no body, and a pipelined 354 gets only the terminator', () => {
    const { server, conn } = session({ rcpt: () => '550 5.1.1 no', data: '354 go' });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'secret body' });
    const events = run(conn, server);
    expect(sent(events)[0]?.outcome).toBe('failed');
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.content.length).toBe(0);
    // with PIPELINING, RSET waits for a next MAIL group to go with; none follows
    expect(server.commands).not.toContain('RSET');
  });

  it('INJ-9: 452 too many recipients continues in a following transaction', () => {
    const { server, conn } = session({ rcpt: (_a, i) => (i >= 2 ? '452 4.5.3 too many recipients' : '250 ok') });
    const to = ['r1@y.test', 'r2@y.test', 'r3@y.test', 'r4@y.test', 'r5@y.test'];
    conn.sendMessage({ from: 'a@x.test', to, body: 'x' });
    const m = sent(run(conn, server))[0]!;
    expect(m.outcome).toBe('delivered');
    expect(m.transactions).toBe(3);
    expect(server.messages.map((x) => x.to)).toEqual([['r1@y.test', 'r2@y.test'], ['r3@y.test', 'r4@y.test'], ['r5@y.test']]);
  });

  it('LIMITS RCPTMAX splits recipients across transactions; MAILMAX stops new transactions', () => {
    const { server, conn } = session({ ehlo: ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=2'] });
    conn.sendMessage({ from: 'a@x.test', to: ['r1@y', 'r2@y', 'r3@y'], body: 'x' });
    conn.sendMessage({ from: 'a@x.test', to: ['r4@y'], body: 'x' });
    const ms = sent(run(conn, server));
    expect(server.messages.map((x) => x.to)).toEqual([['r1@y', 'r2@y'], ['r3@y']]);
    expect(ms[1]).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_MAILMAX_REACHED' });
    expect(ms[1]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_MAILMAX_REACHED');
  });

  it('SIZE: a message above the advertised limit fails before MAIL', () => {
    const { server, conn } = session({ ehlo: ['SIZE 10'] });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y'], body: 'x'.repeat(11) });
    const m = sent(run(conn, server))[0]!;
    expect(m.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE');
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('INJ-8: SMTPUTF8 declared when needed and offered, clear failure when not', () => {
    let s = session({ ehlo: ['SMTPUTF8', '8BITMIME'] });
    s.conn.sendMessage({ from: 'ü@x.test', to: ['b@y'], body: 'x' });
    run(s.conn, s.server);
    expect(s.server.commands[1]).toBe('MAIL FROM:<ü@x.test> SMTPUTF8');
    s = session({ ehlo: [] });
    s.conn.sendMessage({ from: 'ü@x.test', to: ['b@y'], body: 'x' });
    expect(sent(run(s.conn, s.server))[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE');
  });

  it('internationalized domains go in A-labels (RFC 5890), with or without SMTPUTF8 at the server; results keep the addresses as given', () => {
    const s = session({ ehlo: ['PIPELINING'] });
    s.conn.sendMessage({ from: 'me@\u00f1and\u00fa.example', to: ['user@b\u00fccher.example', 'b@y.test'], body: 'x' });
    const m = sent(run(s.conn, s.server))[0]!;
    expect(s.server.commands.slice(1, 4)).toEqual(['MAIL FROM:<me@xn--and-6ma2c.example>', 'RCPT TO:<user@xn--bcher-kva.example>', 'RCPT TO:<b@y.test>']);
    expect(m).toMatchObject({ outcome: 'delivered' });
    expect(m.recipients.map((r) => [r.address, r.status])).toEqual([['user@b\u00fccher.example', 'accepted'], ['b@y.test', 'accepted']]);
    // offered: still A-labels and no SMTPUTF8, so that no later hop without it bounces the message
    const u = session({ ehlo: ['PIPELINING', 'SMTPUTF8'] });
    u.conn.sendMessage({ from: 'me@\u00f1and\u00fa.example', to: ['user@b\u00fccher.example'], body: 'x' });
    run(u.conn, u.server);
    expect(u.server.commands.slice(1, 3)).toEqual(['MAIL FROM:<me@xn--and-6ma2c.example>', 'RCPT TO:<user@xn--bcher-kva.example>']);
    // a non-ASCII local part anywhere: SMTPUTF8, every address as given
    const l = session({ ehlo: ['PIPELINING', 'SMTPUTF8'] });
    l.conn.sendMessage({ from: 'me@\u00f1and\u00fa.example', to: ['\u00fcser@b\u00fccher.example'], body: 'x' });
    run(l.conn, l.server);
    expect(l.server.commands.slice(1, 3)).toEqual(['MAIL FROM:<me@\u00f1and\u00fa.example> SMTPUTF8', 'RCPT TO:<\u00fcser@b\u00fccher.example>']);
    // decided for the whole message, also when its recipients take several transactions
    const t = session({ ehlo: ['PIPELINING', 'SMTPUTF8'] }, { maxRecipientsPerTransaction: 1 });
    t.conn.sendMessage({ from: 'me@x.test', to: ['user@b\u00fccher.example', '\u00fcser@y.test'], body: 'x' });
    run(t.conn, t.server);
    expect(t.server.commands.filter((c) => /^(MAIL|RCPT) /.test(c))).toEqual([
      'MAIL FROM:<me@x.test> SMTPUTF8',
      'RCPT TO:<user@b\u00fccher.example>',
      'MAIL FROM:<me@x.test> SMTPUTF8',
      'RCPT TO:<\u00fcser@y.test>',
    ]);
  });

  it('without SMTPUTF8, one address with a non-ASCII local part stops the whole message', () => {
    const s = session({ ehlo: ['PIPELINING'] });
    s.conn.sendMessage({ from: 'a@x.test', to: ['user@b\u00fccher.example', '\u00fcser@y.test'], body: 'x' });
    const m = sent(run(s.conn, s.server))[0]!;
    expect(m.recipients.map((r) => r.errorCode)).toEqual(['ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE', 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE']);
    expect(s.server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('8BITMIME declared for 8-bit bodies; when not offered, failed for good before MAIL, nothing converted (the README\'s Send_8BitMime row)', () => {
    let s = session({ ehlo: ['8BITMIME'] });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'caf\u00e9' });
    run(s.conn, s.server);
    expect(s.server.commands[1]).toBe('MAIL FROM:<a@x> BODY=8BITMIME');
    s = session({ ehlo: [] });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'caf\u00e9' });
    s.conn.quit();
    const m = sent(run(s.conn, s.server))[0]!;
    expect(m).toMatchObject({ outcome: 'failed', transient: false, errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
    expect(m.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
    expect(s.server.commands).toEqual(['EHLO localhost', 'QUIT']);
  });

  it.each([
    ['an ASCII string', 'x'.repeat(300), ''],
    ['a string with one non-ASCII character at the end', `${'x'.repeat(300)}\u00e9`, ' BODY=8BITMIME'],
    ['a string with a surrogate pair', `a\u{1f600}b`, ' BODY=8BITMIME'],
    ['ASCII bytes (word-aligned)', new Uint8Array(300).fill(0x61), ''],
    ['a high byte in the aligned words', new Uint8Array(300).fill(0x61).map((b, i) => (i === 130 ? 0xe9 : b)), ' BODY=8BITMIME'],
    ['a high byte in the tail', new Uint8Array(299).fill(0x61).map((b, i) => (i === 298 ? 0x80 : b)), ' BODY=8BITMIME'],
    ['a high byte in an unaligned view', new Uint8Array(301).fill(0x61).map((b, i) => (i === 200 ? 0xff : b)).subarray(1), ' BODY=8BITMIME'],
    ['ASCII in an unaligned view', new Uint8Array(301).fill(0x61).subarray(1), ''],
  ])('8-bit detection: %s', (_what, body, param) => {
    const s = session({ ehlo: ['8BITMIME'] });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body });
    run(s.conn, s.server);
    expect(s.server.commands[1]).toBe(`MAIL FROM:<a@x>${param}`);
  });

  it.each([
    ['8BITMIME offered, no bodyType: declared (the stream cannot be scanned before MAIL)', ['8BITMIME'], undefined, 'MAIL FROM:<a@x> BODY=8BITMIME', 'delivered'],
    ['8BITMIME offered, bodyType 7bit: not declared, so its 8-bit chunk fails it', ['8BITMIME'], '7bit', 'MAIL FROM:<a@x>', 'failed'],
    ['8BITMIME offered, bodyType 8bitmime: declared', ['8BITMIME'], '8bitmime', 'MAIL FROM:<a@x> BODY=8BITMIME', 'delivered'],
    ['8BITMIME not offered, no bodyType: undeclared, so its 8-bit chunk fails it (RFC 6152 §3)', [], undefined, 'MAIL FROM:<a@x>', 'failed'],
    ['8BITMIME not offered, bodyType 8bitmime: refused before MAIL', [], '8bitmime', undefined, 'failed'],
  ] as const)('a streamed body, %s', (_what, ehlo, bodyType, mail, outcome) => {
    const s = session({ ehlo: [...ehlo] });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], ...(bodyType ? { bodyType } : {}) });
    const chunks = ['Subject: caf\u00e9\r\n\r\n', new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9, 13, 10])];
    let thrown: unknown;
    const events = run(s.conn, s.server, {
      onNeedBody: (_e, n) => {
        try {
          if (n < chunks.length) s.conn.writeBody(chunks[n]!);
          else if (n === chunks.length) s.conn.endBody();
        } catch (e) {
          thrown = e;
        }
      },
    });
    expect(s.server.commands.find((c) => c.startsWith('MAIL'))).toBe(mail);
    expect(sent(events)[0]?.outcome).toBe(outcome);
    // an undeclared 8-bit chunk: the writer hears why, and nothing is delivered
    if (outcome === 'failed' && mail !== undefined) expect(thrown).toMatchObject({ code: ehlo.length ? 'ERR_SMTP_CLIENT_INVALID_PARAMETER' : 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
    if (outcome === 'failed') expect(s.server.messages).toHaveLength(0);
  });

  it('DSN parameters are passed when offered (xtext-encoded, INJ-2)', () => {
    const { server, conn } = session({ ehlo: ['DSN'] });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x', dsn: { ret: 'HDRS', envid: 'id 1=2', notify: ['FAILURE', 'DELAY'], orcpt: { 'b@y': 'b@y' } } });
    run(conn, server);
    expect(server.commands[1]).toBe('MAIL FROM:<a@x> RET=HDRS ENVID=id+201+3D2');
    expect(server.commands[2]).toBe('RCPT TO:<b@y> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b@y');
  });

  it('dsn.orcpt is read by its own entries only: an inherited one (never checked) is not sent', () => {
    const { server, conn } = session({ ehlo: ['DSN'] });
    const orcpt = Object.create({ 'b@y': 'inherited\u0001@y' }) as Record<string, string>;
    orcpt['c@y'] = 'orig@y';
    conn.sendMessage({ from: 'a@x', to: ['b@y', 'c@y'], body: 'x', dsn: { orcpt } });
    run(conn, server);
    expect(server.commands[2]).toBe('RCPT TO:<b@y>');
    expect(server.commands[3]).toBe('RCPT TO:<c@y> ORCPT=rfc822;orig@y');
  });

  it('argument hooks add parameters per message and per recipient; a failing hook is a transient failure', () => {
    const { server, conn } = session({ ehlo: ['PIPELINING', 'MT-PRIORITY'] }, {
      mailArgs: (p, c) => { if (c.capabilities.has('MT-PRIORITY')) p.setMtPriority(3); },
      rcptArgs: (p, c) => { p.set('X-TAG', String(c.recipient!.length)); },
    });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x', mailArgs: () => { throw new Error('no'); } });
    const ms = sent(run(conn, server));
    expect(server.commands[1]).toBe('MAIL FROM:<a@x> MT-PRIORITY=3');
    expect(server.commands[2]).toBe('RCPT TO:<b@y> X-TAG=3');
    expect(ms[1]).toMatchObject({ outcome: 'deferred', transient: true });
    expect(ms[1]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_HOOK_FAILED');
  });

  it('a MAIL or RCPT line past its length bound fails the message for good, before MAIL is sent (ERR_SMTP_CLIENT_COMMAND_TOO_LONG)', () => {
    const { server, conn } = session({ ehlo: ['PIPELINING'] }, { mailArgs: (p) => { p.set('X-TRACE', 'a'.repeat(600)); } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x', rcptArgs: (p) => { p.set('X-TRACE', 'r'.repeat(1100)); } });
    const ms = sent(run(conn, server));
    for (const m of ms) {
      expect(m).toMatchObject({ outcome: 'failed', transient: false });
      expect(m.recipients[0]!).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_COMMAND_TOO_LONG' });
    }
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('streams a body with need-body / writeBody / endBody', () => {
    const { server, conn } = session();
    const id = conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    const events = run(conn, server, { bodies: { [id]: ['Subject: s\r\n\r\n', '.a\n', 'b\r', '\nc'] } });
    expect(events.filter((e) => e.type === 'need-body').length).toBe(5);
    expect(dec.decode(server.messages[0]!.content)).toBe('Subject: s\r\n\r\n.a\r\nb\r\nc\r\n');
  });

  it('a surrogate pair split between two streamed string chunks arrives whole (never as two U+FFFD)', () => {
    const { server, conn } = session();
    const id = conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    run(conn, server, { bodies: { [id]: ['Subject: s\r\n\r\nsmile \ud83d', '\ude00\r\n'] } });
    expect(dec.decode(server.messages[0]!.content)).toBe('Subject: s\r\n\r\nsmile \u{1f600}\r\n');
  });

  it('text with a lone surrogate: sendMessage refuses the body; writeBody refuses the chunk, the message fails for good and the session ends', () => {
    const { server, conn } = session();
    expect(() => conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'Subject: s\r\n\r\n\ud800\r\n' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
    conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    let refused: unknown;
    const events = run(conn, server, {
      onNeedBody: () => {
        try {
          conn.writeBody('bad \udc00\r\n');
        } catch (err) {
          refused = err;
        }
      },
    });
    expect(refused).toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    const [m] = sent(events);
    expect(m).toMatchObject({ outcome: 'failed', transient: false });
    expect(m!.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    expect(conn.closed).toBe(true);
    expect(server.messages).toHaveLength(0);
  });

  it.each([
    ['a trailing bare CR under bareLineEndings reject', { bareLineEndings: 'reject' as const }, 'abc\r', 'ERR_SMTP_CLIENT_BARE_LINE_ENDING'],
    ['a high surrogate at the very end', {}, 'abc \ud83d', 'ERR_SMTP_CLIENT_INVALID_PARAMETER'],
  ])('endBody of a body that cannot end (%s): a typed error, the message fails and the session ends (it hung)', (_name, opts, last, code) => {
    const { server, conn } = session({}, opts);
    conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    let thrown: unknown;
    const events = run(conn, server, {
      onNeedBody: (_e, n) => {
        if (n === 0) conn.writeBody(last);
        else {
          try {
            conn.endBody();
          } catch (err) {
            thrown = err;
          }
        }
      },
    });
    expect(thrown).toMatchObject({ code });
    expect(sent(events)).toHaveLength(1);
    // the same body fails again: permanent, so no queue retries it
    expect(sent(events)[0]).toMatchObject({ outcome: 'failed', transient: false });
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', code }));
    expect(conn.closed).toBe(true);
    expect(server.messages).toHaveLength(0);
  });

  it('a body line over 998 octets: refused before anything is sent (whole) or fails the message for good and ends the session (streamed); allowLongLines and BINARYMIME send it as given', () => {
    const long = `Subject: s\r\n\r\n${'x'.repeat(999)}\r\n`;
    const { server, conn } = session();
    expect(() => conn.sendMessage({ from: 'a@x', to: ['b@y'], body: long })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_LINE_TOO_LONG' }));
    conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    let refused: unknown;
    const events = run(conn, server, {
      onNeedBody: (_e, n) => {
        try {
          if (n === 0) conn.writeBody(`Subject: s\r\n\r\n${'x'.repeat(600)}`);
          else conn.writeBody(`${'x'.repeat(399)}\r\n`);
        } catch (err) {
          refused = err;
        }
      },
    });
    expect(refused).toMatchObject({ code: 'ERR_SMTP_CLIENT_LINE_TOO_LONG' });
    expect(sent(events)[0]).toMatchObject({ outcome: 'failed', transient: false });
    expect(sent(events)[0]!.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_LINE_TOO_LONG' });
    expect(conn.closed).toBe(true);
    expect(server.messages).toHaveLength(0);

    const allowed = session({}, { allowLongLines: true });
    allowed.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: long });
    expect(sent(run(allowed.conn, allowed.server))[0]!.outcome).toBe('delivered');
    expect(dec.decode(allowed.server.messages[0]!.content)).toBe(long);
    const binary = session({ ehlo: ['CHUNKING', 'BINARYMIME'] }, { chunking: true });
    binary.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: long, bodyType: 'binarymime' });
    expect(sent(run(binary.conn, binary.server))[0]!.outcome).toBe('delivered');
    expect(() => new ClientConnection({ allowLongLines: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION' }));
  });

  it('SIZE is the size of the message as sent (bare line endings made CRLF, a final CRLF added), so the SIZE check sees it too (RFC 1870)', () => {
    const body = 'a\n'.repeat(40); // 80 octets given, 120 sent
    let t = session({ ehlo: ['PIPELINING', 'SIZE 100'] });
    t.conn.sendMessage({ from: 'a@x', to: ['b@y'], body });
    const [m] = sent(run(t.conn, t.server));
    // it was declared SIZE=80, passed the check and went out whole, 120 octets to a server that takes 100
    expect(m).toMatchObject({ outcome: 'failed', errorCode: 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE' });
    expect(t.server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
    t = session({ ehlo: ['PIPELINING', 'SIZE 1000'] });
    t.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: `${body}.dot` });
    run(t.conn, t.server);
    expect(t.server.commands).toContain('MAIL FROM:<a@x> SIZE=126'); // the stuffed dot is not counted
    expect(t.server.messages[0]!.content).toHaveLength(126);
  });

  it('BDAT when CHUNKING is offered and enabled; BINARYMIME bodies go through untouched', () => {
    const { server, conn } = session({ ehlo: ['PIPELINING', 'CHUNKING', 'BINARYMIME'] }, { chunking: true });
    const id = conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: new Uint8Array([0, 10, 13, 46, 255]), bodyType: 'binarymime' });
    const ms = sent(run(conn, server, { bodies: { [id]: ['a\n', '.b'] } }));
    expect(ms.map((m) => m.outcome)).toEqual(['delivered', 'delivered']);
    expect(dec.decode(server.messages[0]!.content)).toBe('a\r\n.b\r\n');
    expect([...server.messages[1]!.content]).toEqual([0, 10, 13, 46, 255]);
    // Small source chunks are coalesced: the whole streamed body goes with LAST.
    expect(server.commands).toContain('BDAT 7 LAST');
    expect(server.commands.at(-1)).toBe('BDAT 5 LAST');
  });

  it('LMTP: LHLO and one final reply per accepted recipient', () => {
    const { server, conn } = session({ lmtpFinal: (a) => (a.startsWith('full') ? '452 4.2.2 mailbox full' : '250 2.0.0 delivered') }, { lmtp: true });
    conn.sendMessage({ from: 'a@x', to: ['ok@y', 'full@y'], body: 'x' });
    const m = sent(run(conn, server))[0]!;
    expect(server.commands[0]).toBe('LHLO localhost');
    expect(m.outcome).toBe('partial');
    expect(m.recipients.map((r) => [r.status, r.transient])).toEqual([['accepted', false], ['deferred', true]]);
  });

  it('reuses the connection for many messages and emits idle between them', () => {
    const { server, conn } = session();
    for (let i = 0; i < 5; i++) conn.sendMessage({ from: 'a@x', to: [`r${i}@y`], body: `m${i}` });
    const events = run(conn, server);
    expect(sent(events).every((m) => m.outcome === 'delivered')).toBe(true);
    expect(events.some((e) => e.type === 'idle')).toBe(true);
    expect(server.messages).toHaveLength(5);
    conn.sendMessage({ from: 'a@x', to: ['late@y'], body: 'late' });
    conn.quit();
    run(conn, server);
    expect(server.messages).toHaveLength(6);
    expect(conn.closed).toBe(true);
  });
});

describe('ClientConnection: faults', () => {
  it('TMO-4: 421 in the middle of a pipelined RCPT group fails everything as transient and closes', () => {
    const { server, conn } = session({ fail421On: 'RCPT' });
    conn.sendMessage({ from: 'a@x', to: ['b@y', 'c@y'], body: 'x' });
    conn.sendMessage({ from: 'a@x', to: ['d@y'], body: 'x' });
    const events = run(conn, server);
    const ms = sent(events);
    expect(ms.map((m) => [m.outcome, m.transient])).toEqual([['deferred', true], ['deferred', true]]);
    expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'rejected' });
  });

  it('a 554 greeting fails the messages permanently, then QUIT', () => {
    const { server, conn } = session({ greeting: '554 5.7.1 go away' });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(sent(events)[0]).toMatchObject({ outcome: 'failed', transient: false });
    expect(server.commands).toEqual(['QUIT']);
  });

  for (const verb of ['EHLO', 'MAIL', 'RCPT', 'DATA']) {
    it(`a disconnect at ${verb} fails the message as transient`, () => {
      const { server, conn } = session({ disconnectOn: verb });
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
      const events = run(conn, server);
      expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', transient: true });
      expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    });
  }

  it('TMO-2: a disconnect after the final dot is an unknown outcome (maybe delivered)', () => {
    const { server, conn } = session({ final: '250 ok' });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    conn.receiveData(server.output());
    server.push(conn.dataToSend());
    conn.receiveData('250-mx\r\n250 PIPELINING\r\n');
    conn.dataToSend(); // MAIL, RCPT and DATA, pipelined
    conn.receiveData('250 ok\r\n250 ok\r\n354 go\r\n');
    conn.dataToSend();
    conn.receiveEof();
    const events: ReturnType<typeof conn.nextEvent>[] = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    expect(sent(events)[0]).toMatchObject({ outcome: 'unknown' });
  });

  it('TMO-1: named timers with RFC defaults; dataBlock re-armed per chunk; timeout errors', () => {
    const { server, conn } = session();
    expect(conn.pendingTimeout()).toMatchObject({ name: 'greeting', ms: 300_000 });
    const id = conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    conn.receiveData(server.output());
    expect(conn.pendingTimeout()).toMatchObject({ name: 'ehlo' });
    server.push(conn.dataToSend());
    conn.receiveData(server.output());
    expect(conn.pendingTimeout()).toMatchObject({ name: 'mail' });
    server.push(conn.dataToSend());
    conn.receiveData(server.output());
    expect(conn.pendingTimeout()).toMatchObject({ name: 'dataBlock', ms: 180_000 });
    const t1 = conn.pendingTimeout()!.id;
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) void e;
    conn.writeBody('chunk');
    const t2 = conn.pendingTimeout()!;
    expect(t2.name).toBe('dataBlock');
    expect(t2.id).not.toBe(t1);
    conn.handleTimeout(t1); // stale: ignored
    expect(conn.closed).toBe(false);
    conn.endBody();
    expect(conn.pendingTimeout()).toMatchObject({ name: 'dataDone', ms: 600_000 });
    conn.handleTimeout(conn.pendingTimeout()!.id);
    const events: ReturnType<typeof conn.nextEvent>[] = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
    expect(sent(events).find((m) => m.messageId === id)).toMatchObject({ outcome: 'unknown' });
  });

  it('RPL-5: an unsolicited reply is a protocol error', () => {
    const conn = new ClientConnection();
    conn.receiveData('220 hi\r\n250 extra\r\n250 more\r\n');
    const events: ReturnType<typeof conn.nextEvent>[] = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' });
  });

  for (const [reply, outcome, status] of [['552 5.3.4 message too big', 'failed', 'rejected'], ['452 4.3.1 out of storage', 'deferred', 'deferred']] as const) {
    it(`a ${reply.slice(0, 3)} while a streamed body is still being sent is the message's reply (${outcome}), not an unsolicited one; queued messages are deferred`, () => {
      const { server, conn } = session();
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'] });
      conn.sendMessage({ from: 'a@x.test', to: ['d@y.test'], body: 'x' });
      const events = run(conn, server, { onNeedBody: (_e, n) => (n === 0 ? conn.writeBody('Subject: s\r\n\r\n' + 'x\r\n'.repeat(100)) : undefined) });
      expect(events.at(-1)).toMatchObject({ type: 'need-body' });
      conn.receiveData(`${reply}\r\n`);
      const after: ReturnType<typeof conn.nextEvent>[] = [];
      for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) after.push(e);
      const [m1, m2] = sent(after);
      expect(m1).toMatchObject({ messageId: 1, outcome, reply: { code: Number(reply.slice(0, 3)) } });
      expect(m1?.errorCode).toBeUndefined();
      expect(m1?.recipients.map((r) => [r.status, r.reply?.code, r.stage])).toEqual([[status, Number(reply.slice(0, 3)), 8], [status, Number(reply.slice(0, 3)), 8]]);
      expect(m2).toMatchObject({ messageId: 2, outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED' });
      expect(after.find((e) => e.type === 'error')).toBeUndefined();
      expect(after.at(-1)).toMatchObject({ type: 'closed', reason: 'rejected', reply: { code: Number(reply.slice(0, 3)) } });
      expect(conn.dataToSend().length).toBe(0);
      expect(conn.closed).toBe(true);
    });
  }

  it('a 2xx while a streamed body is being sent is still an unsolicited reply', () => {
    const { server, conn } = session();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    run(conn, server, { onNeedBody: (_e, n) => (n === 0 ? conn.writeBody('x\r\n') : undefined) });
    conn.receiveData('250 ok\r\n');
    const after: ReturnType<typeof conn.nextEvent>[] = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) after.push(e);
    expect(after.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' });
    expect(sent(after)[0]).toMatchObject({ outcome: 'deferred' });
  });

  it('DOS-9: an over-long reply closes the connection with a typed error', () => {
    const conn = new ClientConnection();
    // past the client's 12294-octet line (a 334 AUTH challenge of 12288 octets of base64 fits)
    conn.receiveData('220 ' + 'x'.repeat(12_291));
    const e = conn.nextEvent();
    expect(e).toMatchObject({ type: 'error', code: 'ERR_SMTP_CLIENT_PROTOCOL' });
    expect(conn.closed).toBe(true);
  });
});

describe('ClientConnection: STARTTLS and AUTH', () => {
  const tlsScript: Script = { ehlo: ['PIPELINING', 'STARTTLS'], ehloTls: ['PIPELINING', 'AUTH PLAIN LOGIN'] };

  it('TLS-6: upgrades, discards capabilities, says EHLO again and authenticates', () => {
    const { server, conn } = session(tlsScript, { auth: { user: 'u', pass: 'p' } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(server.commands.slice(0, 4)).toEqual(['EHLO localhost', 'STARTTLS', 'EHLO localhost', 'AUTH PLAIN AHUAcA==']);
    expect(events.map((e) => e.type)).toContain('authenticated');
    expect(sent(events)[0]?.outcome).toBe('delivered');
  });

  it('TLS-7: nothing is written after STARTTLS until the handshake', () => {
    const { server, conn } = session(tlsScript);
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    conn.receiveData(server.output());
    server.push(conn.dataToSend());
    conn.receiveData(server.output());
    expect(dec.decode(conn.dataToSend())).toBe('STARTTLS\r\n');
    server.push(new Uint8Array(0));
    conn.receiveData('220 go ahead\r\n');
    expect(conn.dataToSend().length).toBe(0);
    expect(conn.stage).toBe(17);
  });

  for (const extra of ['250-evil\r\n', '250-AUTH PLAIN']) {
    it(`TLS-5: bytes after the STARTTLS 220 are a typed error (${JSON.stringify(extra)})`, () => {
      for (const [name, split] of splits) {
        const { server, conn } = session({ ...tlsScript, afterStarttls: extra });
        conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
        // Whether the 220 to STARTTLS ended a chunk given to receiveData (the extra bytes in later ones).
        const line = '220 2.0.0 go ahead\r\n';
        let ended220 = false;
        const given = (d: Uint8Array): Uint8Array[] => {
          const pieces = split ? split(d) : [d];
          const at = dec.decode(d).indexOf(line);
          let end = 0;
          for (const p of pieces) if (at >= 0 && (end += p.length) === at + line.length) ended220 = true;
          return pieces;
        };
        const events = run(conn, server, { split: given });
        if (name === 'whole') expect(ended220).toBe(false);
        if (name === 'byte by byte') expect(ended220).toBe(true);
        // Bytes in the 220's own chunk: caught before TLS starts (no tls-start). The 220 alone in
        // its chunk: tls-start, then the next bytes are caught while the handshake is awaited.
        expect(events.find((e) => e.type === 'error')).toMatchObject({
          code: 'ERR_SMTP_CLIENT_STARTTLS_INJECTION',
          message: ended220 ? 'bytes received after the 220 reply to STARTTLS, before TLS' : 'bytes followed the 220 reply to STARTTLS',
        });
        expect(events.some((e) => e.type === 'tls-start')).toBe(ended220);
        expect(server.commands).not.toContain('MAIL FROM:<a@x>');
        expect(server.commands.filter((c) => c.startsWith('EHLO'))).toHaveLength(1);
      }
    });
  }

  it('TLS-8: required STARTTLS fails before AUTH or MAIL when stripped', () => {
    const { server, conn } = session({ ehlo: ['PIPELINING', 'AUTH PLAIN'] }, { security: 'required', auth: { user: 'u', pass: 'p' } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_REQUIRED' });
    expect(server.commands).toEqual(['EHLO localhost', 'QUIT']);
    expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', transient: true });
  });

  it('TLS-8: required STARTTLS refused with 454 fails before MAIL; opportunistic continues in clear', () => {
    let s = session({ ...tlsScript, starttls: '454 4.7.0 TLS not available' }, { security: 'required' });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    run(s.conn, s.server);
    expect(s.server.commands).toEqual(['EHLO localhost', 'STARTTLS', 'QUIT']);
    s = session({ ...tlsScript, starttls: '454 4.7.0 TLS not available' }, { security: 'opportunistic' });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    run(s.conn, s.server);
    expect(s.server.messages).toHaveLength(1);
  });

  it('AUTH is refused without TLS unless allowInsecureAuth', () => {
    const { server, conn } = session({ ehlo: ['AUTH PLAIN'] }, { security: 'off', auth: { user: 'u', pass: 'p' } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_INSECURE_AUTH' });
    expect(server.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
  });

  it('AUTH LOGIN, CRAM-MD5 (crypto from the adapter) and XOAUTH2', () => {
    const b64 = (s: string) => btoa(s);
    let s = session({ ehlo: ['AUTH LOGIN'], auth: (_l, step) => (step < 2 ? `334 ${b64(step === 0 ? 'Username:' : 'Password:')}` : '235 ok') }, { security: 'implicit', auth: { user: 'u', pass: 'p' } });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    run(s.conn, s.server);
    expect(s.server.commands.slice(1, 4)).toEqual(['AUTH LOGIN', b64('u'), b64('p')]);
    s = session({ ehlo: ['AUTH CRAM-MD5 PLAIN'], auth: (_l, step) => (step === 0 ? `334 ${b64('<1.2@x>')}` : '235 ok') }, {
      security: 'implicit',
      auth: { user: 'u', pass: 'p' },
      crypto: { hmacMd5: () => new Uint8Array([0xab, 0x01]) },
    });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    run(s.conn, s.server);
    expect(s.server.commands.slice(1, 3)).toEqual(['AUTH CRAM-MD5', b64('u ab01')]);
    s = session({ ehlo: ['AUTH XOAUTH2'], auth: (_l, step) => (step === 0 ? '334 eyJzdGF0dXMiOiI0MDEifQ==' : '535 5.7.8 bad token') }, { security: 'implicit', auth: { user: 'u', accessToken: 't' } });
    s.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(s.conn, s.server);
    expect(s.server.commands[2]).toBe('');
    expect(events.find((e) => e.type === 'auth-failed')).toBeDefined();
    expect(sent(events)[0]).toMatchObject({ outcome: 'failed', transient: false });
  });
});

describe('ClientConnection: AUTH against a server that challenges without end', () => {
  it('334 after 334 (PLAIN already complete, a cancel ignored) fails the exchange after 10 challenges; it went on until a timeout', () => {
    const { server, conn } = session({ ehlo: ['AUTH PLAIN'], auth: () => '334 ' }, { security: 'implicit', auth: { user: 'u', pass: 'p' } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(events.find((e) => e.type === 'auth-failed')).toMatchObject({ mechanism: 'PLAIN', reply: { code: 334 } });
    expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', transient: true });
    expect(server.commands.filter((c) => c === 'AHUAcA==')).toHaveLength(10);
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
    expect(conn.closed).toBe(true);
  });
});

describe('ClientConnection: injection (INJ-1, INJ-2, INJ-6)', () => {
  const bad = ['a@b>\r\nRCPT TO:<x@y', 'a@b\nDATA', 'a\0b@c', 'a\x7f@b', 'a\x1b@b', 'a\t@b'];
  for (const v of bad) {
    it(`INJ-1: rejects control bytes in addresses before anything is queued: ${JSON.stringify(v)}`, () => {
      const conn = new ClientConnection();
      expect(() => conn.sendMessage({ from: v, to: ['b@y'] })).toThrow(expect.objectContaining({ code: expect.stringMatching(/CONTROL|INVALID_ADDRESS/) }));
      expect(() => conn.sendMessage({ from: 'a@x', to: ['ok@y', v] })).toThrow();
      expect(conn.dataToSend().length).toBe(0);
    });
  }

  it('INJ-1: rejects control bytes in the EHLO name, hook parameters and DSN values', () => {
    expect(() => new ClientConnection({ hostname: 'host\r\nMAIL FROM:<x@y>' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_CONTROL_CHARACTER' }));
    expect(() => new ClientConnection({ hostname: 'host\ud800.example' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION' }));
    const conn = new ClientConnection();
    expect(() => conn.sendMessage({ from: 'a@x', to: ['b@y'], dsn: { envid: 'a\r\nb' } })).toThrow();
    expect(() => conn.sendMessage({ from: 'a@x', to: ['b@y'], dsn: { notify: ['SUCCESS\r\n' as 'SUCCESS'] } })).toThrow();
  });

  it('INJ-2: hook parameters are typed: bad numbers and raw values are refused (transient failure)', () => {
    for (const hook of [(p: SmtpClientArgs) => p.setSize(-1), (p: SmtpClientArgs) => p.setSize(Number('1e400')), (p: SmtpClientArgs) => p.set('ENVID', 'a b=c'), (p: SmtpClientArgs) => p.set('SIZE', '1\r\nRCPT TO:<x>')]) {
      const { server, conn } = session({}, { mailArgs: hook });
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
      expect(sent(run(conn, server))[0]!.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_HOOK_FAILED');
      expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
    }
  });

  it('INJ-6: a path over 256 octets is refused', () => {
    const conn = new ClientConnection();
    // a 200-octet domain in labels of at most 63 octets (RFC 1035 §2.3.4): a longer label is a syntax error
    const domain = [63, 63, 63, 8].map((n) => 'd'.repeat(n)).join('.');
    expect(() => conn.sendMessage({ from: 'a@x', to: [`${'l'.repeat(64)}@${domain}`] })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_PATH_TOO_LONG' }));
  });

  it('errors carry the smtpkit brand', () => {
    try {
      new ClientConnection().sendMessage({ from: 'a\n', to: ['b'] });
    } catch (e) {
      expect(isSmtpClientError(e)).toBe(true);
    }
  });
});

describe('state list', () => {
  it('lists the built-in states with their stage codes', () => {
    const conn = new ClientConnection();
    expect(conn.getStateMachine().map((s) => `${s.name}:${s.stage}`)).toEqual([
      'banner:12', 'ehlo:10', 'starttls:15', 'auth:11', 'mail:2', 'rcpt:4', 'data:6', 'body:8', 'final:9', 'rset:13', 'idle:1', 'quit:1',
    ]);
    expect(conn.getState('rcpt')?.stageName).toBe('during RCPT TO');
    expect(conn.getState(0)?.name).toBe('banner');
  });

  it('typed errors for incomplete definitions, duplicates and unknown positions', () => {
    const conn = new ClientConnection();
    expect(() => conn.registerState({ name: 'x', stage: 1 } as never, { after: 'ehlo' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_STATE_INCOMPLETE' }));
    expect(() => conn.registerState({ name: 'x', stage: 99, enter() {}, reply() {} }, { after: 'ehlo' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_STATE_INCOMPLETE' }));
    expect(() => conn.registerState({ name: 'x', stage: 1, enter() {}, reply() {} }, { after: 'nope' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_UNKNOWN_STATE' }));
    expect(() => conn.registerState({ name: 'ehlo', stage: 1, enter() {}, reply() {} }, { after: 'banner' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_DUPLICATE_STATE' }));
  });

  it('a custom state before the banner (legacy -1) runs first: a PROXY protocol header', () => {
    const { server, conn } = session();
    const id = conn.registerState({ name: 'proxy', stage: 0, enter: (c) => { c.local['sent'] = true; c.next(); }, reply: () => undefined }, { after: -1 });
    expect(conn.getState(id)?.name).toBe('proxy');
    expect(conn.getStateMachine()[0]!.name).toBe('proxy');
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    expect(sent(run(conn, server))[0]?.outcome).toBe('delivered');
  });

  it('XCLIENT as a registered state: sent once, then EHLO again; disables pipelining only between MAIL and DATA', () => {
    const states = createStateRegistry();
    states.register(xclientState({ ADDR: '192.0.2.1', NAME: 'client name' }), { after: 'starttls' });
    const { server, conn } = session({ ehlo: ['PIPELINING', 'XCLIENT NAME ADDR'] }, { states });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(server.commands.slice(0, 4)).toEqual(['EHLO localhost', 'XCLIENT ADDR=192.0.2.1 NAME=client+20name', 'EHLO localhost', 'MAIL FROM:<a@x>']);
    expect(sent(events)[0]?.outcome).toBe('delivered');
  });

  it('XCLIENT with a HELO attribute: the EHLO after the 220 gives that name (the server takes it from there), and so does any later EHLO', () => {
    const states = createStateRegistry();
    states.register(xclientState({ ADDR: '192.0.2.1', HELO: 'laptop.client.example' }), { after: 'starttls' });
    const { server, conn } = session({ ehlo: ['PIPELINING', 'XCLIENT NAME ADDR HELO'] }, { states, hostname: 'proxy.example' });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    const events = run(conn, server);
    expect(server.commands.slice(0, 4)).toEqual(['EHLO proxy.example', 'XCLIENT ADDR=192.0.2.1 HELO=laptop.client.example', 'EHLO laptop.client.example', 'MAIL FROM:<a@x>']);
    expect(sent(events)[0]?.outcome).toBe('delivered');
    // [UNAVAILABLE] or a value that is no EHLO name: the client's own name
    for (const helo of ['[UNAVAILABLE]', 'two words']) {
      const reg = createStateRegistry();
      reg.register(xclientState({ HELO: helo }), { after: 'starttls' });
      const t = session({ ehlo: ['XCLIENT HELO'] }, { states: reg, hostname: 'proxy.example' });
      t.conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
      run(t.conn, t.server);
      expect(t.server.commands[2]).toBe('EHLO proxy.example');
    }
  });

  it('XCLIENT required: not offered, or refused, the session ends with an error event naming why, and nothing is sent', () => {
    for (const [ehlo, xclientReply] of [[[], undefined], [['XCLIENT ADDR'], '550 5.7.0 Not authorized']] as const) {
      const states = createStateRegistry();
      states.register(xclientState({ ADDR: '192.0.2.1' }, { required: true }), { after: 'starttls' });
      const { server, conn } = session({ ehlo: [...ehlo], ...(xclientReply ? { xclient: xclientReply } : {}) }, { states });
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
      const events = run(conn, server);
      const error = events.find((e) => e.type === 'error');
      // not offered, or refused with a 5xx: deferred, as legacy XCLIENT = "required" fails
      // transiently (another exchanger, or a fixed configuration, may take it)
      expect(error).toMatchObject({ type: 'error', code: xclientReply ? 'ERR_SMTP_CLIENT_PROTOCOL' : 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE' });
      // the message names the code and, for a refusal, the reply as the server gave it (its enhanced code too)
      if (xclientReply) expect(error).toMatchObject({ message: 'state xclient gave up the session (ERR_SMTP_CLIENT_PROTOCOL): 550 5.7.0 Not authorized', reply: { code: 550 } });
      else expect(error).toMatchObject({ message: 'state xclient gave up the session (ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE)' });
      expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', transient: true });
      expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
      expect(server.commands.at(-1)).toBe('QUIT');
    }
  });

  it('rehello(name) refuses a name that is no EHLO argument', () => {
    const codes: unknown[] = [];
    const states = createStateRegistry();
    states.register(
      {
        name: 'rename',
        stage: 19,
        enter(ctx) {
          for (const bad of ['', 'a b', 'a\r\nMAIL FROM:<x@y>', 5 as unknown as string]) {
            try {
              ctx.rehello(bad);
            } catch (e) {
              codes.push((e as { code?: string }).code);
            }
          }
          ctx.next();
        },
        reply: () => undefined,
      },
      { after: 'starttls' },
    );
    const { server, conn } = session({}, { states });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    expect(sent(run(conn, server))[0]?.outcome).toBe('delivered');
    expect(codes).toEqual(Array(4).fill('ERR_SMTP_CLIENT_INVALID_PARAMETER'));
    expect(server.commands.filter((c) => c.startsWith('EHLO'))).toEqual(['EHLO localhost']);
  });

  it('a custom state between MAIL and RCPT turns pipelining off and can send its own command', () => {
    const { server, conn } = session();
    conn.registerState({ name: 'noop', stage: 3, enter: (c) => c.send('NOOP'), reply: (c) => c.next() }, { after: 'mail' });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    run(conn, server);
    expect(server.commands.slice(1, 5)).toEqual(['MAIL FROM:<a@x> SIZE=3', 'NOOP', 'RCPT TO:<b@y>', 'DATA']);
  });
});

describe('split invariance (X-3): fault transcripts give the same events whole, byte by byte and at random splits', () => {
  const cases: [string, Script, ConstructorParameters<typeof ClientConnection>[0]][] = [
    ['421 mid-RCPT (TMO-4)', { fail421On: 'RCPT' }, {}],
    ['MAIL rejected', { mail: '550 5.7.1 no' }, {}],
    ['DATA rejected', { data: '452 4.3.1 later' }, {}],
    ['LMTP per-recipient replies', { lmtpFinal: (a) => (a.startsWith('x') ? '550 5.1.1 no' : '250 ok') }, { lmtp: true }],
    ['BDAT', { ehlo: ['PIPELINING', 'CHUNKING'] }, { chunking: true }],
    ['STARTTLS + AUTH LOGIN', { ehlo: ['STARTTLS'], ehloTls: ['AUTH LOGIN'], auth: (_l, s) => (s < 2 ? '334 VXNlcm5hbWU6' : '235 ok') }, { auth: { user: 'u', pass: 'p' } }],
    ['multi-line EHLO with HELO fallback', { ehloReply: '500-no\r\n500 really no' }, {}],
  ];
  for (const [name, script, opts] of cases) {
    it(name, () => {
      const outcomes = splits.map(([, split]) => {
        const { server, conn } = session(script, opts);
        conn.sendMessage({ from: 'a@x', to: ['ok@y', 'x@y'], body: 'hello\n.world' });
        conn.quit();
        const events = run(conn, server, split ? { split } : {});
        return JSON.stringify({ events, commands: server.commands, messages: server.messages.map((m) => dec.decode(m.content)) });
      });
      expect(outcomes[1]).toBe(outcomes[0]);
      expect(outcomes[2]).toBe(outcomes[0]);
    });
  }
});

describe('INJ-10: AUTH initial response and the 512-octet command limit', () => {
  it('omits an initial response that would make the AUTH line longer than 512 octets', () => {
    const pass = 'p'.repeat(600);
    const { server, conn } = session({ ehlo: ['AUTH PLAIN'], auth: (_l, step) => (step === 0 ? '334 ' : '235 ok') }, { security: 'implicit', auth: { user: 'u', pass } });
    conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
    run(conn, server);
    expect(server.commands[1]).toBe('AUTH PLAIN');
    expect(atob(server.commands[2]!)).toBe(`\0u\0${pass}`);
  });
});

describe('BDAT without PIPELINING', () => {
  it('waits for each chunk reply before the next chunk and before BDAT LAST (RFC 3030)', () => {
    const server = new ScriptedServer({ ehlo: ['CHUNKING'] });
    const conn = new ClientConnection({ chunking: true, allowLongLines: true });
    conn.sendMessage({ from: 'a@x', to: ['b@y'] });
    const pump = () => { for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) void e; };
    const step = () => { pump(); server.push(conn.dataToSend()); conn.receiveData(server.output()); };
    for (let i = 0; i < 4; i++) step(); // greeting, EHLO, MAIL, RCPT -> need-body
    pump();
    const chunk = 'a'.repeat(65_534) + '\r\n';
    conn.writeBody(chunk);
    conn.writeBody('two'); // written before the chunk's reply: kept for BDAT LAST
    conn.endBody(); // deferred until the chunk's 250
    const first = conn.dataToSend();
    expect(dec.decode(first)).toBe(`BDAT 65536\r\n${chunk}`);
    server.push(first);
    conn.receiveData(server.output());
    expect(dec.decode(conn.dataToSend())).toBe('BDAT 5 LAST\r\ntwo\r\n');
  });
});

describe('delays: a silent server hits the timer (TMO-1)', () => {
  for (const [verb, name, ms] of [['EHLO', 'ehlo', 300_000], ['MAIL', 'mail', 300_000], ['RCPT', 'rcpt', 300_000], ['DATA', 'dataInit', 120_000]] as const) {
    it(`no reply to ${verb}: ${name} timer of ${ms} ms, transient failure`, () => {
      const { server, conn } = session({ silentOn: verb, ehlo: ['8BITMIME'] });
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
      const events = run(conn, server);
      const t = conn.pendingTimeout()!;
      expect(t).toMatchObject({ name, ms });
      conn.handleTimeout(t.id);
      for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
      expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
      expect(sent(events)[0]).toMatchObject({ outcome: 'deferred', transient: true });
    });
  }
});

describe('reject at each command', () => {
  const cases: [string, Script, string][] = [
    ['greeting 421', { greeting: '421 4.3.2 busy' }, 'deferred'],
    ['EHLO and HELO refused', { ehloReply: '550 no', helo: '550 no' }, 'failed'],
    ['MAIL 451', { mail: '451 4.3.0 later' }, 'deferred'],
    ['every RCPT 550', { rcpt: () => '550 5.1.1 no' }, 'failed'],
    ['DATA 554', { data: '554 5.7.1 no' }, 'failed'],
    ['final 552', { final: '552 5.3.4 too big' }, 'failed'],
    ['RSET refused after a failed MAIL', { mail: '550 no', rset: '500 what' }, 'failed'],
  ];
  for (const [name, script, outcome] of cases) {
    it(name, () => {
      const { server, conn } = session(script);
      conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'x' });
      conn.quit();
      const events = run(conn, server);
      expect(sent(events)[0]?.outcome).toBe(outcome);
      expect(conn.closed).toBe(true);
      expect(events.filter((e) => e.type === 'message-sent')).toHaveLength(1);
    });
  }
});
