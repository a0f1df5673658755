/**
 * Word families: stems that hint at a class when the codes gave only a generic or weak answer
 * (40 Generic Bounce, 1 Undetermined, a bare reply code, a detail-0 enhanced code, a generic block).
 * The first listed keyword found in the text wins, so the list is a fallback order from the most
 * explicit words to the least.
 */

import { ENHANCED_STATUS_CODES } from './enhanced-codes.js';
import { makeRule, type StoredRule } from './rules.js';
import { otherSpellings, withSpellings } from './spellings.js';

/**
 * @internal The titles of RFC 3463's registry rows (up to the first comma), which many MTAs print
 * in place of a reply ("Bad destination mailbox address", "Delivery time expired"), with the class
 * of the permanent code. The "Other or undefined ..." titles name nothing and are left out.
 */
const REGISTRY_TITLES: readonly (readonly [string, number])[] = ENHANCED_STATUS_CODES.filter((r) => r.code.startsWith('X.') && !/^other/i.test(r.description))
  .map((r) => [r.description.split(',')[0]!.trim().toLowerCase(), r.permanent] as const)
  .filter(([title]) => title.length >= 12);

/**
 * @internal RFC 5321's own reply texts (§4.2.2) that name the recipient, as servers print them beside
 * the code or in place of one: "mailbox unavailable" (550; 450 for a busy mailbox), "mailbox name not
 * allowed" (553), "user not local" (551). The class is the permanent reading; a 4xx reply reads
 * them as a deferral (see `byReplyClass`).
 */
const REPLY_TEXTS: readonly (readonly [string, number])[] = [
  ['mailbox unavailable', 10],
  ['mailbox name not allowed', 10],
  ['user not local', 10],
  // "mailbox unavailable" as servers localise it: German, French, Spanish, Italian, Portuguese,
  // Russian, Chinese, Japanese and Korean
  ...['postfach nicht verfügbar', 'boîte indisponible', 'boîte aux lettres indisponible', 'buzón no disponible', 'casella non disponibile', 'caixa postal indisponível', 'ящик недоступен',
    '邮箱不可用', '信箱不可用', 'メールボックスが利用できません', '사서함을 사용할 수 없'].map((text) => [text, 10] as const),
];

/** @internal RFC 5321's reply texts: generic wording that a 4xx reply turns into a deferral. */
export const REPLY_TEXT_SET: ReadonlySet<string> = new Set(withSpellings(REPLY_TEXTS.map(([text]) => text)));

/** @internal Words of an excess count ("too many"): temporary on their own (class 70). */
const COUNT_WORDS: readonly string[] = [
  // a number or total that reached its limit ("the number of recipients exceeds the maximum")
  'number of|maximum', 'number of|threshold', 'number of|limit', 'number of|exceed', 'total of|maximum', 'total of|threshold', 'total of|limit', 'total of|exceed', 'maximum number', 'anzahl|überschritten', 'nombre de|dépass', 'número de|excedid',
  'too many', 'zu viele', 'zuviele', 'trop de', 'demasiad', 'troppi', 'troppe', 'слишком много', '过多', '太多', '多すぎ', '過多'];

/** @internal `COUNT_WORDS` as a matcher group. */
export const COUNT_RULES: readonly StoredRule[] = withSpellings(COUNT_WORDS).map((w) => makeRule({ pattern: w, id: 70 }, 'builtin', `count-${w}`));

/**
 * @internal Words of the place where the recipient's mail is kept (on the server, in the mailbox):
 * next to an excess count ("too many messages on the server") they name the mailbox's quota (22),
 * not the sender's rate.
 */
const STORE_WORDS: readonly string[] = [
  'on the server', 'in the mailbox', 'in mailbox', 'in the inbox', 'auf dem server', 'im postfach', 'sur le serveur', 'dans la boîte',
  'en el servidor', 'en el buzón', 'no servidor', 'na caixa', 'sul server', 'nella casella', 'на сервере', 'в ящике', '服务器上', '邮箱中', 'サーバー上',
];

/** @internal `STORE_WORDS` as a matcher group. */
export const STORE_RULES: readonly StoredRule[] = withSpellings(STORE_WORDS).map((w) => makeRule({ pattern: w, id: 22 }, 'builtin', `store-${w}`));

/**
 * @internal Words that name the sending host's address: spam wording about the address, not the
 * message ("spam IP rejected"), names a known spam source (51).
 */
const SOURCE_WORDS: readonly string[] = [' ip ', 'your ip', ' ip.', ' ip,', ' ip;', ' ip)', 'ip address', 'sending ip', 'client host', 'sending host', 'sending server', 'your host', 'your server', 'your mail server', 'your network', 'netblock', 'ip range', 'connecting host', 'connecting ip', 'your mta', 'sending mta', 'ip-adresse', 'adresse ip', 'dirección ip', 'endereço ip', 'indirizzo ip', 'ip-адрес', 'ip地址', 'ipアドレス'];

/** @internal `SOURCE_WORDS` as a matcher group. */
export const SOURCE_RULES: readonly StoredRule[] = withSpellings(SOURCE_WORDS).map((w) => makeRule({ pattern: w, id: 51 }, 'builtin', `source-${w}`));

/**
 * @internal Words that make the message itself the subject ("this message", "message identified"):
 * spam wording about the message is about its content (52) even when the address is named too.
 */
const MESSAGE_SUBJECT_WORDS: readonly string[] = [
  'this message', 'your message', 'the message', 'message is', 'message was', 'message identified', 'message looks', 'content',
  'diese nachricht', 'ihre nachricht', 'ce message', 'votre message', 'este mensaje', 'su mensaje', 'esta mensagem', 'sua mensagem',
  'questo messaggio', 'il messaggio', 'это сообщение', 'ваше сообщение', '邮件内容', 'このメッセージ',
];

/** @internal `MESSAGE_SUBJECT_WORDS` as a matcher group. */
export const MESSAGE_SUBJECT_RULES: readonly StoredRule[] = withSpellings(MESSAGE_SUBJECT_WORDS).map((w) => makeRule({ pattern: w, id: 52 }, 'builtin', `message-subject-${w}`));

/** @internal The spam family (52): the content looks like spam (unsolicited). */
const SPAM_WORDS: readonly string[] = ['spam', 'unsolicited', 'junk', 'phishing', 'indésirable', 'спам', '垃圾', '迷惑', 'スパム', '스팸', 'correo no deseado', 'no solicitad', 'não solicitad', 'non sollicité', 'non sollecitat', 'unerwünschte werbung', 'bulk mail', 'bulk email', 'bulk e-mail', 'as bulk', 'mass mail', 'mass-mail', 'advertis', 'werbung', 'publicité', 'publicidad', 'pubblicità', 'реклам', '广告', '広告', '광고', 'content reject', 'content denied', 'content filter', 'content restriction', 'content polic',
  // unsolicited or unwanted mail in German, Dutch, Polish, Czech, Turkish, Danish and Norwegian, Swedish, Russian, Chinese and Korean
  'skräppost', 'søppelpost', 'unerwünschte e-mail', 'unerwünschte mail', 'unerwünschte nachricht', 'ongevraagde', 'ongewenste e-mail', 'ongewenste mail', 'ongewenste berichten', 'niechciana poczta', 'niechcianą pocztą', 'niechcianej poczty', 'niepożądana poczta', 'niepożądaną pocztą', 'niepożądanej poczty',
  'nevyžádaná pošta', 'nevyžádanou poštu', 'nevyžádané pošty', 'istenmeyen posta', 'istenmeyen e-posta', 'istenmeyen ileti', 'uønsket e-post', 'uønsket post', 'oönskad e-post', 'oönskad post',
  'нежелательн|почт', 'нежелательн|письм', 'письмо|нежелательн', 'сообщение|нежелательн', '未经请求', '未經請求', '원치 않는 메일', '원치 않는 이메일',
  // the content said to be a security risk or threat ("its content presents a potential security
  // issue"), as Gmail's help pages translate it
  // spam as French, Spanish, Italian and Portuguese name it
  'pourriel', 'correo basura', 'posta indesiderata', 'lixo eletr',
  'content|security', 'inhalt|sicherheit', 'contenu|sécurité', 'contenido|seguridad', 'contenuto|sicurezza', 'conteúdo|segurança', 'inhoud|veilig',
  'содержим|безопасност', '内容|安全', '內容|安全', 'コンテンツ|セキュリティ', '콘텐츠|보안'];

/**
 * @internal Words of how a sender gets to submit: authentication and TLS. A refusal that names them
 * is about the sender's setup (50), unless it refuses relaying (54; see `readWords`).
 */
const SUBMISSION_WORDS: readonly string[] = ['authenticat', 'tls is required', 'tls required', 'requires tls', 'require tls', 'starttls',
  // the sender's own credentials at a submission server or sending service, and the sender
  // identity it must have verified there first
  'credential', 'api key', 'apikey', 'api-key', 'api token', 'sender signature', 'sender identit', 'verified sender', 'verified domain', 'unverified domain', 'unverified sender'];

/** @internal See `SUBMISSION_WORDS`. */
export const SUBMISSION_WORD_SET: ReadonlySet<string> = new Set(withSpellings(SUBMISSION_WORDS));

/** @internal An open relay or proxy, a botnet host: a known spam source (51), not a relay refusal. */
const OPEN_RELAY_WORDS: readonly string[] = ['open relay', 'openrelay', 'open proxy', 'openproxy', 'botnet', 'zombie', 'compromised host', 'compromised machine'];

