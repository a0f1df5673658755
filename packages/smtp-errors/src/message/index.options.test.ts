import { describe, expect, it } from 'vitest';
import { createClassifier, isSmtpErrorsError } from '../index.js';
import { classifyMessage, type ClassifyMessageOptions } from './index.js';

const msg = 'From: a@example.com\r\nSubject: Undelivered\r\n\r\n550 5.1.1 user unknown\r\n';

async function codeOf(options: unknown): Promise<string | undefined> {
  try {
    await classifyMessage(msg, options as ClassifyMessageOptions);
  } catch (e) {
    return isSmtpErrorsError(e) ? e.code : `untyped ${String(e)}`;
  }
  return undefined;
}

describe('classifyMessage: options of the wrong type are ERR_SMTP_INVALID_OPTION', () => {
  it('options that are not an object', async () => {
    for (const bad of [null, 5, 'x', true]) expect(await codeOf(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    // a list is no options object: it would classify with the defaults
    for (const bad of [[], [createClassifier()]]) expect(await codeOf(bad), `a list of ${bad.length}`).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('a classifier that is not a Classifier', async () => {
    for (const bad of [null, {}, 5, (t: string) => t, { classify: 'x' }]) expect(await codeOf({ classifier: bad })).toBe('ERR_SMTP_INVALID_OPTION');
    // forId gives an auto-reply, a list notice or a challenge its class: one without it used to
    // pass the check and then throw an untyped TypeError on such a message
    const real = createClassifier();
    expect(await codeOf({ classifier: { classify: real.classify.bind(real) } })).toBe('ERR_SMTP_INVALID_OPTION');
    expect(await codeOf({ classifier: { classify: real.classify.bind(real), forId: real.forId.bind(real) } })).toBeUndefined();
    expect((await classifyMessage(msg, { classifier: createClassifier() })).kind).toBe('bounce');
    expect(await codeOf({})).toBeUndefined();
  });
});

describe('classifyMessage reads the classifier option once', () => {
  /** A classifier whose method `key` is the real one on its first read and a number after. */
  function flipping(key: 'classify' | 'forId'): unknown {
    const real = createClassifier();
    const shape = { classify: real.classify.bind(real), forId: real.forId.bind(real) };
    let reads = 0;
    return Object.defineProperty(shape, key, { get: () => (++reads === 1 ? real[key].bind(real) : 5) });
  }

  it('a classify method that turns into a number after the check classifies with the one checked', async () => {
    const r = await classifyMessage(msg, { classifier: flipping('classify') as ClassifyMessageOptions['classifier'] });
    expect(r.recipients[0]?.class.id).toBe(10);
  });

  it('a forId method that turns into a number after the check gives the class with the one checked', async () => {
    const auto = 'From: a@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nAway until Monday.\r\n';
    const r = await classifyMessage(auto, { classifier: flipping('forId') as ClassifyMessageOptions['classifier'] });
    expect(r.kind).toBe('auto-reply');
    expect(r.class?.name).toBe('Auto-Reply');
  });
});
