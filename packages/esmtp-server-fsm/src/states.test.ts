import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { isSmtpServerError } from './errors.js';
import { Session } from './session.js';
import { LEGACY_STATE_NUMBERS, SERVER_TRANSITIONS, nextState, stateName } from './states.js';
import type { ServerState } from './states.js';

describe('the transition table', () => {
  it('has one target per (from, on) pair', () => {
    const seen = new Set<string>();
    for (const t of SERVER_TRANSITIONS) {
      const key = `${t.from} --${t.on}-->`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      expect(nextState(t.from, t.on)).toBe(t.to);
    }
  });

  it('every state but closed can close, and every state is reachable from connect', () => {
    const states = Object.keys(LEGACY_STATE_NUMBERS) as ServerState[];
    for (const s of states) if (s !== 'closed') expect(nextState(s, 'close'), s).toBe('closed');
    const reached = new Set<ServerState>(['connect']);
    const commandStates: ServerState[] = ['awaiting-helo', 'awaiting-mail', 'awaiting-rcpt'];
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of SERVER_TRANSITIONS) {
        if (!reached.has(t.from)) continue;
        for (const to of t.to === 'resume' ? commandStates : [t.to]) {
          if (!reached.has(to)) {
            reached.add(to);
            grew = true;
          }
        }
      }
    }
    expect([...reached].sort()).toEqual([...states].sort());
  });

  it('resume targets only lead back from decisions taken in a command state', () => {
    const resumes = SERVER_TRANSITIONS.filter((t) => t.to === 'resume').map((t) => `${t.from} ${t.on}`);
    expect(resumes.sort()).toEqual(['command-decision answer', 'command-decision reject', 'extension cancel', 'helo-decision reject', 'reading-bdat chunk-refused']);
  });

  it('a move that is not in the table is a typed ERR_SMTP_INVALID_TRANSITION', () => {
    const s = new Session({});
    expect(s.current).toBe('connect');
    expect(errorCodeOf(() => s.go('MAIL'), isSmtpServerError)).toBe('ERR_SMTP_INVALID_TRANSITION');
    expect(s.current).toBe('connect');
    s.go('accept');
    s.enter('HELO');
    expect(s.current).toBe('helo-decision');
    s.go('reject');
    expect(s.current).toBe('awaiting-helo'); // resume: the command state HELO came from
  });

  it('legacy names: extension states are 14 to 17, unknown numbers say so', () => {
    expect(stateName(LEGACY_STATE_NUMBERS.extension)).toBe('extension 4');
    expect(stateName(LEGACY_STATE_NUMBERS['reading-body'])).toBe('reading body');
    expect(stateName(-1)).toBe('unknown');
    expect(stateName(1.5)).toBe('unknown');
  });
});

describe('MC_STATE_* constants', () => {
  it('name the C API numbers, and every session state maps onto one of them', async () => {
    const m = await import('./states.js');
    const named = Object.entries(m).filter(([k]) => k.startsWith('MC_STATE_') && k !== 'MC_STATE_COUNT');
    expect(named.map(([, v]) => v).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: m.MC_STATE_COUNT }, (_, i) => i));
    expect(m.stateName(m.MC_STATE_BODY)).toBe('reading body');
    for (const n of Object.values(m.LEGACY_STATE_NUMBERS)) expect(n === -1 || named.some(([, v]) => v === n)).toBe(true);
  });
});
