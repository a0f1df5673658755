// Text from the network or a message made safe to print: shared by classify, send and probe.

/**
 * DEL, the C1 controls (U+009B is a CSI on its own), the bidirectional controls (embeddings,
 * overrides, isolates and the marks LRM, RLM, ALM), which reorder what a terminal shows
 * (CVE-2021-42574), and the invisible ones (zero-width space, joiners, word joiner, invisible
 * operators, BOM), which hide or glue text: a regular-expression class body, shared by the text
 * and the JSON output.
 */
const CONTROLS = '\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
/** What the text output escapes: the C0 controls too. */
const UNPRINTABLE = new RegExp(`[\\u0000-\\u001f${CONTROLS}]`, 'g');
/** What JSON.stringify leaves raw and `--json` escapes: the line and paragraph separators too. */
const JSON_UNPRINTABLE = new RegExp(`[${CONTROLS}\\u2028\\u2029]`, 'g');

/**
 * Text from a message or a reply made safe for a terminal: each control character is shown
 * escaped (`\x1b`, `\u202e`), so a hostile bounce cannot move the cursor, clear the screen,
 * retitle the window or hide text, and the reader still sees what was there.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
  });
}

/**
 * One `--json` line. JSON.stringify escapes only the C0 controls; DEL, the C1 controls, the
 * bidirectional controls and the line and paragraph separators of a message are escaped here too
 * (`\u009b`), so the line is as safe to show on a terminal as the text output, and parses to the
 * same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
