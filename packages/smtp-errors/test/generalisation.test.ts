import { describe, expect, it } from 'vitest';
import { actionFor, classify, createClassifier } from '../src/index.js';
import { evaluateProviders, labellerAgreement, loadProviderRows, loadSecondLabels, loadTextOnlyLabels, textOnlyAgreement } from './provider-eval.js';

describe('the reply class is read into the decision', () => {
  it('"try later" and "try again later" land in the same class', () => {
    expect(classify('421 4.7.0 try later').id).toBe(70);
    expect(classify('421 4.7.0 try again later').id).toBe(70);
  });

  it('a temporary reply decided by codes or generic wording is a transient failure', () => {
    expect(classify('450 4.2.1 user is receiving mail too quickly').id).toBe(70);
    expect(classify('451 4.7.1 rejected by policy').id).toBe(70);
    expect(classify('550 5.7.1 rejected by policy').id).toBe(50);
  });

  it('a temporary reply that names a block list or a mailbox keeps its specific class', () => {
    expect(classify('452 4.2.2 mailbox full').id).toBe(22);
    expect(classify('421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints').id).toBe(51);
  });
});

describe('a word of a block family in a temporary reply names a deferral (the guide\'s 4xx rule)', () => {
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  it.each([
    ['421 4.7.0 Mail from 198.51.100.42 deferred: too many complaints from our users', 70, 51],
    ['450 Sending host is listed on a DNS blacklist, come back later', 70, 51],
    ['451 4.7.1 Message held back: looks like spam, resubmit later', 70, 52],
    ['452 Relay temporarily refused for this client', 70, 54],
  ])('%s -> %i (and %i in a 5xx reply)', (text, temporary, permanent) => {
    expect(bare.classify(text)).toMatchObject({ id: temporary, rule: { kind: 'keyword' } });
    expect(bare.classify(text.replace(/^4(\d\d)( 4\.)?/, (_m, d: string, e?: string) => `5${d}${e ? ' 5.' : ''}`)).id).toBe(permanent);
  });

  it('reads like a provider code of the same meaning in a 4xx reply', () => {
    const own = createClassifier({ builtinRules: false, providerCodes: [{ code: 'RPX-17', provider: 'example', id: 51 }] });
    expect(own.classify('421 RPX-17 deferred').id).toBe(70);
    expect(bare.classify('421 deferred: poor sender reputation').id).toBe(70);
  });
});

describe('families, not phrases', () => {
  it.each([
    ['554 5.4.6 Too many hops 26 (25 max)', 40],
    ['mail forwarding loop for user@example.org', 40],
    ['554 5.4.14 Hop count exceeded - possible mail loop', 40],
  ])('loops and hop counts are generic bounces: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['550 Benutzer nicht bekannt', 10],
    ['550 utilisateur inconnu', 10],
    ['550 usuario desconocido', 10],
    ['550 пользователь не найден', 10],
    ['该用户不存在', 10],
    ['收件人空间不足', 22],
    ['552 Postfach voll', 22],
    ['450 Bitte später erneut versuchen', 70],
  ])('word families in several languages: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('a bare 5xx with a word of the block family says which refusal', () => {
    expect(classify('554 rbl deny, listed on a blocklist').id).toBe(51);
    expect(classify('550 5.7.1 message looks like spam').id).toBe(52);
    expect(classify('553 host denies relay.').id).toBe(54);
  });

  it('generic refusal wording gives way to a more specific word family in the same text', () => {
    expect(classify('5.2.0 Email size exceeded the policy.').id).toBe(23);
    expect(classify('550 5.7.1 Refused by policy').id).toBe(50);
    // DNS words in a refusal describe the sender's setup: still a block.
    expect(classify('550 5.7.1 Refused by policy: no reverse DNS for your IP').id).toBe(50);
  });

  it('"policy violation" names no reason: generic refusal wording, a deferral in a 4xx reply', () => {
    expect(classify('451 Policy violation, please retry').id).toBe(70);
    expect(classify('554 Email policy violation detected').id).toBe(50);
  });

  it.each([
    ['554 RLY:B2 http://postmaster.example/errors/554rlyb2.html', 51],
    ['554 RTR:RD', 51],
    ['421 DYN:T2 dynamic address', 51],
    ['554 HVU:B2 host blocked', 51],
    ['553 5.7.1 [BL22] Connections not accepted from this address', 51],
    ['550 DY-002 Mail rejected for policy reasons', 51],
    ['550 OU-002 Mail rejected for policy reasons', 51],
  ])('provider code families decide as a family, not code by code: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it("the sender's own sending quota is a rate limit; the recipient's quota is a full mailbox", () => {
    expect(classify('550 Daily sending quota exceeded for this account').id).toBe(70);
    expect(classify('552 5.2.2 quota exceeded').id).toBe(22);
  });

  it('"unknown" and "suspended" name the recipient only next to a word for it', () => {
    expect(classify('delivery temporarily suspended: unknown mail transport error').id).toBe(70);
    expect(classify('Your message could not be delivered: account suspended').id).toBe(10);
    expect(classify('recipient unknown').id).toBe(10);
  });

  it.each([
    ['connect to mx.example.com[192.0.2.1]:25: Network is unreachable', 24],
    ['connect to mx.example.com[192.0.2.1]:25: No route to host', 24],
    ['MX lookup for example.com deferred', 21],
    ['554 5.4.0 Too many Received headers - suspected loop', 40],
    ['550 Indirizzo non valido', 10],
    ['550 IP-Adresse steht auf einer Sperrliste', 51],
    ['550 Anhang nicht erlaubt', 53],
    ['552 Message trop gros', 23],
    ['552 Messaggio troppo grande', 23],
    ['Automatische Antwort', 60],
    ['I am currently on holiday with limited access to email', 60],
    ['To prove you are not a robot, please click the link below', 100],
  ])('local status texts, more languages and non-bounce words by family: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['554 mx.example.net comcast 192.0.2.1 Comcast BL000001 see http://postmaster.comcast.net/', 51],
    ['421 mx.example.net comcast 192.0.2.1 RL000003 rate limited', 70],
    ['550 rejected: the sending host is an open relay', 51],
    ['554 relay not permitted', 54],
    ['553 forged sender address', 50],
    ['550 authentication error', 50],
    ['451 authentication error, please retry', 70],
    ['554 HELO check failed', 50],
  ])('more families: provider codes, open relays, forgery, authentication, failed checks: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('a generic refusal word in a temporary reply is a deferral, as generic wording is', () => {
    expect(classify('451 request denied, try again').id).toBe(70);
    expect(classify('551 request denied').id).toBe(50);
  });

  it.each([
    ['550 5.7.501 Access denied', 51],
    ['550 5.7.504 Recipient address rejected: Access denied', 10],
    ['550 5.7.506 Access Denied, Bad HELO', 50],
    ['550 5.7.508 Access denied, exceeded permitted limits within range', 51],
    ['451 4.4.6 Routing loop detected', 40],
  ])('Microsoft 5.7.5xx codes and a temporary loop (RFC 3463 X.4.6) by their documented meaning: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['550 Caixa de correio não encontrada', 10],
    ['550 Такого пользователя нет', 10],
    ['550 收件人邮箱已满', 22],
    ['550 Boîte aux lettres inexistante', 10],
    ['550 Mailbox ist deaktiviert', 10],
    ['452 Postfach ist voll', 22],
    ['550 5.7.1 Daily message limit exceeded for this sender', 70],
  ])('disabled, missing and full in more languages; a message limit is a rate limit: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('rate words mark a temporary condition', () => {
    expect(classify('Domain example.com has exceeded the max defers and failures per hour allowed').id).toBe(70);
  });

  it.each([
    ['I am out of the office until Monday.', 60],
    ['Automatic reply: back on June 3', 60],
    ['Welcome to the announce mailing list: you are now subscribed.', 80],
    ['You have been removed from the list: unsubscribe confirmed.', 90],
    ['Please verify that you are a real person before your message is delivered.', 100],
  ])('texts that are not bounces: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['501 Connection Refused', 50],
    ['connect to mx.example.com[192.0.2.1]:25: Connection refused', 24],
    ['554 opaque-code-XK9', 50],
    ['550 opaque-code-XK9', 50],
    ['555 opaque-code-XK9', 40],
  ])('a permanent reply the server sent outranks connection wording; a bare 550 or 554 is a refusal (RFC 5321 §4.2.1, §4.2.3): %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['Bad destination mailbox address', 10],
    ['550 5.1.0 go away, denied', 50],
    ['550 5.2.0 Speicher erschöpft', 22],
    ['550 5.7.1 sending frequency exceeded for this IP', 70],
    ['550 5.0.0 Delivery failed: DNS check on your reverse hostname failed', 50],
    ['554 rDNS check failed for your IP', 50],
  ])('the fallback order: RFC 3463 titles, words over a detail-0 code, rate and reverse-DNS words: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['Sender verification failed', 50],
    ['Recipient verification failed', 10],
    ['Dictionary attack detected', 51],
    ['550 Adresse ungültig', 10],
    ['550 Die Nachricht wurde verweigert', 50],
    ['421 Server überlastet, bitte später erneut versuchen', 70],
    ['550 Gebruiker onbekend', 10],
    ['550 Skrzynka pełna', 22],
    ['550 ユーザーが宛先不明です', 10],
    ['550 迷惑メールと判定されました', 52],
    ['552 message is too long', 23],
  ])('word families, more stems and languages: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('rate words are more explicit than any code; authentication mechanisms more explicit than spam named as the motive', () => {
    expect(classify('550 5.1.1 192.0.2.1 reached its limit of 100 messages per hour').id).toBe(70);
    expect(createClassifier({ builtinRules: false }).classify('Message blocked: it fails to pass SPF checks. To protect our users from spam, it was refused.').id).toBe(50);
  });

  it('generic recipient wording in a temporary reply is a deferral (RFC 5321 §4.2.3, 450 "mailbox unavailable")', () => {
    expect(classify('450 Requested mail action not taken: mailbox unavailable').id).toBe(70);
    expect(classify('550 Requested mail action not taken: mailbox unavailable').id).toBe(10);
    expect(classify('450 4.1.1 user unknown').id).toBe(10);
  });

  it('non-bounce words never override a reply that carries a code', () => {
    expect(classify('550 5.1.1 user unknown (out of office)').id).toBe(10);
  });
});