/** @internal Words of relaying (class 54). */
const RELAY_WORDS: readonly string[] = ['relay', 'relais', 'ретрансляц', 'релей', '中继', 'リレー', '릴레이', 'retransmisión', 'retransmissão', 'przekazywanie niedozwolone', 'röle',
  // "forwarding" refused: the Chinese words for relaying a message on
  '轉發遭拒', '转发遭拒', '转发被拒', '轉發被拒', '拒绝转发', '拒絕轉發', '不允许转发', '不允許轉發',
  // an address that asks the server to pass the message on: a source route (RFC 5321 §3.6.1 and
  // Appendix C: `@a,@b:user@c`), a UUCP bang path (`host!user`) or the percent hack
  // (`user%c@b`), refused; and the domain of the forward-path (RFC 5321's name for the RCPT TO
  // argument) not served here. Each is a relaying refusal, whatever verb refuses it.
  'source rout', 'source-rout', 'uucp address', 'uucp-style', 'uucp style', 'uucp path', 'bang path', 'bang-path', 'percent hack', 'percent-hack', '%-hack',
  ...['domain of forward path', 'domain of forward-path', 'domain of the forward path', 'domain of the forward-path', 'forward-path domain', 'forward path domain'].flatMap((what) => [`${what}|not`, `${what}|n't`])];

/** @internal See `SPAM_WORDS`. */
export const SPAM_WORD_SET: ReadonlySet<string> = new Set(withSpellings(SPAM_WORDS));

/** @internal Words of the sender's own sending rate or volume (class 70), listed first. */
const RATE_WORDS: readonly string[] = ['sending quota', 'quota for sending', 'submission quota', 'sending rate', 'sending limit', 'relay limit', 'receive limit', 'daily limit', 'message limit', 'rate limit', 'frequency', 'per hour', 'this hour', 'last hour', 'past hour', 'per minute', 'per second', 'per day', 'hourly limit', 'hourly quota', 'daily quota', 'short period', 'ratelimit', 'rate-limit', 'rate limited', 'volume limit', 'too many sessions', 'too many smtp sessions', 'maximum number of connections', 'connection limit', 'too fast', 'too quickly', 'slow down', 'too much mail', 'zu schnell', 'trop rapide', 'demasiado rápido', 'слишком быстро', '发送过快', '发信频率',
  // a sending or daily limit, a rate, per hour or per day, in French, Spanish, Italian, Portuguese,
  // German, Dutch, Polish, Czech, Slovak, Russian, Chinese, Japanese, Korean and Turkish
  "limite d'envoi", 'limite quotidienne', 'limite journalière', 'à un rythme', 'par heure', 'par jour', 'límite de envío', 'límite diario', 'por hora', 'por día', 'a un ritmo',
  'limite di invio', 'limite giornaliero', "all'ora", 'al giorno', 'limite de envio', 'limite diário', 'por dia', 'a um ritmo', 'sendelimit', 'versandlimit', 'tageslimit', 'sendegrenze', 'pro stunde', 'pro tag',
  'verzendlimiet', 'daglimiet', 'per uur', 'limit wysyłania', 'dzienny limit', 'na godzinę', 'limit odesílání', 'denní limit', 'limit odosielania', 'denný limit', 'za hodinu',
  'лимит отправки', 'суточный лимит', 'в час', 'в сутки', '发送上限', '发送限制', '每日上限', '每日限制', '每小时', '频率', '發送上限', '每小時', '頻率', '中继量', '转发上限', '轉發上限', '每日轉發', '每日转发',
  '1日あたり', '1 日あたり', '時間あたり', '발송 한도', '전송 한도', '일일 한도', '시간당', 'gönderim limiti', 'günlük limit',
  // the rate of what the sender sends ("message rate exceeded", "connection rate too high"; not a
  // complaint or bounce rate, which is its reputation), and the sending rate or frequency in French,
  // Spanish, Italian, Portuguese, German, Russian, Japanese and Korean
  'message rate ', 'messages rate ', 'mail rate ', 'connection rate ', 'submission rate', 'send rate ', 'rate of messages', 'rate of sending', 'rate of connections',
  "taux d'envoi", "fréquence d'envoi", 'velocidad de envío', 'frecuencia de envío', 'tasa de envío', 'velocità di invio', 'frequenza di invio', 'taxa de envio', 'frequência de envio',
  'senderate', 'sendefrequenz', 'скорость отправки', 'частота отправки', '送信レート', '送信頻度', '발송 속도',
  // throttled, and the messages the sender sent counted ("too many messages sent")
  'throttl', 'gedrosselt', 'drosselung', 'limitation du débit', 'débit limité', 'velocidad limitada', 'velocità limitata', 'ограничение скорости', '限流', '限速', 'スロットリング',
  'sent too many', 'too many messages sent', 'too many emails sent', 'too many e-mails sent', 'too many mails sent'];

/** @internal Rate words: they name a rate limit even under a generic policy code. */
export const RATE_WORD_SET: ReadonlySet<string> = new Set(withSpellings(RATE_WORDS));

/**
 * @internal An account or mailbox that was closed or deleted ("mailbox has been closed"), put out of
 * use ("mailbox deactivated", "user account is disabled", "inactive mailbox": the labelling guide's
 * rule 2 names disabled, locked and deactivated accounts) or is no longer available. Listed before
 * the family's single words, so that they, not "disabled" alone, are the word found.
 */
const GONE_WORDS: readonly string[] = [
  ...['account', 'mailbox'].flatMap((what) => [
    ...['', ' is', ' has', ' has been', ' was'].flatMap((verb) => ['closed', 'terminated', 'deleted', 'removed', 'expired', 'disabled', 'deactivated', 'inactive', 'locked'].map((done) => `${what}${verb} ${done}`)),
    `disabled ${what}`, `inactive ${what}`,
  ]),
  // the same said of the address, the user or the recipient (not "expired": a message expires too)
  ...['address', 'user', 'recipient'].flatMap((what) =>
    ['', ' is', ' has been', ' was'].flatMap((verb) => ['closed', 'terminated', 'deleted', 'removed', 'disabled', 'deactivated', 'inactive'].map((done) => `${what}${verb} ${done}`)),
  ),
  // "no longer available" said of the address, not of a service
  ...['account', 'mailbox', 'address', 'user', 'recipient'].flatMap((what) => ['', ' is'].flatMap((verb) => ['available', 'active'].map((state) => `${what}${verb} no longer ${state}`))),
  // the address not recognised, or not a valid one ("is not a valid mailbox"): said of the address,
  // where "command not recognized" is the dialogue's
  ...['account', 'mailbox', 'address', 'user', 'recipient'].flatMap((what) => [`${what} not recognized`, `${what} not recognised`, `not a valid ${what}`]),
];

/**
 * @internal A recipient the receiver's own list or table of recipients does not hold ("Recipient
 * address rejected: Not in recipient list"): not listed in the directory (the guide's rule 2), in
 * English, German, French, Italian, Spanish and Portuguese.
 */
const RECIPIENT_LIST_WORDS: readonly string[] = ['not in|recipient list', 'not listed|recipient list', 'not in|list of valid recipients', 'not in|list of recipients', 'not in|recipient table', 'nicht in der empfängerliste', 'nicht in der liste der empfänger',
  'pas dans la liste des destinataires', 'non presente nella lista dei destinatari', 'no está en la lista de destinatarios', 'não está na lista de destinatários'];

/**
 * @internal A gone account in so many words (the guide's rule 2, for any reply code): they name the
 * recipient's state under a generic block code too ("550 5.7.1 Account closed", "550 5.7.1 mailbox
 * deactivated").
 */
export const GONE_WORD_SET: ReadonlySet<string> = new Set(withSpellings([...GONE_WORDS, 'account is frozen', 'mailbox is frozen', 'account frozen', 'mailbox frozen', 'no longer exist', 'no longer in use', 'no longer receives', ...RECIPIENT_LIST_WORDS]));

/**
 * @internal Words of an attachment or its file type: forbidden (53), unless a size word says it is
 * too large (23).
 */
const ATTACHMENT_WORDS: readonly string[] = ['attachment', 'anhang', 'pièce jointe', 'allegato', 'adjunto', 'anexo', 'вложени', '附件', '添付', '첨부',
  // in Polish, Dutch, Czech and Swedish
  'załącznik', 'bijlage', 'příloh', 'bilaga',
  'file extension', 'file type', 'attach type', 'attach-type', 'forbidden file', 'disallowed file', 'prohibited file', 'banned file', 'blocked file', 'dangerous file', 'executable',
  'verbotene datei', 'unzulässige datei', 'fichier interdit', 'fichier non autorisé', 'archivo no permitido', 'archivo prohibido', 'arquivo não permitido', 'ficheiro não permitido', 'file non consentit', 'dateityp', 'dateiendung', 'type de fichier', 'extension de fichier', 'tipo de archivo', 'extensión de archivo', 'tipo de arquivo', 'tipo di file',
];

/** @internal See `ATTACHMENT_WORDS`. */
export const ATTACHMENT_WORD_SET: ReadonlySet<string> = new Set(withSpellings(ATTACHMENT_WORDS));

