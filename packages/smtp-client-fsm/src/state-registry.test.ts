// The state list itself: validation, insertion, replacement, the pipelining group check and stages.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { isSmtpClientError } from './errors.js';
import { StateRegistry, stageOf } from './state-registry.js';
import type { ClientStateDefinition } from './state-registry.js';
import { sessionOf } from './session.js';
import { createStateRegistry } from './states/index.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);
const def = (name: string, extra: Partial<ClientStateDefinition> = {}): ClientStateDefinition => ({ name, stage: 1, enter: () => undefined, reply: () => undefined, ...extra });

describe('StateRegistry', () => {
  it('validates definitions', () => {
    const r = createStateRegistry();
    expect(codeOf(() => r.register(null as never, { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => r.register(def(''), { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => r.register({ ...def('x'), enter: undefined as never }, { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => r.register({ ...def('x'), reply: 1 as never }, { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    for (const stage of [-1, 23, 1.5, Number.NaN]) expect(codeOf(() => r.register(def('x', { stage }), { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => r.register(def('x', { pipelining: 'maybe' as never }), { after: 'ehlo' }))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => r.register(def('ehlo'), { after: 'mail' }))).toBe('ERR_SMTP_CLIENT_DUPLICATE_STATE');
    expect(codeOf(() => r.register(def('x'), { after: 'nowhere' }))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
    expect(codeOf(() => r.register(def('x', { stage: () => 3 }), { after: 'ehlo' }))).toBeUndefined();
  });

  it('inserts after a name or id, or first with -1; ids are stable', () => {
    const r = createStateRegistry();
    const a = r.register(def('a'), { after: 'ehlo' });
    const b = r.register(def('b'), { after: a });
    const c = r.register(def('c'), { after: -1 });
    expect(r.list().slice(0, 5).map((s) => s.name)).toEqual(['c', 'banner', 'ehlo', 'a', 'b']);
    expect([r.get(b)?.name, r.after('a')?.name, r.indexOf(c), r.indexOf('none'), r.get('none'), r.after('none')]).toEqual(['b', 'b', 0, -1, undefined, undefined]);
    expect(r.after('quit')).toBeUndefined();
  });

  it('replace keeps the id, position and builtin flag, returns the old definition, and keeps the name', () => {
    const r = createStateRegistry();
    const before = r.get('rcpt')!;
    const wrapped = { ...before.definition, description: 'wrapped' };
    expect(r.replace('rcpt', wrapped)).toBe(before.definition);
    expect(r.get('rcpt')).toMatchObject({ id: before.id, builtin: true, definition: wrapped });
    expect(r.indexOf('rcpt')).toBe(r.indexOf(before.id));
    expect(codeOf(() => r.replace('rcpt', def('other')))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => r.replace(999, def('rcpt')))).toBe('ERR_SMTP_CLIENT_UNKNOWN_STATE');
    const own = r.register(def('own'), { after: 'ehlo' });
    r.replace(own, def('own', { stage: 5 }));
    expect(r.get('own')).toMatchObject({ builtin: false, stage: 5 });
  });

  it('groupBetween: every state in the range declares group', () => {
    const r = createStateRegistry();
    expect(r.groupBetween('mail', 'data')).toBe(true);
    expect(r.groupBetween('mail', 'idle')).toBe(true);
    expect(r.groupBetween('ehlo', 'mail')).toBe(false);
    expect(r.groupBetween('mail', 'quit')).toBe(false);
    expect(r.groupBetween('mail', 'nowhere')).toBe(false);
    expect(r.groupBetween('nowhere', 'data')).toBe(false);
    r.register(def('g', { pipelining: 'group' }), { after: 'mail' });
    expect(r.groupBetween('mail', 'data')).toBe(true);
    r.register(def('b'), { after: 'rcpt' });
    expect(r.groupBetween('mail', 'data')).toBe(false);
    expect(new StateRegistry().list()).toEqual([]);
  });

  it('stageOf: a number, or a function of local; anything outside 0-22 is 22', () => {
    expect(stageOf(def('x', { stage: 4 }), {})).toBe(4);
    expect(stageOf(def('x', { stage: (l) => (l['n'] === 1 ? 0 : 9) }), { n: 1 })).toBe(0);
    expect(stageOf(def('x', { stage: (l) => (l['n'] === 1 ? 0 : 9) }), {})).toBe(9);
    for (const bad of [-1, 23, 2.5, Number.NaN]) expect(stageOf(def('x', { stage: () => bad }), {})).toBe(22);
    expect(createStateRegistry().get('starttls')!.stage).toBe(15);
  });

  it('a built-in run with a context that did not come from a connection is a typed error', () => {
    const ctx = { state: 'mail' } as never;
    expect(codeOf(() => sessionOf(ctx))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
    expect(codeOf(() => createStateRegistry().get('mail')!.definition.enter(ctx))).toBe('ERR_SMTP_CLIENT_STATE_INCOMPLETE');
  });
});
