// smtp classify [--domain D] [--json] [--rules FILE] [TEXT...]: bounce classification with smtp-errors.
// smtp classify --message FILE|DIR|- [--json]: whole bounce emails (smtp-errors/message).
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClassifier, isSmtpErrorsError } from 'smtp-errors';
import type { Classification, Classifier } from 'smtp-errors';
import { classifyMessage } from 'smtp-errors/message';
import type { MessageClassification } from 'smtp-errors/message';
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
    case 'provider-code':
      return `${rule.provider} code ${rule.code}`;
    case 'none':
      return 'no match';
    default:
      // A kind added by a later smtp-errors: show its name.
      return (rule as { kind: string }).kind;
  }
}

/**
 * C0 controls, DEL, C1 controls (U+009B is a CSI on its own) and the bidirectional embeddings,
 * overrides and isolates, which reorder what a terminal shows.
 */
function unprintable(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/**
 * Text from a message or a reply made safe for a terminal: each control character is `?`, so a
 * hostile bounce cannot move the cursor, clear the screen, retitle the window or hide text.
 */
export function printable(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!unprintable(text.charCodeAt(i))) continue;
    out += `${text.slice(from, i)}?`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The human-readable line for one input: `10  Invalid Recipient  hard  <- 550 5.1.1 ...`. */
export function formatRecord(r: ClassifyRecord): string {
  return `${String(r.id).padStart(2)}  ${r.name.padEnd(22)}  ${r.category.padEnd(10)}  ${`(${printable(describeRule(r.rule))})`.padEnd(34)}  <- ${printable(r.input)}`;
}

/** One whole email to classify: where it came from and its bytes. */
export interface MessageInput {
  readonly source: string;
  readonly raw: Uint8Array;
}

/**
 * Splits an mbox (messages separated by lines starting `From `) into its messages, undoing the
 * `>From ` quoting of body lines. Input that does not start with `From ` is one message.
 */
export function splitMbox(data: Uint8Array, source: string): MessageInput[] {
  // Node's 'latin1' Buffer encoding maps each byte to one code unit and back (TextDecoder('latin1')
  // is windows-1252, which turns 0x80-0x9F into other characters and corrupts 8-bit bodies).
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  if (!text.startsWith('From ')) return [{ source, raw: data }];
  const out: MessageInput[] = [];
  const starts: number[] = [0];
  for (let i = text.indexOf('\nFrom '); i >= 0; i = text.indexOf('\nFrom ', i + 1)) starts.push(i + 1);
  for (let k = 0; k < starts.length; k++) {
    const chunk = text.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : text.length);
    const body = chunk.slice(chunk.indexOf('\n') + 1).replace(/^>(>*From )/gm, '$1');
    out.push({ source: `${source}#${k + 1}`, raw: new Uint8Array(Buffer.from(body, 'latin1')) });
  }
  return out;
}

/**
 * The files a `--message` path names: the file itself, or every regular file of a directory
 * (sorted; not a subdirectory, and not a pipe or a device, whose reading may never end). An entry
 * that cannot be examined (a dangling link) is kept, so reading it reports its error instead of
 * ending the run.
 */
export function messageFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .map((f) => join(path, f))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return true;
      }
    });
}

/** A message file that could not be read: its system error code (`ENOENT`, `EACCES`...) and message. */
export interface UnreadableInput {
  readonly source: string;
  readonly error: { readonly code: string; readonly message: string };
}

/**
 * The messages of these files, read one file at a time as the caller iterates (not all up front).
 * A file that cannot be read gives an {@link UnreadableInput} in its place, and the next file follows.
 */
export function* messageInputs(files: readonly string[]): Generator<MessageInput | UnreadableInput> {
  for (const f of files) {
    let data: Uint8Array;
    try {
      data = new Uint8Array(readFileSync(f));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      yield { source: f, error: { code: typeof err.code === 'string' ? err.code : 'EIO', message: err.message } };
      continue;
    }
    yield* splitMbox(data, f);
  }
}

/** One classified email, as printed by `--message --json`. */
export type MessageRecord =
  | ({ readonly source: string } & MessageClassification)
  | { readonly source: string; readonly error: { readonly code: string; readonly message: string } };

