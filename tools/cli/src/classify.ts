// smtp classify [--domain D] [--json] [TEXT...]: bounce classification with smtp-errors.
import type { Command } from 'commander';
import { createInterface } from 'node:readline';

/** One classified input, as printed by `--json`. */
export interface ClassifyRecord {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  readonly description: string;
  readonly transient: boolean;
  readonly rule: unknown;
  readonly input: string;
}

/** Classifies one reply text (smtp-errors is loaded on first use, so `--help` never depends on it). */
export async function classifyText(text: string, domain: string | undefined): Promise<ClassifyRecord> {
  // Structural until smtp-errors has landed its API in this checkout.
  const { classify } = (await import('smtp-errors')) as unknown as { classify?: (text: string, o: { domain?: string }) => Omit<ClassifyRecord, 'input'> };
  if (typeof classify !== 'function') throw new Error('smtp-errors does not export classify() yet');
  const c = classify(text, domain === undefined ? {} : { domain });
  return { id: c.id, name: c.name, category: c.category, description: c.description, transient: c.transient, rule: c.rule, input: text };
}

/** The human-readable line for one input: `10  Invalid Recipient  hard  <- 550 5.1.1 ...`. */
export function formatRecord(r: ClassifyRecord): string {
  return `${String(r.id).padStart(2)}  ${r.name.padEnd(22)}  ${r.category.padEnd(10)}  <- ${r.input}`;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('classify a server reply (or each line of stdin) into a bounce class with smtp-errors')
    .argument('[text...]', 'the reply text, e.g. "550 5.1.1 user unknown" (quotes optional); read from stdin when absent')
    .option('-d, --domain <domain>', 'recipient domain, so per-domain rules apply')
    .option('--json', 'print one JSON object per input')
    .addHelpText('after', '\nExamples:\n  smtp classify 550 5.1.1 user unknown\n  smtp classify --json --domain gmail.com "421 4.7.0 try again later"\n  cat replies.txt | smtp classify --json\n')
    .action(async (words: string[], opts: { domain?: string; json?: boolean }) => {
      const print = async (text: string): Promise<void> => {
        const record = await classifyText(text, opts.domain);
        process.stdout.write(`${opts.json === true ? JSON.stringify(record) : formatRecord(record)}\n`);
      };
      if (words.length > 0) {
        await print(words.join(' '));
        return;
      }
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        const text = line.trim();
        if (text !== '') await print(text);
      }
    });
}
