/**
 * smtp-errors: classifications per second on a realistic mix (the 544 scored reply texts of the
 * sisimai bounce set plus every built-in rule's example reply), smtp-errors against the way most
 * classifiers work: an ordered list of 500 case-insensitive regular expressions tried first-match,
 * then a regex for the enhanced status code and one for the reply code. Same inputs, same run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_RULES, createClassifier, enhancedClass } from 'smtp-errors';
import { classifyMessage } from 'smtp-errors/message';
import { createLearnedClassifier } from 'smtp-errors/learned';
import { corpusTexts, evaluate } from '../../../../packages/smtp-errors/test/bounce-eval.js';
import { EVAL_DIR, evaluateMessages } from '../../../../packages/smtp-errors/test/message-eval.js';
import { evaluateProviders } from '../../../../packages/smtp-errors/test/provider-eval.js';
import { interleaved, throughput, throughputAsync, type Comparison, type Figure, type Suite } from '../harness.js';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()[\]\\]/g, '\\$&');
}

/** 500 plausible regexes: each built-in phrase, then generated variants of them, in order. */
function regexList(): { re: RegExp; id: number }[] {
  const out: { re: RegExp; id: number }[] = [];
  const base = BUILTIN_RULES.map((r) => ({ pieces: r.pattern.split('|').map(escape), id: r.id }));
  const variants: ((p: string[]) => string)[] = [
    (p) => p.join('.*'),
    (p) => p.map((x) => x.replace(/ /g, '\\s+')).join('.*?'),
    (p) => `\\b${p.join('\\b.*\\b')}\\b`,
    (p) => `(?:^|[^a-z])${p.join('.*')}`,
  ];
  for (const v of variants) {
    for (const b of base) {
      if (out.length >= 500) break;
      out.push({ re: new RegExp(v(b.pieces), 'i'), id: b.id });
    }
  }
  return out;
}

const ENHANCED = /(?:^|[^\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d])/;
const CODE = /(?:^|[^\d.])([245][0-5]\d)(?:[ -]|$)/;

function regexClassifier() {
  const list = regexList();
  return (text: string): number => {
    for (const { re, id } of list) if (re.test(text)) return id;
    const e = ENHANCED.exec(text);
    if (e) {
      const found = enhancedClass({ class: Number(e[1]), subject: Number(e[2]), detail: Number(e[3]) });
      if (found) return found.id;
    }
    const c = CODE.exec(text);
    if (c) return Number(c[1]) >= 500 ? 40 : 70;
    return 1;
  };
}


const suite: Suite = {
  name: 'smtp-errors',
  run({ quick }) {
    const texts = [...corpusTexts(), ...BUILTIN_RULES.map((r) => r.example)];
    const ours = createClassifier({ limits: { cacheSize: 0 } });
    const peer = regexClassifier();
    const rounds = quick ? 3 : 7;
    const opts = quick ? { runs: 1, ms: 80 } : { runs: 1, ms: 400 };
    let sink = 0;
    /** Throughput of `classifyOne` over every text, under `name`. */
    const rate = (name: string, classifyOne: (text: string) => number) => () =>
      throughput(
        name,
        'classifications/s',
        () => {
          for (const t of texts) sink += classifyOne(t);
          return texts.length;
        },
        opts,
      );
    const [a, b] = interleaved(rounds, rate('smtp-errors classify', (t) => ours.classify(t).id), rate('500-regex first-match list', peer));
    // The cost of the opt-in learned fallback (smtp-errors/learned): the same texts, the same run.
    const learned = createLearnedClassifier({ limits: { cacheSize: 0 } });
    const [plain, withFallback] = interleaved(rounds, rate('classify', (t) => ours.classify(t).id), rate('classify + learned fallback', (t) => learned.classify(t).id));
    if (sink === 42) console.log('');
    const avg = Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);
    const comparison: Comparison = {
      title: 'bounce classification, realistic mix',
      ours: a,
      peer: b,
      aim: '>= 10x and >= 1M/s',
      notes: `${texts.length} replies (sisimai set texts + built-in examples), average ${avg} chars; peer: 500 case-insensitive regexes first-match, then enhanced/reply code regexes; interleaved over ${rounds} rounds, cache off`,
    };
    const weak = texts.filter((t) => ['reply-code', 'enhanced-code', 'none'].includes(ours.classify(t).rule.kind)).length;
    const fallbackCost: Comparison = {
      title: 'classify with the learned fallback (smtp-errors/learned) vs without',
      ours: withFallback,
      peer: plain,
      notes: `same ${texts.length} replies, ${weak} of them decided weakly (the only ones the fallback reads); interleaved over ${rounds} rounds, cache off`,
    };
    return accuracyAndMessages(quick).then((more) => [comparison, fallbackCost, ...more]);
  },
};