/** @internal The name the sending host gave in HELO/EHLO: the sender's setup, not the recipient. */
const HELO_WORDS: readonly string[] = [
  'helo name', 'ehlo name', 'helo hostname', 'ehlo hostname', 'helo host', 'ehlo host', 'invalid helo', 'invalid ehlo', 'bad helo', 'bad ehlo', 'helo command', 'ehlo command', 'helo/ehlo', 'helo argument', 'ehlo argument',
];

/** Operators of public DNS block lists, as their zones and links name them (`cbl.abuseat.org`, `psbl.org`). */
const OPERATORS = ['psbl', 'abuseat', 'invaluement', 'ivmsip', 'senderscore', 'abusix', 'backscatterer', 'dronebl', 'junkemailfilter', 'hostkarma', 'unsubscore', 'gbudb'];

/**
 * @internal The names of block lists and of the block-list kind (DNSBL, RBL): a reply names them in
 * their DNS zones (`zen.spamhaus.org`, `dnsbl.sorbs.net`), so they are read inside host names too,
 * where other words are not.
 */
const BLOCK_LIST_NAMES: readonly string[] = ['blacklist', 'blocklist', 'blacklisted', 'blocklisted', 'denylist', 'denylisted', 'dnsbl', 'rbl', 'spamhaus', 'spamcop', 'sorbs', 'uceprotect', 'barracudacentral', 'spamrats', 'mailspike', ...OPERATORS];

/** @internal See `BLOCK_LIST_NAMES`: the words read inside a mailbox or host name. */
export const NAME_WORD_SET: ReadonlySet<string> = new Set(BLOCK_LIST_NAMES);

/**
 * @internal Words of mail refused from some senders ("does not accept mail from external senders",
 * "not accepting messages from your domain"): a refusal of the sender (50). RFC 7505's null MX says
 * a domain accepts no mail from anyone, so "does not accept mail" of a domain names no senders.
 */
const SELECTIVE_REFUSAL_WORDS: readonly string[] = [
  ...['not accept', 'not accepting', 'accepts no', 'refuses'].flatMap((verb) => ['mail', 'email', 'e-mail', 'messages'].map((what) => `${verb} ${what} from`)),
];

/** @internal See `SELECTIVE_REFUSAL_WORDS`. */
export const SELECTIVE_REFUSAL_SET: ReadonlySet<string> = new Set(withSpellings(SELECTIVE_REFUSAL_WORDS));

/** @internal Words of a block (the thing named was blocked), in the languages of the families. */
const BLOCKED_WORDS: readonly string[] = ['blocked', 'gesperrt', 'blockiert', 'bloqué', 'bloquead', 'bloccat', 'заблокирован', '屏蔽', '封禁', 'ブロック',
  // the block named as a noun ("explicit blocking of the sender"), and blocked in Dutch, Polish,
  // Czech and Turkish
  'blocking', 'sperrung', 'blockierung', 'blocage', 'bloqueo', 'bloqueio', 'blocco', 'блокировк', 'geblokkeerd', 'zablokowan', 'zablokován', 'engellendi'];

/** @internal See `BLOCKED_WORDS`. */
export const BLOCKED_WORD_SET: ReadonlySet<string> = new Set(withSpellings(BLOCKED_WORDS));

/** @internal The receiver's policy named as a reason, in the languages of the families. */
const POLICY_WORDS: readonly string[] = ['policy', 'policies', 'richtlinie', 'politique', 'política', 'politica', 'политик', '策略', 'ポリシー', '정책'];

/**
 * @internal `POLICY_WORDS` and `BLOCKED_WORDS` as a matcher group: the receiver's policy or a block
 * named anywhere in the reply, not only as its first word of the families. Either names a refusal
 * of the sender, which a quota code's "mailbox full" does not describe (see `quotaCodeRefused`).
 */
export const POLICY_RULES: readonly StoredRule[] = withSpellings([...POLICY_WORDS, ...BLOCKED_WORDS]).map((w) => makeRule({ pattern: w, id: 50 }, 'builtin', `policy-${w}`));

/**
 * @internal Words of a mailbox the server could not get at for now: an access, read or write error,
 * a lock, a mailbox in use or inaccessible, in English, German, French, Spanish, Italian, Portuguese,
 * Dutch, Russian, Chinese, Japanese and Korean. In a temporary reply they say why the mailbox code
 * (X.2.2) was given: not a full mailbox (the guide's rule 3) but a transient failure (rule 6).
 */
const MAILBOX_ACCESS_WORDS: readonly string[] = [
  'access error', 'access failure', 'access failed', 'error accessing', 'failed to access', 'unable to access', 'cannot access', 'could not access', 'inaccessible', 'not accessible',
  'read error', 'write error', 'error reading', 'error writing', 'failure reading', 'failure writing', 'cannot open', 'could not open', 'unable to open', 'failed to open', 'open failed',
  'locked', 'lock file', 'lockfile', 'mailbox in use', 'is in use', 'currently in use', 'in use by', 'zugriffsfehler', 'fehler beim zugriff', 'nicht zugreifen', 'gesperrt', "erreur d'accès", 'accès impossible', 'verrouillé',
  'error de acceso', 'no se puede acceder', 'bloqueado temporalmente', "errore d'accesso", 'errore di accesso', 'impossibile accedere', 'erro de acesso', 'não é possível acessar',
  'toegangsfout', 'is in gebruik', 'ошибка доступа', 'недоступен', 'заблокирован', '访问错误', '访问失败', '無法存取', 'アクセスエラー', 'アクセスできません', '액세스 오류', '접근 오류',
];

/** @internal `MAILBOX_ACCESS_WORDS` as a matcher group. */
export const MAILBOX_ACCESS_RULES: readonly StoredRule[] = withSpellings(MAILBOX_ACCESS_WORDS).map((w) => makeRule({ pattern: w, id: 70 }, 'builtin', `mailbox-access-${w}`));

/**
 * @internal A header the receiver demands that RFC 5322 does not (§3.6: only the origination date
 * and the originator are required): a subject, or a Message-ID (which it only recommends), missing,
 * empty or required. Refusing such a message is the receiver's policy (50), not a fault of the
 * message's form (a missing `Date:` or `From:` header) nor of its recipient. In English, German,
 * French, Spanish, Italian, Portuguese, Dutch, Polish, Russian, Chinese, Japanese and Korean.
 */
const REQUIRED_FIELD_WORDS: readonly string[] = [
  ...['subject', 'subject header', 'subject line', 'message-id', 'message-id header'].flatMap((field) => [`${field} is mandatory`, `${field} is required`, `${field} required`, `${field} mandatory`, `missing ${field}`, `${field} missing`, `${field} is missing`, `empty ${field}`, `${field} is empty`, `without a ${field}`, `must have a ${field}`, `must contain a ${field}`]),
  // (not the placeholders mail programs show for a message without one, "kein Betreff", "sans
  // objet", "sin asunto", "без темы", "件名なし", which a bounce may quote)
  'betreff fehlt', 'leerer betreff', 'betreff ist erforderlich', 'betreffzeile fehlt', 'objet manquant', 'objet vide', 'objet est obligatoire', 'objet obligatoire',
  'asunto vacío', 'asunto es obligatorio', 'asunto obligatorio', 'oggetto mancante', 'oggetto vuoto', 'oggetto è obbligatorio', 'oggetto obbligatorio',
  'assunto vazio', 'assunto é obrigatório', 'assunto obrigatório', 'onderwerp ontbreekt', 'onderwerp is verplicht', 'brak tematu', 'temat jest wymagany',
  'тема отсутствует', 'пустая тема', 'тема обязательна', '主题为空', '缺少主题', '主题不能为空', '件名がありません', '件名が空', '제목이 없',
];

/** @internal See `REQUIRED_FIELD_WORDS`. */
export const REQUIRED_FIELD_SET: ReadonlySet<string> = new Set(withSpellings(REQUIRED_FIELD_WORDS));

/**
 * @internal A bounce (the null reverse-path, RFC 5321 §4.5.5) addressed to more than one recipient:
 * a delivery status notification goes to one address, so a receiver that refuses it refuses the
 * sender by policy (50), whatever code it gives.
 */
const NULL_SENDER_WORDS: readonly string[] = ['null sender', 'null reverse-path', 'null reverse path', 'empty sender', 'empty envelope sender', 'empty return-path', 'empty return path', 'bounces', 'bounce message', 'bounce messages'].flatMap((who) =>
  ['more than one recipient', 'multiple recipients', 'several recipients', 'only one recipient', 'a single recipient', 'one recipient only'].map((what) => `${who}|${what}`),
);

/** @internal The sender authentication mechanisms whose DNS records a receiver looks up. */
const AUTH_MECHANISM_WORDS: readonly string[] = ['spf', 'dkim', 'dmarc'];

/** @internal See `AUTH_MECHANISM_WORDS`. */
export const AUTH_MECHANISMS: ReadonlySet<string> = new Set(AUTH_MECHANISM_WORDS);

/**
 * The keyword list: `[keyword, class id]`, in precedence order. Word families rather than phrases:
 * each family lists the English stems and their usual equivalents in German, French, Spanish,
 * Portuguese, Italian, Dutch, Polish, Swedish, Russian, Chinese, Japanese and Korean replies. The
 * order: the sender's rate words, RFC 3463's registry titles, the sender's DNS and authentication
 * setup, an invalid sender, mail refused from some senders, DNS compounds, invalid headers, then
 * the recipient, quota, message form (malformed, header and line length), size, loop, reputation,
 * DNS, connection and expiry, relay, virus and spam families, RFC 5321's generic recipient texts, then the refusal, duplicate and temporary families.
 *
 * @example
 * ```ts
 * classify('550 mailbox is disabled').rule; // { kind: 'keyword', pattern: 'mailbox is disabled' }
 * ```
 * @see RFC 3463 §3
 */
