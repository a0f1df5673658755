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

/** A row: name (empty when it is the pattern's slug, see `slug`), class, pattern, example. */
type R = [name: string, id: number, pattern: string, example: string];

/**
 * The name a rule has when its row leaves it empty: the pattern in lower case, each run of other
 * characters than ASCII letters and digits turned into one `-` (`user unknown` is `user-unknown`).
 * Most rules are named so; leaving those names out of the rows keeps the browser bundle small.
 */
function slug(pattern: string): string {
  return pattern.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Marker row: the rules after it are generic wording. */
const GENERIC_START = '--generic--';

const DATA: R[] = ([
  // --- Gmail (support.google.com/mail/answer/3726730 and the replies gsmtp sends) ---
  ['gmail-no-such-user', 10, 'the email account that you tried to reach does not exist', "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more at https://support.google.com/mail/?p=NoSuchUser - gsmtp"],
  ['gmail-disabled', 10, 'the email account that you tried to reach is disabled', '550-5.2.1 The email account that you tried to reach is disabled. Learn more at https://support.google.com/mail/?p=DisabledUser - gsmtp'],
  ['gmail-over-quota', 22, 'the email account that you tried to reach is over quota', '452-4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp'],
  ['gmail-inactive', 10, 'the email account that you tried to reach is inactive', '550-5.2.1 The email account that you tried to reach is inactive. https://support.google.com/mail/?p=DisabledUser - gsmtp'],
  ['gmail-rate-to-user', 70, 'is receiving mail at a rate that prevents additional messages', '450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time. - gsmtp'],
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
  // Google Groups' refusal notice (group missing, or no permission to post) comes in the sender's
  // language; every translation points to the same help URL, so the URL is the marker.
  ['google-groups-refused', 50, 'groups.google.com/support', 'The group you tried to contact (example) may not exist, or you may not have permission to post messages to the group. If you have questions related to this or any other Google Group, visit the Help Center at https://groups.google.com/support/.'],
  ['domino-not-listed', 10, 'not listed in public name & address book', 'User not listed in public Name & Address Book'],

  // --- Microsoft 365 / Outlook.com / Exchange (learn.microsoft.com NDR reference) ---
  ['microsoft-banned-ip', 51, 'banned sending ip', '550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ and follow the directions.'],
  ['microsoft-ip-reputation', 51, 'rate limited due to ip reputation', '451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com'],
  ['microsoft-tenant-threshold', 51, 'tenant has exceeded threshold', '550 5.7.705 Access denied, tenant has exceeded threshold'],
  ['microsoft-traffic-not-accepted', 51, 'traffic not accepted from this ip', '550 5.7.708 Access denied, traffic not accepted from this IP'],
  ['microsoft-dmarc', 50, 'does not pass dmarc verification', '550 5.7.509 Access denied, sending domain [EXAMPLE.COM] does not pass DMARC verification and has a DMARC policy of reject.'],
  ['microsoft-recip-not-found', 10, 'resolver.adr.recipnotfound', '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'],
  ['microsoft-recipient-not-found', 10, 'resolver.adr.recipientnotfound', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient nobody@example.com not found by SMTP address lookup'],
  ['microsoft-dbeb', 10, '5.4.1|recipient address rejected: access denied', '550 5.4.1 Recipient address rejected: Access denied.'],
  ['microsoft-all-rejected', 50, 'all recipient addresses rejected', '550 5.4.1 All recipient addresses rejected : Access denied'],
  ['microsoft-size-limit', 23, 'resolver.rst.recipsizelimit', '550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient'],
  ['microsoft-auth-required', 50, 'resolver.rst.authrequired', '550 5.7.1 RESOLVER.RST.AuthRequired; authentication required'],
  ['microsoft-not-authorized', 50, 'resolver.rst.notauthorized', '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized'],
  ['microsoft-quota', 22, 'quotaexceeded', '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded'],
  ['microsoft-hop-count', 40, 'hop count exceeded', '554 5.4.14 Hop count exceeded - possible mail loop'],
  ['microsoft-thread-limit', 70, 'recipient thread limit exceeded', '432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded'],
  ['microsoft-relay', 54, 'unable to relay', '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'],
  ['outlook-blocked-spamhaus', 51, 'part of their network is on our block list', '550 5.7.1 Unfortunately, messages from [192.0.2.1] weren\'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).'],

  // --- Yahoo / AOL (senders.yahooinc.com SMTP error codes) ---
  ['yahoo-no-account', 10, "user doesn't have a|account", "554 delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com)"],
  ['yahoo-policy', 50, 'not accepted for policy reasons', '554 5.7.9 Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes'],
  ['yahoo-mailbox-full', 22, 'mailbox is full', '452 4.2.2 Mailbox is full'],
  ['yahoo-connections-not-accepted', 51, 'connections will not be accepted from', "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes"],
  ['yahoo-permanently-deferred', 51, 'permanently deferred', '421 4.7.1 Messages from 192.0.2.1 permanently deferred; Retrying will NOT succeed.'],
  ['yahoo-receiving-too-quickly', 70, 'receiving mail too quickly', '450 User is receiving mail too quickly'],
  ['yahoo-max-per-connection', 70, 'max message per connection', '421 Max message per connection reached, closing transmission channel'],
  ['yahoo-excessive-unknown', 51, 'excessive unknown recipients', '451 VS1-IP Excessive unknown recipients - possible Open Relay (#4.1.8)'],

  // Provider code families: the whole family names a block of the sending IP or domain, so the
  // family prefix decides, not each code (Yahoo [TSnn]/[BLnn]; AOL RLY:, RTR:, DYN:, HVU:;
  // Outlook.com SC-nnn, DY-nnn, OU-nnn; Comcast BLnnn and ESnnnnnn blocks, RLnnnnnn rate limits).
  ['yahoo-ts-family', 51, '[ts', '421 4.7.0 [TS05] Messages from 192.0.2.1 temporarily deferred'],
  ['yahoo-bl-family', 51, '[bl', '553 5.7.1 [BL23] Connections not accepted from 192.0.2.1'],
  ['aol-rly-family', 51, ' rly:', '554 RLY:B1'],
  ['aol-rtr-family', 51, ' rtr:', '554 RTR:BB'],
  ['aol-dyn-family', 51, ' dyn:', '421 DYN:T1'],
  ['aol-hvu-family', 51, ' hvu:', '554 HVU:B1'],
  ['outlook-sc-family', 51, ' sc-00', '550 SC-001 Mail rejected'],
  ['outlook-dy-family', 51, ' dy-00', '550 DY-001 Mail rejected'],
  ['outlook-ou-family', 51, ' ou-00', '550 OU-001 Mail rejected'],
  ['comcast-bl-family', 51, ' bl0', '554 192.0.2.1 Comcast BL004 Blocked for spam'],
  ['comcast-es-family', 51, ' es0000', '554 192.0.2.1 Comcast ES000010'],
  ['comcast-rl-family', 70, ' rl0000', '421 192.0.2.1 Comcast RL000001'],

  // --- iCloud / Apple ---
  ['icloud-user-does-not-exist', 10, 'user does not exist', '550 5.1.1 <nobody@icloud.com>: user does not exist'],
  ['icloud-local-policy', 50, 'rejected due to local policy', '554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137'],

  // --- Proton ---
  ['proton-address-does-not-exist', 10, 'address does not exist', '550 5.1.1 Address does not exist'],

  // --- GMX / web.de ---
  ['gmx-policy', 50, 'reject due to policy restrictions', '554-Transaction failed 554-Reject due to policy restrictions. 554 For explanation visit https://postmaster.gmx.net/en/error-messages'],
  ['gmx-block-listed', 51, 'block listed', '554-IP address is block listed. 554 For explanation visit https://postmaster.web.de/en/error-messages'],

  // --- Orange / La Poste (FR) ---
  ['orange-unknown', 10, 'destinataire inconnu', '550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. destinataire inconnu OFR_416 [416]'],
  ['laposte-invalid', 10, 'adresse destinataire invalide', '550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416'],
  ['laposte-blocked-account', 10, 'recipient account is blocked', '550 5.5.0 Le compte du destinataire est bloque. The recipient account is blocked. LPN007_426'],
  ['orange-mail-rejected', 52, 'mail rejete', '550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]'],
  ['orange-service-refused', 50, 'service refuse', '421 4.2.1 Service refuse. Veuillez essayer plus tard. Service refused, please try later. LPN007_510'],

  // --- Comcast / Cox ---
  ['comcast-not-our-customer', 10, 'not our customer', '550 5.1.1 <nobody@comcast.net> Not our Customer'],
  ['comcast-spam-block', 51, 'block for spam', '554 resimta-po-00v.sys.comcast.net comcast 192.0.2.1 Comcast block for spam. Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000'],
  ['cox-sender-rejected', 50, 'sender rejected', '550 5.1.0 <bounce@example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/residential/support/email-error-codes.html for more information.'],

  // --- Mail.ru / Yandex / QQ ---
  ['mailru-suspicion-spam', 52, 'under suspicion of spam', '550 Message was not accepted -- invalid mailbox. Local mailbox nobody@mail.ru is unavailable: message rejected under suspicion of SPAM'],
  ['mailru-invalid-mailbox', 10, 'invalid mailbox', '550 Message was not accepted -- invalid mailbox.  Local mailbox nobody@mail.ru is unavailable: user not found'],
  ['qq-frequency', 70, 'frequency limited', '550 Ip frequency limited'],

  // --- Proofpoint / Mimecast / Barracuda / Cisco ---
  ['proofpoint-ipcheck', 51, 'ipcheck.proofpoint.com', '554 5.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1'],
  ['mimecast-security-policies', 52, 'rejected due to security policies', '554 email rejected due to security policies - MCSpamSignature.sa.2.2 - https://community.mimecast.com/docs/DOC-1369#554'],
  ['mimecast-anti-spoofing', 50, 'anti-spoofing policy', '550 Rejected by header based Anti-Spoofing policy: nobody@example.com - https://community.mimecast.com/docs/DOC-1369#550'],
  ['mimecast-envelope-blocked', 50, 'envelope blocked', '550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550'],
  ['', 51, 'barracuda reputation', '554 Service unavailable; Client host [192.0.2.1] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.1'],
  ['cisco-poor-reputation', 51, 'poor reputation', "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means."],
  ['facebook-refused-preferences', 50, 'refused due to recipient preferences', '550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=192.0.2.1#rcp Refused due to recipient preferences'],

  // --- Final expiry notices from the sending MTA (they win over the last error quoted inside) ---
  ['queue-too-long', 24, 'in the queue too long', "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1) I'm not going to try again; this message has been in the queue too long."],
  ['could-not-deliver-for', 24, 'could not be delivered for', 'Message could not be delivered for too long Message will be deleted from queue'],
  ['could-not-deliver-last', 24, 'could not deliver for', 'Could not deliver for the last 432000 seconds. Giving up.'],
  ['failing-long-time', 24, 'failing for a long time', 'all hosts have been failing for a long time and were last tried after this message arrived'],
  ['retry-timeout', 24, 'retry timeout exceeded', 'retry timeout exceeded'],
  ['unable-after', 24, 'unable to deliver this message after', 'unable to deliver this message after 1 day'],
  ['', 24, 'giving up', '421 4.4.2 Connection dropped; giving up on this message'],
  ['', 24, 'delivery time expired', '554 5.4.7 Delivery time expired'],
  ['', 24, 'after a long failure period', 'retry time not reached for any host after a long failure period'],
  ['', 24, 'message expired', '554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>'],

  // --- Authentication / DNS checks on the sender (any MTA) ---
  ['', 50, 'dmarc policy', '550 5.7.1 Email rejected per DMARC policy for example.com'],
  ['spf-fail', 50, 'fails to pass spf', 'The MAIL FROM domain [example.com] has an SPF record with a hard fail policy (-all) but it fails to pass SPF checks with the ip: [192.0.2.1]'],
  ['', 50, 'spf check failed', '550 5.7.23 SPF check failed for example.com'],
  ['rdns-required', 50, 'reverse dns', '571 No PTR Record found. Reverse DNS required: 192.0.2.1'],
  ['ip-name-lookup', 50, 'ip name lookup failed', '450 4.7.1 Access denied. IP name lookup failed [192.0.2.1]'],
  ['ptr-missing', 50, 'no ptr record', '550 5.7.25 No PTR record found for 192.0.2.1'],
  ['client-ip-mismatch', 50, 'mismatches client ip', '550 domain [example.com] mismatches client ip 192.0.2.1.'],
  ['sender-domain-missing', 50, 'domain of sender address|does not exist', '553 5.1.8 <root@host.example>... Domain of sender address root@host.example does not exist'],

  // --- Greylisting: a deferral by design, whatever block list or reputation wording comes with it ---
  ['greylisted', 70, 'greylist', '450 4.2.0 <nobody@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html'],
  // --- A failed sender verification (a callout): the sender is refused, whatever the reply guesses
  // about why ("they may be blacklisted") ---
  ['', 50, 'sender verify failed', '550-Verification failed for <bounce@example.com> 550 Sender verify failed'],
  // --- Block lists and reputation (any MTA) ---
  // The sending platform stopped because the address bounced as invalid before: the address is what
  // a handler must stop sending to (10, action suppress), as an ESP's own suppression after a hard
  // bounce is labelled; a bare "on the suppression list" names no reason and stays the platform's
  // policy (25).
  ['amazonses-suppressed', 10, 'suppressed sending to this address', 'Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.'],
  ['suppression-list', 25, 'on the suppression list', '550 5.1.1 The address is on the suppression list of the sending account'],
  ['exchange-address-not-found', 10, "address you entered couldn't be found", "The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message."],
  ['apple-inactive-address', 10, 'inactive email address', '550 5.1.1 <nobody@icloud.com>: inactive email address'],
  ['googlegroups-permission', 50, 'permission to post', 'The group you tried to contact (example) may not exist, or you may not have permission to post messages to the group.'],
  ['qmail-sender-rejected', 50, 'but sender was rejected', 'Connected to 192.0.2.225 but sender was rejected. Remote host said: 550 rejected'],
  ['qmail-name-rejected', 50, 'but my name was rejected', 'Connected to 192.0.2.1 but my name was rejected. Remote host said: 550 go away'],
  ['qmail-not-local', 20, 'best-preference mx', "Sorry. Although I'm listed as a best-preference MX or A for that host, it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)"],
  ['exim-mx-local-host', 20, 'points to local host', 'lowest numbered MX record points to local host'],
  ['exim-mx-nonexistent', 21, 'point to non-existent hosts', 'all relevant MX records point to non-existent hosts'],
  ['', 21, 'no mx found', 'Permanent failure for: No MX found for domain example.invalid'],
  ['sendmail-cannot-send', 24, 'cannot send message for', 'Cannot send message for 5 days'],
  ['dnsbl-blocked-using', 51, 'blocked using', '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1'],
  ['', 51, 'spammer', '553 5.7.1 Client host rejected: Your IP identified as spammer'],
  // the sending party (its IP, host or account) named as a source of spam: its reputation, not the content
  ['', 51, 'spam source', '550 5.7.1 Rejected: your host is a known spam source'],
  ['', 51, 'source of spam', '554 5.7.1 192.0.2.1 has been identified as a source of spam'],
  ['', 51, 'spam sender', '550 5.7.1 Suspected spam sender'],
  ['', 51, 'spam ip', '550 Rejected: your address is a known spam IP'],
  ['', 51, 'spam host', '550 Rejected: spam host'],
  ['suspended-for-abuse', 51, 'due to abuse', '550 5.7.0 The sending account has been suspended due to abuse'],
  // spam named as what the sender did ("under investigation for spam abuse", "spamming"): the sender's behaviour
  ['', 51, 'spam abuse', '554 Access denied - Under investigation for spam abuse'],
  ['', 51, 'spamming', '550 Your host has been spamming our users'],
  ['', 51, 'black list', '550 Rejected because 192.0.2.1 is in a black list at example.net'],
  ['', 51, 'spamhaus', '550 5.7.1 Rejected: 192.0.2.1 listed at zen.spamhaus.org'],
  ['', 51, 'spamcop', '554 5.7.1 Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.1'],
  ['', 51, 'blacklisted', '"Sorry, you are sending to/from an address that has been blacklisted"'],
  ['', 51, 'blocklisted', '554 5.7.1 Your IP 192.0.2.1 is blocklisted'],
  ['listed-in-rbl', 51, 'rbl', '550 5.7.1 Mail from 192.0.2.1 refused by RBL'],
  ['bad-reputation', 51, 'reputation', '550 5.7.1 Connection rejected due to bad reputation of the sending IP'],
  ['', 51, 'user complaints', '421 Messages from 192.0.2.1 temporarily deferred due to user complaints'],

  // --- Loops and hop counts (RFC 3463 X.4.6): a fault of the routing. They come before the content
  // rules: a looping message's headers (an anti-spam disclaimer header) do not rename it ---
  ['', 40, 'too many received', '554 Too many Received headers'],
  ['', 40, 'too many hops', '554 5.4.6 Too many hops'],
  ['mail-loop', 40, 'loops back to myself', 'mail for example.com loops back to myself'],
  ['', 40, 'routing loop', '554 5.4.6 Routing loop detected'],
  ['mail-loop-detected', 40, 'loop detect', '554 5.4.6 Mail loop detected'],
  ['suspected-mail-loop', 40, 'mail loop', 'Too many "Received" headers - suspected mail loop'],
  ['message-looping', 40, 'message is looping', 'This message is looping: it already has my Delivered-To line. (#5.4.6)'],
  ['', 40, 'looped', '554 5.4.6 Message looped too many times'],
  ['', 40, 'too many delivered-to', '554 Too many Delivered-To headers'],

  // --- Content ---
  ['exim-administrative-prohibition', 50, 'administrative prohibition', '550 Administrative prohibition'],
  ['sender-not-allowed', 50, 'sender is not allowed', '550 5.7.1 Sender is not allowed to send to this address'],
  ['', 51, 'dnsbl', '554 5.7.1 Rejected because 192.0.2.1 is in a DNSBL'],
  ['', 51, 'blacklist', '550 5.7.1 Your IP is on our blacklist'],
  ['', 51, 'blocklist', '554 Rejected: IP on blocklist'],
  ['', 51, 'block list', '550 5.7.1 Sending host is on a block list'],
  ['', 51, 'uceprotect', '550 5.7.1 Your IP 192.0.2.1 is listed in UCEPROTECT-Level1'],
  ['', 51, 'sorbs', '554 5.7.1 Rejected: listed at SORBS, see http://www.sorbs.net/lookup.shtml?192.0.2.1'],
  ['', 51, 'dynamic ip', '550 5.7.1 Mail from dynamic IP ranges is not accepted'],
  ['', 51, 'residential', '550 5.7.1 Residential IP addresses are not allowed to send mail here'],
  ['', 51, 'banned', '554 5.7.1 Your IP address has been banned'],
  ['', 51, 'listed at', '550 5.7.1 Rejected: 192.0.2.1 listed at bl.example.net'],
  ['listed-in', 51, 'is listed in', '554 Refused. Your IP address is listed in a block zone at bl.example.net'],
  ['listed-on', 51, 'is listed on', '550 The sending IP (192.0.2.1) is listed on bl.example.net'],
  ['listed-by', 51, 'is listed by', '550 5.5.4 Your IP 192.0.2.1 is listed by an abuse list'],
  ['access-to-mail-system', 50, 'access to this mail system', '554 Your access to this mail system has been rejected due to a policy decision'],
  ['', 50, 'invalid sender', '553 5.1.7 Invalid sender address'],
  ['', 50, 'bad sender', '553 5.1.7 Bad sender address syntax'],
  ['', 50, 'sender domain', '550 5.7.1 Sender domain is not allowed'],
  ['', 50, 'authentication failed', '535 5.7.8 Authentication failed'],
  // --- The sending account flagged as a spam source (Outlook.com's OutboundSpamException): the
  // sender's reputation, not the message's content, before "spam" reads as content ---
  ['outbound-spam-exception', 51, 'outboundspam', '554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception'],
  ['', 51, 'outbound spam', '550 5.7.1 Message refused: the sending account is blocked for outbound spam'],
  // --- A sender verification callout that failed (Exim): the sender's domain refuses the test, so the
  // sender is refused (50), whatever the reply says about fighting spam ---
  ['callout-failed', 50, 'callback setup failed', '550-Callback setup failed while verifying <user@example.com>'],
  // --- Trend Micro Email Security: the recipient's domain is not one the service hosts, a relay refusal ---
  ['trendmicro-no-domain', 54, 'address rejected: no-domain', '554 5.7.1 <user@example.com>: Recipient address rejected: NO-DOMAIN.'],
  // --- Rejections that blame the sending side (they win over the wording that follows them) ---
  ['', 50, 'client host rejected', '450 4.7.1 <client.example.net[192.0.2.56]>: Client host rejected: cannot find your hostname'],
  ['', 50, 'sender address rejected', '501 5.1.8 Sender address rejected'],
  ['helo-rejected', 50, 'helo command rejected', '504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname'],
  ['', 53, 'virus', '554 5.7.1 Message rejected: virus found (Eicar-Test-Signature)'],
  ['', 53, 'malware', '550 5.7.1 Message rejected: malware detected'],
  ['', 53, 'attachment', '552 5.3.4 Message rejected: prohibited attachment type (.exe)'],
  ['', 53, 'infected', '554 5.7.1 Message rejected: infected file detected'],
  ['', 53, 'trojan', '554 5.7.1 Message contains a trojan'],
  ['junk', 52, 'junk mail', '550 5.7.1 Message rejected as junk mail'],
  ['', 52, 'unsolicited', '550 5.7.1 Message refused as unsolicited bulk mail'],
  ['', 52, 'bulk mail', '550 Bulk mail is not accepted'],
  ['', 52, 'phishing', '554 5.7.1 Message rejected: phishing detected'],
  ['', 53, 'executable', '554 5.7.1 Message contains an executable file, rejected'],
  ['', 52, 'spam', '554 5.7.0 Reject, id=12345-01 - SPAM'],
  ['', 52, 'content rejected', '550 5.7.1 Message content rejected'],
  ['', 50, 'message filtered', '550 5.2.0 Message Filtered'],
  ['', 52, 'content filter', '554 5.7.1 Message rejected by content filter'],
  ['improper-8bit', 40, 'improper use of 8-bit data', '550 5.6.9 improper use of 8-bit data in message header'],
  ['', 40, 'headers too large', '552 5.6.0 Headers too large (32768 max)'],
  ['', 40, 'duplicate header', "554 Transaction failed: Duplicate header 'DKIM-Signature'."],
  ['', 40, 'line too long', '500 5.5.0 Line too long'],
  ['not-rfc-compliant', 40, 'rfc 5322', '550 5.7.1 Message not RFC 5322 compliant'],
  ['', 50, 'authentication required', '530 5.7.0 Authentication required'],
  ['must-authenticate', 50, 'must be authenticated', '550 5.7.1 Client must be authenticated'],
  // Microsoft's "sender was not authenticated" family (5.7.12, 5.7.13, 5.7.133-136): the recipient
  // accepts mail from inside its organization only, a refusal of the sender
  ['', 50, 'not authenticated', '550 5.7.134 Sender was not authenticated for mailbox'],
  ['', 50, 'tls required', '530 5.7.0 Must issue a STARTTLS command first: TLS required'],
  ['', 50, 'encryption required', '550 5.7.10 Encryption required for this recipient'],

  // --- Relaying ---
  ['', 50, 'local policy', '550 5.7.1 Rejected by local policy'],
  ['', 50, 'denied by policy', '550 5.7.1 Recipient denied by policy'],
  ['', 50, 'policy reasons', '554 5.7.1 Message refused for policy reasons'],
  ['', 54, 'relay not allowed', '550 5.7.1 Relay not allowed'],
  ['', 54, 'not allowed to relay', '550 5.7.1 Client is not allowed to relay'],
  ['', 54, 'relay access denied', '554 5.7.1 <nobody@example.org>: Relay access denied'],
  ['', 54, 'relaying denied', '550 5.7.1 <nobody@example.org>... Relaying denied'],
  ['', 54, 'relay not permitted', '550 relay not permitted'],
  ['', 54, 'not permitted to relay', '550 5.7.1 Not permitted to relay through this server'],
  ['', 54, 'relaying not allowed', '550 5.7.1 Relaying not allowed'],
  ['', 54, 'relay denied', '550 5.7.1 Relay denied'],
  ['', 54, 'we do not relay', '553 sorry, that domain isn\'t in my list of allowed rcpthosts; we do not relay'],
  ['rcpthosts', 54, "isn't in my list of allowed rcpthosts", "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"],
  ['relaying-generic', 54, 'relaying', '550 5.7.1 Relaying mail to example.org is not allowed'],

  // --- The sender's own volume: a sending quota or limit is a rate limit, not a full mailbox ---
  ['', 70, 'sending quota', '550 Sending quota exceeded'],
  ['', 70, 'message limit', '550 Daily message limit exceeded'],
  ['', 70, 'limit for sending', '550 You have reached a limit for sending mail'],
  // --- Mailbox full / storage ---
  ['', 22, 'exceeded storage allocation', '552 Requested mail action aborted: exceeded storage allocation'],
  ['', 22, 'not enough space', '452 4.2.2 Not enough space in mailbox'],
  ['', 22, 'mailbox has exceeded', '552 5.2.2 The mailbox has exceeded the limit'],
  ['', 22, 'insufficient system storage', '452 4.3.1 Insufficient system storage'],
  ['', 22, 'insufficient storage', '452 4.2.2 Insufficient storage for this mailbox'],
  ['', 22, 'exceeds quota', '552 5.2.2 Mailbox exceeds quota'],
  ['', 22, 'over its quota', '552 5.2.2 Mailbox is over its quota'],
  ['', 22, 'disk quota', '552 Disk quota exceeded'],
  ['', 22, 'full mailbox', '452 Full mailbox, try again later'],
  ['', 22, 'quota full', '452 4.2.2 Quota full'],
  ['', 22, 'mailbox full', '552 5.2.2 <nobody@example.com>... Mailbox Full'],
  ['', 22, 'mailbox size limit', '552 5.2.2 nobody@example.com: mailbox size limit exceeded'],
  ['', 22, 'over quota', '522 5.2.0 Delivery failed: Over quota'],
  ['', 22, 'quota exceeded', '452 4.2.2 Quota exceeded (mailbox for user is full)'],
  ['quota-exceeded-2', 22, 'exceeded|quota', '552 5.2.2 User has exceeded their storage quota'],
  ['mailfolder-full', 22, 'mailfolder is full', "The e-mail message could not be delivered because the user's mailfolder is full."],
  ['mailbox-exceeds-size', 22, 'mailbox exceeds', 'User mailbox exceeds allowed size: nobody@example.com'],
  ['', 22, 'disk space', '452 4.4.5 Insufficient disk space; try again later'],
  ['messages-in-mailbox', 22, "number of messages in recipient's mailbox", "The number of messages in recipient's mailbox exceeded the local limit."],
  ['', 22, 'out of storage', '452 4.2.2 The recipient\'s inbox is out of storage space'],
  ['', 22, 'storage quota', 'Technical details of permanent failure: the storage quota of the recipient has been reached'],

  // --- Too large ---
  ['recipient-size-limit', 23, 'too large for this recipient', '552 5.2.3 Message too large for this recipient'],
  ['', 23, 'maximum message size', '552 5.3.4 Message exceeds maximum message size'],
  ['max-size-allowed', 23, 'maximum allowed size', '552 5.3.4 Message exceeds the maximum allowed size'],
  ['message-file-too-big', 23, 'file too big', '552 Message file too big'],
  ['quota-generic', 22, 'quota', '552 5.2.2 Message would exceed the quota of the recipient'],
  ['message-too-large', 23, 'too large', '552 5.3.4 Message too large'],
  ['message-too-big', 23, 'too big', '552 5.3.4 Message too big for system'],
  ['', 23, 'size exceeds', '552 5.3.4 Message size exceeds fixed limit'],
  ['', 23, 'exceeds size limit', '552 Message exceeds size limit'],
  ['message-length', 23, 'message length exceeds', '552 5.2.3 Message length exceeds administrative limit'],

  // --- Rate and volume ---
  ['', 70, 'too many messages', '421 4.7.0 Too many messages from your IP, slow down'],
  ['', 70, 'sending limit', '550 5.4.5 Daily sending limit exceeded'],
  ['', 70, 'too many concurrent', '421 4.7.0 Too many concurrent SMTP connections'],
  ['', 70, 'connection limit', '421 4.7.0 Connection limit reached'],
  ['', 70, 'too many sessions', '421 Too many sessions from your host'],
  ['', 23, 'size limit', '552 5.3.4 Message exceeds the size limit'],
  ['throttled', 70, 'throttl', '421 4.7.0 Sending IP is being throttled, try later'],
  ['', 70, 'slow down', '421 4.7.0 Please slow down'],
  ['', 20, 'too many recipients', '452 4.5.3 Too many recipients'],
  ['temporarily-locked', 20, 'temporary locked', '550 5.7.1 <nobody@example.com>: Recipient address rejected: User nobody@example.com temporary locked. Please try again later!'],
  ['', 70, 'rate limit', '452 4.3.2 Connection rate limit exceeded.'],
  ['', 70, 'too many connections', '421 4.7.0 Too many connections from your host'],
  ['', 70, 'try again later', '451 4.3.0 Temporary local problem - please try again later'],

  // --- Invalid recipient (generic MTA wording: Postfix, Exim, Sendmail, qmail, Exchange, Domino) ---
  ['', 10, 'no forwarding address', '551 5.1.6 User not local, no forwarding address'],
  ['account-disabled-2', 10, 'account disabled', '550 5.2.1 Account disabled'],
  ['', 20, 'temporarily disabled', '450 4.2.1 Mailbox temporarily disabled'],
  ['', 10, 'address syntax', '553 5.1.3 Bad recipient address syntax'],
  ['', 10, 'mailbox syntax', '553 5.1.3 Recipient mailbox syntax is wrong'],
  ['', 10, 'has moved', '550 5.1.6 Recipient has moved to a new address'],
  ['account-suspended', 10, 'account has been suspended', '550 5.2.1 This account has been suspended'],
  ['account-suspended-2', 10, 'account suspended', '550 5.2.1 Account suspended'],
  ['mailbox-suspended', 10, 'mailbox is suspended', '550 5.2.1 Mailbox is suspended'],
  ['mailbox-inactive', 10, 'mailbox is inactive', '550 5.2.1 Mailbox is inactive'],
  ['account-expired', 10, 'account has expired', '550 5.2.1 The account has expired'],
  ['', 10, 'not a valid recipient', '554 delivery error: dd Not a valid recipient - atlas315.free.mail.ne1.yahoo.com'],
  ['', 10, 'mailbox name not allowed', '553 Requested action not taken: mailbox name not allowed'],
  ['', 10, 'user not local', '551 User not local; please try <nobody@example.org>'],
  ['boite-pleine', 22, 'pleine', '552 5.1.1 Boite du destinataire pleine. OFR_417 [417]'],
  ['de-user-unknown', 10, 'benutzer unbekannt', '550 5.1.1 Benutzer unbekannt'],
  ['de-recipient-unknown', 10, 'empfänger unbekannt', '550 5.1.1 Empfänger unbekannt'],
  ['de-mailbox-full', 22, 'postfach voll', '552 5.2.2 Postfach voll'],
  ['fr-user-unknown', 10, 'utilisateur inconnu', '550 5.1.1 Utilisateur inconnu'],
  ['fr-address-unknown', 10, 'adresse inconnue', '550 5.1.1 Adresse inconnue'],
  ['es-user-unknown', 10, 'usuario desconocido', '550 5.1.1 Usuario desconocido'],
  ['es-mailbox-full', 22, 'buzón lleno', '552 5.2.2 Buzón lleno'],
  ['pt-user-unknown', 10, 'usuário desconhecido', '550 5.1.1 Usuário desconhecido'],
  ['it-user-unknown', 10, 'utente sconosciuto', '550 5.1.1 Utente sconosciuto'],
  ['it-mailbox-full', 22, 'casella piena', '552 5.2.2 Casella piena'],
  ['ru-user-not-found', 10, 'пользователь не найден', '550 5.1.1 Пользователь не найден'],
  ['', 10, 'user unknown', '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table'],
  ['', 10, 'unknown user', '550 Unknown user nobody@example.com'],
  ['', 10, 'no such user', '550 Requested action not taken: no such user here'],
  ['', 10, 'user not found', '550 5.1.1 User not found'],
  ['', 10, 'unknown recipient', '550 5.1.1 Unknown recipient'],
  ['', 10, 'recipient unknown', '550 5.1.1 <nobody@example.com>: Recipient unknown'],
  ['', 10, 'invalid recipient', '553 Invalid recipient nobody@example.org (Mode: normal)'],
  ['', 10, 'recipient not found', '550 5.1.1 Recipient not found'],
  ['', 10, 'mailbox not found', '550 Requested User Mailbox not found.'],
  ['', 10, 'mailbox does not exist', '550 5.1.1 Mailbox does not exist'],
  ['', 10, 'user not exist', '550 <nobody@example.co.jp>... User not exist'],
  ['', 10, 'no such mailbox', '550 5.1.1 No such mailbox'],
  ['qmail-no-mailbox', 10, 'no mailbox here by that name', '550 sorry, no mailbox here by that name (#5.1.1 - chkusr)'],
  ['exim-unrouteable', 10, 'unrouteable address', 'Unrouteable address'],
  ['', 10, 'no longer on server', '550 5.1.6 recipient no longer on server: nobody@example.com'],
  ['', 10, 'disabled recipient', '525 5.7.13 Disabled recipient address'],
  ['account-disabled', 10, 'account is disabled', "The user(s) account is disabled."],
  ['', 10, 'account has been disabled', 'Sorry your message to nobody@example.com cannot be delivered. This account has been disabled or discontinued [#102].'],
  ['account-locked', 10, 'account is locked', 'vdelivermail: account is locked email bounced nobody@example.com'],
  ['account-inactive', 10, 'account is inactive', '550 5.2.1 This account is inactive'],
  ['', 10, 'mailbox disabled', '550 5.2.1 Mailbox disabled, not accepting messages'],
  ['', 10, 'no such address', '550 5.1.1 No such address'],
  ['', 10, 'address unknown', '550 5.1.1 Address unknown'],
  ['', 10, 'addressee unknown', '550 Addressee unknown, relay=mx.example.com'],
  ['', 10, 'unknown address', '550 5.1.1 Unknown address error'],
  ['', 10, 'invalid address', '550 5.1.1 Invalid address'],
  ['', 10, 'invalid user', '550 5.1.1 Invalid user'],
  ['', 10, 'not a valid user', '550 nobody is not a valid user'],
  ['', 10, 'no such account', '550 5.1.1 No such account'],
  ['', 10, 'account does not exist', '550 5.1.1 This account does not exist'],
  ['user-does-not-exist-2', 10, "user doesn't exist", "550 5.1.1 User doesn't exist: nobody@example.com"],
  ['', 10, 'recipient does not exist', '550 5.1.1 Recipient does not exist here'],
  ['unknown-local-part', 10, 'unknown local', '550 5.1.1 Unknown local part nobody in <nobody@example.com>'],
  ['', 10, 'bad recipient', '550 5.1.1 Bad recipient address'],
  ['', 10, 'undeliverable address', '550 5.1.1 <nobody@example.com>: Recipient address rejected: undeliverable address: host mx.example.com said: 550 5.1.1 unknown'],
  ['', 10, 'mailbox not available', '550 5.1.1 Mailbox not available'],
  ['no-account-by-name', 10, 'no account by that name', '550 No account by that name here'],
  ['illegal-alias', 10, 'unknown or illegal alias', '550 5.1.1 unknown or illegal alias: nobody@example.com'],
  ['', 10, 'user is unknown', '550 5.1.1 The user is unknown'],
  ['not-our-user', 10, 'is not a known user', '550 nobody@example.com is not a known user'],
  ['', 10, 'no mailbox', '550 5.1.1 No mailbox for this address'],

  // --- Domain / DNS ---
  ['', 21, 'unknown domain', '550 5.1.2 Unknown domain example.invalid'],
  ['domain-not-found-2', 21, 'domain not found', '550 5.1.2 Domain not found'],
  ['name-not-known', 21, 'name or service not known', 'Name or service not known'],
  ['', 21, 'temporary lookup failure', '451 4.3.0 <nobody@example.com>: Temporary lookup failure'],
  ['', 21, 'unknown host', '550 5.1.2 Unknown host example.invalid'],
  ['', 21, 'no such host', 'dial tcp: lookup mx.example.invalid: no such host'],
  ['unrouteable-domain', 21, 'unrouteable mail domain', '550 Unrouteable mail domain "example.invalid"'],
  ['', 21, 'null mx', '556 5.1.10 Recipient address has null MX'],
  ['network-unreachable', 24, 'network is unreachable', 'connect to mx.example.com[2001:db8::1]:25: Network is unreachable'],
  ['host-unreachable', 24, 'host is unreachable', 'connect to mx.example.com[192.0.2.1]:25: Host is unreachable'],
  ['', 21, 'host unknown', '550 5.1.2 <nobody@example.org>... Host unknown (Name server: mx.example.org: no data known)'],
  ['', 21, 'host not found', 'Host or domain name not found. Name service error for name=example.org type=A: Host not found'],
  ['domain-not-found', 21, 'domain name not found', "DNS Error: 12345 DNS type 'mx' lookup of example.invalid responded with code NXDOMAIN Domain name not found: example.invalid"],
  ['', 21, 'domain does not exist', 'Domain does not exist'],
  ['', 21, 'no such domain', 'No such domain.'],
  ['', 21, 'name service error', 'Name service error for name=example.org type=MX: Malformed or unexpected name server reply'],
  ['', 21, 'dns lookup failure', 'DNS lookup failure: host mx.example.org not found'],
  ['no-mail-exchanger', 21, "couldn't find a mail exchanger", "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)"],
  ['qmail-no-host', 21, "couldn't find any host named", "Sorry, I couldn't find any host named example.invalid. (#5.1.2)"],
  ['no-smtp-service', 21, 'indicated no smtp service', 'an MX or SRV record indicated no SMTP service'],
  ['does-not-receive-email', 21, "doesn't receive email", "DNS Error: DNS type 'mx' lookup of example.org responded with code NOERROR The domain example.org doesn't receive email according to the administrator: returned a record with no host"],
  ['', 21, 'does not accept email', '556 5.1.10 The domain example.org does not accept email'],
  ['', 21, 'accepts no mail', '556 Domain accepts no mail'],
  ['', 21, 'does not accept mail', '550 Host does not accept mail'],
  ['', 24, 'no route to host', 'connect to mx.example.com[192.0.2.2]:25: No route to host'],

  // --- Timeouts and expiry ---
  ['', 10, 'does not exist', '550 5.1.1 nobody@example.com does not exist'],
  ['', 24, 'connection refused', 'connect to mx.example.com[192.0.2.1]:25: Connection refused'],
  ['', 24, 'connection reset', 'lost connection with mx.example.com[192.0.2.1] while sending RCPT TO: Connection reset by peer'],
  ['', 24, 'lost connection', 'lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting'],
  ['', 24, 'timed out', 'connect to mx.example.jp[192.0.2.79]:25: Connection timed out'],
  ['envelope-expired', 24, 'expired', 'Envelope expired'],
  ['delivery-delayed', 24, 'has been delayed', 'Delivery to the following recipient has been delayed: Message will be retried for 2 more day(s)'],
  ['', 24, 'not reachable', '[Status: Error, Address: <nobody@example.co.jp>, ResponseCode 421, , Host not reachable.]'],
  ['failed-attempts', 24, 'delivery failed|attempts', 'Delivery failed 20 attempts: nobody@example.com'],
  ['', 24, 'timeout', 'SMTP session timeout while talking to mx.example.com'],
  ['no-answer', 24, 'no answer from host', '421 4.4.1 No answer from host'],

  // --- Mailer and system errors ---
  ['', 40, 'command died', 'Command died with status 1: "/usr/bin/procmail"'],
  ['unrecognized-command', 40, 'command unrecognized', '500 5.5.1 Command unrecognized'],
  ['unrecognized-command-2', 40, 'unrecognized command', '500 5.5.2 Error: unrecognized command'],
  ['bad-sequence', 40, 'bad sequence of commands', '503 5.5.1 Bad sequence of commands'],
  ['local-error', 40, 'local error in processing', '451 4.3.0 Requested action aborted: local error in processing'],
  ['', 70, 'temporary local problem', '451 4.3.0 Temporary local problem - please try later'],
  ['', 40, 'server error', '451 Temporary server error'],
  ['', 40, 'local configuration error', '554 5.3.5 Local configuration error'],
  ['', 40, 'data format error', '554 5.6.0 Data format error'],
  ['', 40, 'exit status', 'procmail: exit status 75'],
  ['', 40, 'mailer error', '554 5.3.0 unknown mailer error 255'],
  ['', 40, 'pipe to |', 'pipe to |/usr/local/bin/procmail nobody@example.com'],
  ['', 40, 'operating system error', '451 4.0.0 Operating system error'],
  ['internal-error', 40, 'internal system error', '550 5.3.5 <nobody@example.org>... Internal System Error'],
  ['queue-file-write', 40, 'queue file write error', '451 4.3.0 Error: queue file write error'],
  ['', 40, 'syntax error', '501 5.5.2 Syntax error in parameters or arguments'],
  ['', 40, 'not implemented', '504 Command parameter not implemented'],
  ['', 40, 'malformed address', ': malformed address: <nobody@example.net> may not follow nobody@example.com'],
  ['internal-error-2', 40, 'internal error', '451 4.3.0 Internal error'],
  ['', 40, 'system error', '451 4.3.0 System error'],
  ['service-unavailable', 70, 'service currently unavailable', '554 Service currently unavailable'],

  // --- Connection-level and sender-level refusals ---
  ['refused-to-talk', 50, 'refused to talk to me', 'host mx.example.net[192.0.2.127] refused to talk to me: 421 Service not available, closing transmission channel'],
  ['', 50, 'not accepting connections', '554 mx.example.com ESMTP not accepting connections'],
  ['', 50, 'blocked', '554 5.7.1 Message blocked'],

  // --- Auto-replies and challenge-response ---
  ['', 60, 'auto-reply', 'This is an auto-reply: I am out of the office until Monday.'],
  ['', 60, 'out of office', 'Out of Office: I am away until Monday.'],
  ['', 60, 'automatic reply', 'Automatic reply: away'],
  ['', 100, 'challenge-response', 'This is a challenge-response message: please verify that you are a human'],
  ['verify-sender', 100, 'please verify your email address', 'Please verify your email address by clicking the link below so that your message is delivered.'],
  // --- Last-resort generic wording (below everything more specific; a specific enhanced code wins over these) ---
  [GENERIC_START, 0, '', ''],
  ['', 50, 'policy violation', '554 Email policy violation detected'],
  // a protocol violation names no reason either: a refusal in a 5xx reply, a deferral in a 4xx one
  ['', 50, 'protocol violation', '550 Protocol violation'],
  ['exchange-restriction', 50, 'resolver.rst.', '550 5.7.124 RESOLVER.RST.SenderNotAllowed; sender not in the allowed senders list'],
  ['', 50, 'message rejected', '550 5.7.1 Message rejected. See https://support.google.com/mail/answer/69585 for more information.'],
  ['', 10, 'address rejected', '550 #5.1.0 Address rejected.'],
  ['', 10, 'inactive', '550 5.2.1 Recipient inactive'],
  ['delivery-not-within', 24, 'not delivered within', 'The message was not delivered within the allowed time'],
  ['', 50, 'policy', '550 5.7.1 Refused by policy'],
  ['', 50, 'access denied', '550 <root@example.jp>... Access denied'],
  ['', 10, 'recipient rejected', '550 Recipient rejected'],
  ['', 50, 'sender address', '553 Sender address is not permitted'],
  ['', 50, 'starttls', '530 5.7.0 Must issue a STARTTLS command first'],
  ['', 70, 'too many', '421 4.7.0 Too many errors, closing connection'],
  ['', 70, 'temporarily unavailable', '451 4.3.2 Resources temporarily unavailable'],
  ['', 40, 'syntax', '501 5.5.4 Invalid parameter syntax'],
  ['gmx-mailbox-unavailable', 10, 'mailbox unavailable', '550 Requested action not taken: mailbox unavailable'],
  ['au-recipients-rejected', 10, 'following recipients was rejected by a remote mail server', 'Each of the following recipients was rejected by a remote mail server.'],
  ['check-address-correct', 10, 'check if address is correct', 'Unable to deliver message to <nobody@example.jp> (and other recipients in the same domain). Please check if address is correct.'],
  ['', 30, 'no valid recipients', '554 5.5.1 Error: no valid recipients'],
  // RFC 3464 diagnostic type of a local delivery agent's failure (Postfix local(8), Sendmail prog mailer).
  ['x-unix-diagnostic', 40, 'x-unix;', 'X-Unix; mailbox delivery failed'],
  // the local MTA's report of a connection attempt, whatever the system error after it (last: any
  // other phrase says more)
  ['', 24, 'connect to', 'connect to mx.example.com[192.0.2.1]:25: Cannot assign requested address'],
] as R[]).map(([name, id, pattern, example]) => [name === '' ? slug(pattern) : name, id, pattern, example]);

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
  DATA.filter(([name]) => name !== GENERIC_START).map(([name, id, pattern, example]) => Object.freeze({ name, id, pattern, example })),
);

/**
 * @internal Built-in rules whose wording is the local MTA's account of a connection failure
 * (refused, reset, lost, timed out, unreachable). When the text carries a permanent (5xx) reply
 * code, the remote server was reached and answered: the codes decide, not these words.
 */
export const CONNECTION_RULE_NAMES: ReadonlySet<string> = new Set([
  'connection-refused', 'connection-reset', 'lost-connection', 'timed-out', 'no-route-to-host', 'network-unreachable', 'host-unreachable', 'not-reachable', 'connect-to',
]);

/**
 * @internal Built-in rules whose wording is the local MTA's account of a message that waited too long
 * (expired, timed out). Under a security or policy code (X.7.x) the remote server answered, so the
 * codes decide.
 */
export const EXPIRY_RULE_NAMES: ReadonlySet<string> = new Set(['envelope-expired', 'message-expired', 'delivery-time-expired', 'timeout', 'delivery-delayed', 'delivery-not-within']);

/**
 * @internal Built-in rules that say only that an answer is temporary ("try again later"), with no
 * reason: a full mailbox, a size or a loop word beside one of them says why (the labelling guide's
 * rules 3 to 5 come before its rule 6).
 */
export const DEFERRAL_RULE_NAMES: ReadonlySet<string> = new Set(['try-again-later', 'temporary-local-problem', 'temporarily-unavailable']);

/**
 * @internal Names of the generic built-in rules (one or two common words such as `policy` or
 * `message rejected`): when one of them decides, a specific enhanced status code in the same reply
 * (a registered `X.subject.detail` other than `X.n.0`, naming a specific class) wins over it.
 */
export const GENERIC_RULE_NAMES: ReadonlySet<string> = new Set(
  DATA.slice(DATA.findIndex(([name]) => name === GENERIC_START) + 1).map(([name]) => name),
);