/** Classifies one email; a message that cannot be read gives an `error` record instead of throwing. */
export async function classifyMessageRecord(classifier: Classifier, input: MessageInput): Promise<MessageRecord> {
  try {
    return { source: input.source, ...(await classifyMessage(input.raw, { classifier })) };
  } catch (e) {
    if (isSmtpErrorsError(e)) return { source: input.source, error: { code: e.code, message: e.message } };
    throw e;
  }
}

/** The human-readable lines for one email: the source and kind, then one line per recipient. */
export function formatMessageRecord(r: MessageRecord): string {
  // every field can come from the message (or, for the source, from a file name): printable()
  if ('error' in r) return printable(`${r.source}  error ${r.error.code}: ${r.error.message}`);
  const lines = [printable(`${r.source}  ${r.kind}${r.original.messageId !== undefined ? `  original ${r.original.messageId}` : ''}${r.original.envelopeId !== undefined ? `  envid ${r.original.envelopeId}` : ''}`)];
  for (const x of r.recipients) {
    const diag = printable((x.diagnostic ?? '').replace(/\s+/g, ' ').slice(0, 160));
    lines.push(`  ${String(x.class.id).padStart(3)}  ${printable(x.class.name).padEnd(22)}  ${x.class.action.padEnd(8)}  ${printable(x.address ?? '-').padEnd(30)}  ${(x.status ?? '-').padEnd(7)}  <- ${diag}`);
  }
  if (r.recipients.length === 0 && r.class !== undefined) lines.push(`  ${String(r.class.id).padStart(3)}  ${printable(r.class.name).padEnd(22)}  ${r.class.action}`);
  return lines.join('\n');
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('classify a server reply (or each line of stdin) into a bounce class with smtp-errors')
    .argument('[text...]', 'the reply text, e.g. "550 5.1.1 user unknown" (quotes optional); read from stdin when absent')
    .option('-d, --domain <domain>', 'recipient domain, so per-domain rules apply')
    .option('--rules <file>', 'extra rules in the legacy override format (domain,bounce_code,rule per line)')
    .option('--json', 'print one JSON object per input')
    .option('--message <path>', 'classify whole bounce emails: a file, a directory of files, or - for one message or an mbox on stdin')
    .addHelpText(
      'after',
      '\nExamples:\n  smtp classify 550 5.1.1 user unknown\n  smtp classify --json --domain gmail.com "421 4.7.0 try again later"\n  cat replies.txt | smtp classify --json\n  smtp classify --message bounce.eml\n  smtp classify --message ./bounces/ --json\n  cat bounces.mbox | smtp classify --message -\n',
    )
    .action(async (words: string[], opts: { domain?: string; json?: boolean; rules?: string; message?: string }, cmd: Command) => {
      const classifier = createClassifier();
      if (opts.rules !== undefined) {
        try {
          classifier.addRules(readFileSync(opts.rules, 'utf8'));
        } catch (e) {
          cmd.error(`error: --rules ${opts.rules}: ${(e as Error).message}`, { exitCode: EXIT.usage });
        }
      }
      if (opts.message !== undefined) {
        let inputs: Iterator<MessageInput | UnreadableInput>;
        try {
          inputs = (opts.message === '-' ? splitMbox(await readStdin(), 'stdin') : messageInputs(messageFiles(opts.message)))[Symbol.iterator]();
        } catch (e) {
          cmd.error(`error: --message ${opts.message}: ${(e as Error).message}`, { exitCode: EXIT.usage });
          return;
        }
        let failed = false;
        for (;;) {
          let step: IteratorResult<MessageInput | UnreadableInput>;
          try {
            step = inputs.next();
          } catch (e) {
            cmd.error(`error: --message ${opts.message}: ${(e as Error).message}`, { exitCode: EXIT.usage });
            return;
          }
          if (step.done === true) break;
          const record = 'error' in step.value ? step.value : await classifyMessageRecord(classifier, step.value);
          if ('error' in record) failed = true;
          process.stdout.write(`${opts.json === true ? JSON.stringify(record) : formatMessageRecord(record)}\n`);
        }
        if (failed) process.exitCode = EXIT.rejected;
        return;
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