export const KEYWORDS: readonly (readonly [string, number])[] = Object.freeze([
  // the sender's own volume: a sending quota or limit is a rate limit, not a full mailbox or a size
  ...family(70, RATE_WORDS),
  // RFC 3463's own titles, as MTAs print them
  ...REGISTRY_TITLES,
  // the sender's DNS setup named in a refusal (reverse DNS, PTR) and the sender authentication
  // mechanisms (SPF, DKIM, DMARC): a block, not a DNS failure, and more explicit than "spam" named
  // as the motive ("to protect our users from spam")
  ...family(50, ['reverse dns', 'rdns', 'ptr record', 'ptr', 'reverse lookup', 'reverse hostname', ...AUTH_MECHANISM_WORDS, ...SUBMISSION_WORDS]),
  // an invalid or unknown sender (the envelope's MAIL FROM): a refusal of the sender, before the
  // recipient family reads "invalid" or "unknown" as the recipient
  ...family(50, ['invalid sender', 'sender invalid', 'mail from invalid', 'invalid mail from', 'sender address invalid', 'sender address is invalid', 'unknown sender', 'sender unknown', 'sender does not exist', 'sender domain does not exist', 'illegal sender', 'sender illegal', 'sender is illegal', 'illegal mail from']),
  // mail refused from some senders only ("does not accept mail from external senders"): a policy
  // that refuses the sender, not a domain that accepts no mail at all (RFC 7505's null MX)
  ...family(50, SELECTIVE_REFUSAL_WORDS),
  // a header the receiver demands beyond RFC 5322 (a subject), and a bounce sent to more than one
  // recipient: the receiver's policy, before the recipient family reads "recipient" or "missing"
  ...family(50, REQUIRED_FIELD_WORDS),
  ...family(50, NULL_SENDER_WORDS),
  // a host or domain that does not resolve (before "not found" names the recipient)
  ...family(21, ['host not found', 'domain not found', 'domain name not found', 'name service', 'nxdomain', 'unknown domain', 'unknown host', 'domain unknown', 'host unknown', 'hostname unknown', 'no such domain', 'no such host', 'name or service', 'could not resolve', 'unable to resolve', 'cannot resolve', "can't resolve", 'no mx', 'no mail exchanger', 'servfail', 'find any host', 'find a mail exchanger',
    // a host or domain name that cannot be one ("Illegal Host/Domain Name"): no lookup can find it
    'illegal host', 'illegal domain', 'invalid host', 'invalid domain', 'invalid hostname',
    'domain|not be found', "domain|n't be found", 'domain|cannot be found', 'alan adı bulunamadı', 'sunucu bulunamadı', 'domäne|nicht gefunden', 'domain|nicht gefunden', 'host|nicht gefunden', 'dominio no encontrado', 'domein niet gevonden',
    // Polish: the domain's name (not 'domeny nie' alone, the genitive of anything the domain has: "the
    // domain's user does not exist")
    'nazwa domeny nie', 'doména nebyla nalezena', 'doména neexistuje', 'domänen hittades inte', 'domænet findes ikke', 'verkkotunnusta ei löydy',
    'domaine inconnu', 'domaine inexistant', 'dominio desconocido', 'dominio inexistente', 'domínio inexistente', 'dominio inesistente', 'домен не найден', 'домен не существует', '域名不存在', '도메인을 찾을 수 없', '도메인이 존재하지 않', '找不到主机', '找不到域名', 'ホストが見つかりません', 'ドメインが見つかりません',
    // a resolver's or sending library's own words and error names for a name that did not resolve,
    // and a domain or host name not found in German, French, Spanish, Italian, Portuguese, Dutch,
    // Russian and Polish
    'no address associated with', 'enotfound', 'eai_again', 'eai_noname', 'enodata', 'namensauflösung', 'konnte nicht aufgelöst', 'domain existiert nicht', 'domäne existiert nicht',
    'hôte introuvable', 'domaine introuvable', "domaine n'existe pas", 'el dominio no existe', 'dominio non esiste', 'domínio não existe', 'domein bestaat niet', 'разрешении имен', 'разрешения имен', 'rozwiązywaniu nazw', 'rozwiązać nazwy']),
  // an invalid header or message format is a fault of the message's form, before the recipient
  // family reads "invalid" as the recipient
  ...family(40, [
    'invalid header', 'header invalid', 'header is invalid', 'subject contains invalid', 'invalid subject', 'invalid characters in the subject', 'header is missing', 'header missing', 'missing header', 'invalid message format', 'message format is invalid', 'invalid mime', 'bad header', 'header syntax',
    // the dialogue's form: input, a command or its argument the server could not take
    'invalid input', 'invalid data', 'invalid command', 'invalid parameter', 'invalid syntax',
    'ungültiger header', 'ungültige kopfzeile', 'en-tête invalide', 'encabezado no válido', 'cabeçalho inválido', 'intestazione non valida',
  ]),
  // the recipient: unknown, gone, disabled
  ...family(10, [
    'unknown user', 'user unknown', 'illegal user', 'illegal recipient', 'illegal address', 'illegal mailbox', 'unknown recipient', 'recipient unknown', 'unknown address', 'address unknown', 'unknown mailbox',
    'mailbox unknown', 'unknown local', 'unknown alias', 'unknown account', 'account unknown', 'local part unknown', 'not found', 'not be found', "n't be found", 'cannot be found', 'no such', 'not exist', 'not valid', ...GONE_WORDS, 'disabled', 'deaktiviert', 'désactivé', 'disattivat', 'desactivad', 'desativad', 'отключен', '停用', 'account suspended', 'mailbox suspended', 'is suspended', 'been suspended', 'deactivated', 'invalid', 'inactiv', 'is locked',
    'unbekannt', 'nicht bekannt', 'existiert nicht', 'inconnu', "n'existe pas", 'introuvable', 'desconocido', 'no existe', 'inexistente',
    'não existe', 'desconhecido', 'inesistente', 'inexistant', 'non esiste', 'não encontrad', 'пользователя нет', 'non valido', 'sconosciuto', 'не существует', 'не найден', 'нет такого', 'несуществующ',
    '不存在', '未开通', '无此用户', '存在しません', '存在しない', '登録されていません', '登録されていない',
    'no account', 'not have an account', 'user suspended', 'not known', "n't exist", 'not user of', 'not our user', 'not our customer', 'not listed|directory', 'not listed|address book', ...RECIPIENT_LIST_WORDS, 'nicht verzeichnet', 'non répertorié', 'no registrad', 'não registrad', 'address syntax', 'mailbox syntax', 'correct recipient', 'wrong recipient', 'incorrect address', 'wrong address', "user doesn't have", 'user does not have', 'recipient verif', 'account|suspended', 'ungültig', 'gibt es nicht', 'invalide', 'inválid', 'no válid', 'неверн', '宛先不明', 'bestaat niet', 'onbekend', 'nie istnieje', 'neexistuje',
    // an account or mailbox that was moved (rule 2 of the labelling guide)
    'has moved', 'account is frozen', 'mailbox is frozen', 'account frozen', 'mailbox frozen',
    'compte supprimé', 'compte a été supprimé', 'boîte supprimée', 'cuenta eliminada', 'cuenta ha sido eliminada', 'buzón eliminado', 'konto wurde gelöscht', 'postfach wurde gelöscht',
    'konto gelöscht', 'postfach gelöscht', 'conta excluída', 'conta foi excluída', 'account eliminato', 'casella eliminata', 'аккаунт удален', 'ящик удален', '已注销',
    'no longer with', 'no longer employed', 'no longer exist', 'no longer valid', 'no longer in use', 'no longer receives',
    // an address that no router accepted (Exim): the address, where "unrouteable mail domain" names the domain
    'unrouteable address', 'unroutable address',
    'length of the recipient', 'length of the address', 'length of the local part', 'address too long', 'address is too long', 'local part too long',
    'nicht vergeben', 'nicht mehr aktiv', 'nicht mehr gültig', 'plus valide', 'plus utilisée', 'ya no está', 'não está mais',
    'bulunamadı', 'geçersiz', 'mevcut değil', 'nem létezik', 'ismeretlen', 'nu există', 'necunoscut',
    'アドレスが見つかりません', 'ユーザーが見つかりません', 'ユーザが見つかりません', '宛先が見つかりません',
    'nicht gefunden', 'wurde nicht|gefunden', 'niet gevonden', 'non trovat', 'no encontrad', 'no se encontr', 'hittades inte', 'nie znaleziono', 'nenalezen',
    'nieznany', 'okänd', 'finns inte',
    // an unknown recipient, user or address in Czech, Turkish, Danish, Norwegian and
    // Finnish (said of the recipient: an "unknown error" is not one), a mailbox or recipient that is
    // not there in German, and Korean's "there is no such address / user"
    'neznámý uživatel', 'neznámý příjemce', 'neznámá adresa', 'bilinmeyen kullanıcı', 'bilinmeyen alıcı', 'bilinmeyen adres',
    'ukendt modtager', 'ukendt bruger', 'ukjent mottaker', 'ukjent bruker', 'tuntematon vastaanottaja', 'tuntematon käyttäjä', 'modtageren findes ikke', 'brugeren findes ikke', 'adressen findes ikke', 'vastaanottajaa ei löydy', 'käyttäjää ei löydy', 'osoitetta ei löydy',
    // an account blocked, cancelled or disabled in Polish, Czech and Turkish
    'konto zostało zablokowane', 'konto zablokowane', 'účet byl zrušen', 'účet je zablokován', 'hesap devre dışı',
    ...['postfach', 'empfänger', 'benutzer', 'konto'].map((what) => `${what} nicht vorhanden`), '사용자 없음', '수신자 없음', '수신자 주소가 없', '받는 사람 주소가 없', '메일 주소가 없', '사용자가 없', '找不到', '찾을 수 없', 'ユーザ不明', 'ユーザー不明', '존재하지 않', '없는 사용자', '알 수 없는 사용자', '알 수 없는 수신자', '잘못된 주소', '유효하지 않', '휴면',
    // the address's form (bad address syntax)
    'アドレスの形式', 'アドレス形式', '不正なアドレス', '無効なアドレス', '不明なアドレス', '不明な宛先', '無効な宛先', '宛先が無効', '不明なユーザ', '無効な受信者', '受信者が無効', '无效的收件人', '收件人无效', '無效的收件者', '收件者無效', '잘못된 수신자',
    // an address without its domain
    'specify a domain', '地址格式', '无效地址', '无效的地址', '地址无效', '주소 형식', '올바르지 않은 주소', '잘못된 이메일', 'адрес некорректен', 'некорректный адрес',
  ]),
  // the mailbox is full (before the size family: "mailbox size exceeded" is a quota)
  ...family(22, [
    'size of the mailbox', 'size of your mailbox', 'size of mailbox', 'full ', 'full.', 'full,', 'full;', 'full:', 'full)', 'full!', 'full-', 'full"', "full'", 'is full', 'box full', 'folder full', 'account full', 'user full', 'recipient full', 'disk full', 'drive full', 'are full', 'quota', 'storage', 'mailbox size', 'speicher', 'postfach voll', 'ist voll', 'plein', 'lleno', 'cheia', 'pieno',
    'переполнен', 'квот', '空间不足', '已满', '容量', '満杯', 'いっぱい', '一杯', 'llena', 'piena', 'cuota', 'mailbox exceed', 'mailbox limit', 'inbox limit', 'mailbox capacity', 'inbox capacity', 'postfachgröße', 'postfachlimit', 'limite de la boîte', 'capacité de la boîte', 'límite del buzón', 'capacidad del buzón', 'limite da caixa', 'capacidade da caixa', 'limite della casella', 'capacità della casella', 'disk space', 'pełna', 'przepełnion', 'plná', 'kutusu dolu', 'kota aşıldı', 'postvak is vol', 'mailbox is vol', 'postvak vol', 'mailbox vol', 'är full', 'postkassen er fuld', 'indbakken er fuld', 'postkassen er full', 'postboksen er full', 'innboksen er full', 'täynnä', 'megtelt', 'plină',
    '용량 초과', '용량이 초과', '용량을 초과', '가득 찼', '가득 차', '저장 공간',
    // the local delivery agent could not write the recipient's mailbox file (a full disk or quota)
    'create user output file', 'create output file',
  ]),
  // a malformed message, or a header or a line over its length limit, is a fault of the message's
  // form (RFC 5322 §2.1.1), not its size
  ...family(40, ['headers too large', 'header too large', 'header too long', 'headers too long', 'line too long', 'line length', 'malformed', 'malformé', 'mal formad', 'malformat']),
  // the message is too large
  ...family(23, [
    // a length or size that reached its limit ("the length of the data exceeds the maximum")
    'length of|maximum', 'length of|threshold', 'length of|limit', 'length of|exceed', 'size of|maximum', 'size of|threshold', 'size of|limit', 'size of|exceed', 'maximum size', 'maximum fixed size', 'fixed maximum', 'size policy', 'größe|überschr', 'taille|dépass', 'tamaño|exced', 'tamanho|exced',
    'nachrichtengröße', 'maximale größe', 'taille maximale', 'taille du message', 'tamaño máximo', 'tamaño del mensaje', 'tamanho máximo', 'tamanho da mensagem',
    'dimensione massima', 'dimensione del messaggio', 'размер письма', 'размер сообщения', 'допустимый размер', '邮件大小', '大小超过', '大小超出', 'メールサイズ', '메일 크기',
    'too big', 'too large', 'message too long', 'message is too long', 'mail too long', 'mail is too long', 'body too long', 'body is too long', 'attachment too long', 'attachment is too long', 'attachments too long', 'attachments are too long', 'file too long', 'file is too long', 'size limit',
    // a size that passes what is allowed, without the word "size" before the limit
    'allowed size', 'permitted size', 'size allowed', 'larger than the allowed', 'larger than allowed', 'larger than the permitted', 'larger than the maximum', 'bigger than the allowed', 'bigger than allowed', 'size exceed', 'exceeds size', 'message size', 'zu groß', 'trop volumineux', 'demasiado grande', 'muito grande', 'trop gros', 'troppo grande', 'слишком больш', '过大', '大きすぎ', 'zu gross',
    'przekracza maksymalny rozmiar', 'viesti on liian suuri', 'liian suuri viesti', 'zbyt duża', 'zbyt duży', 'za duża', 'za duży', 'příliš velk', 'te groot', 'çok büyük', 'för stor', 'túl nagy', 'prea mare',
    'サイズ超過', 'サイズが大き', '크기 초과', '크기가 초과', '크기를 초과', '크기가 너무']),
  // loops and hop counts: a routing fault, the generic bounce
  ...family(40, ['loop', 'hops', 'hop count', 'schleife', 'boucle', 'bucle', 'parse error', 'sequence error', 'bad sequence',
    // a loop in Italian, Dutch, Polish, Czech, Turkish, Russian, Chinese and Japanese
    'ciclo di posta', 'ciclo rilevato', 'lus gedetecteerd', 'e-maillus', 'pętl', 'zacyklen', 'smyčk', 'döngü', 'петл', 'зациклен', '循环', '迴圈', 'ループ']),
  // the sender's reputation: block lists, abuse, complaints
  ...family(51, [
    'spam sender', 'spam source', 'sending activity', 'reputation', 'blacklist', 'blocklist', 'block list', 'denylist', 'deny list',
    'blocked using', 'dnsbl', 'rbl', 'spamhaus', 'spamcop', 'sorbs', 'uceprotect', 'barracudacentral', 'spamrats', 'mailspike', ...OPERATORS, 'ip listed', 'ip address listed', 'ip is listed', 'ip address is listed', 'black ip', 'schwarze liste', 'sperrliste', 'liste noire', 'lista negra', 'черн', '黑名单', 'ブラックリスト', 'dictionary attack', 'harvest',
    'for abuse', 'due to abuse', 'because of abuse', 'abuse detected', 'abuse report', 'abusive', 'missbrauch', 'abuso', 'злоупотреб', '滥用', 'complaint', 'beschwerde', 'plainte', 'queja', 'reclamaç', 'reclamo', 'жалоб', '投诉', '苦情',
    'lista nera', 'lista preta', 'czarnej liście', 'czarna lista', 'czarnej listy', 'černé listin', 'černá listina', 'zwarte lijst', 'kara liste', 'feketelist', 'lista neagră', 'svartlist', 'sortliste',
    'réputation', 'reputación', 'reputação', 'reputazione', 'репутац', '信誉', 'レピュテーション', '평판', '블랙리스트',
    // the sender locked up for what it sent: in prison, in jail, in the penalty box
    'in prison', 'in jail', 'jailed', 'penalty box', 'penaltybox', 'im gefängnis', 'en prison', 'en la cárcel', 'na prisão', 'in prigione',
  ]),
  // name resolution
  ...family(21, ['dns', 'name server', 'nameserver', 'lookup', 'mx record', 'unrouteable', 'unroutable', 'not routable', 'unable to route', 'cannot route', 'could not route', 'no smtp service', 'not accept mail', 'accepts no mail', 'null mx', 'no mail server', 'no mailserver']),
  // the host could not be reached
  ...family(24, ['timed out', 'timeout', 'connection refused', 'lost connection', 'io error', 'i/o error', 'read/write error', 'network error', 'greeting never', 'no greeting', 'unreachable', 'not reachable', 'no route to host', 'unable to connect', 'could not connect', 'cannot connect', "can't connect", 'failed to connect', 'connection reset', 'connection closed', 'connection was closed', 'closed the connection', 'did not respond', 'not responding', 'handshake failed', 'not delivered within', 'be delivered within', 'for too long', 'queue too long', 'expired', 'giving up', 'gave up', 'failing for a long time', 'has been delayed', 'maximum delivery attempts', 'delivery attempts exceeded', 'too many delivery attempts',
    'impossible de joindre', 'impossible de se connecter', 'connexion impossible', 'no se pudo conectar', 'no se puede conectar', 'verbindung fehlgeschlagen', 'keine verbindung',
    'не удалось подключиться', 'не удалось соединиться', '无法连接', '接続できません',
    // a connection refused, or the connection requests the receiving server did not accept, in the
    // languages above and Italian, Portuguese, Dutch, Polish, Czech, Slovak, Chinese, Korean, Turkish
    'connexion refusée', 'demandes de connexion', 'conexión rechazada', 'solicitudes de conexión', 'connessione rifiutata', 'richieste di connessione', 'impossibile connettersi', 'conexão recusada',
    'solicitações de conexão', 'não foi possível conectar', 'verbindung abgelehnt', 'verbindungsanfragen', 'verbinding geweigerd', 'kan geen verbinding', 'połączenie odrzucone', 'nie można połączyć',
    'spojení odmítnuto', 'nepodařilo se připojit', 'nepřijal naše požadavky', 'spojenie odmietnuté', 'nepodarilo sa pripojiť', 'neprijal naše požiadavky', 'соединение отклонено', 'запросы на подключение',
    '连接被拒绝', '連線被拒', '無法連線', '连接请求', '連線要求', '接続が拒否', '接続要求', '연결이 거부', '연결할 수 없', '연결 요청', 'bağlantı reddedildi', 'bağlanılamadı', 'anslutningen nekades', 'forbindelsen blev afvist',
    'zeitüberschreitung', "délai d'attente", 'tiempo de espera', 'tempo limite', 'таймаут', 'тайм-аут', '超时', 'タイムアウト', '시간 초과',
    // the system's own words for a network or host it has no route to, a refused connection or one
    // that timed out, as localised operating systems print them (German, French, Spanish, Italian,
    // Portuguese, Dutch, Polish, Czech, Swedish, Turkish, Russian, Chinese, Japanese, Korean)
    'netzwerk ist nicht erreichbar', 'netzwerk nicht erreichbar', 'host nicht erreichbar', 'keine route zum', 'verbindungsaufbau abgelehnt', 'réseau inaccessible', "réseau n'est pas accessible", 'hôte inaccessible', "aucun chemin d'accès",
    'red es inaccesible', 'red inaccesible', 'no hay ninguna ruta', 'conexión rehusada', 'rete non raggiungibile', 'rete non è raggiungibile', 'nessun instradamento',
    'rede inacessível', 'rede está inacessível', 'sem rota para', 'netwerk is onbereikbaar', 'netwerk onbereikbaar', 'geen route naar',
    'nieosiągaln', 'sieć jest niedostępna', 'brak trasy do', 'síť není dostupná', 'síť je nedostupná', 'nätverket kan inte nås', 'ağa ulaşılamıyor',
    'сеть недоступна', 'хост недоступен', 'нет маршрута до', 'в соединении отказано', 'время ожидания соединения', 'превышено время ожидания',
    // and the error names of the same in sending libraries ("connect ECONNREFUSED 192.0.2.1:25")
    'econnrefused', 'etimedout', 'ehostunreach', 'enetunreach', 'econnreset', 'econnaborted', 'ehostdown', 'epipe', 'socket hang up', 'closed connection', 'retry count', 'retries exceeded',
    '网络不可达', '主机不可达', '拒绝连接', 'に到達できません', '経路がありません', '接続を拒否']),
  // an open relay or proxy, a botnet host, is a known spam source: the sender's reputation, not a
  // relaying refusal
  ...family(51, OPEN_RELAY_WORDS),
  ...family(54, RELAY_WORDS),
  ...family(53, ['virus', 'malware', ...ATTACHMENT_WORDS, 'вирус', '病毒', 'ウイルス', 'vírus', 'wirus', 'schadsoftware', 'logiciel malveillant', 'software malicioso', 'вредонос', '恶意软件', 'マルウェア', '바이러스', '악성']),
  // the content looks like spam
  ...family(52, SPAM_WORDS),
  // banned, after the virus and spam words: what was banned (a file type, the content) says more
  ...family(51, ['banned']),
  // RFC 5321's generic recipient texts, as servers print them: after every family that says more
  // ("mailbox unavailable - over quota" is a quota), before the refusal and temporary words
  ...REPLY_TEXTS,
  // a refusal of the sender or the content
  ...family(50, [
    'refused', 'denie', 'reject', 'not welcome', 'spoof', 'fake', 'forged', 'forgery', 'prohibited', 'sender is', 'sender not', 'sender address', 'sender domain', 'auth', 'check error', 'check fail', 'not allowed', 'not permitted', 'not accepted', 'nicht akzeptiert', 'non accepté', 'no aceptad', 'não aceit', 'non accettat', 'не принят', 'unauthorized',
    ...BLOCKED_WORDS, 'abgelehnt', 'abgewiesen', 'refusé', 'rechazad', 'recusad', 'rifiutat', 'отклонен', 'запрещ', '拒绝', '拒否', 'sender verif', 'mismatch', 'not match', 'stimmt nicht überein', 'ne correspond pas', 'no coincide', 'não corresponde', 'non corrisponde', 'не совпада', '不匹配', '一致しない', 'hangup', 'not trusted', 'untrusted', 'trust relationship', 'verweigert', 'zurückgewiesen', 'rejeté', 'denegad', 'rejeitad', 'respint', 'отказ', '拒收', '거부', '차단',
    // the receiver's policy, named as the reason
    ...POLICY_WORDS,
  ]),
  // the name the sending host gave in HELO/EHLO, or the greeting it owed, named in a refusal: the
  // sender's setup (after every family that says more, so a recipient or DNS word still decides
  // and names whose it is)
  ...family(50, HELO_WORDS.filter((w) => !w.endsWith(' command'))),
  // a duplicated message or header is a fault of the message's form; after the refusal words, so a
  // refused duplicate stays a refusal
  ...family(40, ['duplicat', 'dupliqué', 'дубликат']),
  // a temporary condition
  ...family(70, [
    'busy', 'temporar', 'try again', 'retry', 'reintent', 'riprov', 'повтор', 'unavailable', 'later', ...COUNT_WORDS, 'greylist',
    'vorübergehend', 'später', 'plus tard', 'temporaire', 'más tarde', 'mais tarde', 'временно', 'позже', '稍后', '频率', '一時的', 'voruebergehend', 'spaeter', 'überlastet', 'ueberlastet', 'réessayer', 'reessayer', 'surcharg', 'temporal', 'temporári', 'temporane', 'più tardi', '暂时', '繁忙', 'しばらく', '일시적', '잠시 후', '나중에 다시',
    'później', 'později', 'もう一度お試し', '後ほど', 'zbyt wiele', 'za dużo', 'zbyt dużo', '送信数', '送信上限', '送信制限', 'daha sonra', 'tekrar deneyin', 'később', 'próbálja újra', 'mai târziu', 'încercați din nou', 'senare', 'försök igen',
  ]),
] as const);

