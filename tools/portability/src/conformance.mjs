// The shared conformance script. Plain JavaScript that runs unchanged in Node, Bun, Deno and a
// browser: it exercises every core entry through its public API (reply parsing, EHLO parsing,
// argument building and parsing, classification, and a whole client-to-server conversation through
// the two state machines in memory) and returns plain JSON-able data, which the test compares byte
// for byte with Node's.

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Hex of bytes, so results stay plain strings. */
function hex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Turns Sets, Maps, bytes and class instances into plain JSON data. */
function plain(value) {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => {
      if (v instanceof Uint8Array) return hex(v);
      if (v instanceof Set) return [...v];
      if (v instanceof Map) return Object.fromEntries(v);
      if (typeof v === 'bigint') return String(v);
      return v;
    }),
  );
}

/** Runs `fn`; a thrown typed error becomes `{ error: code }` so error paths are compared too. */
function attempt(fn) {
  try {
    return plain(fn());
  } catch (e) {
    return { error: e && e.code ? e.code : String(e) };
  }
}

function replies(mods) {
  const { ReplyReader, parseReply, formatReply, expectReply, formatEnhancedStatusCode } = mods['smtp-reply-reader'];
  const wire =
    '220 mx.example.com ESMTP ready\r\n' +
    '250-mx.example.com greets you\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n' +
    '550-5.7.1 [192.0.2.1] Our system has detected an unusual rate\r\n550-5.7.1 of unsolicited mail\r\n550 5.7.1 originating from your IP address.\r\n' +
    '451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.\r\n' +
    '554 5.7.606 Access denied, banned sending IP \u00e9\xff\r\n';
  const bytes = enc.encode(wire);
  // Whole, and byte by byte: the same replies.
  const whole = new ReplyReader().push(bytes);
  const reader = new ReplyReader();
  const byByte = [];
  for (let i = 0; i < bytes.length; i++) byByte.push(...reader.push(bytes.subarray(i, i + 1)));
  reader.end();
  return {
    whole: plain(whole),
    sameByteByByte: JSON.stringify(plain(byByte)) === JSON.stringify(plain(whole)),
    enhanced: whole.filter((r) => r.enhanced).map((r) => formatEnhancedStatusCode(r.enhanced)),
    formatted: formatReply({ code: 250, enhanced: { class: 2, subject: 1, detail: 0 }, lines: ['Sender OK', 'second line'] }),
    roundTrip: plain(parseReply(formatReply({ code: 421, text: 'mx.example.com closing' }))),
    expect: [expectReply(whole[0], 220), expectReply(whole[2], 250, 251)],
    bareLf: attempt(() => new ReplyReader().push('250 ok\n')),
    injection: attempt(() => formatReply({ code: 250, text: 'ok\r\n250 smuggled' })),
  };
}

function ehlo(mods) {
  const { parseEhloReply, formatEhloReply, Capabilities } = mods['smtp-capabilities'];
  const caps = parseEhloReply({
    code: 250,
    lines: [
      'mx.example.com Hello [192.0.2.1]',
      'SIZE 52428800',
      'PIPELINING',
      'AUTH PLAIN LOGIN',
      'AUTH=LOGIN CRAM-MD5',
      'ENHANCEDSTATUSCODES',
      '8BITMIME',
      'DSN',
      'CHUNKING',
      'SMTPUTF8',
      'LIMITS RCPTMAX=100 MAILMAX=10',
      'X-VENDOR-THING a b',
      'SIZE not-a-number',
    ],
  });
  return {
    domain: caps.domain,
    greeting: caps.greeting,
    size: caps.size ?? null,
    auth: [...caps.auth].sort(),
    flags: [caps.pipelining, caps.startTls, caps.eightBitMime, caps.chunking, caps.dsn, caps.smtpUtf8, caps.enhancedStatusCodes],
    limits: plain(caps.limits ?? null),
    vendor: plain(caps.params('x-vendor-thing') ?? null),
    keywords: [...caps].map((e) => e.keyword),
    warnings: plain(caps.warnings).length,
    none: Capabilities.none().has('PIPELINING'),
    formatted: plain(formatEhloReply({ domain: 'mx.example.com', greeting: 'hi', keywords: [{ keyword: 'SIZE', params: ['1000'] }, { keyword: 'PIPELINING' }] })),
    refused: attempt(() => formatEhloReply({ domain: 'mx.example.com', keywords: [{ keyword: 'SIZE\r\nX' }] })),
  };
}