describe('action: one field to switch on', () => {
  it.each([
    ['550 5.1.1 user unknown', 'suppress'],
    ['552 mailbox full', 'retry'],
    ['452 4.2.2 mailbox full', 'retry'],
    ['421 4.7.0 try again later', 'retry'],
    ['550 5.7.1 blocked using Spamhaus', 'alert'],
    ['552 5.3.4 message too big', 'alert'],
    ['I am out of the office until Monday.', 'ignore'],
    ['something nobody can read', 'review'],
  ])('%s -> %s', (text, action) => {
    expect(classify(text).action).toBe(action);
  });

  it('custom classes follow their category', () => {
    expect(actionFor(200, 'hard', false)).toBe('suppress');
    expect(actionFor(200, 'soft', true)).toBe('retry');
    expect(actionFor(200, 'soft', false)).toBe('review');
    expect(actionFor(200, 'block', false)).toBe('alert');
    expect(actionFor(200, 'undetermined', false)).toBe('review');
    expect(actionFor(21, 'soft', false)).toBe('suppress');
    expect(actionFor(21, 'soft', true)).toBe('retry');
  });
});

describe('general readings that hold with or without the phrase rules', () => {
  const bare = createClassifier({ builtinRules: false });
  const both = (text: string): number[] => [classify(text).id, bare.classify(text).id];

  it("X.1.8 (the sender's domain) is a refusal of the sender, and as a 4xx a deferral, not a DNS failure", () => {
    expect(both('450 4.1.8 the sending domain could not be checked')).toEqual([70, 70]);
    expect(bare.classify('451 sender domain lookup deferred (#4.1.8)').id).toBe(70);
    expect(both('553 5.1.8 the sending domain does not resolve')).toEqual([50, 50]);
    // X.1.2 (the recipient's domain) as a 4xx is still a DNS failure
    expect(bare.classify('451 4.1.2 destination domain lookup failed').id).toBe(21);
  });

  it('a full mailbox that is also disabled or inactive is an abandoned one, whatever said "full"', () => {
    expect(both('552 5.2.2 Mailbox over quota; this account is disabled')).toEqual([10, 10]);
    expect(both('452 4.2.2 Postfach voll, Konto deaktiviert')).toEqual([10, 10]);
    expect(both('552 5.2.2 mailbox is full')).toEqual([22, 22]);
  });

  it('under a block decided by a code, the first block-family word names the refusal even after a recipient word', () => {
    expect(both('550 5.7.1 Your account was suspended for abuse')).toEqual([51, 51]);
    expect(both('550 5.7.1 Rejected because of user complaints')).toEqual([51, 51]);
    expect(bare.classify('550 5.7.1 Refusé suite à des plaintes').id).toBe(51);
    // a check code with its own refusal word keeps the block ("spam" named only as the motive)
    expect(both('550 5.7.30 DKIM signature missing; we block this to protect users from spam')).toEqual([50, 50]);
  });

  it("RFC 5321's own reply texts name the recipient in a 5xx and a deferral in a 4xx", () => {
    expect(both('550 Requested action not taken: mailbox unavailable')).toEqual([10, 10]);
    expect(both('450 Requested mail action not taken: mailbox unavailable')).toEqual([70, 70]);
    expect(bare.classify('553 sorry, mailbox name not allowed').id).toBe(10);
    expect(bare.classify('551 User not local; please try <x@example.org>').id).toBe(10);
    // they are generic: every family that says more comes first
    expect(both('550 mailbox unavailable - user over quota')).toEqual([22, 22]);
  });

  it('an excess count of what the mailbox stores is its quota; of anything else, a deferral', () => {
    expect(both('552 Too many messages stored in the mailbox')).toEqual([22, 22]);
    expect(both('550 Zu viele Nachrichten im Postfach')).toEqual([22, 22]);
    expect(both('450 too many messages on the server, try later')).toEqual([22, 22]);
    expect(both('550 Requested action not taken: mailbox unavailable (too many messages in the mailbox)')).toEqual([22, 22]);
    expect(both('421 Too many messages from your IP, slow down')).toEqual([70, 70]);
    expect(both('421 too many messages per hour on the server')).toEqual([70, 70]);
    expect(both('421 too many connections, try later')).toEqual([70, 70]);
  });

  it('a stage that did not change what the bare reply code says leaves the word families to say more', () => {
    expect(both('552 Too many recipients (in reply to RCPT TO command)')).toEqual([20, 20]);
    // a stage that did decide (a generic 550 at RCPT TO is the recipient) is kept
    expect(both('550 rejected (in reply to RCPT TO command)')).toEqual([10, 10]);
  });

  it('a syntax reply (500-504) is a protocol error at any stage', () => {
    expect(both('504 Command parameter not implemented (in reply to end of DATA command)')).toEqual([40, 40]);
    expect(bare.classify('502 unsupported (in reply to MAIL FROM command)').id).toBe(40);
    expect(bare.classify('554 unsupported (in reply to MAIL FROM command)').id).toBe(50);
  });

  it("abuse and complaints name the sender's reputation", () => {
    expect(bare.classify('550 rejected: too many complaints about your mail').id).toBe(51);
    expect(bare.classify('554 Missbrauch festgestellt').id).toBe(51);
    expect(bare.classify('554 Message blocked for abuse').id).toBe(51);
    // an abuse desk's address is no reason
    expect(both('550 5.7.1 Recipient address rejected: Access denied. Questions: abuse@example.net')).toEqual([50, 50]);
  });

  it('"retry" belongs to the temporary family', () => {
    expect(bare.classify('delivery deferred, retry scheduled').id).toBe(70);
    expect(bare.classify('entrega aplazada: se reintentará').id).toBe(70);
    expect(bare.classify('consegna non riuscita, si riproverà').id).toBe(70);
  });

  it('a mismatch, or something not accepted, is a refusal of the sender or the content', () => {
    expect(both('550 sender host name mismatches its address')).toEqual([50, 50]);
    expect(both('550 HELO name does not match the connecting IP')).toEqual([50, 50]);
    expect(bare.classify('550 Absender-Domain und Adresse stimmt nicht überein').id).toBe(50);
    expect(both('550 Messages with two Date: headers are not accepted')).toEqual([50, 50]);
  });

  it('"not listed" in a directory names the recipient', () => {
    expect(both('User not listed in the company directory')).toEqual([10, 10]);
    expect(bare.classify('550 Empfänger nicht verzeichnet').id).toBe(10);
    // a sender missing from an allow list is not the recipient
    expect(both('550 Sender not listed in the allowed senders list')).toEqual([50, 50]);
  });

  it("a malformed message, or a header or line over its limit, is the message's form, not its size", () => {
    expect(both('552 5.6.0 Header too long')).toEqual([40, 40]);
    expect(bare.classify('550 malformed message').id).toBe(40);
    expect(bare.classify('552 message too large').id).toBe(23);
  });

  it('spam wording about the sending address names a known spam source', () => {
    expect(both('554 Spam from this IP address is refused')).toEqual([51, 51]);
    expect(both('554 Message looks like spam')).toEqual([52, 52]);
    // the message named as what was judged keeps it content
    expect(both('550 5.7.1 Message identified as spam; your IP address has been reported')).toEqual([52, 52]);
    // "unsolicited" is of the spam family, the content; about the sending address, a source
    expect(both('550 Rejected: unsolicited bulk email')).toEqual([52, 52]);
    expect(both('550 5.7.1 unsolicited mail from your IP address')).toEqual([51, 51]);
  });
});

