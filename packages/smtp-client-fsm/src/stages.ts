/**
 * The legacy connection stage codes 0-22 (the bounce log "stage" field), which every client state
 * maps to so operators can keep grepping logs for them.
 */

/**
 * Stage codes and names of the legacy outbound connection, in code order (index = code).
 *
 * @example
 * STAGE_NAMES[12]; // 'reading BANNER'
 * @see RFC 5321 §3 (the phases of an SMTP session)
 */
export const STAGE_NAMES: readonly string[] = Object.freeze([
  'while not connected',
  'while idle',
  'during MAIL FROM',
  'after MAIL FROM',
  'during RCPT TO',
  'after RCPT TO',
  'during DATA',
  'after DATA',
  'while sending BODY',
  'reading confirmation',
  'during EHLO',
  'after EHLO',
  'reading BANNER',
  'during RSET',
  'after RSET',
  'during STARTTLS',
  'after STARTTLS',
  'handshaking TLS',
  'renegotiating TLS',
  'during XCLIENT',
  'after XCLIENT',
  'out of band bounce',
  'in unknown state',
]);

/**
 * Named constants for the stage codes.
 *
 * @example
 * if (result.stage === STAGE.DURING_RCPT) console.log('recipient refused');
 * @see RFC 5321 §3
 */
export const STAGE = Object.freeze({
  NOT_CONNECTED: 0,
  IDLE: 1,
  DURING_MAIL: 2,
  AFTER_MAIL: 3,
  DURING_RCPT: 4,
  AFTER_RCPT: 5,
  DURING_DATA: 6,
  AFTER_DATA: 7,
  SENDING_BODY: 8,
  READING_CONFIRMATION: 9,
  DURING_EHLO: 10,
  AFTER_EHLO: 11,
  READING_BANNER: 12,
  DURING_RSET: 13,
  AFTER_RSET: 14,
  DURING_STARTTLS: 15,
  AFTER_STARTTLS: 16,
  HANDSHAKING_TLS: 17,
  RENEGOTIATING_TLS: 18,
  DURING_XCLIENT: 19,
  AFTER_XCLIENT: 20,
  OUT_OF_BAND_BOUNCE: 21,
  UNKNOWN: 22,
} as const);

/**
 * The name of a stage code, `'in unknown state'` for anything outside 0-22.
 *
 * @example
 * stageName(4); // 'during RCPT TO'
 * @see RFC 5321 §3
 */
export function stageName(code: number): string {
  return (Number.isInteger(code) ? STAGE_NAMES[code] : undefined) ?? 'in unknown state';
}
