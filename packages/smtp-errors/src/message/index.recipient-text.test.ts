// Which text a DSN recipient is classified from: its own Diagnostic-Code, then the explanation the
// human-readable part gives for its address, then its own Status; the whole human-readable part
// only when it can be about this recipient alone, and never against its Status class. The
// explanation of an address is found at an address boundary and ends where the next recipient's
// starts. A report cut inside its last recipient block leaves that recipient out.
import { describe, expect, it } from 'vitest';
import { classify } from '../index.js';
import { classifyMessage } from './index.js';

const HEAD = 'From: MAILER-DAEMON@mx.sender.test\nTo: s@sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n';

/** A report: its human-readable part `text`, then the recipient blocks `blocks` (each its fields). */
function report(text: string, blocks: string[]): string {
  return `${HEAD}--R\nContent-Type: text/plain\n\n${text}\n--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.test\n\n${blocks.join('\n')}\n--R--\n`;
}

const rows = async (raw: string, maxBytes?: number): Promise<unknown[]> => {
  const r = await classifyMessage(raw, maxBytes === undefined ? {} : { maxBytes });
  return [r.kind, ...r.recipients.map((x) => [x.address, x.action, x.status, x.class.id, x.class.action])];
};

describe('classifyMessage: a recipient is not classified from text about another one', () => {
  it('a delayed recipient (4.4.7, no Diagnostic-Code) beside a failed one the text explains keeps its own Status', async () => {
    const raw = report(
      'Delivery to the following recipient failed permanently:\n\n    gone@rcpt.test\n\nTechnical details of permanent failure:\n550 5.1.1 The email account that you tried to reach does not exist.\n\nDelivery to slow@other.test is delayed; we will keep trying.\n',
      ['Final-Recipient: rfc822; gone@rcpt.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.\n', 'Final-Recipient: rfc822; wait@other.test\nAction: delayed\nStatus: 4.4.7\n'],
    );
    const r = await classifyMessage(raw);
    expect(r.recipients[1]?.class.id).toBe(24);
    expect(r.recipients[1]?.class.action).not.toBe('suppress');
    expect(r.recipients[1]?.diagnostic).toBeUndefined();
  });

  it.each([
    ['5.2.2', 'failed', 22],
    ['4.2.2', 'delayed', 22],
    ['4.4.1', 'delayed', 24],
  ])('a recipient the Postfix text does not name, Status %s, is classified by its Status', async (status, action, id) => {
    const raw = report('<gone@rcpt.test>: host mx.rcpt.test said: 550 5.1.1 <gone@rcpt.test>:\n    Recipient address rejected: User unknown in virtual mailbox table\n', [
      'Final-Recipient: rfc822; gone@rcpt.test\nAction: failed\nStatus: 5.1.1\n',
      `Final-Recipient: rfc822; full@other.test\nAction: ${action}\nStatus: ${status}\n`,
    ]);
    const r = await classifyMessage(raw);
    expect([r.recipients[0]?.class.id, r.recipients[1]?.class.id]).toEqual([10, id]);
  });

  it('a single recipient the text does not name is still classified from the text, which says more than its Status', async () => {
    const raw = report('The mailbox of the recipient is full, the message could not be stored.\n', ['Final-Recipient: rfc822; one@rcpt.test\nAction: failed\nStatus: 5.0.0\n']);
    expect(await rows(raw)).toEqual(['bounce', ['one@rcpt.test', 'failed', '5.0.0', 22, 'retry']]);
  });

  it('shared text never turns a 4.x.x Status into a permanent suppress', async () => {
    const raw = report('The recipient does not exist: user unknown.\n', ['Final-Recipient: rfc822; one@rcpt.test\nAction: delayed\nStatus: 4.4.1\n']);
    const r = await classifyMessage(raw);
    expect([r.kind, r.recipients[0]?.class.id, r.recipients[0]?.class.action]).toEqual(['delayed', 24, 'retry']);
  });

  it('with neither Diagnostic-Code nor Status nor its own explanation, the whole text is still read', async () => {
    const raw = report('The recipient does not exist: user unknown.\n', ['Final-Recipient: rfc822; one@rcpt.test\nAction: failed\n', 'Final-Recipient: rfc822; two@rcpt.test\nAction: failed\n']);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => x.class.id)).toEqual([10, 10]);
  });
});

