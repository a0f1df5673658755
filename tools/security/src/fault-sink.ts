/**
 * An in-memory fault-injecting sink (TEST-6), after Postfix smtp-sink's knobs: at a chosen policy
 * point the real `ServerConnection` answers with a soft (4xx, `-r`) or hard (5xx, `-f`) rejection,
 * a 421 and disconnect (`-Q`), a disconnect without a reply (`-q`), or never answers (a stall,
 * which the client's phase timer must end). The client under test is the real `ClientConnection`;
 * everything runs in memory, time included.
 */
import { ServerConnection } from 'esmtp-server-fsm';
import type { ServerEvent } from 'esmtp-server-fsm';
import { ClientConnection } from 'smtp-client-fsm';
import type { ClientEvent, ClientOptions, MessageInput } from 'smtp-client-fsm';

export type FaultPoint = 'helo' | 'mail' | 'rcpt' | 'data-start' | 'message-end';
export type Fault = 'none' | 'soft' | 'hard' | '421' | 'disconnect' | 'stall';

export interface FaultRun {
  /** What the client reported for the message. */
  readonly outcome: string | undefined;
  readonly transient: boolean | undefined;
  readonly errors: readonly string[];
  readonly closed: string | undefined;
  /** How many MAIL commands reached the server, and how many content bytes. */
  readonly mails: number;
  readonly contentBytes: number;
  /** Messages the server accepted (a 250 after the final dot was sent). */
  readonly accepted: number;
  readonly timersFired: number;
}

const REPLIES: Record<'soft' | 'hard', { code: number; enhanced: string; text: string }> = {
  soft: { code: 451, enhanced: '4.3.0', text: 'Try again later' },
  hard: { code: 554, enhanced: '5.7.1', text: 'Refused' },
};

/** Runs one message through the sink with `fault` at `point`. */
export function runWithFault(point: FaultPoint, fault: Fault, message: MessageInput, options: ClientOptions = {}): FaultRun {
  const client = new ClientConnection({ hostname: 'client.test', ...options });
  const server = new ServerConnection({ hostname: 'sink.test', autoAccept: [] });
  client.sendMessage(message);
  client.quit();
  let outcome: string | undefined;
  let transient: boolean | undefined;
  let closed: string | undefined;
  const errors: string[] = [];
  let mails = 0;
  let contentBytes = 0;
  let accepted = 0;
  let timersFired = 0;
  let serverGone = false; // the sink disconnected: no more bytes either way
  let stalled = false; // the sink never answers again
  let eofSent = false;

  const onServerEvent = (e: ServerEvent): void => {
    if (e.type === 'mail') mails++;
    if (e.type === 'data-chunk') contentBytes += e.bytes.length;
    if (!('needsAnswer' in e) || !e.needsAnswer) return;
    if (e.type !== point || fault === 'none') {
      server.accept();
      if (e.type === 'message-end') accepted++;
      return;
    }
    switch (fault) {
      case 'soft':
      case 'hard':
        server.reject(REPLIES[fault]);
        return;
      case '421':
        server.reject({ code: 421, enhanced: '4.3.2', text: 'Shutting down' });
        serverGone = true;
        return;
      case 'disconnect':
        serverGone = true;
        return;
      case 'stall':
        stalled = true;
        return;
    }
  };

  for (let round = 0; round < 10_000; round++) {
    let moved = false;
    for (let e: ClientEvent = client.nextEvent(); e.type !== 'need-data'; e = client.nextEvent()) {
      moved = true;
      if (e.type === 'need-body') client.endBody();
      if (e.type === 'message-sent') {
        outcome = e.outcome;
        transient = e.transient;
      }
      if (e.type === 'error') errors.push(e.code);
      if (e.type === 'closed') closed = e.reason;
    }
    const c = client.dataToSend();
    if (c.length > 0 && !serverGone && !stalled && !server.shouldClose) {
      server.receiveData(c);
      moved = true;
    }
    if (!stalled) {
      for (let e = server.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = server.nextEvent()) {
        moved = true;
        onServerEvent(e);
        if (stalled) break;
      }
    }
    const s = server.dataToSend();
    if (s.length > 0 && !(fault === 'disconnect' && serverGone) && !client.closed) {
      client.receiveData(s);
      moved = true;
    }
    if ((serverGone || server.shouldClose) && !eofSent && !client.closed) {
      eofSent = true;
      client.receiveEof();
      moved = true;
    }
    if (!moved && stalled && !client.closed) {
      // time passes: the client's armed phase timer fires
      const t = client.pendingTimeout();
      if (t) {
        timersFired++;
        client.handleTimeout(t.id);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { outcome, transient, errors, closed, mails, contentBytes, accepted, timersFired };
}
