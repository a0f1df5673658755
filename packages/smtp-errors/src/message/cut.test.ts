// The helpers that read what a cut input leaves. withoutCutField replaced a pattern anchored at the
// end after `\s*` (`/\n[ \t]*\r?\n\s*$/`), which read a run of blank lines again from each of its
// line ends: it must decide as that pattern did, in one pass. inputEnding decodes the part a cut
// input ends in with the MIME parser itself: what it gives must be what the parser decoded for
// that part, up to the line feed the parser gives a last line that has none.
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { inputEnding, mechanism, withoutCutField } from './cut.js';

/** The former implementation, as the reference for what a report ending so keeps. */
function reference(report: string): string {
  if (/\n[ \t]*\r?\n\s*$/.test(report)) return report;
  const lines = report.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  while (lines.length > 0 && /^[ \t]/.test(lines[lines.length - 1]!)) lines.pop();
  lines.pop();
  return lines.join('\n');
}

describe('withoutCutField', () => {
  it('decides as the former pattern for every report of up to 6 units from a small alphabet', () => {
    const alphabet = ['\n', '\r', ' ', '\t', 'a', ':', '\u00a0'];
    const all = (n: number): string[] => (n === 0 ? [''] : all(n - 1).flatMap((s) => alphabet.map((c) => s + c)));
    let checked = 0;
    for (let n = 0; n <= 6; n++) {
      for (const s of all(n)) {
        expect(withoutCutField(s), JSON.stringify(s)).toBe(reference(s));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });

  it('decides as the former pattern for reports shaped like cut ones', () => {
    const block = 'Final-Recipient: rfc822; a@b.test\r\nAction: failed\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n    user unknown\r\n';
    const whole = `Reporting-MTA: dns; mx.test\r\n\r\n${block}\r\n${block}`;
    for (let cut = 0; cut <= whole.length; cut++) for (const tail of ['', '\n', '\r\n', ' \n', '\n\n', '\n \r\n ']) expect(withoutCutField(whole.slice(0, cut) + tail)).toBe(reference(whole.slice(0, cut) + tail));
  });

  it('reads a run of 4 million blank lines and spaces once (the pattern read it again from each line end)', () => {
    const run = ' \n\t\n'.repeat(1 << 20);
    expect(withoutCutField(`Action: failed\n${run}Status: 5.1.1`)).toBe(`Action: failed\n${run.slice(0, -1)}`);
    expect(withoutCutField(`Action: failed\n${run}`)).toBe(`Action: failed\n${run}`);
  });

  it('with the last line cut: the line end the parser added and a cut line of spaces make no blank line', () => {
    expect(withoutCutField('Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 rejected:\r\n    \n', false)).toBe('Status: 5.1.1\r');
    expect(withoutCutField('Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 rejected:\r\n\n', false)).toBe('Status: 5.1.1\r');
    expect(withoutCutField('Status: 5.1.1\r\n\r\nFinal-Recipient: rfc822; a@b.test\n', false)).toBe('Status: 5.1.1\r\n\r');
    // a blank line before the cut line still ends the block
    expect(withoutCutField('Status: 5.1.1\r\n\r\n\n', false)).toBe('Status: 5.1.1\r\n\r\n\n');
  });
});

describe('inputEnding', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const head = 'From: a@b.test\r\nContent-Type: multipart/report; boundary="rb"\r\n\r\n--rb\r\nContent-Type: text/plain\r\n\r\nhello\r\n--rb\r\nContent-Type: message/delivery-status\r\n';
  const text = (ending: { bytes: Uint8Array }): string => new TextDecoder().decode(ending.bytes);

  it('a part in base64 the input ends in: its content decoded, a unit cut short giving the bytes it holds', async () => {
    const e = await inputEnding(enc(`${head}Content-Transfer-Encoding: base64\r\n\r\n${btoa('Action: failed\r\nStatus: 5.1.1\r\n')}`.slice(0, -6)));
    expect([text(e), e.lineEnded]).toEqual(['Action: failed\r\nStatus: 5.1.', false]);
    const ended = await inputEnding(enc(`${head}Content-Transfer-Encoding: BASE64\r\n\r\n${btoa('Action: failed\r\n')}\r\n`));
    expect([text(ended), ended.lineEnded]).toEqual(['Action: failed\r\n', true]);
  });

  it('a Content-Transfer-Encoding with a comment or more words names its first word, as the parser reads it', async () => {
    const e = await inputEnding(enc(`${head}Content-Transfer-Encoding: (sent as is) Base64 (really)\r\n\r\n${btoa('Action: failed\r\n')}`.slice(0, -8)));
    expect(text(e)).toBe('Action: fail');
    expect(['base64', ' Quoted-Printable x', '(a (nested) \\) one) 7bit', '', '"base64"', 'x-uuencode;', '\tbinary'].map(mechanism)).toEqual(['base64', 'quoted-printable', '7bit', '', '', 'x-uuencode', 'binary']);
  });

  it('a folded Content-Transfer-Encoding field is read unfolded, as the parser reads it', async () => {
    for (const field of ['Content-Transfer-Encoding:\r\n base64', 'Content-Transfer-Encoding: \r\n\t(comment)\r\n  BASE64']) {
      const e = await inputEnding(enc(`${head}${field}\r\nContent-Type: message/delivery-status\r\n\r\n${btoa('Action: failed\r\n')}`.slice(0, -8)));
      expect(text(e), field).toBe('Action: fail');
    }
  });

  it('a part in quoted-printable: soft line breaks joined, a cut line of spaces is no line end', async () => {
    const e = await inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\nDiagnostic-Code: smtp; 550 =3D x =\r\nrejected:\r\n    `));
    expect([text(e), e.lineEnded]).toEqual(['Diagnostic-Code: smtp; 550 = x rejected:\r\n', false]);
    const soft = await inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\nAction: fai=\r\n`));
    expect([text(soft), soft.lineEnded]).toEqual(['Action: fai', false]);
  });

  it('the input itself when it ends in a part not encoded, in a part header, or after a closing delimiter', async () => {
    for (const raw of [`${head}\r\nAction: fai`, `${head}Content-Transfer-Encoding: base64\r\n`, `${head}Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--rb--\r\nepilogue`]) {
      const input = enc(raw);
      expect((await inputEnding(input)).bytes).toBe(input);
    }
    // a line that starts with `--` but names no boundary is text of the part
    const e = await inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\n--other\r\nAction: fai`));
    expect(text(e)).toBe('--other\r\nAction: fai');
  });

  it('a message that is not multipart, in base64', async () => {
    const e = await inputEnding(enc(`From: a@b.test\r\nContent-Transfer-Encoding: base64\r\n\r\n${btoa('<person@example.test>:\r\n550 unknown\r\n').replace(/.{8}/g, '$&\r\n')}`.slice(0, -3)));
    expect(e.lineEnded).toBe(false);
    expect(text(e).startsWith('<person@example.test>:\r\n550 unkn')).toBe(true);
  });

  it('a quoted-printable line cut before its line end: the line feed the parser gives it is dropped, an encoded one kept', async () => {
    const qp = (body: string): Promise<{ bytes: Uint8Array; lineEnded: boolean }> => inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\n${body}`));
    const cases: [string, string, boolean][] = [
      ['Action: failed=0A', 'Action: failed\n', false],
      ['Action: failed=0A\r\n', 'Action: failed\n\r\n', true],
      ['Action: failed\r\n\r', 'Action: failed\r\n', false],
      ['Action: failed= \t\r', 'Action: failed', false],
      ['Action: failed=\r \r\n', 'Action: failed=\r\r\n', true],
      ['', '', true],
    ];
    for (const [body, decoded, lineEnded] of cases) {
      const e = await qp(body);
      expect([text(e), e.lineEnded], JSON.stringify(body)).toEqual([decoded, lineEnded]);
    }
  });

  it('a report part cut at every byte, in base64 and quoted-printable: the content the parser decoded for the part, as far as the input goes', async () => {
    const report = 'Reporting-MTA: dns; mx.test\r\n\r\nFinal-Recipient: rfc822; a@b.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <a@b.test>: caf\u00e9 = unknown   \r\n\r\n';
    const bytes = enc(report);
    const encoded: Record<string, string> = {
      base64: btoa(String.fromCharCode(...bytes)).replace(/.{76}/g, '$&\r\n'),
      'quoted-printable': `${report.replace(/=/g, '=3D').replace(/\u00e9/g, '=C3=A9').replace(/ +\r\n/g, (m) => `${m.slice(0, -3)}=20\r\n`).replace(/(.{40})/g, '$1=\r\n')}x=\t\r\n`,
    };
    let checked = 0;
    for (const [cte, body] of Object.entries(encoded)) {
      const whole = `${head}Content-Transfer-Encoding: ${cte}\r\n\r\n${body}`;
      for (let cut = whole.length - body.length; cut <= whole.length; cut++) {
        const input = enc(whole.slice(0, cut));
        const email = await PostalMime.parse(input, { attachmentEncoding: 'arraybuffer', forceRfc822Attachments: true });
        const part = email.attachments.find((a) => a.mimeType === 'message/delivery-status');
        const content = part === undefined ? '' : new TextDecoder().decode(part.content as ArrayBuffer);
        const ending = await inputEnding(input);
        expect([content.slice(0, text(ending).length), content.length - text(ending).length <= 1], `${cte} cut at ${String(cut)}`).toEqual([text(ending), true]);
        checked++;
      }
    }
    expect(checked).toBe(Object.values(encoded).reduce((n, body) => n + body.length + 1, 0));
  });
});
