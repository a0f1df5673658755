/**
 * What a handler does with a classification: the action of each class, by id and category.
 */

import type { BounceCategory } from './classes.js';

/**
 * What a handler does with a classified reply or message:
 *
 * - `suppress`: the address is bad or asked to leave (10, 30, 90; a permanent DNS failure 21):
 *   stop sending to it.
 * - `retry`: a later attempt may succeed (20, 22, 24, 70; a transient 21 or 40): keep the address,
 *   retry or send again later. A full mailbox (22) is `retry` even when the reply is 5xx.
 * - `alert`: the receiver refused the sender or the content (50-54), the message itself is too
 *   large (23), or local policy failed it (25): someone must look at reputation, content or
 *   configuration; the address is not at fault.
 * - `ignore`: not a delivery failure (auto-reply 60, subscribe 80, challenge-response 100).
 * - `review`: nothing decisive (1 undetermined, a permanent generic bounce 40).
 *
 * Custom classes follow their category: hard → suppress, soft → retry (review when permanent),
 * block/admin → alert, undetermined → review.
 *
 * @example
 * ```ts
 * switch (classify(reply).action) {
 *   case 'suppress': suppress(address); break;
 *   case 'retry': retryLater(); break;
 *   case 'alert': alertOps(); break;
 * }
 * ```
 * @see RFC 3463 §3.1, RFC 5321 §4.2.1
 */
export type BounceAction = 'suppress' | 'retry' | 'alert' | 'ignore' | 'review';

/**
 * The {@link BounceAction} for a class id, its category and whether the reply was transient.
 *
 * @example
 * ```ts
 * actionFor(22, 'soft', false); // 'retry'
 * actionFor(10, 'hard', false); // 'suppress'
 * ```
 * @see RFC 3463 §3.1
 */
export function actionFor(id: number, category: BounceCategory, transient: boolean): BounceAction {
  switch (id) {
    case 1:
      return 'review';
    case 10:
    case 30:
    case 90:
      return 'suppress';
    case 21:
      return transient ? 'retry' : 'suppress';
    case 20:
    case 22:
    case 24:
    case 70:
      return 'retry';
    case 23:
    case 25:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
      return 'alert';
    case 40:
      return transient ? 'retry' : 'review';
    case 60:
    case 80:
    case 100:
      return 'ignore';
    default:
      switch (category) {
        case 'hard':
          return 'suppress';
        case 'soft':
          return transient ? 'retry' : 'review';
        case 'block':
        case 'admin':
          return 'alert';
        default:
          return 'review';
      }
  }
}
