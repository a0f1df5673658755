// Shared by the classifyMessage tests that feed input at the limits: what a call ends in, and the
// recipients it read, in a form a table of expectations can compare.
import { isSmtpErrorsError } from '../src/index.js';
import { classifyMessage, type MessageClassification } from '../src/message/index.js';

/** The kind, or the error code; `untyped ...` for anything else thrown. */
export async function outcome(raw: Uint8Array | string, maxBytes?: number): Promise<string> {
  try {
    return (await classifyMessage(raw, maxBytes === undefined ? {} : { maxBytes })).kind;
  } catch (e) {
    return isSmtpErrorsError(e) ? e.code : `untyped ${String(e)}`;
  }
}

/** Each recipient as [address, status, class id]. */
export const recipientRows = (r: MessageClassification): [string | undefined, string | undefined, number][] =>
  r.recipients.map((x) => [x.address, x.status, x.class.id]);

/** The parts one after another as bytes (a string part is its UTF-8): the testkit's. */
export { concatBytes } from '@smtpkit/testkit';