describe('the fifth generalisation round: families read with or without the phrase rules', () => {
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  const both = (text: string): [number, number] => [classify(text).id, bare.classify(text).id];

  it.each([
    ['Me encuentro ausente del despacho hasta el lunes 3 de marzo.'],
    ['Estou ausente do escritório até dia 15 e não terei acesso ao e-mail.'],
    ['Away from the office this week; I will not have access to my mailbox.'],
    ['Ich bin bis Freitag unterwegs und habe keinen Zugriff auf meine E-Mails.'],
    ["Je serai en déplacement et n'aurai pas accès à mes courriels."],
    ['Fino a venerdì non avrò accesso alla posta.'],
  ])('an automatic reply says the writer is away or will not read mail for a while: %s', (text) => {
    expect(both(text)).toEqual([60, 60]);
  });

  it('a bounce that quotes such words is still a bounce', () => {
    expect(both('550 5.1.1 user unknown; away from the office')).toEqual([10, 10]);
  });

  it.each<[string, number, string]>([
    ['Your email to bob@example.org is held pending a check of your address.', 100, 'a message held until the sender is verified'],
    ['This message is awaiting verification: reply to release it.', 100, 'a message held until the sender is verified'],
    ['Delivery will happen once you verify your address at the link below.', 100, 'a message held until the sender is verified'],
    ['Your address has not been verified yet, so the message waits.', 100, 'a message held until the sender is verified'],
    ['Su mensaje está pendiente de verificación por el destinatario.', 100, 'a message held until the sender is verified'],
    ['Votre message est en attente de vérification.', 100, 'a message held until the sender is verified'],
    ['554 Attach type .js refused', 53, 'a forbidden file or attachment type'],
    ['550 Dangerous file detected in your message', 53, 'a forbidden file or attachment type'],
    ['550 Archivo no permitido en el mensaje', 53, 'a forbidden file or attachment type'],
    ['Fichier interdit dans le message', 53, 'a forbidden file or attachment type'],
    ['550 Blocked file: invoice.exe', 53, 'a forbidden file or attachment type'],
    ['552 Inbox limit reached for this user', 22, "the mailbox's own limit or capacity"],
    ['Mailbox capacity exceeded', 22, "the mailbox's own limit or capacity"],
    ['550 Límite del buzón superado', 22, "the mailbox's own limit or capacity"],
    ['452 Capacité de la boîte aux lettres atteinte', 22, "the mailbox's own limit or capacity"],
    ['Limite della casella superato', 22, "the mailbox's own limit or capacity"],
    ['550 Unable to route to example.invalid', 21, 'a routing failure'],
    ['Could not route the message to its domain', 21, 'a routing failure'],
    ['550 Unroutable address', 10, 'an unroutable address, in either spelling'],
    ['550 Unrouteable address', 10, 'an unroutable address, in either spelling'],
    ['503 Say HELO/EHLO before MAIL', 50, "the sending host's greeting named in a refusal"],
    ['EHLO name must be a fully qualified domain', 50, "the sending host's greeting named in a refusal"],
    ['550 Bad HELO host, go away', 50, "the sending host's greeting named in a refusal"],
    ['501 5.5.4 HELO/EHLO argument is invalid', 40, "a specific protocol code keeps the dialogue's fault"],
    ['554 Your IP 198.51.100.7 is blocked', 51, 'a block of the sending host'],
    ['550 Sending host [198.51.100.7] blocked', 51, 'a block of the sending host'],
    ['554 Client host 198.51.100.7 gesperrt', 51, 'a block of the sending host'],
    ['550 Sender IP 198.51.100.7 is blacklisted', 51, 'a block of the sending host'],
    ['553 Sender address is blacklisted here', 50, 'a block of the sender address'],
    ['550 From address on our blocklist', 50, 'a block of the sender address'],
    ['550 Blocked: the sending IP address has no PTR record', 50, 'a reason named next to the block keeps it'],
    ['550 Message blocked', 50, 'a block of the message'],
  ])('%s is class %i (%s)', (text, id) => {
    expect(both(text)).toEqual([id, id]);
  });
});

describe('the sixth generalisation round (the eighth round of rows, tune half)', () => {
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });

  it.each([
    ['connect to mx.example.net[198.51.100.7]:25: Cannot assign requested address'],
    ['connect to mx.example.net[2001:db8::25]:25: Permission denied'],
    ['delivery temporarily suspended: connect to mx.example.net[198.51.100.7]:25: Protocol error'],
  ])('the local MTA reporting a connection attempt is a connection failure (24), whatever the system error: %s', (text) => {
    expect(classify(text).id).toBe(24);
  });

  it('a connection attempt named in a permanent reply leaves the decision to the codes', () => {
    expect(classify('550 5.1.1 <a@example.net>: Recipient address rejected: unverified address: connect to mx.example.net[198.51.100.7]:25: Connection refused').id).toBe(10);
  });

  it.each([
    ['554 Banned attachment type in your message: .scr', 53],
    ['550 5.7.0 Message rejected: contains a banned file', 53],
    ['554 5.7.1 Rejected: banned content', 52],
    ['554 5.7.1 Your IP address has been banned', 51],
    ['550 5.7.511 Access denied, banned sender [198.51.100.7]. To be removed, forward this message to the helpdesk', 51],
    ['550 Sender banned for spam activity', 51],
  ])('what was banned decides: %s is %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    ['550 5.7.1 <a@example.net>: Recipient address rejected: Inactive'],
    ['554 5.7.1 <a@example.net>: Recipient address rejected: account inactive for 12 months'],
    ['550 5.2.1 Mailbox blocked due to inactivity'],
    ['550 5.7.1 This mailbox is blocked: inactive account'],
  ])('a refusal of the recipient for a dormant mailbox says the recipient is gone (10): %s', (text) => {
    expect(classify(text).id).toBe(10);
  });

  it('the sender\'s own dormant account refused at RCPT is still a refusal of the sender', () => {
    expect(classify('550 5.7.1 Recipient address rejected: sender account inactive').id).toBe(50);
  });

  it.each([
    ['Thanks, I will get back to you as soon as I can.'],
    ['Ho ricevuto il messaggio, tornerò in ufficio lunedì.'],
    ['Wij beantwoorden uw bericht na terugkomst.'],
    ['您好，邮件已经收到，我会尽快处理。'],
    ['Je vous répondrai dès mon retour.'],
    ['Le responderé a mi regreso.'],
  ])('an automatic reply that promises a reply, or the writer\'s return, later (60): %s', (text) => {
    expect([classify(text).id, bare.classify(text).id]).toEqual([60, 60]);
  });

  it('a bounce with a code that promises a later reply is still a bounce', () => {
    expect(classify('550 5.1.1 unknown user; the postmaster will get back to you').id).toBe(10);
  });
});

