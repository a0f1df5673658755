// classifyMessage's documented limits: a report that is only malformed still gives a result, while
// input the MIME parser gives up on (header fields over 256 KiB in all, parts nested deeper than
// 32) is ERR_SMTP_MESSAGE_INVALID, never an untyped error.
import { describe, expect, it } from 'vitest';
import { isSmtpErrorsError } from '../index.js';
import { classifyMessage } from './index.js';

async function outcome(raw: string): Promise<string> {
  try {
    return (await classifyMessage(raw)).kind;
  } catch (e) {
    return isSmtpErrorsError(e) ? e.code : `untyped ${String(e)}`;
  }
}

/** A bounce text inside `depth` nested multipart/mixed parts. */
function nested(depth: number): string {
  let m = 'Subject: x\r\nContent-Type: text/plain\r\n\r\n550 5.1.1 user unknown\r\n';
  for (let i = 0; i < depth; i++) m = `From: a@b.example\r\nContent-Type: multipart/mixed; boundary="b${String(i)}"\r\n\r\n--b${String(i)}\r\n${m}\r\n--b${String(i)}--\r\n`;
  return m;
}

/** A message whose header fields take about `kib` KiB. */
function padded(kib: number): string {
  return 'From: a@b.example\r\n' + `X-Pad: ${'y'.repeat(1016)}\r\n`.repeat(kib) + '\r\n550 5.1.1 user unknown\r\n';
}

describe('classifyMessage: what its MIME parser gives up on', () => {
  it('parts nested 30 deep are read; 40 deep is ERR_SMTP_MESSAGE_INVALID', async () => {
    expect(await outcome(nested(30))).not.toMatch(/^ERR_|^untyped/);
    expect(await outcome(nested(40))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });

  it('header fields of 200 KiB are read; 300 KiB is ERR_SMTP_MESSAGE_INVALID', async () => {
    expect(await outcome(padded(200))).not.toMatch(/^ERR_|^untyped/);
    expect(await outcome(padded(300))).toBe('ERR_SMTP_MESSAGE_INVALID');
  });
});
