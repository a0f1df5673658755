/**
 * AUTH (RFC 4954): the command, the SASL exchange driven by the foundation's mechanisms
 * (`mechanism.server(context)`), the decision on the credentials, and the error step of
 * mechanisms that have one (XOAUTH2, OAUTHBEARER).
 */
import { asciiUpper, KNOWN_MECHANISMS, decodeSaslLine, encodeBase64 } from '@smtpkit/foundation';
import { readLine } from './line-reader.js';
import type { ExchangeLineCheck } from './line-reader.js';
import { endWithoutBlanks, isUnsafeIdentity, utf8Text } from './peer-text.js';
import type { ReplyInit } from './reply.js';
import { reply, send } from './replies.js';
import type { Session } from './session.js';

/** AUTH <mechanism> [initial-response] (RFC 4954 §4): checks, then the first SASL step. */
export function authCommand(s: Session, arg: string): void {
  if (s.mechanisms.length === 0) return reply(s, { code: 502, enhanced: '5.5.1', text: 'Error: AUTH not available' });
  if (s.current === 'awaiting-helo' || s.heloVerb === 'HELO') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: send EHLO first' });
  if (s.authUser !== undefined) return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: already authenticated' });
  if (s.current !== 'awaiting-mail') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: AUTH not allowed during a transaction' });
  if (!s.secure && !(s.options.auth?.allowInsecure ?? false)) return reply(s, { code: 538, enhanced: '5.7.11', text: 'Encryption required for requested authentication mechanism' });
  const sp = arg.indexOf(' ');
  // ASCII only: Unicode upper-casing folds `PLAıN` to PLAIN, a name no other peer would match
  const name = asciiUpper(sp < 0 ? arg : arg.slice(0, sp));
  const initial = sp < 0 ? undefined : arg.slice(sp + 1);
  if (!name) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: AUTH mechanism [initial-response]' });
  const mech = s.mechanisms.find((m) => m.name === name);
  if (!mech) return reply(s, { code: 504, enhanced: '5.5.4', text: 'Error: unsupported authentication mechanism' });
  let response: Uint8Array | undefined;
  if (initial !== undefined) {
    const d = decodeSaslLine(initial);
    if (d === 'cancel') return reply(s, { code: 501, enhanced: '5.0.0', text: 'Authentication cancelled' });
    if (d === undefined) return reply(s, { code: 501, enhanced: '5.5.2', text: 'Error: invalid base64 data' });
    response = d;
  }
  s.sasl = mech.server!({ hostname: s.hostname, challenge: s.options.challenge ?? (() => '') });
  s.saslMechanism = mech;
  saslStep(s, response, true);
}

function saslStep(s: Session, response: Uint8Array | undefined, fromCommand: boolean): void {
  // SRV-8: an answer to a built-in (by its server side, so a spread with another error step counts)
  // that is not UTF-8 is refused at once: the built-ins decode it lossily, and `\xff` and `\xfe`
  // would be one U+FFFD, two passwords (user names, tokens) the application could not tell apart
  const lossy = response !== undefined && KNOWN_MECHANISMS.some((b) => b.server === s.saslMechanism!.server) && utf8Text(response) === undefined;
  let r = s.sasl!.step(response);
  // SRV-8: an identity with a control, separator or format character (SASLprep prohibits them, RFC
  // 4013 §2.3), or with U+FFFD (a custom mechanism's lossy decoding), never reaches onAuth; nor a
  // password holding NUL, which only LOGIN can carry (PLAIN's grammar has none, RFC 4616 §2): a C
  // library reads `\0x` as the empty password, an LDAP bind that succeeds unauthenticated
  const c = r.type === 'done' ? r.credentials : undefined;
  const id = c ? c.username + (c.authorizationId ?? '') : '';
  if (lossy || isUnsafeIdentity(id) || c?.password?.includes('\0')) r = { type: 'fail', text: 'Error: invalid credentials' };
  if (r.type === 'challenge') {
    // A 334 takes the client's next line as its answer. Input already behind the AUTH line passed
    // the pipelining check only as an AUTH that ends in one round (RFC 4954 §4: an initial response
    // for PLAIN or EXTERNAL), so it is commands: a mechanism of that name that wants another round
    // would read them as SASL answers. Whatever the mechanism, the 334 is not sent: 554 and close.
    if (fromCommand && s.inputLength > 0 && s.options.pipeliningSync !== 'off') {
      s.sasl = undefined;
      send(s, { code: 554, enhanced: '5.5.0', text: 'Error: SMTP protocol synchronization' });
      s.close('synchronization');
      return;
    }
    s.go('sasl-challenge');
    send(s, { code: 334, text: encodeBase64(r.challenge) });
    return;
  }
  s.sasl = undefined;
  if (r.type === 'fail') {
    if (!fromCommand) s.go('cancel');
    return reply(s, { code: 501, enhanced: '5.5.2', text: r.text });
  }
  s.go('sasl-done');
  const cr = r.credentials;
  // RFC 4616 §2: acting as another identity (authzid) needs the server's say-so; unless the
  // application opts in to decide it, such a login fails before the application sees it
  const user = cr.authorizationId || cr.username;
  if (user !== cr.username && !s.options.auth?.allowAuthorizationIdentity) return answerAuth(s, user, false, undefined);
  s.saslCredentials = cr;
  s.decide({ point: 'auth', user }, { type: 'auth', credentials: cr, needsAnswer: true });
}