// Accuracy floors, not timing assertions: the agreement reached when this was written, minus a
// small margin. Tuning looks at the tune half only; the held-out half is scored, never read.
describe('the provider evaluation set', () => {
  const rows = loadProviderRows();
  const report = evaluateProviders((t) => classify(t));

  it('has a few hundred rows, each with a source and a label among its acceptable classes', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    for (const r of rows) {
      expect(r.source, r.id).toMatch(/^https?:\/\//);
      expect(r.acceptable, r.id).toContain(r.class);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('agreement stays at or above the floors on both halves', () => {
    // measured with the sixth round's 121 independent rows in the set: tune 283/296 (95.6%),
    // held-out 259/317 (81.7%); after the fourth generalisation round 287/296 and 260/317
    // (see LABELLING.md, History). The seventh round's 112 rows (50 tune, 62 held-out), scored
    // before any change read them, brought the halves to 315/346 (91.0%) and 295/379 (77.8%).
    // The eighth round's 128 (60 tune, 68 held-out), after the sixth generalisation round:
    // 385/406 (94.8%) and 364/447 (81.4%). The ninth round's 104 (49 tune, 55 held-out), scored on
    // arrival by a6137b7 and by 090ae70 (which never read them): 27/49 and 34/55 with either; whole
    // set 412/455 (90.5%) and 397/502 (79.1%); after the seventh generalisation round 427/455 (93.8%)
    // and 403/502 (80.3%). The tenth round's 76 (45 tune, 31 held-out), on arrival: 34/45 and 22/31;
    // after the eighth generalisation round 468/500 (93.6%) and 428/533 (80.3%). The eleventh round's
    // 83 (39 tune, 44 held-out), on arrival: 30/39 and 28/44; after the ninth generalisation round
    // 504/539 (93.5%) and 458/577 (79.4%). The twelfth round's 88 (46 tune, 42 held-out), on
    // arrival: 35/46 and 28/42; after the tenth generalisation round 542/585 (92.6%) and 486/619 (78.5%).
    // The thirteenth round's 80 (43 tune, 37 held-out), on arrival: 33/43 and 30/37; after the
    // eleventh generalisation round 584/628 (93.0%) and 518/656 (79.0%). The fourteenth round's 42
    // (22 tune, 20 held-out), on arrival: 13/22 and 15/20; after the twelfth generalisation round
    // 604/650 (92.9%) and 533/676 (78.8%). The fifteenth round's 31 (11 tune, 20 held-out; mostly
    // non-English), on arrival: 9/11 and 14/20; no change read from it: 613/661 and 547/696 (78.6%).
    // The sixteenth round's 36 (20 tune, 16 held-out; from sending services' pages), on arrival: 17/20
    // and 12/16; after the thirteenth generalisation round 635/681 (93.2%) and 562/712 (78.9%). The
    // seventeenth round's 37 (21 tune, 16 held-out; users' threads, localized help pages), on arrival:
    // 10/21 and 8/16; after the third part of that round 656/702 (93.4%) and 571/728 (78.4%).
    expect(report.tune.agreement).toBeGreaterThanOrEqual(0.9);
    expect(report.heldout.agreement).toBeGreaterThanOrEqual(0.77);
  });

  it('has a second, independent label for every held-out row, and the two labellers agree', () => {
    const second = loadSecondLabels();
    const heldout = rows.filter((r) => r.split === 'heldout');
    expect(second.map((s) => s.id).sort()).toEqual(heldout.map((r) => r.id).sort());
    for (const s of second) expect(s.acceptable, s.id).toContain(s.class);
    // measured once when the second labels were written: 308/317 (97.2%), consensus 298/317
    const a = labellerAgreement((t) => classify(t));
    expect(a.rows).toBe(heldout.length);
    expect(a.secondLabeller.agreement).toBeGreaterThanOrEqual(0.95);
    expect(a.consensus).toBeGreaterThanOrEqual(290);
    expect(a.classifyFirst.agreed).toBe(report.heldout.agreed);
  });

  it('has a text-only label for every held-out row: the words alone reach past the 0.85 aim', () => {
    const textOnly = loadTextOnlyLabels();
    const heldout = rows.filter((r) => r.split === 'heldout');
    expect(textOnly.map((s) => s.id).sort()).toEqual(heldout.map((r) => r.id).sort());
    for (const s of textOnly) expect(s.acceptable, s.id).toContain(s.class);
    // measured once when the labels were written (2026-12-04): 417/447 (93.3%); the ninth round's
    // 55 held-out rows, labelled the same way: 52/55; the tenth round's 31: 25/31; the eleventh's 44:
    // 40/44; the twelfth's 42: 36/42; the thirteenth's 37: 34/37; the fourteenth's 20: 19/20; the
    // fifteenth's 20: 20/20; the sixteenth's 16: 15/16; the seventeenth's 16: 12/16; together
    // 670/728 (92.0%)
    expect(textOnlyAgreement().agreed).toBe(670);
  });
});

describe('the result cache is on by default (the legacy 16,384 entries)', () => {
  it('caches short replies and returns the same frozen result', async () => {
    const { createClassifier, DEFAULT_LIMITS } = await import('../src/index.js');
    expect(DEFAULT_LIMITS.cacheSize).toBe(16384);
    const c = createClassifier();
    const a = c.classify('550 5.1.1 user unknown here');
    expect(c.classify('550 5.1.1 user unknown here')).toBe(a);
    c.addRule({ pattern: 'unknown here', id: 22 });
    expect(c.classify('550 5.1.1 user unknown here').id).toBe(22);
  });
});

describe('the seventh generalisation round (the ninth round of rows, tune half)', () => {
  const bare = createClassifier({ builtinRules: false });
  it.each([
    // joining a list, a welcome or a confirmation request, in the languages of the list words
    ['Bitte bestätigen Sie, dass Sie die Mailingliste abonnieren wollen.', 80],
    ['Vous êtes inscrit à la liste de diffusion example.', 80],
    ['Gracias por suscribirse a nuestra lista de correo.', 80],
    ['Sei stato iscritto alla lista example.', 80],
    ['Confirme a sua inscrição na lista de discussão.', 80],
    ['Welkom op de lijst! U bent aangemeld voor de nieuwsbrief.', 80],
    ['Potwierdź zapis do listy mailingowej.', 80],
    ['Пожалуйста, подтвердите подписку на список рассылки.', 80],
    ['请确认您订阅了这个邮件列表。', 80],
    ['メーリングリストへの参加を確認してください。', 80],
    ['메일링 리스트 구독을 확인해 주세요.', 80],
    // leaving one: the removal words come before the list words
    ['Sie wurden von der Mailingliste abgemeldet.', 90],
    ['Para darse de baja de esta lista de correo, responda a este mensaje.', 90],
    ['Вы отписались от списка рассылки.', 90],
    ['您已成功取消订阅此邮件列表。', 90],
    ['メーリングリストの配信停止が完了しました。', 90],
    ['메일링 리스트 구독 취소가 완료되었습니다.', 90],
    ['U bent uitgeschreven van de mailinglijst.', 90],
    // an automatic reply's thanks and absence, in more languages
    ['Bedankt voor uw e-mail. Ik ben niet aanwezig tot maandag.', 60],
    ['Merci pour votre courriel, je le lirai lundi.', 60],
    ['Dziękuję za wiadomość. Jestem poza biurem.', 60],
    ['自動返信：ただいま不在にしております。', 60],
  ])('%s is %i, with or without the phrase rules', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });

  it('a list notice is read only in a text with no reply code', () => {
    expect(classify('550 5.1.1 mailing list does not exist').id).toBe(10);
    expect(classify('550 mailing list example@example.org: no such list').id).not.toBe(80);
  });

  it('a connection failure that names a failed name lookup is the DNS failure', () => {
    expect(classify('Failed to connect to the mail server of example.org: no MX record was found for the domain').id).toBe(21);
    expect(classify('451 4.4.0 example.org: name server timeout').id).toBe(21);
    // without one it stays a connection failure
    expect(classify('connect to mx.example.org[192.0.2.1]:25: Connection refused').id).toBe(24);
  });

  it('an address refused as the From: domain or From: header is the sender\'s', () => {
    expect(classify('550 The From: domain is invalid').id).toBe(50);
    expect(classify('550 5.1.1 recipient address invalid').id).toBe(10);
  });

  it('a Japanese "not registered" is a recipient that does not exist', () => {
    expect(classify('このメールアドレスは登録されていません').id).toBe(10);
  });
});

describe('the eighth generalisation round (the tenth round of rows, tune half)', () => {
  const bare = createClassifier({ builtinRules: false });

  it('accented Latin letters read as their base letter, in the text and in the word lists', () => {
    // MTAs that write 7-bit replies drop the accents; the words mean the same
    expect(classify("L'adresse a ete retiree de la liste de diffusion example.").id).toBe(90);
    expect(classify('Vous etes desabonne de la liste').id).toBe(90);
    expect(classify('Ihre Nachricht wurde abgelehnt: Empfanger unbekannt').id).toBe(10);
    expect(classify('421 Rechazo temporal, intentelo mas tarde').id).toBe(70);
    // and the other way round: an accent the list does not write is read too
    expect(classify('550 Usuário não encontrado').id).toBe(classify('550 usuario nao encontrado').id);
    // letters without a decomposition keep their own reading
    expect(classify('Skrzynka pełna').id).toBe(22);
  });

  it('an underscore joins words as a space does (FORBIDDEN_FILE_EXTENSION)', () => {
    expect(classify('554 5.7.1 Matched map: FORBIDDEN_FILE_EXTENSION').id).toBe(53);
    expect(bare.classify('550 USER_UNKNOWN').id).toBe(10);
    // provider codes are still matched exactly, underscore included
    expect(classify('XGEMAIL_0010').rule).toMatchObject({ kind: 'provider-code', code: 'XGEMAIL_0010' });
    expect(classify('XGEMAIL 0010').rule.kind).not.toBe('provider-code');
  });

  it('greylisting is a deferral whatever block list its mechanism is named after', () => {
    expect(classify('421 4.7.1 Service unavailable; Client host [192.0.2.1] blocked using grey.rbl - Greylisting in action, please try again later').id).toBe(70);
    expect(classify('450 4.7.1 Graylisted, please try again in 5 minutes').id).toBe(70);
    // a block list without greylisting stays a block
    expect(classify('554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org').id).toBe(51);
  });

  it('a PTR record named in a refusal is the sender\'s reverse DNS, before "invalid" reads as the recipient', () => {
    expect(classify('554 invalid DNS PTR resource record, IP=192.0.2.1').id).toBe(50);
    // the word inside a host name is not wording
    expect(classify('550 5.1.1 <user@ptr.example.org>: Recipient address rejected: User unknown').id).toBe(10);
  });

  it('"illegal" names an invalid user or an impossible host or domain name', () => {
    expect(classify('Unknown or Illegal User').id).toBe(10);
    expect(classify('Illegal Host/Domain Name found').id).toBe(21);
    expect(classify('553 5.1.7 illegal sender address').id).toBe(50);
  });

  it.each([
    ['Ďakujem za vašu správu! Som mimo kancelárie do 27.6.', 60],
    ['Dobrý den, jsem mimo kancelář, v naléhavých případech volejte kolegu.', 60],
    ['Házon kívül vagyok, hétfőn válaszolok.', 60],
    ['Răspuns automat: sunt în concediu până luni.', 60],
    ['Automatiskt svar: jag är frånvarande till måndag.', 60],
    ['Automaattinen vastaus: olen lomalla.', 60],
    ['Otomatik yanıt: ofis dışındayım.', 60],
  ])('%s is %i, with or without the phrase rules', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });
});

describe('the ninth generalisation round (the eleventh round of rows, tune half)', () => {
  const bare = createClassifier({ builtinRules: false });

  it('a relay refusal stays one when it says how to be allowed; an open relay is a spam source', () => {
    expect(classify('550-550 relay through this server without authentication.').id).toBe(54);
    expect(bare.classify('554 5.7.1 Relaying requires authentication').id).toBe(54);
    expect(classify('554 openrelay check.').id).toBe(51);
    // authentication without relay wording is still the sender's setup
    expect(classify('530 5.7.0 Authentication required').id).toBe(50);
  });

  it('a size word under a generic policy code is a message refused for its size', () => {
    expect(classify('550 5.7.0 Message Size Violation').id).toBe(23);
    // other words under it keep the block
    expect(classify('550 5.7.0 Message refused by policy').id).toBe(50);
  });

  it('a refusal that names the sender at RCPT TO is the sender\'s, not the recipient\'s', () => {
    // Postfix's smtpd_delay_reject refuses the sender when the recipient arrives
    expect(classify('550 Sender Refused (in reply to RCPT TO command)').id).toBe(50);
    expect(classify('SMTP error from remote mail server after RCPT TO:<user@example.com>:\n    550 Sender Refused').id).toBe(50);
    // a bare refusal at RCPT TO is still the recipient
    expect(classify('550 rejected (in reply to RCPT TO command)').id).toBe(10);
  });

  it('words in a host name joined to a path by "/" are no wording', () => {
    expect(classify('550 Relaying denied.(F-Secure/virusgw_smtp/virusgw1.example.jp)').id).toBe(54);
    // a slash between words that is no name still reads both
    expect(classify('550 5.7.1 spam/virus detected').id).not.toBe(40);
  });

  it.each([
    ['Message rejected due to content restrictions', 52],
    ['Thanks for signing up! Click the button below to confirm your email address. [Confirm My Subscription]', 80],
    ['Sie scheinen an den Feiertagen zu arbeiten - ich nicht. Mich erreichen Sie erst am 19. Januar wieder.', 60],
  ])('%s is %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('the tenth generalisation round (the twelfth round of rows, tune half)', () => {
  const bare = createClassifier({ builtinRules: false });

  it('spam named as what the sender did is the sender\'s reputation', () => {
    expect(classify('554 Access denied - Under investigation for spam abuse. Contact your email provider for more info').id).toBe(51);
    expect(classify('550 Your host has been spamming our users').id).toBe(51);
    // spam said of the message stays content
    expect(classify('550 5.7.1 Message rejected as spam').id).toBe(52);
  });

  it.each([
    ['Żeby potwierdzić prenumeratę, odpowiedz na tę wiadomość nie zmieniając jej tematu.', 80],
    ['Om du inte önskar att anmäla dig till listan, kan du bara radera detta e-postbrev.', 80],
    ['Bekræft din tilmelding til e-mail-listen.', 80],
    ['Erősítse meg a feliratkozást a levelezőlistára.', 80],
    ['Du har avanmält dig från listan.', 90],
    ['Sikeresen leiratkozott a levelezőlistáról.', 90],
    ['Ai fost dezabonat de la listă.', 90],
  ])('%s is %i, with or without the phrase rules', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });
});

describe('the sending host as what was blocked, named by its role or its address (the guide\'s rule 8)', () => {
  const subjects = ['Your IP', 'IP 192.0.2.1', '[192.0.2.1]', '<192.0.2.1>', '192.0.2.1', 'Your host', 'Client host [192.0.2.1]', 'Your server', 'Your mail server', 'Your network', 'Your netblock', 'This IP range', 'The sending host', 'The connecting host', 'Your MTA'];
  const predicates = ['is blocked', 'has been blocked', 'is on our deny list', 'is in our denylist', 'was blocked for sending spam', 'is blacklisted'];
  const cases = ['550', '554', '550 5.7.1', '554 5.7.1', '553', '521'].flatMap((code) => subjects.flatMap((s) => predicates.map((p) => `${code} ${s} ${p}`)));
  it(`a permanent refusal of the sending host is a reputation block (51): ${cases.length} texts`, () => {
    const wrong = cases.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 51);
    expect(wrong).toEqual([]);
  });

  it('names its reading of an address', () => {
    expect(classify('521 <192.0.2.1> is blocked')).toMatchObject({ id: 51, rule: { kind: 'keyword', pattern: 'ipv4-address' } });
  });

  it.each([
    // the remote server's address, in the reporting MTA's words before the reply
    ['host mx.example.com[198.51.100.42] said: 554 5.7.1 Email flagged as Spam (in reply to end of DATA command)', 52],
    // the address after the deciding word says where the mail came from
    ['554 5.7.1 Message blocked by policy (192.0.2.1)', 50],
    ['550 5.7.1 Recipient address blocked 192.0.2.1', 50],
    ['554 5.7.1 Spam message rejected from 192.0.2.1', 52],
    // the message or the sender's address is what was blocked
    ['554 5.7.1 Your message was blocked [192.0.2.1]', 50],
    ['550 5.7.1 Sender address <user@example.com> blocked [192.0.2.1]', 50],
    // a refusal word names another reason
    ['554 5.7.1 [192.0.2.1] blocked: no PTR record', 50],
    ['550 5.7.1 Mail from 192.0.2.1 blocked: SPF fail', 50],
    // not an address: a dotted run with more parts, or inside a host name
    ['550 5.7.1 Item 1.2.3.4.5 blocked', 50],
    ['550 5.7.1 Host 10.0.0.1.example.org blocked', 50],
  ])('%s stays %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('rates and gone recipients as grammars of the guide\'s rules 6 and 2', () => {
  const rates = ['Too many emails sent in a short period', 'Hourly limit exceeded', 'Hourly quota exceeded', 'Daily quota exceeded', 'Ratelimit reached for sender', 'Sender rate-limited', 'Volume limit exceeded', 'Too many SMTP sessions from this host', 'Too many sessions', 'Maximum number of connections exceeded', 'Connection limit reached', 'More than 10 messages per second'];
  it.each(['421', '451 4.7.1', '550', '550 5.7.1', '554 5.7.1'])('a sending rate or connection limit is a transient failure (70) under %s', (code) => {
    const wrong = rates.map((t) => [t, classify(`${code} ${t}`).id] as const).filter(([, id]) => id !== 70);
    expect(wrong).toEqual([]);
  });

  const subjects = ['User', 'Recipient', 'Mailbox', 'Address', 'Account', 'Email address', 'Destination address'];
  const predicates = ['has been closed', 'has been deleted', 'was removed', 'is no longer active', 'not recognized', 'not recognised', 'is not a valid mailbox'];
  it.each(['550', '554', '550 5.0.0', '511', '550 5.1.1', '553'])('the recipient gone or not recognised is an invalid recipient (10) under %s', (code) => {
    const texts = subjects.flatMap((s) => predicates.map((p) => `${code} ${s} ${p}`));
    const wrong = texts.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 10);
    expect(wrong).toEqual([]);
  });

  it.each([
    // the sender's own authentication, the sender's address, the dialogue: not the recipient
    ['535 5.7.8 Authentication failed: user not recognized', 50],
    ['501 5.1.7 Sender address is not a valid address', 50],
    ['550 5.7.1 Sender address has been deleted', 50],
    ['500 5.5.1 Command not recognized', 40],
    // a message that expired is not a closed account
    ['554 5.4.7 Message expired: delivery time exceeded', 24],
  ])('%s stays %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('the guide\'s order: a full mailbox or a loop under a generic block code (rules 3 and 5 before 8)', () => {
  it.each([
    ['550 5.7.1 Inbox full', 22],
    ['550 5.7.1 Not enough storage space', 22],
    ['550 5.7.1 Account storage full', 22],
    ['550 5.7.1 Benutzerpostfach ist voll', 22],
    ['550 5.7.1 Почтовый ящик переполнен', 22],
    ['550 5.7.1 邮箱已满', 22],
    ['550 5.7.1 Message looping', 40],
    ['550 5.7.1 Mail forwarding loop', 40],
    // a block-family word still names the block, and a rate word the rate
    ['550 5.7.1 Mailbox full; your IP is blacklisted', 51],
    ['550 5.7.1 Sending quota exceeded', 70],
  ])('%s is %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('the reporting MTA\'s own words for a host it could not talk to (the guide\'s rule 7)', () => {
  it.each([
    'The remote server did not respond to a connection attempt.',
    'Message delayed: the destination server did not respond',
    'Unable to deliver message: the connection was closed by the remote host',
    'TLS handshake failed with mx.example.com',
    'Message could not be delivered within 5 days',
    'Remote host closed the connection after MAIL FROM',
  ])('%s is 24', (text) => {
    expect(classify(text).id).toBe(24);
  });

  it('is not read in a permanent reply the remote server sent', () => {
    expect(classify('550 5.1.1 The mailbox did not respond: user unknown').id).toBe(10);
  });
});

describe('a named domain that does not exist, and recipients counted over time (the guide\'s rules 7 and 6)', () => {
  const subjects = ['Domain example.com', 'The domain example.com', 'Recipient domain example.com', 'Destination domain example.com', 'Domain "example.com"', 'Domain <example.com>', 'Domain name example.com', 'Host mx.example.com', 'The domain', 'Domain'];
  const predicates = ['does not exist', "doesn't exist", 'does not exist in DNS', 'not found', 'could not be found', 'is unknown', 'not exists', 'could not be resolved'];
  it.each(['550', '554', '550 5.1.2', '550 5.7.1', '450 4.1.2'])('a domain or host said not to exist is a DNS failure (21) under %s', (code) => {
    const texts = subjects.flatMap((s) => predicates.map((p) => `${code} ${s} ${p}`));
    const wrong = texts.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 21);
    expect(wrong).toEqual([]);
  });

  it('reads the same in the local MTA\'s own words (no reply code)', () => {
    const texts = subjects.flatMap((s) => ['does not exist', 'not found', 'could not be found'].map((p) => `${s} ${p}`));
    expect(texts.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 21)).toEqual([]);
  });

  it.each([
    // the sender's own domain or host, and a recipient that is gone, stay as they were
    ['550 Sender domain example.com does not exist', 50],
    ['553 5.1.8 Domain of sender address a@example.com does not exist', 50],
    ['550 5.7.1 Client host mx.example.com not found', 50],
    ['550 5.1.1 User example does not exist', 10],
    ['550 5.1.1 nobody@example.com does not exist', 10],
    ['550 5.1.1 <bob@domain.example>: Recipient address rejected: User unknown', 10],
    // a domain word inside an address is no subject
    ['550 5.1.1 <domain@example.com> does not exist', 10],
  ])('%s stays %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each(['550', '554', '550 5.7.1', '553 5.1.8'])('said of the sending client\'s own name, it refuses the sender (50) under %s', (code) => {
    const own = ['Your domain example.com', 'Your host mx.example.com', 'Client host mx.example.com', 'HELO domain example.com', 'From domain example.com', 'Sending host mx.example.com'];
    const texts = own.flatMap((s) => ['does not exist', 'not found', 'could not be found', 'could not be resolved', 'is unknown'].map((p) => `${code} ${s} ${p}`));
    expect(texts.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 50)).toEqual([]);
  });

  const counts = ['Too many recipients per hour', 'Too many recipients in the last hour', 'Too many recipients per day', 'Too many messages per hour', 'Too many messages sent per day', 'Maximum recipients per day exceeded', 'Recipient limit per hour reached'];
  it.each(['452', '550', '550 5.7.1', '554 5.5.3', '421', ''])('recipients or messages counted per hour or day are a rate limit (70) under %s', (code) => {
    const wrong = counts.map((t) => `${code} ${t}`.trim()).map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 70);
    expect(wrong).toEqual([]);
  });

  it('the per-message recipient limit keeps its class', () => {
    expect(classify('552 5.5.3 Too many recipients').id).toBe(20);
  });
});

describe('the reporting MTA naming the remote host is no unknown domain', () => {
  it.each([
    ['host mx.example.com said: Unknown Recipient test (in reply to MAIL FROM command)', 10],
    ['host mx.example.com said: 550 5.1.1 User unknown (in reply to RCPT TO command)', 10],
  ])('%s stays %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('a message or attachment over the allowed size, whatever words name the limit (the guide\'s rule 4)', () => {
  const subjects = ['Message', 'Your message', 'Mail', 'Email', 'Message body', 'Attachment'];
  const predicates = ['is larger than the allowed maximum', 'exceeds the maximum allowed size of 10 MB', 'is bigger than the permitted size', 'exceeds the size limit', 'too large'];
  it.each(['552', '552 5.3.4', '554', '550 5.7.1', '550', '554 5.2.3', ''])('is too large (23) under %s', (code) => {
    const texts = subjects.flatMap((s) => predicates.map((p) => `${code} ${s} ${p}`.trim()));
    expect(texts.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 23)).toEqual([]);
  });

  it.each([
    ['552 Mail is too long', 23],
    ['554 Message body is too long', 23],
    // an attachment or file too long is its size, as a message too long is
    ['552 Attachment is too long', 23],
    ['552 Attachments are too long', 23],
    ['554 5.3.4 File is too long', 23],
    // a header or a line over its limit is the message's form, not its size
    ['554 5.6.0 Header too long', 40],
    ['550 Line too long', 40],
    // a forbidden attachment stays one
    ['554 5.7.1 Attachment type not allowed', 53],
  ])('%s is %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('a full mailbox said of the user or recipient', () => {
  it.each(['550 User full', '452 User full', '552 5.2.2 Recipient full', '452 4.2.2 user full, try again later'])('%s is a full mailbox (22)', (text) => {
    expect(classify(text).id).toBe(22);
  });

  it('a fully qualified name is no full mailbox', () => {
    expect(classify('504 5.5.2 <host>: Helo command rejected: need fully-qualified hostname').id).not.toBe(22);
  });
});

describe('a reason named beside a generic deferral (the guide\'s rules 3 to 5 before rule 6)', () => {
  it.each([
    ['452 4.2.2 account full, try again later', 22],
    ['452 4.2.2 disk full, please try again later', 22],
    ['451 4.4.6 too many hops, try again later', 40],
    ['451 message too large, try again later', 23],
    // a rate is itself the temporary answer
    ['421 4.7.0 Too many messages, try again later', 70],
    ['451 4.3.0 Temporary local problem - please try again later', 70],
  ])('%s is %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('a DNS failure named by a 421 (the server closes the session: its lookup of the client)', () => {
  it.each([
    ['421-failure in DNS look-up.', 70],
    ['421 4.4.3 DNS lookup failure, closing connection', 70],
    ['421 Temporary DNS failure for your hostname', 70],
    // under the other temporary codes it may be a recipient's or sender's domain: it stays 21
    ['451 4.4.0 DNS resolving error', 21],
    ['451 <user@example.co.jp> ... example.co.jp : Name server timeout', 21],
    // the sending MTA's own text about a domain it could not look up stays 21
    ['DNS Error: DNS type mx lookup of example.jp responded with code NXDOMAIN', 21],
  ])('%s is %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('block lists named by their operators, and a sending IP said to be listed (the guide\'s rule 8)', () => {
  // every public DNS block list the word families name, in a host name or a link as in a reply
  const operators: [string, string][] = [
    ['psbl', '550 5.7.1 Mail from 192.0.2.1 refused - see https://psbl.org/listing?ip=192.0.2.1'],
    ['psbl', '550 5.7.1 Message rejected: 192.0.2.1 listed in psbl.surriel.com'],
    ['abuseat', '550 Rejected: 192.0.2.1 listed at cbl.abuseat.org'],
    ['invaluement', '554 5.7.1 Mail refused - blocked IP address listed on invaluement'],
    ['ivmsip', '554 5.7.1 Rejected: listed at ivmSIP'],
    ['senderscore', '554 5.7.1 sender listed in bl.score.senderscore.com'],
    ['abusix', '550 5.7.1 Rejected: 192.0.2.1 listed at combined.mail.abusix.zone'],
    ['backscatterer', '550 5.7.1 listed at ips.backscatterer.org'],
    ['dronebl', '550 IP listed at dnsbl.dronebl.org'],
    ['junkemailfilter', '554 5.7.1 IP address listed on hostkarma.junkemailfilter.com'],
    ['unsubscore', '550 5.7.1 Sender IP listed on ubl.unsubscore.com (LashBack)'],
    ['gbudb', '421 4.7.1 Client host [192.0.2.1] is listed at truncate.gbudb.net'],
  ];
  it.each(operators)('%s: %s -> 51', (_, text) => {
    expect(classify(text).id).toBe(51);
  });

  it.each([
    '550 Your IP is listed',
    '554 5.7.1 Your IP address is listed',
    '550 5.7.1 Client IP listed by Cloudmark CSI',
    '550 5.7.1 Sending IP listed on a reputation service',
  ])('%s -> 51', (text) => {
    expect(classify(text).id).toBe(51);
  });

  it.each([
    // a name of a list as a mailbox is the mailbox, not the list
    ['550 5.1.1 <psbl@example.com>: Recipient address rejected: User unknown', 10],
    ['552 5.2.2 mailbox of hostkarma@example.com is full', 22],
    // "listed" said of other things than the sending IP
    ['550 5.1.1 Recipient not listed in public directory', 10],
    ['550 The address listed below does not exist', 10],
    ['451 4.4.1 The IP listed for mx.example.com did not answer', 70],
  ])('%s stays %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('a gone account under a generic block code (the guide\'s rule 2 before rule 8)', () => {
  const gone = ['Account closed', 'This account is closed', 'Mailbox has been deleted', 'Mailbox is frozen', 'Recipient no longer exists', 'Address no longer exists', 'Mailbox is no longer in use', 'User account is no longer active'];
  const cases = ['550 5.7.1', '554 5.7.1', '550 5.7.0', '550', '554'].flatMap((code) => gone.map((g) => `${code} ${g}`));
  it(`is a gone recipient (10): ${cases.length} texts`, () => {
    const wrong = cases.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 10);
    expect(wrong).toEqual([]);
  });

  it.each([
    // the sender's own account, named or by the stage
    ['550 5.7.1 Sender account closed', 50],
    ['550 5.7.1 The sender domain no longer exists', 50],
    ['host mx.example.com[192.0.2.1] said: 550 5.7.1 Mailbox is frozen (in reply to MAIL FROM command)', 50],
    // a block-family word names the refusal
    ['554 5.7.1 Account closed for spamming', 51],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe("a disabled, deactivated or inactive account under a generic block code (the guide's rule 2 before rule 8)", () => {
  const states = ['mailbox deactivated', 'Account deactivated', 'This account has been deactivated', 'Mailbox is disabled', 'user account is disabled', 'The user has been deactivated', 'Address deactivated', 'Recipient is inactive', 'Inactive mailbox', 'Disabled account', 'Account locked', 'Mailbox is locked'];
  const cases = ['550 5.7.1', '554 5.7.1', '550 5.7.0', '550', '554'].flatMap((code) => states.map((g) => `${code} ${g}`));
  it(`is a gone recipient (10): ${cases.length} texts`, () => {
    const wrong = cases.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 10);
    expect(wrong).toEqual([]);
  });

  it.each([
    // the sender's own account, named or by the stage
    ['550 5.7.1 Sender account deactivated', 50],
    ['host mx.example.com[192.0.2.1] said: 550 5.7.1 Mailbox is disabled (in reply to MAIL FROM command)', 50],
    // a block-family word names the refusal
    ['550 5.7.1 Account deactivated for spamming', 51],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe("spam said to come from the sending IP is a known spam source (the guide's rule 8: 51)", () => {
  const said = ['Spam from your IP', 'Too much spam from your IP', 'Too much spam from your IP.', 'We have received spam from your IP', 'Spam detected from your IP', 'Spam originating from your IP, see our policy', 'Spam received from your IP; contact your provider'];
  const cases = ['550 5.7.1', '554 5.7.1', '550 5.7.0', '550', '554'].flatMap((code) => said.map((g) => `${code} ${g}`));
  it(`is a reputation block (51): ${cases.length} texts`, () => {
    const wrong = cases.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 51);
    expect(wrong).toEqual([]);
  });

  it.each([
    // the message as the subject: its content (52)
    ['554 5.7.1 Your message looks like spam', 52],
    ['554 5.7.1 Message rejected as spam', 52],
    // a temporary reply stays a deferral (rule 6)
    ['421 4.7.0 Spam from your IP, try later', 70],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe("a deferral that counts what the sender did is a rate deferral, whatever refusal comes with it (the guide's 4xx decision)", () => {
  const counts = ['Too many errors', 'Too many connections from your IP', 'Too many messages from sender in last 60', 'Too many failed recipients'];
  const refusals = ['you have been temporarily blacklisted', 'Sender address rejected', 'temporarily listed in our RBL', 'spam suspected'];
  const cases = ['421', '421 4.7.0', '450 4.7.1', '451 4.7.1'].flatMap((code) => counts.flatMap((c) => refusals.flatMap((r) => [`${code} ${c}, ${r}`, `${code} ${r}: ${c}`])));
  it(`is a deferral (70): ${cases.length} texts`, () => {
    const wrong = cases.map((t) => [t, classify(t).id] as const).filter(([, id]) => id !== 70);
    expect(wrong).toEqual([]);
  });

  it.each([
    // a permanent refusal keeps its class
    ['554 Too many errors, you have been blacklisted', 51],
    ['550 5.7.1 Too many spam messages', 52],
    // a deferral for the sender's reputation with no count keeps its block class (the guide's second reading)
    ['421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints', 51],
    ['451 4.7.1 Temporarily blacklisted', 51],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

// The nineteenth round: families read from probing replies written for the test (none taken from
// either set), each one a reading the classifier lacked in some wording or language.
describe('the nineteenth round: families from written probes', () => {
  const wrong = (cases: readonly string[], want: readonly number[]) => cases.map((t) => [t, classify(t).id] as const).filter(([, id]) => !want.includes(id));

  // rule 5: a loop or a hop count is the generic bounce, said in more words and languages
  const loops = [
    '554 message looped too many times',
    '554 5.4.6 Message has looped',
    '554 Too many Delivered-To headers',
    '550 5.7.1 Message looped back to this server',
    '554 Ciclo di posta rilevato',
    '554 Lus gedetecteerd in e-mailroutering',
    '554 Wykryto pętlę pocztową',
    '554 5.4.6 Zacyklenie poczty',
    '554 Zjištěna smyčka pošty',
    '554 Posta döngüsü algılandı',
    '554 Обнаружена петля почты',
    '554 Письмо зациклено',
    '554 邮件循环',
    '554 检测到邮件循环',
    '554 メールループを検出しました',
  ];
  it(`a loop in other words and languages is a generic bounce (40): ${loops.length} texts`, () => {
    expect(wrong(loops, [40])).toEqual([]);
  });

  // rule 6: a rate named and said to be exceeded or too high, throttling, and the count of what
  // the sender sent: 70 under any code, also beside a refusal phrase in a 4xx reply
  const rates = [
    '550 5.7.1 Message rate exceeded, wait before sending more',
    '550 5.7.1 Rate of messages exceeded',
    '550 5.7.1 Outbound message rate too high',
    '550 5.7.1 Connection rate exceeded',
    '554 Submission rate exceeded for this user',
    '550 Email rate too high, slow down',
    '550 5.7.1 Too many messages sent, quota reached',
    '451 4.7.1 Sender address rejected: Throttled',
    '450 4.7.1 Client host rejected: throttled, try again later',
    '451 Throttled: sender rejected for now',
    "550 5.7.1 Taux d'envoi dépassé",
    '550 5.7.1 Velocidad de envío superada',
    '550 5.7.1 Frequenza di invio troppo alta',
    '550 5.7.1 Taxa de envio excedida',
    '450 4.7.1 Absender abgelehnt: gedrosselt',
    '550 5.7.1 Превышена скорость отправки',
    '451 4.7.1 发件人被拒绝：限流',
    '550 5.7.1 送信レートが上限を超えました',
  ];
  it(`a rate exceeded or throttled is a deferral (70): ${rates.length} texts`, () => {
    expect(wrong(rates, [70])).toEqual([]);
  });

  // rule 7: the sending host's own words for a network it cannot reach, a refused or timed-out
  // connection, as localised systems and sending libraries print them (24), and a name that did
  // not resolve (21)
  const unreachable = [
    'connect to mx.example.com[192.0.2.1]:25: Netzwerk ist nicht erreichbar',
    'Keine Route zum Zielrechner',
    "Le réseau n'est pas accessible",
    'La red es inaccesible',
    'La rete non è raggiungibile',
    'A rede está inacessível',
    'Netwerk is onbereikbaar',
    'Sieć jest nieosiągalna',
    'Сеть недоступна',
    'В соединении отказано',
    '网络不可达',
    'ネットワークに到達できません',
    'connect ECONNREFUSED 192.0.2.1:25',
    'connect ETIMEDOUT 192.0.2.1:25',
    'connect EHOSTUNREACH 192.0.2.1:25',
    'read ECONNRESET',
    'socket hang up',
    'Remote host closed connection in response to initial connection',
  ];
  it(`a network or host not reached, in the sender's own words, is a connection failure (24): ${unreachable.length} texts`, () => {
    expect(wrong(unreachable, [24])).toEqual([]);
  });

  const unresolved = [
    'No address associated with hostname',
    'getaddrinfo ENOTFOUND mx.example.com',
    'Error: queryMx ENOTFOUND example.com',
    'Error: queryMx ENODATA example.com',
    'getaddrinfo EAI_AGAIN mx.example.com',
    'Der Name des Zielrechners konnte nicht aufgelöst werden',
    "Nom d'hôte introuvable",
    'DNS-Fehler: Domain existiert nicht',
    'Erreur DNS : domaine introuvable',
    'Временный сбой в разрешении имен',
    'Tymczasowy błąd w rozwiązywaniu nazw',
  ];
  it(`a name that did not resolve, in the sender's own words, is a DNS failure (21): ${unresolved.length} texts`, () => {
    expect(wrong(unresolved, [21])).toEqual([]);
  });

  // rule 1: a challenge-response request says it as "you are a person", "not a spammer" or asks the
  // sender to confirm their address, beside the spam words that explain it
  const challenges = [
    'Este correo está protegido por un sistema anti-spam. Por favor confirme que es una persona',
    'To fight spam, I only accept mail from senders who confirm their address: please click below',
    'Anti-spam verification required: click the link to get your message delivered',
    'My spam filter needs you to prove you are a human before your message is delivered',
    'Please confirm you are not a spammer by replying to this message',
    'Ta skrzynka jest chroniona przed spamem. Potwierdź, że jesteś człowiekiem',
    'Esta caixa postal é protegida contra spam. Confirme que você é uma pessoa clicando no link',
    'Cette boîte est protégée contre le spam : confirmez que vous êtes une personne',
    'Zum Schutz vor Spam: Bitte bestätigen Sie, dass Sie kein Spammer sind',
    'Per evitare lo spam, conferma di essere una persona cliccando sul link',
    'Om spam te weren: bevestig dat u een mens bent en geen robot',
  ];
  it(`a challenge-response request beside spam words is a challenge (100): ${challenges.length} texts`, () => {
    expect(wrong(challenges, [100])).toEqual([]);
  });

  // rule 1: an automatic reply said as sick leave, time off work or a mailbox nobody reads, and a
  // help desk's acknowledgement of a request (60); a notice that the reader was taken off a list or
  // will no longer get its mail (90)
  const autoReplies = [
    'I am on sick leave and will not be reading email',
    'Hello, I will be off work until Monday.',
    'I am out until January 5th with no email access',
    'This mailbox is not monitored. Please contact support@example.com',
    'Thanks for contacting us! We have received your request and will respond within 24 hours.',
    'Your ticket #12345 has been received',
    'We have received your email and a member of our team will be in touch shortly',
    "Je suis en vacances jusqu'au 3 septembre",
    'Sono in vacanza fino al 20 agosto',
    'Este endereço não é mais monitorado',
    'Wir haben Ihre Anfrage erhalten und melden uns in Kürze',
    'Nous avons bien reçu votre demande',
    'Hemos recibido su mensaje y le responderemos pronto',
    'Мы получили ваше обращение',
    '我们已收到您的邮件',
    'お問い合わせありがとうございます。内容を確認のうえご連絡いたします',
  ];
  it(`an automatic reply or a help desk's acknowledgement is an auto-reply (60): ${autoReplies.length} texts`, () => {
    expect(wrong(autoReplies, [60])).toEqual([]);
  });

  const unsubscribed = [
    'You have been removed from our mailing list',
    'Your email address has been removed from our list',
    'You have successfully opted out',
    'You will no longer receive emails from us',
    'Sie wurden erfolgreich aus dem Verteiler entfernt',
    'Vous ne recevrez plus nos emails',
    'Ya no recibirás nuestros correos',
    'Non riceverai più le nostre email',
    'Você não receberá mais nossos e-mails',
    'U ontvangt geen e-mails meer van ons',
    'Nie będziesz już otrzymywać naszych wiadomości',
    'Вы больше не будете получать наши письма',
  ];
  it(`a notice of removal from a list is an unsubscribe (90): ${unsubscribed.length} texts`, () => {
    expect(wrong(unsubscribed, [90])).toEqual([]);
  });

  // rules 2, 3 and 8 in terse texts without a code: words the families lacked in French, Spanish,
  // Italian, Portuguese, Danish, Norwegian, Dutch, Finnish and Korean
  const terse: readonly (readonly [string, number])[] = [
    ['Pourriel détecté', 52],
    ['Correo basura detectado', 52],
    ['Posta indesiderata rifiutata', 52],
    ['Mensagem classificada como lixo eletrônico', 52],
    ['Indirizzo IP in lista nera', 51],
    ['Seu IP está na lista preta', 51],
    ['Postkassen er fuld', 22],
    ['Postboksen er full', 22],
    ['Postvak vol', 22],
    ['Mailbox vol', 22],
    ['Postilaatikko on täynnä', 22],
    ['사용자 없음', 10],
    ['수신자 없음', 10],
  ];
  it(`terse texts in other languages name their family: ${terse.length} texts`, () => {
    expect(terse.map(([t, id]) => [t, classify(t).id, id]).filter(([, got, id]) => got !== id)).toEqual([]);
  });

  // RFC 3463's subject against the words: a quota or size code (X.2.2, X.2.3, X.3.4) whose words name
  // only the receiver's policy is a policy refusal (50; the guide's rule 8), where a quota or size
  // word beside it keeps the code's class
  const policyUnderQuota = [
    '552 5.2.2 Rejected by policy',
    '550 5.2.2 Message refused by local policy',
    'smtp;554 5.2.3 MailPolicy violation',
    '552 5.2.3 Policy violation',
    '552 5.3.4 Denied by policy',
    '554 5.2.2 Message rejected for policy reasons',
    '552 5.2.2 Abgelehnt wegen Richtlinie',
    '552 5.2.3 Refusé par la politique locale',
    '552 5.2.2 Rechazado por la política del servidor',
    '552 5.3.4 Rifiutato dalla politica del server',
    '552 5.2.2 Отклонено политикой сервера',
    '552 5.2.3 因策略拒绝',
  ];
  it(`a quota or size code whose words name only a policy is a policy refusal (50): ${policyUnderQuota.length} texts`, () => {
    expect(wrong(policyUnderQuota, [50])).toEqual([]);
  });

  it.each([
    ['552 5.2.2 Mailbox quota exceeded, rejected by policy', 22],
    ['552 5.2.3 Message size exceeds the limit set by policy', 23],
    ['552 5.3.4 Message too big for the size policy', 23],
    ['552 5.2.2 Rejected', 22],
    ['552 5.3.4 Message rejected by content policy', 52],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  // rule 2: a recipient the receiver's list or table of recipients does not hold is not listed in
  // its directory (10), under a generic block code too
  const notListed = [
    'smtp;554 5.7.1 <user@example.com>: Recipient address rejected: Not in recipient list',
    '554 5.7.1 <user@example.com>: Recipient address rejected: not listed in the recipient list',
    '550 5.7.1 Recipient not in the list of valid recipients',
    '550 5.7.1 Recipient is not in our recipient list',
    '550 5.7.1 Address not in the recipient table',
    '550 Address is not in the list of recipients of this domain',
    '550 5.7.1 Empfänger nicht in der Empfängerliste',
    "550 5.7.1 L'adresse ne figure pas dans la liste des destinataires",
    '550 5.7.1 Destinatario non presente nella lista dei destinatari',
    '550 5.7.1 La dirección no está en la lista de destinatarios',
    '550 5.7.1 O endereço não está na lista de destinatários',
  ];
  it(`a recipient not in the receiver's recipient list is not listed (10): ${notListed.length} texts`, () => {
    expect(wrong(notListed, [10])).toEqual([]);
  });

  it.each([
    // the sender not in a list keeps the block
    ['550 5.7.1 <user@example.com>: Recipient address rejected: Sender not in allow list', 50],
    ['550 5.7.1 Recipient address rejected: Access denied', 50],
    ['host mx.example.com[192.0.2.1] said: 550 5.7.1 Not in recipient list (in reply to MAIL FROM command)', 50],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it.each([
    // what must keep its class: a permanent reply the remote server sent is no connection failure,
    // a spam refusal with a code is no challenge, a delivery window is no rate, a mailbox's own
    // storage count stays a quota
    ['550 5.7.1 Connection refused: your IP is on our blocklist', 51],
    ['554 5.7.1 Message rejected as spam; confirm you are a human at https://example.com', 52],
    ['Message not delivered within 24 hours', 24],
    ['452 4.2.2 Too many messages in the mailbox', 22],
    ['550 5.1.1 User unknown', 10],
    ['554 5.7.1 Your complaint rate is too high', 51],
    ['550 5.7.1 Message rated as spam', 52],
    // a gone address that "no longer receives mail" is no unsubscribe notice; a group's bounce that
    // names joining it is no subscription
    ['This address no longer receives mail', 10],
    ['550 5.1.1 The address you sent to no longer receives mail', 10],
    ['550 5.7.1 This mailbox no longer receives mail', 10],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('the twentieth round: families from the new tune rows', () => {
  it.each([
    // a list's welcome that says the reader was subscribed, in French and Portuguese (80); no
    // longer subscribed is a removal (90)
    ["Bonjour, Vous venez d'être abonné.e à la liste list@example.org", 80],
    ['Vous êtes maintenant abonné à la liste info@example.fr.', 80],
    ['Vous êtes inscrite sur la liste info@example.fr.', 80],
    ['Você foi inscrito na lista info@example.com.', 80],
    ["Vous n'êtes plus abonné à la liste info@example.fr.", 90],
    ["Vous n'êtes plus inscrit à la liste info@example.fr.", 90],
    // a list that names a block stays a block
    ['550 5.7.1 Vous êtes inscrit sur la liste noire', 51],
    // the sending MTA still retrying a host is a deferral (rule 6); giving up after a long failure
    // period is the final expiry (rule 7)
    ['T=remote_smtp defer (-53): retry time not reached for any host', 70],
    ['user@example.com: retry time not reached', 70],
    ['retry time not reached for any host after a long failure period', 24],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});

describe('the twenty-first round: families read from the tune misses, in other wordings and languages', () => {
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  it.each([
    // rule 3 reads a full mailbox, rule 6 every other 4xx reply: the mailbox code X.2.2 in a
    // temporary reply whose words name a mailbox the server could not get at (an access, read or
    // open error, a lock, a mailbox in use or inaccessible) or only a deferral is a transient failure
    ['450 4.2.2 Mailbox temporarily locked by another session', 70],
    ['451 4.2.2 Cannot open mailbox: I/O error', 70],
    ['450 4.2.2 Mailbox in use by another process, please retry', 70],
    ["451 4.2.2 error accessing the recipient's mailbox", 70],
    ["451 4.2.2 The recipient's mailbox is temporarily inaccessible", 70],
    ['451 4.2.2 mailbox busy', 70],
    ['451 Requested action aborted: 4.2.2 mailbox is in use', 70],
    ['451 4.2.2 Postfachzugriffsfehler', 70],
    ["451 4.2.2 Erreur d'accès à la boîte aux lettres", 70],
    ['451 4.2.2 Error de acceso al buzón', 70],
    ['451 4.2.2 Errore di accesso alla casella', 70],
    ['451 4.2.2 Ошибка доступа к почтовому ящику', 70],
    ['451 4.2.2 邮箱访问错误', 70],
    // a network or routing code in a temporary reply whose words name a refusal: the server answered
    ['450 4.4.4 server rejected', 70],
    // a block named under the mailbox-full code is a refusal of the sender, not a full mailbox
    ['550 5.2.2 Blocking of this sender address by the recipient', 50],
    ['552 5.2.2 Absender wurde gesperrt', 50],
    ['552 5.2.2 Expéditeur bloqué par le destinataire', 50],
    ['552 5.2.2 Remitente bloqueado', 50],
    ['552 5.2.2 Blocco del mittente', 50],
    ['552 5.2.2 Nadawca zablokowany', 50],
    // a header the receiver demands beyond RFC 5322 (a subject, a Message-ID): its policy (50),
    // whatever recipient or content code it gives
    ['5.2.1 Subject is required', 50],
    ['550 5.2.1 Message-ID header is required', 50],
    ['554 5.6.0 Missing Subject header', 50],
    ['554 5.6.0 Betreff fehlt', 50],
    ['550 5.2.1 Le champ objet est obligatoire', 50],
    ['554 5.6.0 Asunto vacío', 50],
    ['554 5.6.0 Oggetto mancante', 50],
    ['554 5.6.0 Assunto vazio', 50],
    ['554 5.6.0 Тема отсутствует', 50],
    ['554 5.6.0 邮件主题为空', 50],
    ['554 5.6.0 件名がありません', 50],
    // a bounce (null sender) addressed to more than one recipient, refused: the receiver's policy
    ['Bounce messages must have a single recipient', 50],
    ['503 5.5.0 Bounces are only ever sent to one recipient only', 50],
    ['554 5.1.0 Empty envelope sender with several recipients', 50],
    // an address that asks to be passed on (a source route, a UUCP bang path, the percent hack) or
    // a forward-path domain not served here: relaying refused
    ['550 5.7.1 Source routing not allowed', 54],
    ['550 5.1.0 Source routes are not supported', 54],
    ['553 5.1.0 UUCP-style addresses are refused', 54],
    ['554 5.5.4 Bang path in RCPT TO not allowed', 54],
    ["550 5.7.1 The domain of the forward path isn't allowed here", 54],
    // spam named beside the sender's rate or count: the rate limit (rule 6 before rule 8)
    ['550 You have sent too many emails, this looks like spam', 70],
    ['550 5.7.1 Too many messages sent in a short time, suspected spam', 70],
    ['550 5.7.1 Sending rate exceeded: your mail is treated as spam', 70],
    ['554 Daily sending limit exceeded; suspected spam', 70],
    // the sending host locked up for what it sent: a reputation block
    ['550 Your IP is in jail', 51],
    ['554 Your server is in the penalty box', 51],
    ['550 5.7.1 Client host 192.0.2.1 jailed', 51],
  ] as const)('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });

  it.each([
    // a full mailbox stays one, under either reply class and beside a lock or a block
    ['452 4.2.2 Mailbox full, try again later', 22],
    ['452 4.2.2 Quota exceeded, mailbox locked', 22],
    ['452 4.2.2 user@example.com', 22],
    ['550 5.2.2 Mailbox full, sender blocked', 22],
    // RFC 5322's own required headers stay a fault of the form; a certificate's subject is no header
    ['550 5.7.1 Date header missing', 40],
    ['TLS handshake failed: certificate has no subject alternative name matching the host', 24],
    // a mail program's placeholder for a message without a subject, quoted by a bounce, names no refusal
    ['550 5.1.1 User unknown. Subject: (kein Betreff)', 10],
    ['Delivery to the following recipient failed permanently: Subject: (sans objet) 550 5.1.1 unknown user', 10],
    // a network code alone in a server's temporary reply stays a deferral; a local MTA's own report stays 24
    ['450 4.4.1 Connection timed out', 70],
    ['426 4.4.1 Connection timed out', 24],
    // the forward-path's syntax or a domain that does not exist is no relaying refusal
    ['501 5.1.3 Syntax error in forward-path', 40],
    ['553 5.1.2 Domain of forward path does not exist', 10],
    // spam with no rate, and complaints, keep their classes
    ['550 5.7.1 Message rated as spam', 52],
    ['554 5.7.1 Your complaint rate is too high', 51],
    ['550 5.7.1 Too many spam complaints from your IP', 51],
    ['554 5.7.1 Spam message rejected; too many recipients', 52],
  ] as const)('%s keeps %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });
});
