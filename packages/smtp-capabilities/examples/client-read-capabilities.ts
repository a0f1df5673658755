/**
 * Client side: read a server's EHLO reply and decide what to use.
 * Run: `npx tsx packages/smtp-capabilities/examples/client-read-capabilities.ts`
 */
import { ReplyReader } from 'smtp-reply-reader';
import { Capabilities, defaultExtensionRegistry, parseEhloReply } from 'smtp-capabilities';

const wire =
  '250-mx.example.com Hello client.example.net [192.0.2.10]\r\n' +
  '250-PIPELINING\r\n250-SIZE 35882577\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=LOGIN\r\n' +
  '250-LIMITS RCPTMAX=50 MAILMAX=100\r\n250-SIZE abc\r\n250-X-VENDOR-FEATURE v2 fast\r\n250 SMTPUTF8\r\n';

const [reply] = new ReplyReader().push(wire);
let caps = reply ? parseEhloReply(reply) : Capabilities.none();

console.log(`${caps.domain} says "${caps.greeting}"`);
console.log('size limit:', caps.size, 'bytes; pipelining:', caps.pipelining, '; STARTTLS:', caps.startTls);
console.log('AUTH mechanisms:', [...caps.auth].join(', '));
console.log('recipients per transaction:', caps.limits?.rcptMax ?? 'unlimited');
console.log('vendor keyword kept:', caps.params('x-vendor-feature'));
for (const w of caps.warnings) console.log(`warning (line ${w.line}, ${w.code}): ${w.message}`);

// Postfix smtp_discard_ehlo_keywords on the client side: ignore a peer's broken PIPELINING.
caps = caps.without(['PIPELINING']);
console.log('after discard, pipelining:', caps.pipelining);

// Which MAIL FROM parameters may we send to this server?
const registry = defaultExtensionRegistry();
console.log('MAIL parameters allowed:', [...registry.mailParameters(caps)].join(' '));

// After STARTTLS, RFC 3207 §4.2: forget everything until the new EHLO reply.
caps = Capabilities.none();
console.log('after STARTTLS, before the new EHLO:', caps.count, 'keywords');
