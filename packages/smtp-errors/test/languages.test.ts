import { describe, expect, it } from 'vitest';
import { classify, createClassifier } from '../src/index.js';

// Replies written for this test in the languages of the word families (not taken from the provider
// set or the sisimai corpus), each labelled by LABELLING.md: the word families must read them with
// the phrase rules on and off alike.
const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });

describe('word families in several languages', () => {
  it.each([
    '550 Empfänger unbekannt',
    '550 Die Adresse existiert nicht',
    '550 Postfach nicht vorhanden',
    '550 Ungültige Empfängeradresse',
    '550 Benutzerkonto deaktiviert',
    '550 Adresse inconnue',
    '550 Ce compte n\'existe pas',
    '550 Boîte aux lettres inexistante',
    '550 Utilisateur inconnu',
    '550 Destinatario desconocido',
    '550 La dirección no existe',
    '550 Buzón no disponible',
    '550 Cuenta desactivada',
    '550 Indirizzo inesistente',
    '550 Casella di posta inesistente',
    '550 Destinatario non valido',
    '550 Usuário desconhecido',
    '550 Endereço inexistente',
    '550 Caixa postal não existe',
    '550 Gebruiker onbekend',
    '550 Adres bestaat niet',
    '550 Nieznany użytkownik',
    '550 Adres nie istnieje',
    '550 Skrzynka nie istnieje',
    '550 Такого пользователя нет',
    '550 Адрес не существует',
    '550 Почтовый ящик не существует',
    '550 Неверный адрес получателя',
    '550 收件人不存在',
    '550 邮箱地址不存在',
    '550 该用户不存在',
    '550 宛先のユーザーは存在しません',
    '550 メールアドレスが見つかりません',
    '550 존재하지 않는 사용자입니다',
    '550 수신자 주소가 없습니다',
    '550 Neznámý uživatel',
    '550 Adresa neexistuje',
    '550 Bilinmeyen kullanıcı',
    '550 Kullanıcı bulunamadı',
    '550 Okänd mottagare',
    '550 Ukendt modtager',
    '550 Tuntematon vastaanottaja',
  ])('%s: the recipient is unknown or gone (10)', (text) => {
    expect(classify(text).id).toBe(10);
    expect(bare.classify(text).id).toBe(10);
  });
  it.each([
    '552 Postfach ist voll',
    '552 Speicherplatz überschritten',
    '552 Boîte aux lettres pleine',
    '552 Quota dépassé',
    '552 Buzón lleno',
    '552 Casella piena',
    '552 Caixa postal cheia',
    '552 Mailbox vol',
    '552 Skrzynka pełna',
    '552 Почтовый ящик переполнен',
    '552 Превышена квота',
    '552 邮箱已满',
    '552 收件人邮箱空间已满',
    '552 メールボックスが一杯です',
    '552 메일함 용량 초과',
    '552 Schránka je plná',
  ])('%s: the mailbox is full (22)', (text) => {
    expect(classify(text).id).toBe(22);
    expect(bare.classify(text).id).toBe(22);
  });
  it.each([
    '552 Nachricht zu groß',
    '552 Message trop volumineux',
    '552 Mensaje demasiado grande',
    '552 Messaggio troppo grande',
    '552 Mensagem muito grande',
    '552 Wiadomość jest za duża',
    '552 Сообщение слишком большое',
    '552 邮件过大',
    '552 メールサイズが大きすぎます',
  ])('%s: the message is too large (23)', (text) => {
    expect(classify(text).id).toBe(23);
    expect(bare.classify(text).id).toBe(23);
  });
  it.each([
    '421 Zu viele Verbindungen, bitte später erneut versuchen',
    '421 Trop de connexions, réessayez plus tard',
    '421 Demasiadas conexiones, inténtelo más tarde',
    '421 Troppe connessioni, riprovare più tardi',
    '421 Muitas conexões, tente novamente mais tarde',
    '421 Слишком много соединений, повторите попытку позже',
    '421 连接过多，请稍后再试',
    '451 系统繁忙，请稍后重试',
    '451 しばらくしてから再送してください',
    '451 Versuchen Sie es später noch einmal',
    '451 Veuillez réessayer plus tard',
    '451 Greylisting aktiv, bitte später erneut senden',
  ])('%s: a deferral (70)', (text) => {
    expect(classify(text).id).toBe(70);
    expect(bare.classify(text).id).toBe(70);
  });
  it.each([
    '554 Ihre IP-Adresse steht auf einer Sperrliste',
    '554 Votre IP est sur une liste noire',
    '554 Su IP está en una lista negra',
    '554 Il tuo IP è in blacklist',
    '554 Seu IP está em uma lista negra',
    '554 Ваш IP-адрес в черном списке',
    '554 您的IP已被列入黑名单',
    '554 あなたのIPはブラックリストに登録されています',
  ])("%s: the sender's IP is on a block list (51)", (text) => {
    expect(classify(text).id).toBe(51);
    expect(bare.classify(text).id).toBe(51);
  });
  it.each([
    '554 Nachricht als Spam erkannt',
    '554 Message considéré comme spam',
    '554 Mensaje detectado como spam',
    '554 Messaggio identificato come spam',
    '554 Mensagem identificada como spam',
    '554 Сообщение распознано как спам',
    '554 邮件被识别为垃圾邮件',
    '554 迷惑メールと判定されました',
    '554 스팸으로 분류되었습니다',
  ])('%s: the content is spam (52)', (text) => {
    expect(classify(text).id).toBe(52);
    expect(bare.classify(text).id).toBe(52);
  });
  it.each([
    '554 Virus gefunden',
    '554 Virus détecté',
    '554 Virus detectado',
    '554 Обнаружен вирус',
    '554 邮件包含病毒',
    '554 ウイルスが検出されました',
  ])('%s: a virus (53)', (text) => {
    expect(classify(text).id).toBe(53);
    expect(bare.classify(text).id).toBe(53);
  });
  it.each([
    '550 Relaying nicht erlaubt',
    '550 Relais non autorisé',
    '550 Relay no permitido',
    '550 Релей запрещен',
    '550 不允许转发',
  ])('%s: relaying is refused (54)', (text) => {
    expect(classify(text).id).toBe(54);
    expect(bare.classify(text).id).toBe(54);
  });
  it.each([
    'Abwesenheitsnotiz: Ich bin nicht im Büro',
    'Réponse automatique : je suis absent du bureau',
    'Respuesta automática: fuera de la oficina',
    'Risposta automatica: sono fuori ufficio',
    'Resposta automática: estou fora do escritório',
    'Automatisch antwoord: afwezig',
    'Автоответ: я в отпуске',
    '自动回复：我正在休假',
    '自動応答：不在にしています',
    'Odpowiedź automatyczna: jestem poza biurem',
  ])('%s: an automatic reply (60)', (text) => {
    expect(classify(text).id).toBe(60);
    expect(bare.classify(text).id).toBe(60);
  });

  it.each(['550 Neznámá chyba', '550 Bilinmeyen hata', '550 Ukendt fejl', '451 Tuntematon virhe', '550 Ukjent feil'])('%s: an unknown error is not an unknown recipient', (text) => {
    expect(classify(text).id).not.toBe(10);
    expect(bare.classify(text).id).not.toBe(10);
  });

  // the meanings of a large provider's documented replies, written in other languages
  it.each([
    ['550 5.7.1 Nuestro sistema ha detectado que este mensaje probablemente es correo no deseado. Para reducir la cantidad de spam, se ha bloqueado este mensaje.', [52,51]],
    ['550 5.7.1 Il nostro sistema ha rilevato che questo messaggio è probabilmente indesiderato. Per ridurre la quantità di spam, questo messaggio è stato bloccato.', [52,51]],
    ['550 5.7.1 Ons systeem heeft vastgesteld dat dit bericht waarschijnlijk ongevraagde e-mail is. Dit bericht is geblokkeerd.', [52,51]],
    ['550 5.7.1 Nasz system wykrył, że ta wiadomość jest prawdopodobnie niechcianą pocztą. Wiadomość została zablokowana.', [52,51]],
    ['550 5.7.1 Sistemimiz bu iletinin istenmeyen posta olabileceğini tespit etti. Bu ileti engellendi.', [52,51]],
    ['550 5.7.1 このメールは迷惑メールの可能性があるため、ブロックされました。', [52,51]],
    ['550 5.7.1 이 메일은 원치 않는 메일일 가능성이 높아 차단되었습니다.', [52,51]],
    ['550 5.7.1 我们的系统检测到此邮件可能是未经请求的邮件，因此已屏蔽此邮件。', [52,51]],
    ['550 5.7.1 Наша система определила, что это письмо, вероятно, является нежелательным. Письмо заблокировано.', [52,51]],
    ['550 5.7.1 Nosso sistema detectou que esta mensagem provavelmente é um e-mail não solicitado. A mensagem foi bloqueada.', [52,51]],
    ['550 5.7.1 Notre système a détecté que ce message est probablement du courrier indésirable. Ce message a été bloqué.', [52,51]],
    ['550 5.7.1 Unser System hat festgestellt, dass es sich bei dieser Nachricht wahrscheinlich um unerwünschte E-Mail handelt. Die Nachricht wurde blockiert.', [52,51]],
    ['550 5.7.26 Este mensaje no tiene información de autenticación o no supera las comprobaciones de autenticación (SPF o DKIM).', [50]],
    ['550 5.7.26 Questo messaggio non contiene informazioni di autenticazione o non supera i controlli di autenticazione (SPF o DKIM).', [50]],
    ['550 5.7.26 この メッセージには認証情報がないか、認証チェック (SPF または DKIM) に合格しませんでした。', [50]],
    ['550 5.7.26 Dit bericht bevat geen verificatiegegevens of voldoet niet aan de verificatiecontroles (SPF of DKIM).', [50]],
    ['550 5.2.1 La cuenta de correo electrónico a la que intentaste acceder está inhabilitada.', [10]],
    ['550 5.2.1 L\'account email che hai tentato di raggiungere è disattivato.', [10]],
    ['550 5.2.1 連絡しようとしたメールアカウントは無効になっています。', [10]],
    ['550 5.2.1 연락하려는 이메일 계정이 사용 중지되었습니다.', [10]],
    ['550 5.2.1 Het e-mailaccount dat u probeert te bereiken, is uitgeschakeld.', [10]],
    ['550 5.2.1 Konto e-mail, z którym próbujesz się skontaktować, jest wyłączone.', [10]],
    ['550 5.1.1 La cuenta de correo electrónico a la que intentaste acceder no existe.', [10]],
    ['550 5.1.1 Ulaşmaya çalıştığınız e-posta hesabı mevcut değil.', [10]],
    ['550 5.1.1 Het e-mailaccount dat u probeert te bereiken, bestaat niet.', [10]],
    ['550 5.1.1 연락하려는 이메일 계정이 존재하지 않습니다.', [10]],
    ['452 4.2.2 La cuenta de correo electrónico a la que intentaste acceder superó su cuota.', [22]],
    ['452 4.2.2 연락하려는 이메일 계정의 할당량이 초과되었습니다.', [22]],
    ['452 4.2.2 Het e-mailaccount dat u probeert te bereiken, heeft het quotum overschreden.', [22]],
    ['552 5.2.2 Skrzynka odbiorcza adresata przekroczyła limit miejsca.', [22]],
    ['552 5.3.4 El tamaño del mensaje supera el límite permitido.', [23]],
    ['552 5.3.4 Il messaggio supera il limite di dimensione consentito.', [23]],
    ['552 5.3.4 Het bericht overschrijdt de maximale grootte.', [23]],
    ['552 5.3.4 메시지 크기가 허용 한도를 초과합니다.', [23]],
    ['450 4.2.1 El usuario con el que intentas contactar está recibiendo correo a una velocidad que impide enviarle más mensajes.', [70]],
    ['450 4.2.1 L\'utente che stai tentando di contattare sta ricevendo posta a una velocità che impedisce la consegna di altri messaggi.', [70]],
    ['450 4.2.1 De gebruiker die u probeert te bereiken, ontvangt e-mail in een tempo dat verdere berichten verhindert.', [70]],
    ['450 4.2.1 연락하려는 사용자가 메일을 너무 빨리 받고 있습니다.', [70]],
    ['421 4.7.0 Se ha producido un error temporal del sistema. Inténtalo de nuevo más tarde.', [70]],
    ['421 4.7.0 Errore di sistema temporaneo. Riprova più tardi.', [70]],
    ['421 4.7.0 Tijdelijk systeemprobleem. Probeer het later opnieuw.', [70]],
    ['421 4.7.0 일시적인 시스템 문제입니다. 나중에 다시 시도하세요.', [70]],
    ['421 4.7.0 Geçici sistem sorunu. Daha sonra tekrar deneyin.', [70]],
    ['421 4.7.0 Tymczasowy problem z systemem. Spróbuj ponownie później.', [70]],
    ['421 4.7.0 Se requiere TLS para el dominio de destino; cerrando la conexión.', [70,50]],
    ['421 4.7.0 Per il dominio RCPT è richiesto TLS; chiusura della connessione.', [70,50]],
  ])('%s -> one of %j', (text, acceptable) => {
    expect(acceptable).toContain(classify(text).id);
    expect(acceptable).toContain(bare.classify(text).id);
  });

  // every family in Polish, Czech, Turkish, Swedish, Danish, Finnish, Dutch and Korean, and the lists'
  // and challenges' notices in German, French and Spanish
  it.each([
    ['552 Skrzynka odbiorcy jest pełna', 22],
    ['552 Schránka příjemce je plná', 22],
    ['552 Alıcının posta kutusu dolu', 22],
    ['552 Brevlådan är full', 22],
    ['552 Postkassen er fuld', 22],
    ['552 Postkassen er full', 22],
    ['552 Postilaatikko on täynnä', 22],
    ['552 A postafiók megtelt', 22],
    ['552 Postvak van de ontvanger is vol', 22],
    ['552 수신자의 메일함이 가득 찼습니다', 22],
    ['552 Wiadomość przekracza maksymalny rozmiar', 23],
    ['552 Zpráva je příliš velká', 23],
    ['552 İleti çok büyük', 23],
    ['552 Meddelandet är för stort', 23],
    ['552 Beskeden er for stor', 23],
    ['552 Viesti on liian suuri', 23],
    ['552 Het bericht is te groot', 23],
    ['451 Spróbuj ponownie później', 70],
    ['451 Zkuste to prosím později', 70],
    ['451 Lütfen daha sonra tekrar deneyin', 70],
    ['451 Försök igen senare', 70],
    ['451 Prøv igen senere', 70],
    ['451 Yritä myöhemmin uudelleen', 70],
    ['451 Probeer het later opnieuw', 70],
    ['451 나중에 다시 시도하십시오', 70],
    ['450 Greylisting: spróbuj ponownie za 5 minut', 70],
    ['554 Wiadomość została uznana za spam', 52],
    ['554 Zpráva byla označena jako spam', 52],
    ['554 İleti spam olarak algılandı', 52],
    ['554 Meddelandet klassades som skräppost', 52],
    ['554 Het bericht is als spam aangemerkt', 52],
    ['554 Wiadomość zawiera wirusa', 53],
    ['554 Zpráva obsahuje virus', 53],
    ['554 İleti virüs içeriyor', 53],
    ['554 Meddelandet innehåller virus', 53],
    ['554 Het bericht bevat een virus', 53],
    ['550 Przekazywanie niedozwolone', 54],
    ['550 Relaying není povolen', 54],
    ['550 Röle izni yok', 54],
    ['550 Relay niet toegestaan', 54],
    ['554 Twój adres IP znajduje się na czarnej liście', 51],
    ['554 Vaše IP adresa je na černé listině', 51],
    ['554 IP adresiniz kara listede', 51],
    ['554 Uw IP-adres staat op een zwarte lijst', 51],
    ['554 Din IP-adress är svartlistad', 51],
    ['554 귀하의 IP가 블랙리스트에 등록되어 있습니다', 51],
    ['550 Adres odbiorcy nie istnieje', 10],
    ['550 Adresa příjemce neexistuje', 10],
    ['550 Alıcı adresi mevcut değil', 10],
    ['550 Mottagaren finns inte', 10],
    ['550 Modtageren findes ikke', 10],
    ['550 Vastaanottajaa ei löydy', 10],
    ['550 De ontvanger bestaat niet', 10],
    ['550 Konto zostało zablokowane', 10],
    ['550 Účet byl zrušen', 10],
    ['550 Hesap devre dışı bırakıldı', 10],
    ['Automatyczna odpowiedź: jestem na urlopie', 60],
    ['Automatická odpověď: jsem mimo kancelář', 60],
    ['Otomatik yanıt: ofis dışındayım', 60],
    ['Automatiskt svar: jag är på semester', 60],
    ['Automatisk svar: Jeg er på ferie', 60],
    ['Automaattinen vastaus: olen lomalla', 60],
    ['Automatisch antwoord: ik ben op vakantie', 60],
    ['자동 응답: 부재중입니다', 60],
    ['Nazwa domeny nie została znaleziona', 21],
    ['Doména nebyla nalezena', 21],
    ['Alan adı bulunamadı', 21],
    ['Domänen hittades inte', 21],
    ['Domein niet gevonden', 21],
    ['Połączenie odrzucone przez serwer', 24],
    ['Spojení odmítnuto', 24],
    ['Bağlantı reddedildi', 24],
    ['Anslutningen nekades', 24],
    ['Verbinding geweigerd', 24],
    ['Potwierdź subskrypcję listy dyskusyjnej', 80],
    ['Bitte bestätigen Sie Ihr Abonnement der Mailingliste', 80],
    ['Veuillez confirmer votre abonnement à la liste', 80],
    ['Por favor confirme su suscripción a la lista', 80],
    ['Zostałeś wypisany z listy', 90],
    ['Sie wurden von der Mailingliste abgemeldet', 90],
    ['Vous avez été désabonné de la liste', 90],
    ['Bitte bestätigen Sie, dass Sie ein Mensch sind, damit Ihre Nachricht zugestellt wird', 100],
    ['Veuillez confirmer que vous êtes une personne réelle pour que votre message soit distribué', 100],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });
});
