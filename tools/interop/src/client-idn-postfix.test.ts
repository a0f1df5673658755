// Internationalized domains to a Postfix that does not offer SMTPUTF8 (smtputf8_enable = no): the
// client sends an address whose only non-ASCII part is the domain with the domain in A-labels,
// and Postfix delivers it there; an address with a non-ASCII local part is refused locally,
// before any MAIL command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMail } from 'smtp-client-fsm/node';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

describe.runIf(postfixAvailable())('smtp-client-fsm/node: internationalized domains to Postfix without SMTPUTF8', () => {
  let pf: PrivatePostfix;

  beforeAll(async () => {
    pf = await startPrivatePostfix({ transport: { 'xn--bcher-kva.example': 'discard:', 'pf.test': 'discard:' }, main: { smtputf8_enable: 'no' } });
  });

  afterAll(async () => {
    await pf?.stop();
  });

  it('user@bücher.example is delivered as user@xn--bcher-kva.example; üser@pf.test fails locally', async () => {
    const transcript: string[] = [];
    const r = await sendMail({
      host: '127.0.0.1',
      port: pf.smtpPort,
      security: 'off',
      from: 'sender@b\u00fccher.example',
      to: ['user@b\u00fccher.example'],
      body: 'Subject: idn\r\n\r\nhello\r\n',
      transcript: (e) => transcript.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`),
    });
    expect(transcript.some((l) => l.startsWith('S: 250') && l.includes('SMTPUTF8'))).toBe(false);
    expect(r).toMatchObject({ outcome: 'delivered', accepted: ['user@b\u00fccher.example'] });
    expect(transcript.find((l) => l.startsWith('C: MAIL '))).toMatch(/^C: MAIL FROM:<sender@xn--bcher-kva\.example>( SIZE=\d+)?$/);
    expect(transcript).toContain('C: RCPT TO:<user@xn--bcher-kva.example>');
    const [d] = await pf.waitForDeliveries(1, { filter: (x) => x.to === 'user@xn--bcher-kva.example', timeoutMs: 30_000 });
    expect(d?.status).toBe('sent');

    const local = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from: 'a@pf.test', to: ['\u00fcser@pf.test'], body: 'x\r\n' });
    expect(local.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE' });
  }, 60_000);
});
