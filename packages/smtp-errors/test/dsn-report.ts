// A multipart/report delivery status notification for the message tests (RFC 3462, RFC 3464).
export const ONE_FAILED = ['Final-Recipient: rfc822; bob@rcpt.test', 'Action: failed', 'Status: 5.1.1', ''];

/**
 * A multipart/report DSN: `perMessage` fields after Reporting-MTA, then the recipient blocks
 * (`perRecipient`, each ending with an empty line), then, when `type` is given, a third part of
 * that type holding `original`.
 */
export function dsnReport(perMessage: string[], perRecipient: string[], type?: string, original: string[] = []): string {
  return [
    'From: MAILER-DAEMON@mx.sender.test',
    'Subject: Undelivered Mail Returned to Sender',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="rb"',
    '',
    '--rb',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.sender.test',
    ...perMessage,
    '',
    ...perRecipient,
    ...(type === undefined ? [] : ['--rb', `Content-Type: ${type}`, '', ...original]),
    '--rb--',
    '',
  ].join('\r\n');
}