/** An agreement figure (a share, higher is better) for the report. */
function share(name: string, agreed: number, rows: number): Figure {
  const value = rows ? (100 * agreed) / rows : 0;
  return { name, median: value, runs: [value], unit: `% agreement (${agreed}/${rows})`, higherIsBetter: true };
}

/** Agreement on the three evaluation sets, and whole bounce emails per second. */
async function accuracyAndMessages(quick: boolean): Promise<Comparison[]> {
  const c = createClassifier();
  const sisimai = evaluate((t) => c.classify(t));
  const providers = evaluateProviders((t) => c.classify(t));
  const out: Comparison[] = [
    { title: 'agreement, sisimai set, dev split', ours: share('classify', sisimai.ours.dev.agreed, sisimai.ours.dev.rows), aim: '>= 95.3% (never below the previous release)' },
    { title: 'agreement, sisimai set, test split (held out)', ours: share('classify', sisimai.ours.test.agreed, sisimai.ours.test.rows), aim: '>= 85%' },
    { title: 'agreement, provider set, tuning half', ours: share('classify', providers.tune.agreed, providers.tune.rows), notes: 'provider-eval.jsonl, labelled by LABELLING.md' },
    { title: 'agreement, provider set, held-out half', ours: share('classify', providers.heldout.agreed, providers.heldout.rows), aim: '>= 85%' },
  ];
  // The opt-in learned fallback (smtp-errors/learned), trained on sisimai dev and the provider tune half.
  const learned = createLearnedClassifier();
  const learnedSisimai = evaluate((t) => learned.classify(t));
  const learnedProviders = evaluateProviders((t) => learned.classify(t));
  out.push(
    { title: 'agreement with the learned fallback, sisimai test split (held out)', ours: share('createLearnedClassifier', learnedSisimai.ours.test.agreed, learnedSisimai.ours.test.rows), aim: '>= 85%' },
    { title: 'agreement with the learned fallback, provider set, held-out half', ours: share('createLearnedClassifier', learnedProviders.heldout.agreed, learnedProviders.heldout.rows), aim: '>= 85%', notes: 'opt-in smtp-errors/learned' },
  );
  // Generalisation on the tuning sets: the phrase rules off, so only the codes, the SMTP stage,
  // the reply class and the word families decide.
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  const bareSisimai = evaluate((t) => bare.classify(t));
  const bareProviders = evaluateProviders((t) => bare.classify(t));
  out.push(
    { title: 'agreement with the phrase rules off, sisimai dev', ours: share('classify', bareSisimai.ours.dev.agreed, bareSisimai.ours.dev.rows), notes: 'codes, stage, reply class and word families only' },
    { title: 'agreement with the phrase rules off, provider tune half', ours: share('classify', bareProviders.tune.agreed, bareProviders.tune.rows), notes: 'codes, stage, reply class and word families only' },
  );
  const dir = EVAL_DIR;
  const messages = await evaluateMessages(dir, (raw) => classifyMessage(raw));
  out.push({ title: 'whole emails: first recipient agrees (dev emails)', ours: share('classifyMessage', messages.agreed, messages.emails), aim: '>= 90%, 0 exceptions', notes: `${messages.exceptions} exceptions` });
  const raws = readdirSync(join(dir, 'emails')).map((f) => new Uint8Array(readFileSync(join(dir, 'emails', f))));
  const mb = raws.reduce((n, r) => n + r.length, 0) / raws.length / 1024;
  const speed = await throughputAsync(
    'classifyMessage',
    'emails/s',
    async () => {
      for (const r of raws) await classifyMessage(r);
      return raws.length;
    },
    { runs: quick ? 1 : 5 },
  );
  out.push({ title: 'whole bounce emails (postal-mime parse + classify)', ours: speed, aim: '>= 1,000 emails/s', notes: `${raws.length} dev emails of bounce-eval, average ${mb.toFixed(1)} KiB` });
  return out;
}

export default suite;
