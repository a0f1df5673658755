/**
 * The built-in phrase rules: reply wording that the large mailbox providers and the common MTAs
 * document or are known to send, each with an example reply (the test suite checks that every
 * example is classified by its own rule). Order matters: within the built-in layer the first rule
 * in this list that matches wins, so specific wording comes before generic wording.
 */

/**
 * A built-in rule: a name (`<source>-<meaning>`), the class it yields, the pattern (`|` = wildcard)
 * and an example reply that it classifies.
 *
 * @example
 * ```ts
 * const gmail = BUILTIN_RULES.find((r) => r.name === 'gmail-no-such-user');
 * ```
 * @see RFC 5321 §4.2
 */
export interface BuiltinRule {
  readonly name: string;
  readonly id: number;
  readonly pattern: string;
  readonly example: string;
}

type R = [name: string, id: number, pattern: string, example: string];

const DATA: R[] = [
  // --- Gmail (support.google.com/mail/answer/3726730 and the replies gsmtp sends) ---
  ['gmail-no-such-user', 10, 'the email account that you tried to reach does not exist', "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more at https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-5a9c4a6b8b5si123456a.123 - gsmtp"],
  ['gmail-disabled', 10, 'the email account that you tried to reach is disabled', '550-5.2.1 The email account that you tried to reach is disabled. Learn more at https://support.google.com/mail/?p=DisabledUser d2-20020a05600c000000b0040e4ebfbe4bsi1234567wmq.123 - gsmtp'],
  ['gmail-over-quota', 22, 'the email account that you tried to reach is over quota', '452-4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp'],
  ['gmail-inactive', 10, 'the email account that you tried to reach is inactive', '550-5.2.1 The email account that you tried to reach is inactive. https://support.google.com/mail/?p=DisabledUser - gsmtp'],
  ['gmail-rate-to-user', 20, 'is receiving mail at a rate that prevents additional messages', '450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time. - gsmtp'],
  ['gmail-size', 23, "exceeded google's message size limits", "552-5.2.3 Your message exceeded Google's message size limits. Please visit https://support.google.com/mail/?p=MaxSizeError to view our size guidelines. - gsmtp"],
  ['gmail-unauthenticated', 50, 'unauthenticated email', "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy. Please contact the administrator of example.com domain. - gsmtp"],
  ['gmail-sender-unauthenticated', 50, 'the sender is unauthenticated', '550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. - gsmtp'],
  ['gmail-auth-checks', 50, 'fails to pass authentication checks', '550-5.7.26 This message does not have authentication information or fails to pass authentication checks (SPF or DKIM). To best protect our users from spam, the message has been blocked. - gsmtp'],
  ['gmail-ptr', 50, 'does not have a ptr record', '550-5.7.25 [192.0.2.1] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. - gsmtp'],
  ['gmail-unusual-rate', 51, 'unusual rate of unsolicited mail', '421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp'],
  ['gmail-low-reputation', 51, 'very low reputation of the sending', '550-5.7.1 [192.0.2.1] Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address. - gsmtp'],
  ['gmail-unsolicited', 52, 'likely unsolicited mail', '550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp'],
  ['gmail-security-issue', 52, 'content presents a potential security issue', '552-5.7.0 This message was blocked because its content presents a potential security issue. Please visit https://support.google.com/mail/?p=BlockedMessage to review our message content and attachment content guidelines. - gsmtp'],
  ['gmail-multiple-from', 40, 'multiple addresses in from: header', '550-5.7.1 [192.0.2.1] Messages with multiple addresses in From: header are not accepted. - gsmtp'],
  ['gmail-connect', 24, 'did not accept our requests to connect', 'The recipient server did not accept our requests to connect. Learn more at https://support.google.com/mail/answer/7720 [mx.example.com 192.0.2.1: timed out]'],
  ['gmail-address-not-found', 10, 'address not found', "** Address not found ** Your message wasn't delivered to nobody@example.com because the address couldn't be found, or is unable to receive mail."],

  // --- Microsoft 365 / Outlook.com / Exchange (learn.microsoft.com NDR reference) ---
  ['microsoft-banned-ip', 51, 'banned sending ip', '550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ and follow the directions.'],
  ['microsoft-ip-reputation', 51, 'rate limited due to ip reputation', '451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com'],
  ['microsoft-tenant-threshold', 51, 'tenant has exceeded threshold', '550 5.7.705 Access denied, tenant has exceeded threshold'],
  ['microsoft-traffic-not-accepted', 51, 'traffic not accepted from this ip', '550 5.7.708 Access denied, traffic not accepted from this IP'],
  ['microsoft-dmarc', 50, 'does not pass dmarc verification', '550 5.7.509 Access denied, sending domain [EXAMPLE.COM] does not pass DMARC verification and has a DMARC policy of reject.'],
  ['microsoft-recip-not-found', 10, 'resolver.adr.recipnotfound', '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'],
  ['microsoft-recipient-not-found', 10, 'resolver.adr.recipientnotfound', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient nobody@example.com not found by SMTP address lookup'],
  ['microsoft-dbeb', 10, 'recipient address rejected: access denied', '550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DM6NAM12FT000.eop-nam12.prod.protection.outlook.com]'],
  ['microsoft-all-rejected', 50, 'all recipient addresses rejected', '550 5.4.1 All recipient addresses rejected : Access denied [DM6NAM12FT000.eop-nam12.prod.protection.outlook.com]'],
  ['microsoft-size-limit', 23, 'resolver.rst.recipsizelimit', '550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient'],
  ['microsoft-auth-required', 50, 'resolver.rst.authrequired', '550 5.7.1 RESOLVER.RST.AuthRequired; authentication required'],
  ['microsoft-not-authorized', 50, 'resolver.rst.notauthorized', '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized'],
  ['microsoft-quota', 22, 'quotaexceeded', '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded'],
  ['microsoft-hop-count', 20, 'hop count exceeded', '554 5.4.14 Hop count exceeded - possible mail loop ATTR34'],
  ['microsoft-relay', 54, 'unable to relay', '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'],
  ['outlook-blocked-spamhaus', 51, 'part of their network is on our block list', '550 5.7.1 Unfortunately, messages from [192.0.2.1] weren\'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).'],

  // --- Yahoo / AOL (senders.yahooinc.com SMTP error codes) ---
  ['yahoo-ts01', 51, '[ts01]', '421 4.7.0 [TS01] Messages from 192.0.2.1 temporarily deferred due to user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-ts02', 51, '[ts02]', '421 4.7.0 [TS02] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-ts03', 51, '[ts03]', '554 5.7.9 [TS03] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-tss04', 51, '[tss04]', '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-tss09', 51, '[tss09]', '554 5.7.9 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-no-account', 10, "user doesn't have a|account", "554 delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com) [0] - mta1000.mail.gq1.yahoo.com"],
  ['yahoo-policy', 50, 'not accepted for policy reasons', '554 5.7.9 Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-mailbox-full', 22, 'mailbox is full', '452 4.2.2 Mailbox is full - mta1000.mail.gq1.yahoo.com'],

  // --- iCloud / Apple ---
  ['icloud-user-does-not-exist', 10, 'user does not exist', '550 5.1.1 <nobody@icloud.com>: user does not exist'],
  ['icloud-local-policy', 50, 'rejected due to local policy', '554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137'],

  // --- Proton ---
  ['proton-address-does-not-exist', 10, 'address does not exist', '550 5.1.1 Address does not exist'],

  // --- GMX / web.de ---
  ['gmx-policy', 50, 'reject due to policy restrictions', '554-Transaction failed 554-Reject due to policy restrictions. 554 For explanation visit https://postmaster.gmx.net/en/error-messages'],
  ['gmx-block-listed', 51, 'block listed', '554-IP address is block listed. 554 For explanation visit https://postmaster.web.de/en/error-messages'],
  ['gmx-mailbox-unavailable', 10, 'mailbox unavailable', '550 Requested action not taken: mailbox unavailable'],

  // --- Orange / La Poste (FR) ---
  ['orange-unknown', 10, 'destinataire inconnu', '550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. destinataire inconnu OFR_416 [416]'],
  ['laposte-invalid', 10, 'adresse destinataire invalide', '550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416'],
  ['laposte-blocked-account', 10, 'recipient account is blocked', '550 5.5.0 Le compte du destinataire est bloque. The recipient account is blocked. LPN007_426'],
  ['orange-mail-rejected', 52, 'mail rejete', '550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]'],
  ['orange-service-refused', 50, 'service refuse', '421 4.2.1 Service refuse. Veuillez essayer plus tard. Service refused, please try later. LPN007_510'],

  // --- Comcast / Cox ---
  ['comcast-not-our-customer', 10, 'not our customer', '550 5.1.1 <nobody@comcast.net> Not our Customer'],
  ['comcast-spam-block', 51, 'block for spam', '554 resimta-po-00v.sys.comcast.net comcast 192.0.2.1 Comcast block for spam. Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000'],
  ['cox-sender-rejected', 50, 'sender rejected', '550 5.1.0 <bounce@example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/residential/support/email-error-codes.html for more information. AUP#CXSNDR'],

  // --- Mail.ru / Yandex / QQ ---
  ['mailru-suspicion-spam', 52, 'under suspicion of spam', '550 Message was not accepted -- invalid mailbox. Local mailbox nobody@mail.ru is unavailable: message rejected under suspicion of SPAM'],
  ['mailru-invalid-mailbox', 10, 'invalid mailbox', '550 Message was not accepted -- invalid mailbox.  Local mailbox nobody@mail.ru is unavailable: user not found'],
  ['qq-frequency', 70, 'frequency limited', '550 Ip frequency limited [V2VkIEFwciAgMyAxNjozNjo1OSBKU1QgMjAxOQo=] http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000725'],

  // --- Proofpoint / Mimecast / Barracuda / Cisco ---
  ['proofpoint-ipcheck', 51, 'ipcheck.proofpoint.com', '554 5.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1'],
  ['mimecast-security-policies', 52, 'rejected due to security policies', '554 email rejected due to security policies - MCSpamSignature.sa.2.2 - https://community.mimecast.com/docs/DOC-1369#554'],
  ['mimecast-anti-spoofing', 50, 'anti-spoofing policy', '550 Rejected by header based Anti-Spoofing policy: nobody@example.com - https://community.mimecast.com/docs/DOC-1369#550'],
  ['mimecast-envelope-blocked', 50, 'envelope blocked', '550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550'],
  ['barracuda-reputation', 51, 'barracuda reputation', '554 Service unavailable; Client host [192.0.2.1] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.1'],
  ['cisco-poor-reputation', 51, 'poor reputation', "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means."],
  ['facebook-refused-preferences', 50, 'refused due to recipient preferences', '550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=192.0.2.1#rcp Refused due to recipient preferences'],

  // --- Authentication / DNS checks on the sender (any MTA) ---
  ['dmarc-policy', 50, 'dmarc policy', '550 5.7.1 Email rejected per DMARC policy for example.com'],
  ['spf-fail', 50, 'fails to pass spf', 'The MAIL FROM domain [example.com] has an SPF record with a hard fail policy (-all) but it fails to pass SPF checks with the ip: [192.0.2.1]'],
  ['spf-check-failed', 50, 'spf check failed', '550 5.7.23 SPF check failed for example.com'],
  ['rdns-required', 50, 'reverse dns', '571 No PTR Record found. Reverse DNS required: 192.0.2.1'],
  ['ip-name-lookup', 50, 'ip name lookup failed', '450 4.7.1 Access denied. IP name lookup failed [192.0.2.1]'],
  ['ptr-missing', 50, 'no ptr record', '550 5.7.25 No PTR record found for 192.0.2.1'],
  ['client-ip-mismatch', 50, 'mismatches client ip', '550 domain [example.com] mismatches client ip 192.0.2.1.'],
  ['sender-domain-missing', 50, 'domain of sender address|does not exist', '553 5.1.8 <root@host.example>... Domain of sender address root@host.example does not exist'],

  // --- Block lists and reputation (any MTA) ---
  ['dnsbl-blocked-using', 51, 'blocked using', '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1'],
  ['spamhaus', 51, 'spamhaus', '550 5.7.1 Rejected: 192.0.2.1 listed at zen.spamhaus.org'],
  ['spamcop', 51, 'spamcop', '554 5.7.1 Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.1'],
  ['blacklisted', 51, 'blacklisted', '"Sorry, you are sending to/from an address that has been blacklisted"'],
  ['blocklisted', 51, 'blocklisted', '554 5.7.1 Your IP 192.0.2.1 is blocklisted'],
  ['listed-in-rbl', 51, 'rbl', '550 5.7.1 Mail from 192.0.2.1 refused by RBL'],
  ['bad-reputation', 51, 'reputation', '550 5.7.1 Connection rejected due to bad reputation of the sending IP'],
  ['user-complaints', 51, 'user complaints', '421 Messages from 192.0.2.1 temporarily deferred due to user complaints'],

  // --- Content ---
  ['virus', 53, 'virus', '554 5.7.1 Message rejected: virus found (Eicar-Test-Signature)'],
  ['malware', 53, 'malware', '550 5.7.1 Message rejected: malware detected'],
  ['attachment', 53, 'attachment', '552 5.3.4 Message rejected: prohibited attachment type (.exe)'],
  ['spam', 52, 'spam', '554 5.7.0 Reject, id=12345-01 - SPAM'],
  ['content-rejected', 52, 'content rejected', '550 5.7.1 Message content rejected'],
  ['policy-violation', 50, 'policy violation', '554 5.7.7 Email policy violation detected'],
  ['protocol-violation', 50, 'protocol violation', '550 Protocol violation'],

  // --- Relaying ---
  ['relay-access-denied', 54, 'relay access denied', '554 5.7.1 <nobody@example.org>: Relay access denied'],
  ['relaying-denied', 54, 'relaying denied', '550 5.7.1 <nobody@example.org>... Relaying denied'],
  ['relay-not-permitted', 54, 'relay not permitted', '550 relay not permitted'],
  ['not-permitted-to-relay', 54, 'not permitted to relay', '550 5.7.1 Not permitted to relay through this server'],
  ['relaying-not-allowed', 54, 'relaying not allowed', '550 5.7.1 Relaying not allowed'],
  ['relay-denied', 54, 'relay denied', '550 5.7.1 Relay denied'],
  ['we-do-not-relay', 54, 'we do not relay', '553 sorry, that domain isn\'t in my list of allowed rcpthosts; we do not relay'],
  ['rcpthosts', 54, "isn't in my list of allowed rcpthosts", "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"],

  // --- Mailbox full / storage ---
  ['mailbox-full', 22, 'mailbox full', '552 5.2.2 <nobody@example.com>... Mailbox Full'],
  ['mailbox-size-limit', 22, 'mailbox size limit', '552 5.2.2 nobody@example.com: mailbox size limit exceeded'],
  ['over-quota', 22, 'over quota', '522 5.2.0 Delivery failed: Over quota'],
  ['quota-exceeded', 22, 'quota exceeded', '452 4.2.2 Quota exceeded (mailbox for user is full)'],
  ['quota-exceeded-2', 22, 'exceeded|quota', '552 5.2.2 User has exceeded their storage quota'],
  ['mailfolder-full', 22, 'mailfolder is full', "The e-mail message could not be delivered because the user's mailfolder is full."],
  ['mailbox-exceeds-size', 22, 'mailbox exceeds', 'User mailbox exceeds allowed size: nobody@example.com'],
  ['disk-space', 22, 'disk space', '452 4.4.5 Insufficient disk space; try again later'],
  ['messages-in-mailbox', 22, "number of messages in recipient's mailbox", "The number of messages in recipient's mailbox exceeded the local limit."],
  ['out-of-storage', 22, 'out of storage', '452 4.2.2 The recipient\'s inbox is out of storage space'],
  ['storage-quota', 22, 'storage quota', 'Technical details of permanent failure: the storage quota of the recipient has been reached'],

  // --- Too large ---
  ['message-too-large', 23, 'too large', '552 5.3.4 Message too large'],
  ['message-too-big', 23, 'too big', '552 5.3.4 Message too big for system'],
  ['size-exceeds', 23, 'size exceeds', '552 5.3.4 Message size exceeds fixed maximum message size'],
  ['exceeds-size-limit', 23, 'exceeds size limit', '552 Message exceeds size limit'],
  ['message-length', 23, 'message length exceeds', '552 5.2.3 Message length exceeds administrative limit'],

  // --- Rate and volume ---
  ['too-many-recipients', 20, 'too many recipients', '452 4.5.3 Too many recipients'],
  ['temporarily-locked', 20, 'temporary locked', '550 5.7.1 <nobody@example.com>: Recipient address rejected: User nobody@example.com temporary locked. Please try again later!'],
  ['rate-limit', 70, 'rate limit', '452 4.3.2 Connection rate limit exceeded.'],
  ['too-many-connections', 70, 'too many connections', '421 4.7.0 Too many connections from your host'],
  ['try-again-later', 70, 'try again later', '451 4.3.0 Temporary local problem - please try again later'],
  ['greylisted', 70, 'greylist', '450 4.2.0 <nobody@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html'],

  // --- Invalid recipient (generic MTA wording: Postfix, Exim, Sendmail, qmail, Exchange, Domino) ---
  ['user-unknown', 10, 'user unknown', '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table'],
  ['unknown-user', 10, 'unknown user', '550 Unknown user nobody@example.com'],
  ['no-such-user', 10, 'no such user', '550 Requested action not taken: no such user here'],
  ['user-not-found', 10, 'user not found', '550 5.1.1 User not found'],
  ['unknown-recipient', 10, 'unknown recipient', '550 5.1.1 Unknown recipient'],
  ['recipient-unknown', 10, 'recipient unknown', '550 5.1.1 <nobody@example.com>: Recipient unknown'],
  ['invalid-recipient', 10, 'invalid recipient', '553 Invalid recipient nobody@example.org (Mode: normal)'],
  ['recipient-not-found', 10, 'recipient not found', '550 5.1.1 Recipient not found'],
  ['mailbox-not-found', 10, 'mailbox not found', '550 Requested User Mailbox not found.'],
  ['mailbox-does-not-exist', 10, 'mailbox does not exist', '550 5.1.1 Mailbox does not exist'],
  ['user-not-exist', 10, 'user not exist', '550 <nobody@example.co.jp>... User not exist'],
  ['no-such-mailbox', 10, 'no such mailbox', '550 5.1.1 No such mailbox'],
  ['qmail-no-mailbox', 10, 'no mailbox here by that name', '550 sorry, no mailbox here by that name (#5.1.1 - chkusr)'],
  ['exim-unrouteable', 10, 'unrouteable address', 'Unrouteable address'],
  ['domino-not-listed', 10, 'not listed in public name & address book', 'User not listed in public Name & Address Book'],
  ['no-longer-on-server', 10, 'no longer on server', '550 5.1.6 recipient no longer on server: nobody@example.com'],
  ['disabled-recipient', 10, 'disabled recipient', '525 5.7.13 Disabled recipient address'],
  ['account-disabled', 10, 'account is disabled', "The user(s) account is disabled."],
  ['account-has-been-disabled', 10, 'account has been disabled', 'Sorry your message to nobody@example.com cannot be delivered. This account has been disabled or discontinued [#102].'],
  ['account-locked', 10, 'account is locked', 'vdelivermail: account is locked email bounced nobody@example.com'],
  ['account-inactive', 10, 'account is inactive', '550 5.2.1 This account is inactive'],
  ['mailbox-disabled', 10, 'mailbox disabled', '550 5.2.1 Mailbox disabled, not accepting messages'],
  ['not-registered-user', 10, 'is not a registered', "550 'nobody@example.com' is not a registered gateway user"],
  ['no-valid-recipients', 30, 'no valid recipients', '554 5.5.1 Error: no valid recipients'],

  // --- Domain / DNS ---
  ['host-unknown', 21, 'host unknown', '550 5.1.2 <nobody@example.org>... Host unknown (Name server: mx.example.org: no data known)'],
  ['host-not-found', 21, 'host not found', 'Host or domain name not found. Name service error for name=example.org type=A: Host not found'],
  ['domain-not-found', 21, 'domain name not found', "DNS Error: 12345 DNS type 'mx' lookup of example.invalid responded with code NXDOMAIN Domain name not found: example.invalid"],
  ['domain-does-not-exist', 21, 'domain does not exist', 'Domain does not exist'],
  ['no-such-domain', 21, 'no such domain', 'No such domain.'],
  ['name-service-error', 21, 'name service error', 'Name service error for name=example.org type=MX: Malformed or unexpected name server reply'],
  ['dns-lookup-failure', 21, 'dns lookup failure', 'DNS lookup failure: host mx.example.org not found'],
  ['no-mail-exchanger', 21, "couldn't find a mail exchanger", "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)"],
  ['qmail-no-host', 21, "couldn't find any host named", "Sorry, I couldn't find any host named example.invalid. (#5.1.2)"],
  ['no-smtp-service', 21, 'indicated no smtp service', 'an MX or SRV record indicated no SMTP service'],
  ['does-not-receive-email', 21, "doesn't receive email", "DNS Error: DNS type 'mx' lookup of example.org responded with code NOERROR The domain example.org doesn't receive email according to the administrator: returned Null MX"],
  ['does-not-accept-mail', 21, 'does not accept mail', '550 Host does not accept mail'],
  ['no-route-to-host', 21, 'no route to host', 'connect to mx.example.com[192.0.2.2]:25: No route to host'],

  // --- Timeouts and expiry ---
  ['timed-out', 24, 'timed out', 'connect to mx.example.jp[192.0.2.79]:25: Connection timed out'],
  ['retry-timeout', 24, 'retry timeout exceeded', 'retry timeout exceeded'],
  ['failing-long-time', 24, 'failing for a long time', 'all hosts have been failing for a long time and were last tried after this message arrived'],
  ['queue-too-long', 24, 'in the queue too long', "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1) I'm not going to try again; this message has been in the queue too long."],
  ['envelope-expired', 24, 'expired', 'Envelope expired'],
  ['could-not-deliver-for', 24, 'could not be delivered for', 'Message could not be delivered for too long Message will be deleted from queue'],
  ['could-not-deliver-last', 24, 'could not deliver for', 'Could not deliver for the last 432000 seconds. Giving up.'],
  ['giving-up', 24, 'giving up', '421 4.4.2 Connection dropped; giving up on this message'],
  ['unable-after', 24, 'unable to deliver this message after', 'unable to deliver this message after 1 day'],
  ['delivery-delayed', 24, 'has been delayed', 'Delivery to the following recipient has been delayed: Message will be retried for 2 more day(s)'],
  ['not-reachable', 24, 'not reachable', '[Status: Error, Address: <nobody@example.co.jp>, ResponseCode 421, , Host not reachable.]'],
  ['failed-attempts', 24, 'delivery failed|attempts', 'Delivery failed 20 attempts: nobody@example.com'],

  // --- Loops, mailer and system errors ---
  ['too-many-hops', 20, 'too many hops', '554 5.4.6 Too many hops'],
  ['mail-loop', 20, 'loops back to myself', 'mail for example.com loops back to myself'],
  ['routing-loop', 20, 'routing loop', '554 5.4.6 Routing loop detected'],
  ['mailer-error', 40, 'mailer error', '554 5.3.0 unknown mailer error 255'],
  ['pipe-to', 40, 'pipe to |', 'pipe to |/usr/local/bin/procmail nobody@example.com'],
  ['operating-system-error', 40, 'operating system error', '451 4.0.0 Operating system error'],
  ['internal-error', 40, 'internal system error', '550 5.3.5 <nobody@example.org>... Internal System Error'],
  ['queue-file-write', 40, 'queue file write error', '451 4.3.0 Error: queue file write error'],
  ['syntax-error', 40, 'syntax error', '501 5.5.2 Syntax error in parameters or arguments'],
  ['not-implemented', 40, 'not implemented', '504 Command parameter not implemented'],
  ['malformed-address', 40, 'malformed address', ': malformed address: <nobody@example.net> may not follow nobody@example.com'],
  ['service-unavailable', 70, 'service currently unavailable', '554 Service currently unavailable'],

  // --- Connection-level and sender-level refusals ---
  ['refused-to-talk', 50, 'refused to talk to me', 'host mx.example.net[192.0.2.127] refused to talk to me: 421 Service not available, closing transmission channel'],
  ['not-accepting-connections', 50, 'not accepting connections', '554 mx.example.com ESMTP not accepting connections'],
  ['client-host-rejected', 50, 'client host rejected', '450 4.7.1 <client.example.net[192.0.2.56]>: Client host rejected: cannot find your hostname'],
  ['sender-address-rejected', 50, 'sender address rejected', '501 5.1.8 Sender address rejected'],
  ['helo-rejected', 50, 'helo command rejected', '504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname'],
  ['access-denied', 50, 'access denied', '550 5.7.1 <root@example.jp>... Access denied'],
  ['blocked', 50, 'blocked', '554 5.7.1 Message blocked'],

  // --- Auto-replies and challenge-response ---
  ['auto-reply', 60, 'auto-reply', 'This is an auto-reply: I am out of the office until Monday.'],
  ['out-of-office', 60, 'out of office', 'Out of Office: I am away until Monday.'],
  ['automatic-reply', 60, 'automatic reply', 'Automatic reply: away'],
  ['challenge-response', 100, 'challenge-response', 'This is a challenge-response message: please verify that you are a human'],
  ['verify-sender', 100, 'please verify your email address', 'Please verify your email address by clicking the link below so that your message is delivered.'],
];

/**
 * The built-in rules, in precedence order (first match wins within this layer). Frozen.
 *
 * @example
 * ```ts
 * console.log(BUILTIN_RULES.length, BUILTIN_RULES[0]!.name);
 * ```
 * @see RFC 5321 §4.2
 */
export const BUILTIN_RULES: readonly BuiltinRule[] = Object.freeze(
  DATA.map(([name, id, pattern, example]) => Object.freeze({ name, id, pattern, example })),
);
