import { describe, expect, it } from 'vitest';
import { classify, createClassifier } from '../src/index.js';

const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });

describe('word families read with or without the phrase rules', () => {
  it.each([
    // "too many" and "blocked" in several languages
    ['Zu viele Verbindungen von Ihrer IP-Adresse', 70],
    ['送信数が多すぎます', 70],
    ['Votre adresse IP est bloquée', 50],
    ['Ihre IP-Adresse ist gesperrt', 50],
    ['メールボックスが一杯です', 22],
    // the local MTA could not connect or resolve
    ['unable to connect to remote host', 24],
    ['Connection reset by peer', 24],
    ['No MX or A records for example.com', 21],
    ['Could not resolve host name', 21],
    // the sender, not the recipient; content, not the sender; a protocol fault
    ['552 mail from invalid.', 50],
    ['553 sender unknown', 50],
    ['Content reject', 52],
    ['550 Mail content denied', 52],
    ['User suspended', 10],
    ["local server don't exists that user", 10],
    ['551 line parse error', 40],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
    expect(bare.classify(text).id).toBe(id);
  });

  it.each([
    ['550 5.4.5 Daily SMTP relay limit exceeded for user.', 70],
    ['550 5.2.2 Submission quota exceeded', 70],
    ['550 5.2.121 Recipient message receive limit from this sender exceeded', 70],
  ])('a sending rate or volume limit is a rate limit, not a relay refusal or a full mailbox: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('a full mailbox stays a full mailbox', () => {
    expect(classify('552 5.2.2 Mailbox quota exceeded').id).toBe(22);
  });

  it('a specific protocol code is not renamed by a recipient word', () => {
    expect(classify('501 5.5.4 HELO/EHLO argument is invalid').id).toBe(40);
    expect(classify('550 invalid recipient').id).toBe(10);
  });
});

describe('texts that are not bounces', () => {
  it.each([
    ['I use a challenge-response spam filter. Please click the link to confirm that you are a real person', 100],
    ['SpamArrest: please verify your address', 100],
    ['Welcome to the "announce" mailing list!', 80],
    ['You have been removed from the announce mailing list', 90],
    ['Your unsubscription request has been processed', 90],
    ['Je suis actuellement absent et reviendrai le 10 juin', 60],
    ['我正在休假', 60],
  ])('%s -> %i', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('a reply with a code is read as a bounce even when it names a vacation', () => {
    expect(classify('552 5.2.2 mailbox full, user on vacation').id).toBe(22);
  });
});

describe("Microsoft's documented codes", () => {
  it.each([
    ['550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains', 51],
    ['550 5.7.501 Access denied, spam abuse detected', 51],
    ['550 5.7.505 Access denied, banned recipient', 10],
    ['550 5.7.12 Sender was not authenticated by organization', 50],
    ['451 4.7.500 Server busy. Please try again later', 70],
  ])('a code the registry does not define decides by its documented meaning: %s', (text, id) => {
    expect(classify(text).id).toBe(id);
  });

  it('a registry code keeps its phrase rule (5.1.10 is also the null MX code)', () => {
    expect(classify('556 5.1.10 Recipient address has null MX').id).toBe(21);
  });
});