/**
 * @internal Words of a mailbox that is no longer in use (inactive, disabled, deactivated, suspended).
 * Next to a full-mailbox wording ("out of storage space and inactive") they say why it is full: an
 * abandoned mailbox, a recipient that will not come back (RFC 3463 X.2.1 beside X.2.2).
 */
const DORMANT_WORDS: readonly string[] = [
  'inactiv', 'disabled', 'deactivated', 'is suspended', 'been suspended', 'account suspended', 'mailbox suspended', 'no longer in use', 'abandoned',
  'deaktiviert', 'inaktiv', 'désactivé', 'inactif', 'disattivat', 'desactivad', 'desativad', 'inativ', 'отключен', '停用',
];

/**
 * Words of messages that are not delivery failures (RFC 3834 automatic replies, list notices,
 * challenge-response requests). Consulted only for a text that carries no reply code and no enhanced
 * status code, before {@link KEYWORDS}.
 *
 * @example
 * ```ts
 * classify('I am out of the office until Monday').id; // 60
 * ```
 * @see RFC 3834 §5
 */
export const NON_BOUNCE_KEYWORDS: readonly (readonly [string, number])[] = Object.freeze([
  ...family(100, ['challenge-response', 'challenge/response', 'challenge response', 'real person', 'are a human', 'not a robot', 'captcha', 'verify that you', 'whitelist request', 'boxtrapper', 'complete the verification process', 'reply to this verification email', 'approved senders', 'authenticate yourself', 'spamarrest', 'spam arrest', 'mailinblack', 'confirm that you sent', 'confirm you sent', 'held until you confirm',
    // a message held until the sender proves who they are
    'until you verify', 'once you verify', 'not been verified', 'pending verification', 'awaiting verification', 'held pending', 'being held because', 'en attente de vérification', 'pendiente de verificación', 'aguardando verificação', 'in attesa di verifica', 'noch nicht verifiziert',
    // the sender asked to prove they are a person, in German, French, Spanish, Italian and Portuguese
    // (said of the sender: "a real person will answer you" in an automatic reply is not one)
    'ein mensch sind', 'kein roboter', 'êtes une personne réelle', 'pas un robot', 'es una persona real', 'no es un robot', 'essere una persona reale', 'non sei un robot', 'é uma pessoa real', 'não é um robô',
    // the same without "real", and a human, not a spammer, in those languages and Dutch and Polish;
    // a sender asked to confirm their own address, an anti-spam check of the sender
    'you are a person', 'you are human', 'not a spammer', 'prove that you are', 'prove you are', 'senders who confirm', 'confirm their address', 'anti-spam verification', 'antispam verification',
    'ein mensch bist', 'kein spammer', 'êtes une personne', 'êtes un humain', 'pas un spammeur', 'que es una persona', 'que eres una persona', 'no es un spammer', 'che sei una persona', 'di essere una persona', 'sei un essere umano',
    'que é uma pessoa', 'que você é uma pessoa', 'você é humano', 'een mens bent', 'geen robot', 'geen spammer', 'jesteś człowiekiem', 'nie jesteś robotem', 'nie jesteś spamerem']),
  ...family(90, ['unsubscribe', 'removed from the list', 'removed from this mailing list', 'no longer a subscriber', 'abgemeldet', 'désabonn', 'baja de la lista', 'unsubscription', 'removed from the|list', 'goodbye from the|list', 'désinscri', 'abbestellt',
    // leaving a list, in the languages of the list words below (ahead of them: "unsubscribe from this
    // mailing list" is a removal)
    'abmelden', 'abbestellen', 'austragen', 'ausgetragen', 'von der liste entfernt', 'retiré de la liste', 'retirer de la liste', 'darse de baja', 'darte de baja', 'borrarse de', 'borrarte de',
    'cancelar la suscripción', 'anular la suscripción', 'disiscri', 'cancellazione dalla lista', 'cancellarti dalla lista', 'cancellato dalla lista', 'cancelar a inscrição', 'cancelar a assinatura',
    'retirée de la liste', 'supprimé de la liste', 'supprimée de la liste', 'ne figure plus', "n'est plus abonné", "n'êtes plus abonné", "n'êtes plus inscrit", 'descadastr', 'removido da lista', 'remover da lista', 'afmelden', 'afgemeld', 'uitschrijven', 'uitgeschreven', 'wypisa', 'odhlásit', 'odhlášen', 'avregistrer', 'отписа', 'отказаться от подписки',
    'удален из списка', 'удалить из списка', 'удалены из списка', '退订', '取消订阅', '退出邮件列表', '退出列表', '配信停止', '購読解除', '登録解除', '退会', '구독 취소', '구독 해지', '수신 거부', '수신거부',
    '리스트에서|삭제', '탈퇴',
    // in Swedish, Danish, Norwegian, Finnish, Hungarian, Romanian and Turkish
    'avanmäl', 'avprenumer', 'avsluta prenumeration', 'afmeld', 'avmeld', 'peruuta tilaus', 'poistettu listalta', 'leiratkoz', 'dezabon', 'abonelikten çık', 'abonelikten ayrıl',
    // removed from a list said of "our" list, an opt-out done, and mail the reader "will no longer
    // receive" (future tense: a gone address "no longer receives mail"), in English, German, French,
    // Spanish, Italian, Portuguese, Dutch, Polish and Russian
    'removed from our', 'successfully opted out', 'you have opted out', 'will no longer receive', 'will not receive any more', "won't receive any more", 'aus dem verteiler', 'vom verteiler', 'ne recevrez plus', 'ne recevrez désormais plus',
    'ya no recibirás', 'ya no recibirá', 'non riceverai più', 'non riceverà più', 'não receberá mais', 'não vai mais receber', 'ontvangt geen', 'nie będziesz już otrzymywać', 'больше не будете получать']),
  ...family(80, ['subscription confirmed', 'confirm your subscription', 'subscription request', 'subscribed', 'welcome to the list', 'welcome to the mailing list', 'added to the list', 'join the list', 'abonniert', 'subscription confirmation', 'confirm subscription', 'added to this mailing list', 'added to this list', 'welcome to the|mailing list', 'inscription à la liste', 'suscripción', 'complete your subscription', 'subscription to the list', 'subscription has been confirmed', 'confirm my subscription', 'thanks for signing up', 'thank you for signing up',
    'abonnement bestätigen', 'bestätigen sie ihr abonnement', 'anmeldung bestätigen', 'confirmez votre abonnement', 'confirmer votre abonnement', 'confirmer votre inscription', 'conferma la tua iscrizione', 'confirme sua inscrição',
    // a mailing list named in a text with no reply code: a list's own notice (joining, a welcome,
    // a confirmation request), in English, German, French, Spanish, Italian, Portuguese, Dutch,
    // Polish, Czech, Russian, Chinese, Japanese and Korean
    'mailing list', 'mailinglist', 'mailing-list', 'newsletter', 'opt-in', 'mailingliste', 'verteilerliste', 'abonnieren', 'liste de diffusion', 'liste de discussion', "s'abonner", 'abonnement à la liste',
    'lista de distribución', 'lista de correo', 'suscrib', 'lista di distribuzione', 'iscrizione', 'lista de discussão', 'lista de e-mail', 'lista de emails',
    'inscrição na lista', 'assinatura da lista', 'iscritt', 'mailinglijst', 'nieuwsbrief', 'inschrijving', 'aangemeld', 'lista dyskusyjn', 'listy dyskusyjnej', 'listy wysyłkowej', 'lista wysyłkowa', 'lista mailingow',
    'listy mailingowej', 'subskrypcj', 'konference', 'odběr', 'список рассылки', 'списка рассылки', 'списке рассылки', 'подписк', '邮件列表', '邮件组', '订阅', 'メーリングリスト', '購読', '메일링 리스트',
    '메일링리스트', '구독', 'bienvenue sur la liste', 'bienvenue dans la liste', 'willkommen auf der liste', 'bienvenido a la lista', 'bienvenida a la lista', 'benvenuto nella lista', 'bem-vindo à lista',
    'welkom op de lijst',
    // being subscribed said of the reader ("vous venez d'être abonné.e à la liste"), in French and
    // Portuguese: the list's welcome, as "subscribed" is in English
    'abonné à la liste', 'abonnée à la liste', 'abonné.e à la liste', 'abonné(e) à la liste', 'inscrit à la liste', 'inscrite à la liste', 'inscrit sur la liste', 'inscrite sur la liste',
    "vous êtes abonné", "vous êtes maintenant abonné", "vous venez d'être abonné", "vous venez d'être inscrit", 'inscrito na lista', 'inscrita na lista',
    // in Polish and the Nordic languages (a subscription: prenumerata, prenumeration), Hungarian,
    // Romanian, Turkish and Greek
    'prenumer', 'anmäla dig', 'anmälan till', 'till listan', 'e-postlista', 'sändlista', 'tilmeld', 'e-mail-liste', 'e-postliste', 'påmelding', 'postituslista', 'tilauksen',
    'levelezőlista', 'feliratkoz', 'listă de discuții', 'abonare', 'e-posta listesi', 'abonelik', 'λίστα ταχυδρομείου', 'συνδρομή']),
  ...family(60, [
    'out of office', 'out of the office', 'automatic reply', 'auto-reply', 'autoreply', 'auto reply', 'vacation', 'away until', "i'm away", 'i am away',
    'on holiday', 'abwesen', 'außer haus', 'automatische antwort', 'urlaub', 'congés', 'réponse automatique', 'respuesta automática', 'fuera de la oficina', 'vacaciones', 'in ferie', 'resposta automática',
    'risposta automatica', 'автоответ', 'в отпуске', '自动回复', '不在にして', '自動応答',
    'annual leave', 'parental leave', 'maternity leave', 'nicht im büro', 'absent du bureau', 'absente du bureau', 'fuori ufficio', 'fora do escritório',
    'fuera de oficina', 'вне офиса', '不在办公室', '外出中', '休暇', '休假', 'suis absent', 'suis actuellement absent', 'de férias', 'automated response', 'automatic response', 'autoresponder', 'no longer monitored',
    // the thanks an automatic reply opens with, and "not at my desk" / "I am unavailable", in the
    // languages above (read only in a text with no reply code: a bounce quotes no thanks)
    'thank you for your message', 'thank you for your email', 'thank you for your e-mail', 'thanks for your message', 'thanks for your email',
    'dank für ihre nachricht', 'dank für ihre e-mail', 'dank für ihre mail', 'merci pour votre message', 'merci de votre message', 'merci pour votre e-mail', 'merci pour votre mail',
    'gracias por su mensaje', 'gracias por tu mensaje', 'gracias por su correo', 'obrigado pela sua mensagem', 'obrigado pelo seu e-mail', 'grazie per il suo messaggio', 'grazie per la sua email',
    'спасибо за ваше письмо', '感谢您的来信', 'thank you for your mail', 'merci pour votre email', 'merci pour votre courriel', 'merci de votre courriel', 'dank für ihre email', 'gracias por su email',
    'obrigado pelo seu email', 'obrigado pela sua mensagem', 'grazie per la tua email', 'grazie per la tua e-mail', 'grazie per la sua e-mail', 'bedankt voor uw e-mail', 'bedankt voor je e-mail', 'bedankt voor uw bericht',
    'bedankt voor je bericht', 'bedankt voor uw mail', 'dziękuję za wiadomość', 'dziękujemy za wiadomość', 'děkuji za zprávu', 'tack för ditt mejl', 'tack för ditt meddelande',
    'niet aanwezig', 'buiten kantoor', 'automatisch antwoord', 'automatisch bericht', 'automatische nachricht', 'message automatique', 'mensaje automático', 'messaggio automatico', 'mensagem automática',
    '自動返信', '自动答复', 'автоматический ответ', '자동 응답', '자동응답', 'odpowiedź automatyczna', 'automatyczna odpowiedź', 'poza biurem', 'nicht am platz', 'nicht im haus', 'je suis|indisponible', 'estoy|ausente', 'sono|assente',
    // being away and back, and the "in urgent cases" pointer every out-of-office reply carries
    'back in the office', 'back in office', 'limited access to email', 'limited access to e-mail', 'no access to email', 'no access to e-mail', 'currently travelling', 'currently traveling', 'on leave until', 'am on leave',
    'in dringenden fällen', 'bin ich wieder', 'erreichen sie mich', 'mich erreichen sie', 'wieder erreichbar', 'wieder im büro', 'en congé', "en cas d'urgence", 'pour toute urgence', 'de retour le', 'estaré fuera', 'en caso de urgencia', 'in caso di urgenza', 'sarò di nuovo',
    'afwezig', 'away from the office', 'away from my desk', 'absent from the office', 'ausente de la', 'ausente del', 'ausente hasta', 'ausente do', 'ausente da', 'ausente até', 'assente dall', 'absent jusqu',
    // access to mail promised back later (future tense: a bounce says what happened, not what will)
    'will not have access', "won't have access", 'will have no access', 'will have limited access', "n'aurai pas accès", 'no tendré acceso', 'tendré acceso limitado', 'não terei acesso', 'non avrò accesso', 'keinen zugriff auf meine', 'geen toegang tot mijn',
    'op vakantie', 'na urlopie', 'nieobecn', 'em caso de urgência', '出張中', '休み', 'отсутствую', '출장', '부재중', '휴가',
    // a reply promised for later, or the return that comes before it (future tense again)
    'will reply as soon as', 'will respond as soon as', 'will get back to you', 'reply when i return', 'respond when i return', 'upon my return', 'on my return', 'i will be back', 'i will return',
    'will not answer your', 'cannot answer your', 'nach meiner rückkehr', 'melde mich', 'beantworte ich', 'je vous répondrai', 'vous répondrai dès', 'dès mon retour', 'à mon retour',
    'le responderé', 'te responderé', 'a mi regreso', 'a mi vuelta', 'responderei', 'no meu regresso', 'tornerò', 'risponderò', 'ben terug', 'bij terugkomst', 'na terugkomst', 'beantwoorden uw', 'beantwoord uw',
    'вернусь', 'отвечу', '我会尽快', '尽快回复', '尽快给您回', '已经收到', '谢谢您的来信', '戻り次第', '折り返し',
    // away from the office, on leave, an automatic answer, and the thanks that opens it, in Czech,
    // Slovak, Hungarian, Romanian, Swedish, Danish, Norwegian, Finnish, Estonian, Turkish and Greek
    'mimo kancel', 'jsem mimo', 'som mimo', 'na dovolen', 'automatická odpověď', 'automatická odpoveď', 'ďakujem za', 'v naléhavých případech', 'v urgentných prípadoch', 'v súrnych prípadoch',
    'házon kívül', 'szabadságon', 'automatikus válasz', 'köszönöm levelét', 'răspuns automat', 'în concediu', 'vă mulțumesc pentru mesaj', 'frånvarande', 'automatiskt svar', 'på semester',
    'automatisk svar', 'fraværende', 'på ferie', 'automaattinen vastaus', 'lomalla', 'poissa toimistolta', 'automaatvastus', 'puhkusel', 'kontorist väljas', 'otomatik yanıt', 'izindeyim', 'ofis dışında',
    'αυτόματη απάντηση', 'εκτός γραφείου', 'σε άδεια',
    // away from work or from mail in other words, a mailbox nobody reads, and a help desk's
    // acknowledgement of a request (an automatic reply too, RFC 3834), in the languages above
    'sick leave', 'off work', 'no email access', 'without email access', 'not monitored', 'não é mais monitorado', 'en vacances', 'in vacanza', 'на больничном', 'в отъезде',
    'thank you for contacting', 'thanks for contacting', 'we have received your', "we've received your", 'your ticket', 'support ticket', 'ticket number', 'a member of our team', 'will be in touch',
    'wir haben ihre nachricht erhalten', 'wir haben ihre anfrage erhalten', 'nous avons bien reçu', 'hemos recibido su', 'abbiamo ricevuto la', 'recebemos sua', 'we hebben uw', 'otrzymaliśmy',
    'мы получили ваше', '我们已收到', 'お問い合わせありがとう',
  ]),
] as const);

