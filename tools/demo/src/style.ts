// Minimal terminal styling for the demo: colours only on a TTY and when NO_COLOR is unset.
const enabled = process.stdout.isTTY && process.env['NO_COLOR'] === undefined;

function wrap(open: number, close: number): (text: string) => string {
  return (text) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
}

export const bold = wrap(1, 22);
export const dim = wrap(2, 22);
export const red = wrap(31, 39);
export const green = wrap(32, 39);
export const yellow = wrap(33, 39);
export const blue = wrap(34, 39);
export const cyan = wrap(36, 39);

/** A section heading. */
export function heading(text: string): string {
  return `\n${bold(`== ${text} `)}${dim('='.repeat(Math.max(0, 72 - text.length)))}`;
}
