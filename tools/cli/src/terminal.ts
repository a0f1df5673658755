// Text from the network or a message made safe to print: shared by classify, send and probe.

/**
 * DEL, the C1 controls (U+009B is a CSI on its own), every format character (general category Cf:
 * the bidirectional controls, embeddings, overrides, isolates and marks, which reorder what a
 * terminal shows (CVE-2021-42574), zero-width space and joiners, word joiner, invisible operators,
 * BOM, tags) and every other default-ignorable code point (variation selectors, Hangul fillers,
 * U+034F...), which hide or glue text: a regular-expression class body (`u` flag), shared by the
 * text and the JSON output.
 */
const CONTROLS = '\\u007f-\\u009f\\p{Cf}\\p{DI}';
/** What the text output escapes: the C0 controls too. */
const UNPRINTABLE = new RegExp(`[\\u0000-\\u001f${CONTROLS}]`, 'gu');
/** What JSON.stringify leaves raw and `--json` escapes: the line and paragraph separators too. */
const JSON_UNPRINTABLE = new RegExp(`[${CONTROLS}\\u2028\\u2029]`, 'gu');

/** `\uHHHH` for one UTF-16 unit. */
const unit = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;

/**
 * Text from a message or a reply made safe for a terminal: each control character is shown
 * escaped (`\x1b`, `\u202e`, `\u{e0041}`), so a hostile bounce cannot move the cursor, clear the
 * screen, retitle the window or hide text, and the reader still sees what was there.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const c = ch.codePointAt(0)!;
    return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : c <= 0xffff ? unit(c) : `\\u{${c.toString(16)}}`;
  });
}

/**
 * One `--json` line. JSON.stringify escapes only the C0 controls; DEL, the C1 controls, the format
 * and default-ignorable characters and the line and paragraph separators of a message are escaped
 * here too (`\u009b`, an astral one as its two UTF-16 units), so the line is as safe to show on a
 * terminal as the text output, and parses to the same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNPRINTABLE, (ch) => (ch.length === 2 ? unit(ch.charCodeAt(0)) + unit(ch.charCodeAt(1)) : unit(ch.charCodeAt(0))));
}