describe('classifyMessage: the explanation of an address in the human-readable part', () => {
  it('is found at an address boundary: ann@ is not found inside marie.ann@', async () => {
    const raw = report('<marie.ann@rcpt.test>: host mx.rcpt.test said: 552 5.2.2 Mailbox full, try\n    again later\n\n<ann@rcpt.test>: host mx.rcpt.test said: 550 5.1.1 User unknown\n', [
      'Final-Recipient: rfc822; marie.ann@rcpt.test\nAction: failed\nStatus: 5.2.2\n',
      'Final-Recipient: rfc822; ann@rcpt.test\nAction: failed\nStatus: 5.1.1\n',
    ]);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => [x.address, x.diagnostic, x.class.id])).toEqual([
      ['marie.ann@rcpt.test', 'host mx.rcpt.test said: 552 5.2.2 Mailbox full, try again later', 22],
      ['ann@rcpt.test', 'host mx.rcpt.test said: 550 5.1.1 User unknown', 10],
    ]);
  });

  it.each([
    ['452 4.2.2 <alice@x.test>: Mailbox full (in reply to RCPT TO command)', '4.2.2'],
    ['554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org', '5.7.1'],
    ['421 4.7.0 Try again later, closing connection', '4.7.0'],
  ])('ends where the next recipient explanation starts (Postfix, one blank line), classified as its text alone: %s', async (text, status) => {
    const id = classify(`${status} host mx.x.test[192.0.2.1] said: ${text}`).id;
    expect(id).not.toBe(10);
    const raw = report(`This is the mail system at host mx.sender.test.\n\n<alice@x.test>: host mx.x.test[192.0.2.1] said: ${text}\n\n<bob@y.test>: host mx.y.test[192.0.2.1] said: 550 5.1.1 No such user\n`, [
      `Final-Recipient: rfc822; alice@x.test\nAction: failed\nStatus: ${status}\n`,
      'Final-Recipient: rfc822; bob@y.test\nAction: failed\nStatus: 5.1.1\n',
    ]);
    const r = await classifyMessage(raw);
    expect(r.recipients[0]?.diagnostic).toBe(`host mx.x.test[192.0.2.1] said: ${text}`);
    expect([r.recipients[0]?.class.id, r.recipients[1]?.class.id]).toEqual([id, 10]);
  });

  it('an address written in other case, or at the end of a sentence, is found', async () => {
    const raw = report('Could not deliver to Bob@Y.test.\n    550 5.1.1 No such user\n', ['Final-Recipient: rfc822; bob@y.test\nAction: failed\nStatus: 5.0.0\n', 'Final-Recipient: rfc822; carol@y.test\nAction: failed\nStatus: 5.2.2\n']);
    const r = await classifyMessage(raw);
    expect(r.recipients.map((x) => x.class.id)).toEqual([10, 22]);
  });
});

describe('classifyMessage: a report cut inside its last recipient block', () => {
  const delayed = (order: 'postfix' | 'orcpt-first'): string => {
    let blocks = '';
    for (let i = 0; i < 3; i++) {
      const fin = `Final-Recipient: rfc822; user${i}@rcpt.test\n`;
      const orig = `Original-Recipient: rfc822; alias${i}@rcpt.test\n`;
      blocks += `${order === 'postfix' ? fin + orig : orig + fin}Action: delayed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx.rcpt.test[192.0.2.1]:25: Connection timed out\n\n`;
    }
    return `${HEAD}--R\nContent-Type: text/plain\n\nTHIS IS A WARNING ONLY. YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.test\n\n${blocks}--R--\n`;
  };

  it.each(['postfix', 'orcpt-first'] as const)('a delay warning (%s field order) stays delayed wherever the cut falls in the last block, the cut recipient left out', async (order) => {
    const full = delayed(order);
    const start = full.lastIndexOf(order === 'postfix' ? 'Final-Recipient: rfc822; user2' : 'Original-Recipient: rfc822; alias2');
    const end = full.indexOf('\n\n', start);
    for (let maxBytes = start + 1; maxBytes < end; maxBytes++) {
      const r = await classifyMessage(full, { maxBytes });
      expect(r.kind).toBe('delayed');
      expect(r.truncated).toBe(true);
      // the Status field the cut falls in is left out, never the recipient's Action
      for (const x of r.recipients) expect([x.action, x.status === undefined ? '4.4.1' : x.status]).toEqual(['delayed', '4.4.1']);
      const last = r.recipients[r.recipients.length - 1];
      if (last?.address === 'user2@rcpt.test') expect(full.slice(start, maxBytes)).toContain('Action: delayed\n');
    }
  });

  it('a recipient with neither Action nor Status does not make a delay warning a bounce', async () => {
    const raw = report('THIS IS A WARNING ONLY.\n', ['Final-Recipient: rfc822; a@rcpt.test\nAction: delayed\nStatus: 4.4.1\n', 'Final-Recipient: rfc822; b@rcpt.test\nRemote-MTA: dns; mx.rcpt.test\n']);
    expect((await classifyMessage(raw)).kind).toBe('delayed');
  });
});

describe('classifyMessage: the status of a recipient without a Status field', () => {
  it('is the enhanced code of its Diagnostic-Code', async () => {
    const raw = report('Delivery failed.\n', ['Final-Recipient: rfc822; a@rcpt.test\nAction: failed\nDiagnostic-Code: smtp; 550 5.1.1 <a@rcpt.test>: user unknown\n', 'Final-Recipient: rfc822; b@rcpt.test\nAction: failed\nDiagnostic-Code: smtp; 550 mailbox unavailable\n']);
    expect(await rows(raw)).toEqual(['bounce', ['a@rcpt.test', 'failed', '5.1.1', 10, 'suppress'], ['b@rcpt.test', 'failed', undefined, 10, 'suppress']]);
  });
});