function args(mods) {
  const { SmtpClientArgs, formatMailFrom, formatRcptTo, parseMailFrom, parseRcptTo, xtextEncode, xtextDecode, parsePath } = mods['smtp-client-args'];
  const a = new SmtpClientArgs();
  const results = [a.add('SIZE', '12345'), a.add('BODY', '8BITMIME'), a.add('ENVID', xtextEncode('id+1=x')), a.add('size', '1'), a.add('BAD KEY')];
  const r = new SmtpClientArgs();
  r.add('NOTIFY', 'SUCCESS,FAILURE');
  r.add('ORCPT', 'rfc822;' + xtextEncode('bob@example.org'));
  const mailLine = formatMailFrom(parsePath('<alice@example.com>'), a);
  const rcptLine = formatRcptTo(parsePath('<bob@example.org>'), r);
  return {
    added: plain(results.map((x) => (x && typeof x === 'object' && 'ok' in x ? x.ok : x))),
    rendered: a.toString(),
    byteLength: a.byteLength,
    fetched: plain(a.existsAndFetch('envid')),
    mailLine,
    rcptLine,
    parsedMail: attempt(() => {
      const p = parseMailFrom('FROM:<alice@example.com> SIZE=12345 BODY=8BITMIME');
      return { path: p.path, args: [...p.args].map((x) => plain(x)) };
    }),
    parsedRcpt: attempt(() => {
      const p = parseRcptTo('TO:<"john doe"@[192.0.2.1]> NOTIFY=NEVER');
      return { path: p.path, args: [...p.args].map((x) => plain(x)) };
    }),
    injection: attempt(() => parseMailFrom('FROM:<a@b.c> ENVID=a+0D+0Ab')),
    refusedAdd: plain(new SmtpClientArgs().add('X-A', 'v\r\nRCPT')),
    refusedPath: attempt(() => formatMailFrom(parsePath('<a@b.c>\r\nRCPT TO:<x@y.z>'), new SmtpClientArgs())),
    xtext: [xtextEncode('a+b=c\u0001'), xtextDecode('a+2Bb+3Dc')],
  };
}

function classification(mods) {
  const { classify, createClassifier, forId } = mods['smtp-errors'];
  const inputs = [
    '550 5.1.1 The email account that you tried to reach does not exist.',
    '452 4.2.2 The email account that you tried to reach is over quota.',
    '554 5.7.606 Access denied, banned sending IP [192.0.2.1].',
    'host mx.example.com[192.0.2.1] said: 550 5.7.1 Message rejected as spam (in reply to end of DATA command)',
    '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume',
    'Mailbox unavailable \u00fcber Kontingent',
    '250 2.0.0 OK',
  ];
  const custom = createClassifier();
  custom.addRules('example.org,54,relay access denied\n,51,listed at|spamhaus\n');
  return {
    builtin: inputs.map((t) => {
      const c = classify(t);
      return { id: c.id, name: c.name, category: c.category, transient: c.transient, rule: plain(c.rule) };
    }),
    domainRule: plain(custom.classify('554 5.7.1 Relay access denied', { domain: 'example.org' })),
    wildcard: custom.classify('550 listed at zen.spamhaus.org').id,
    length: classify('550 5.1.1 user unknown', { length: 3 }).id,
    forId: plain(forId(10)),
  };
}

function conversation(mods) {
  const { ClientConnection } = mods['smtp-client-fsm'];
  const { ServerConnection } = mods['esmtp-server-fsm'];
  const client = new ClientConnection({ hostname: 'client.example' });
  const server = new ServerConnection({ hostname: 'mx.example' });
  const body = 'Subject: portability\r\n\r\n.leading dot\r\nbare lf\nend\r\n';
  client.sendMessage({ from: 'alice@client.example', to: ['bob@mx.example', 'nobody@mx.example', 'carol@mx.example'], body });
  client.quit();
  const wire = [];
  const clientEvents = [];
  const serverEvents = [];
  const received = [];
  for (let round = 0; round < 200; round++) {
    for (let e = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) {
      clientEvents.push(e.type === 'recipient' ? `recipient ${e.result.address} ${e.result.status} ${e.result.classification ? e.result.classification.id : ''}` : e.type);
      if (e.type === 'message-sent') clientEvents.push(plain(e.outcome));
    }
    const c = client.dataToSend();
    if (c.length) wire.push('C: ' + dec.decode(c));
    server.receiveData(c);
    for (let e = server.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = server.nextEvent()) {
      serverEvents.push(e.type);
      if (e.type === 'data-chunk') received.push(hex(e.bytes));
      if (e.type === 'rcpt' && e.to.startsWith('nobody')) server.reject({ code: 550, enhanced: '5.1.1', text: 'No such user here' });
      else if ('needsAnswer' in e && e.needsAnswer) server.accept();
    }
    const s = server.dataToSend();
    if (s.length) wire.push('S: ' + dec.decode(s));
    if (s.length === 0 && client.closed) break;
    client.receiveData(s);
    if (server.shouldClose) client.receiveEof();
  }
  return { wire, clientEvents, serverEvents, received: received.join(''), legacyState: server.state, closed: client.closed };
}

/** @param {Record<string, any>} mods the core modules keyed by package name */
export async function conformance(mods) {
  return {
    packages: Object.keys(mods).sort(),
    replies: replies(mods),
    ehlo: ehlo(mods),
    args: args(mods),
    classification: classification(mods),
    conversation: conversation(mods),
  };
}
