/**
 * @internal How every refusal the client reports names the server's reply, in one place: the
 * greeting, EHLO/HELO/LHLO, STARTTLS, AUTH, a state giving up, a 421 closing the session, and
 * `./node`'s `deliver()` attempts all read the same way as the reply went out on the wire.
 */
import { formatEnhancedStatusCode } from 'smtp-reply-reader';
import type { Reply } from 'smtp-reply-reader';

/**
 * @internal The reply as a refusal's text names it: the reply code, the enhanced status code
 * when the server gave one (RFC 3463), then the text (`554 5.7.1 go away`; `554 go away` without
 * an enhanced code; `454` with no text).
 *
 * @example
 * describeReply({ code: 535, enhanced: { class: 5, subject: 7, detail: 8 }, lines: ['bad credentials'], text: 'bad credentials' }); // '535 5.7.8 bad credentials'
 * @see RFC 3463 §2, RFC 5321 §4.2
 */
export function describeReply(reply: Pick<Reply, 'code' | 'enhanced' | 'text'>): string {
  const enhanced = reply.enhanced ? ` ${formatEnhancedStatusCode(reply.enhanced)}` : '';
  return `${String(reply.code)}${enhanced}${reply.text ? ` ${reply.text}` : ''}`;
}