/**
 * A rejected AUTH: the mechanism's error challenge first when it has one (XOAUTH2, OAUTHBEARER) and the refusal
 * is of the credentials (5xx), then `reply`; a temporary failure (454, 421) is sent at once.
 */
function rejectAuth(s: Session, r: ReplyInit): void {
  const challenge = s.saslCredentials && r.code >= 500 ? s.saslMechanism?.failureChallenge?.(s.saslCredentials) : undefined;
  if (challenge === undefined) {
    s.go('reject');
    return reply(s, r);
  }
  s.authFailure = r;
  s.go('sasl-challenge');
  send(s, { code: 334, text: encodeBase64(challenge) });
}

/**
 * Reads one SASL response line (at most `maxAuthLine`) and runs the next step; `*` cancels. A line
 * whose segments a lenient peer would run as a data verb (or a must-be-last one with input behind)
 * closes the session first (`check`, SMUG-5).
 */
export function stepAuth(s: Session, check: ExchangeLineCheck): boolean {
  const line = readLine(s, s.limits.maxAuthLine, false, check.verbKind);
  if (line === undefined) return false;
  if (check.closes(s, line)) {
    s.sasl = undefined;
    s.authFailure = undefined;
    return true;
  }
  const failure = s.authFailure;
  if (failure) {
    // The client's answer to the error challenge (empty for XOAUTH2, ^A for OAUTHBEARER, '*', or
    // anything): the rejection follows.
    s.authFailure = undefined;
    s.go('reject');
    reply(s, failure);
    return true;
  }
  if (line === 'overflow') {
    s.sasl = undefined;
    s.go('cancel');
    reply(s, { code: 500, enhanced: '5.5.6', text: 'Error: authentication line too long' });
    return true;
  }
  // base64 is ASCII: a line that is not UTF-8 is no base64 either, nor one led by a BOM (kept by
  // utf8Text). Trailing SP and HTAB are dropped, as from a command's argument (the initial
  // response); never Unicode white space (`trim()` took a trailing NBSP, U+FEFF or U+2028 off a
  // line that is then no base64)
  const text = utf8Text(line);
  const d = text === undefined ? undefined : decodeSaslLine(text.slice(0, endWithoutBlanks(text)));
  if (d === 'cancel' || d === undefined) {
    s.sasl = undefined;
    s.go('cancel');
    if (d === 'cancel') reply(s, { code: 501, enhanced: '5.0.0', text: 'Authentication cancelled' });
    else reply(s, { code: 501, enhanced: '5.5.2', text: 'Error: invalid base64 data' });
    return true;
  }
  saslStep(s, d, false);
  return true;
}

/** The application's answer to the credentials; an accepted login is `user` (the authorization identity when there is one). */
export function answerAuth(s: Session, user: string, positive: boolean, r: ReplyInit | undefined): void {
  if (positive) {
    s.go('accept');
    s.authUser = user;
    send(s, r ?? { code: 235, enhanced: '2.7.0', text: 'Authentication successful' });
  } else rejectAuth(s, r ?? { code: 535, enhanced: '5.7.8', text: 'Error: authentication failed' });
  s.saslCredentials = undefined;
}
