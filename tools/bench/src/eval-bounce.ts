/**
 * pnpm eval:bounce — agreement of smtp-errors with the labelled sisimai bounce set, on the dev and
 * test splits, next to the baselines measured on the same rows, and with the provider set's two
 * halves. Tune on dev and the provider tune half only; report test and held-out. A third table
 * scores the tuning sets with the phrase rules off, as a measure of generalisation.
 * `--misses dev` prints the dev rows that disagree (never look at test misses while tuning), the
 * misses of the provider set's tuning half (never its held-out half), and the dev emails that
 * `classifyMessage` gets wrong.
 */
import { classify, createClassifier } from 'smtp-errors';
import { classifyMessage } from 'smtp-errors/message';
import { createLearnedClassifier } from 'smtp-errors/learned';
import { evaluate } from '../../../packages/smtp-errors/test/bounce-eval.js';
import { EVAL_DIR, evaluateMessages } from '../../../packages/smtp-errors/test/message-eval.js';
import { evaluateProviders, labellerAgreement, textOnlyAgreement } from '../../../packages/smtp-errors/test/provider-eval.js';

const report = evaluate((text) => classify(text));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const line = (name: string, s: { dev: { agreement: number; agreed: number; rows: number }; test: { agreement: number; agreed: number; rows: number } }) =>
  `| ${name.padEnd(52)} | ${pct(s.dev.agreement).padStart(6)} (${s.dev.agreed}/${s.dev.rows}) | ${pct(s.test.agreement).padStart(6)} (${s.test.agreed}/${s.test.rows}) |`;

console.log('| classifier (bounce rows with text, no label hint) | dev | test |');
console.log('|---|---|---|');
console.log(line('smtp-errors classify(diagnostic_text)', report.ours));
console.log(line('smtp-errors classify(reply_text)', report.oursReplyText));
// The opt-in learned fallback (smtp-errors/learned): trained on sisimai dev and the provider tune half.
const learned = createLearnedClassifier({ limits: { cacheSize: 0 } });
const learnedReport = evaluate((text) => learned.classify(text));
console.log(line('smtp-errors/learned createLearnedClassifier()', learnedReport.ours));
console.log(line('sisimai v5.1.0 Reason->match (baseline)', report.baselines.sisimai));
console.log(line('@postalsys/bounce-classifier 2.0.0 (baseline)', report.baselines.postalsys));
console.log(line('KumoMTA bounces.toml + iana.toml (baseline)', report.baselines.kumomta));

// The provider set (packages/smtp-errors/test/provider-eval.jsonl, labelled by LABELLING.md).
const providers = evaluateProviders((text) => classify(text));
const half = (s: { agreement: number; agreed: number; rows: number }) => `${pct(s.agreement)} (${s.agreed}/${s.rows})`;
console.log('');
console.log('| classifier (provider documentation replies) | tune | held-out |');
console.log('|---|---|---|');
console.log(`| smtp-errors classify(text) | ${half(providers.tune)} | ${half(providers.heldout)} |`);
const learnedProviders = evaluateProviders((text) => learned.classify(text));
console.log(`| smtp-errors/learned createLearnedClassifier() | ${half(learnedProviders.tune)} | ${half(learnedProviders.heldout)} |`);

// The ceiling the labels put on the held-out figure: a second labeller, given only LABELLING.md
// and each held-out row's text and source, scored against the first labels as classify is.
const labels = labellerAgreement((text) => classify(text));
console.log('');
console.log('| held-out half, two independent labellers | agreement |');
console.log('|---|---|');
console.log(`| second labeller against the first labels | ${half(labels.secondLabeller)} |`);
console.log(`| smtp-errors classify(text) against the first labels | ${half(labels.classifyFirst)} |`);
console.log(`| smtp-errors classify(text) against the second labels | ${half(labels.classifySecond)} |`);
console.log(`| smtp-errors classify(text), rows both labellers agree on (${labels.consensus}) | ${half(labels.classifyConsensus)} |`);
// How far the words alone can go: a reader given only the guide and each held-out text
// (no provider, no source, shuffled), scored against the first labels as classify is.
console.log(`| a reader of the text alone against the first labels | ${half(textOnlyAgreement())} |`);

// A measure of generalisation on the tuning sets: the same classifier with its ~375 phrase rules
// switched off, so only the codes, the SMTP stage, the reply class and the word families decide.
// A change that helps here helps replies whose wording no phrase rule has seen.
const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
const bareSisimai = evaluate((text) => bare.classify(text));
const bareProviders = evaluateProviders((text) => bare.classify(text));
console.log('');
console.log('| phrase rules off (codes, stage, reply class, word families) | sisimai dev | provider tune |');
console.log('|---|---|---|');
console.log(`| smtp-errors createClassifier({ builtinRules: false }) | ${half(bareSisimai.ours.dev)} | ${half(bareProviders.tune)} |`);

// Whole bounce emails (dev split only: the test split's emails are not distributed).
const messages = await evaluateMessages(EVAL_DIR, (raw) => classifyMessage(raw));
console.log('');
console.log('| classifyMessage (raw dev emails, first recipient) | emails | agreement | exceptions |');
console.log('|---|---|---|---|');
console.log(`| smtp-errors/message classifyMessage | ${messages.emails} | ${pct(messages.agreement)} (${messages.agreed}/${messages.emails}) | ${messages.exceptions} |`);

const idx = process.argv.indexOf('--misses');
if (idx >= 0) {
  const split = process.argv[idx + 1] ?? 'dev';
  if (split !== 'dev') {
    console.error('only dev misses are printed: the test split stays held out');
  } else {
    for (const m of report.misses.filter((x) => x.split === 'dev')) {
      console.log(`${m.acceptable.join(',').padEnd(10)} got ${String(m.got.id).padEnd(3)} ${m.reason.padEnd(14)} ${JSON.stringify(m.got.rule)} :: ${m.text.slice(0, 220).replace(/\s+/g, ' ')}`);
    }
    for (const m of providers.misses.filter((x) => x.row.split === 'tune')) {
      console.log(`provider ${m.row.acceptable.join(',').padEnd(10)} got ${String(m.got.id).padEnd(3)} ${m.row.family.padEnd(12)} ${JSON.stringify(m.got.rule)} :: ${m.row.text.slice(0, 160)}`);
    }
    for (const m of messages.misses) {
      console.log(`email ${m.acceptable.join(',').padEnd(10)} got ${m.got.padEnd(16)} ${m.reason.padEnd(14)} ${m.file} :: ${m.diagnostic.replace(/\s+/g, ' ')}`);
    }
  }
}
