// smtp classify [--domain D] [--json] [--rules FILE] [TEXT...]: bounce classification with smtp-errors.
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { createClassifier } from 'smtp-errors';
import type { Classification, Classifier } from 'smtp-errors';
import { EXIT } from './options.js';

/** One classified input, as printed by `--json`. */
export interface ClassifyRecord {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  readonly description: string;
  readonly transient: boolean;
  readonly rule: Classification['rule'];
  readonly replyCode: number | null;
  readonly enhancedCode: string | null;
  readonly input: string;
}

/** Classifies one reply text. */
export function classifyText(classifier: Classifier, text: string, domain: string | undefined): ClassifyRecord {
  const c = classifier.classify(text, domain === undefined ? {} : { domain });
  return { id: c.id, name: c.name, category: c.category, description: c.description, transient: c.transient, rule: c.rule, replyCode: c.replyCode ?? null, enhancedCode: c.enhancedCode ?? null, input: text };
}

function describeRule(rule: Classification['rule']): string {
  switch (rule.kind) {
    case 'domain-rule':
      return `domain rule ${rule.domain}: "${rule.pattern}"`;
    case 'user-rule':
      return `rule "${rule.pattern}"`;
    case 'builtin-rule':
      return `built-in ${rule.name}`;
    case 'enhanced-code':
      return `enhanced code ${rule.code}`;
    case 'reply-code':
      return `reply code ${rule.code}`;
    case 'keyword':
      return `keyword "${rule.pattern}"`;
    case 'none':
      return 'no match';
    default:
      // A kind added by a later smtp-errors: show its name.
      return (rule as { kind: string }).kind;
  }
}

/** The human-readable line for one input: `10  Invalid Recipient  hard  <- 550 5.1.1 ...`. */
export function formatRecord(r: ClassifyRecord): string {
  return `${String(r.id).padStart(2)}  ${r.name.padEnd(22)}  ${r.category.padEnd(10)}  ${`(${describeRule(r.rule)})`.padEnd(34)}  <- ${r.input}`;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('classify a server reply (or each line of stdin) into a bounce class with smtp-errors')
    .argument('[text...]', 'the reply text, e.g. "550 5.1.1 user unknown" (quotes optional); read from stdin when absent')
    .option('-d, --domain <domain>', 'recipient domain, so per-domain rules apply')
    .option('--rules <file>', 'extra rules in the legacy override format (domain,bounce_code,rule per line)')
    .option('--json', 'print one JSON object per input')
    .addHelpText('after', '\nExamples:\n  smtp classify 550 5.1.1 user unknown\n  smtp classify --json --domain gmail.com "421 4.7.0 try again later"\n  cat replies.txt | smtp classify --json\n')
    .action(async (words: string[], opts: { domain?: string; json?: boolean; rules?: string }, cmd: Command) => {
      const classifier = createClassifier();
      if (opts.rules !== undefined) {
        try {
          classifier.addRules(readFileSync(opts.rules, 'utf8'));
        } catch (e) {
          cmd.error(`error: --rules ${opts.rules}: ${(e as Error).message}`, { exitCode: EXIT.usage });
        }
      }
      const print = (text: string): void => {
        const record = classifyText(classifier, text, opts.domain);
        process.stdout.write(`${opts.json === true ? JSON.stringify(record) : formatRecord(record)}\n`);
      };
      if (words.length > 0) {
        print(words.join(' '));
        return;
      }
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        const text = line.trim();
        if (text !== '') print(text);
      }
    });
}