function family(id: number, words: readonly string[]): (readonly [string, number])[] {
  return words.map((w) => [w, id] as const);
}

/**
 * `[word, class]` pairs with each word's other spellings right after it, under the same class (see
 * `withSpellings`): the lists are written one way, a reply may use another.
 */
function spelledPairs(pairs: readonly (readonly [string, number])[]): (readonly [string, number])[] {
  const written = new Set(pairs.map(([w]) => w));
  return pairs.flatMap(([w, id]) => [[w, id] as const, ...otherSpellings(w, written).map((o) => [o, id] as const)]);
}

/** @internal The keyword families as one-pass matcher groups, in precedence order. */
export const KEYWORD_RULES: readonly StoredRule[] = spelledPairs(KEYWORDS).map(([pattern, id]) => makeRule({ pattern, id }, 'builtin', `keyword-${pattern}`));

/**
 * @internal The keyword families without the connection family (24: refused, timed out,
 * unreachable), for a text the remote server sent as a 5xx reply: a server that answered
 * permanently was reached, so those words describe its refusal, not the network.
 */
export const PERMANENT_KEYWORD_RULES: readonly StoredRule[] = KEYWORD_RULES.filter((r) => r.id !== 24);

/** @internal `NON_BOUNCE_KEYWORDS` as a matcher group. */
export const NON_BOUNCE_RULES: readonly StoredRule[] = spelledPairs(NON_BOUNCE_KEYWORDS).map(([pattern, id]) => makeRule({ pattern, id }, 'builtin', `non-bounce-${pattern}`));

