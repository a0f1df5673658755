// The helpers that read what a cut input leaves. withoutCutField replaced a pattern anchored at the
// end after `\s*` (`/\n[ \t]*\r?\n\s*$/`), which read a run of blank lines again from each of its
// line ends: it must decide as that pattern did, in one pass.
import { describe, expect, it } from 'vitest';
import { inputEnding, withoutCutField } from './cut.js';

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

  it('a part in base64 the input ends in: its content decoded, a unit cut short giving the bytes it holds', () => {
    const e = inputEnding(enc(`${head}Content-Transfer-Encoding: base64\r\n\r\n${btoa('Action: failed\r\nStatus: 5.1.1\r\n')}`.slice(0, -6)));
    expect([text(e), e.lineEnded]).toEqual(['Action: failed\r\nStatus: 5.1.', false]);
    const ended = inputEnding(enc(`${head}Content-Transfer-Encoding: BASE64\r\n\r\n${btoa('Action: failed\r\n')}\r\n`));
    expect([text(ended), ended.lineEnded]).toEqual(['Action: failed\r\n', true]);
  });

  it('a part in quoted-printable: soft line breaks joined, a cut line of spaces is no line end', () => {
    const e = inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\nDiagnostic-Code: smtp; 550 =3D x =\r\nrejected:\r\n    `));
    expect([text(e), e.lineEnded]).toEqual(['Diagnostic-Code: smtp; 550 = x rejected:\r\n', false]);
    const soft = inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\nAction: fai=\r\n`));
    expect([text(soft), soft.lineEnded]).toEqual(['Action: fai', false]);
  });

  it('the input itself when it ends in a part not encoded, in a part header, or after a closing delimiter', () => {
    for (const raw of [`${head}\r\nAction: fai`, `${head}Content-Transfer-Encoding: base64\r\n`, `${head}Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--rb--\r\nepilogue`]) {
      const input = enc(raw);
      expect(inputEnding(input).bytes).toBe(input);
    }
    // a line that starts with `--` but names no boundary is text of the part
    const e = inputEnding(enc(`${head}Content-Transfer-Encoding: quoted-printable\r\n\r\n--other\r\nAction: fai`));
    expect(text(e)).toBe('--other\r\nAction: fai');
  });

  it('a message that is not multipart, in base64', () => {
    const e = inputEnding(enc(`From: a@b.test\r\nContent-Transfer-Encoding: base64\r\n\r\n${btoa('<person@example.test>:\r\n550 unknown\r\n').replace(/.{8}/g, '$&\r\n')}`.slice(0, -3)));
    expect(e.lineEnded).toBe(false);
    expect(text(e).startsWith('<person@example.test>:\r\n550 unkn')).toBe(true);
  });
});
