/**
 * Server side: decide per session what to advertise, hide keywords, add a custom extension with
 * its own verb and MAIL parameter, and write the EHLO reply.
 * Run: `npx tsx packages/smtp-capabilities/examples/server-advertise.ts`
 */
import {
  defaultExtensionRegistry,
  formatEhloReplyText,
  isCapabilitiesError,
  type SessionSettings,
} from 'smtp-capabilities';

interface Session extends SessionSettings {
  readonly trustedProxy: boolean;
}

const registry = defaultExtensionRegistry<Session>();
registry.hide('DSN'); // like smtpd_discard_ehlo_keywords = dsn
registry.register({
  keyword: 'X-TRACE',
  description: 'per-message trace id',
  advertise: (s) => s.trustedProxy,
  verbs: [{ name: 'XTRACE', mustBeLastInGroup: false }],
  mailParams: ['XTRACEID'],
});

const common = {
  startTls: true,
  maxSize: 25 * 1024 * 1024,
  authMechanisms: ['PLAIN', 'LOGIN'],
  limits: { rcptMax: 100 },
  trustedProxy: false,
} satisfies Session;

console.log('--- before STARTTLS ---');
console.log(formatEhloReplyText({ domain: 'mx.example.com', greeting: 'ESMTP', keywords: registry.advertise({ ...common, tls: false }) }));
console.log('--- after STARTTLS, from a trusted proxy ---');
const session: Session = { ...common, tls: true, requireTls: true, trustedProxy: true, xclient: ['NAME', 'ADDR', 'HELO'] };
console.log(formatEhloReplyText({ domain: 'mx.example.com', greeting: 'ESMTP', keywords: registry.advertise(session) }));

// Dispatch: is this verb an extension's, and must it end a pipelined group?
for (const verb of ['BDAT', 'XTRACE', 'STARTTLS', 'MAIL']) {
  const v = registry.verb(verb);
  console.log(verb, v ? `-> ${v.keyword}, last in group: ${v.mustBeLastInGroup}` : '-> core command', '; RFC 2920 last:', registry.mustBeLastInGroup(verb));
}
const offered = registry.capabilities(session);
console.log('MAIL parameters this session accepts:', [...registry.mailParameters(offered)].join(' '));

try {
  formatEhloReplyText({ domain: 'mx.example.com', greeting: 'hi\r\n250 AUTH PLAIN', keywords: [] });
} catch (e) {
  if (isCapabilitiesError(e)) console.log('refused:', e.code);
}