/** @internal `DORMANT_WORDS` as a matcher group. */
export const DORMANT_RULES: readonly StoredRule[] = withSpellings(DORMANT_WORDS).map((w) => makeRule({ pattern: w, id: 10 }, 'builtin', `dormant-${w}`));

/**
 * @internal Words that name the sender's own address (the envelope's MAIL FROM, the From: address):
 * a block list that names it is one of addresses the receiver keeps itself, not a list of sending
 * hosts (DNSBLs list addresses of hosts and domains).
 */
const SENDER_ADDRESS_WORDS: readonly string[] = [
  'sender address', "sender's address", 'envelope sender', 'sender is', 'from address', 'from: address', 'from domain', 'from: domain', 'from header', 'from: header', 'absenderadresse', "adresse de l'expéditeur", 'dirección del remitente',
  '送信元アドレス', '差出人アドレス', '发件人地址', '发信人地址', '발신자 주소', '보낸 사람 주소', 'адрес отправителя',
];

/** @internal See `SENDER_ADDRESS_WORDS`. */
export const SENDER_ADDRESS_SET: ReadonlySet<string> = new Set(withSpellings(SENDER_ADDRESS_WORDS));

/**
 * @internal Words that name the sender's own account, mailbox, domain or address, or the name its
 * host gave in HELO/EHLO: next to recipient or DNS wording ("account is disabled", "invalid", "no
 * MX record") they say whose it is.
 */
