/**
 * The SMTP stage a rejection happened at, read from the prose MTAs wrap replies in
 * (`(in reply to RCPT TO command)`, `SMTP error from remote mail server after MAIL FROM:`...).
 * Used to refine a generic reply-code or enhanced-code decision: a bare `550` at RCPT TO is about the
 * recipient, at MAIL FROM about the sender, after DATA about the content.
 */

import { makeRule, type StoredRule } from './rules.js';
import { otherSpellings } from './spellings.js';

/**
 * The stage of the SMTP dialogue a reply answered, when the text says so.
 *
 * @example
 * ```ts
 * const c = classify('host mx.example.com said: 550 rejected (in reply to RCPT TO command)');
 * if (c.rule.kind === 'reply-code') console.log(c.rule.stage); // 'rcpt'
 * ```
 * @see RFC 5321 §3.3
 */
export type SmtpStage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data';

const STAGES: readonly SmtpStage[] = ['connect', 'helo', 'mail', 'rcpt', 'data'];

const HINTS: [string, SmtpStage][] = [
  ['in reply to rcpt to command', 'rcpt'],
  ['after rcpt to', 'rcpt'],
  ['did not like our rcpt to', 'rcpt'],
  ['[rcpt_to]', 'rcpt'],
  ['recipient address rejected', 'rcpt'],
  ['does not like recipient', 'rcpt'],
  ['in reply to mail from command', 'mail'],
  ['after mail from', 'mail'],
  ['did not like our mail from', 'mail'],
  ['[mail_from]', 'mail'],
  ['in reply to end of data command', 'data'],
  ['after end of data', 'data'],
  ['in reply to data command', 'data'],
  ['after data', 'data'],
  ['did not like our data', 'data'],
  ['failed after i sent the message', 'data'],
  ['after initial connection', 'connect'],
  ['refused to talk to me', 'connect'],
  ['while receiving the initial server greeting', 'connect'],
  ['but greeting failed', 'connect'],
  ['after ehlo', 'helo'],
  ['after helo', 'helo'],
  ['in reply to ehlo command', 'helo'],
  ['in reply to helo command', 'helo'],
];

const HINT_PATTERNS: ReadonlySet<string> = new Set(HINTS.map(([pattern]) => pattern));

/**
 * @internal The stage markers with their other spellings (`recipients address rejected`), as hint
 * rules for the classifier's single pass (index = hint).
 */
export const STAGE_HINTS: readonly StoredRule[] = HINTS.flatMap(([written, stage]) =>
  [written, ...otherSpellings(written, HINT_PATTERNS)].map((pattern) => makeRule({ pattern, id: STAGES.indexOf(stage) + 1 }, 'builtin')),
);

/** @internal The stage of hint number `hint` (from `RuleMatcher.hint`). */
export function stageOfHint(hint: number): SmtpStage | undefined {
  const rule = STAGE_HINTS[hint];
  return rule ? STAGES[rule.id - 1] : undefined;
}