const SENDER_ACCOUNT_WORDS: readonly string[] = [
  'sender refused', 'sender rejected', 'sender denied', 'sender blocked', 'sender not allowed', 'sender is not allowed',
  'sender account', "sender's account", 'sending account', 'sending email account', 'sender mailbox', "sender's mailbox", 'absenderkonto', "compte de l'expéditeur", 'cuenta del remitente',
  'sender domain', "sender's domain", 'absenderdomain', "domaine de l'expéditeur", 'dominio del remitente', '送信元ドメイン', '发件人域名', '발신 도메인', 'домен отправителя',
  ...SENDER_ADDRESS_WORDS,
  ...HELO_WORDS,
  // the HELO/EHLO command named anywhere in the reply ("hostname unknown in HELO", "in reply to EHLO
  // command"): a name that does not resolve there is the name the sending host gave
  'helo', 'ehlo',
];

/** @internal `SENDER_ACCOUNT_WORDS` as a matcher group. */
export const SENDER_ACCOUNT_RULES: readonly StoredRule[] = withSpellings(SENDER_ACCOUNT_WORDS).map((w) => makeRule({ pattern: w, id: 50 }, 'builtin', `sender-account-${w}`));

/**
 * @internal The Japanese mobile carriers' mail domains. Their servers accept every recipient and
 * answer "User unknown" after the end of data also when the recipient's own filter settings refuse
 * the sender: there, and only there, that reply after the data is a refusal of the sender (50).
 */
export const CARRIER_RULES: readonly StoredRule[] = ['docomo.ne.jp', 'ezweb.ne.jp', '@au.com', '.au.com', 'softbank.ne.jp', 'softbank.jp'].map((w) => makeRule({ pattern: w, id: 50 }, 'builtin', `carrier-${w}`));

/** @internal Whether `id` is a block family that names the refusal: reputation, spam, virus, relay. */
export function isBlockFamily(id: number): boolean {
  return id >= 51 && id <= 54;
}

/** @internal Whether `id` is a refusal: the generic block (50) or one of the block families. */
export function isRefusalWord(id: number): boolean {
  return id >= 50 && id <= 54;
}

/**
 * @internal The block families alone (reputation 51, spam 52, virus 53, relay 54), as a matcher
 * group: under a generic block they say which refusal even when a recipient or temporary word comes
 * first in the full list.
 */
export const BLOCK_KEYWORD_RULES: readonly StoredRule[] = KEYWORD_RULES.filter((r) => isBlockFamily(r.id));
