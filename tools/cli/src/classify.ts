// smtp classify [--domain D] [--json] [--rules FILE] [TEXT...]: bounce classification with smtp-errors.
// smtp classify --message FILE|DIR|- [--json]: whole bounce emails (smtp-errors/message).
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClassifier, isSmtpErrorsError } from 'smtp-errors';
import type { Classification, Classifier } from 'smtp-errors';
import { DEFAULT_MAX_MESSAGE_BYTES, classifyMessage } from 'smtp-errors/message';
import type { MessageClassification } from 'smtp-errors/message';
import { EXIT } from './options.js';
import { InputTooLargeError, RULES_MAX_BYTES, readCapped, readsStdin, stdinReadTwice } from './input.js';
import { quietOnEpipe, writeUntilClosed } from './send.js';
import { jsonLine, printable } from './terminal.js';

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
    case 'fallback':
      return `fallback, over ${describeRule(rule.overruled)}`;
    case 'none':
      return 'no match';
    default:
      // A kind added by a later smtp-errors: show its name.
      return (rule as { kind: string }).kind;
  }
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

/** `>From ` quoting is undone for lines that start with at most this many `>` (a longer run is kept as it is). */
const MAX_QUOTE_DEPTH = 1024;
const LF = 0x0a;
const CR = 0x0d;
const FROM_ = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // 'From '

/**
 * Splits an mbox (messages separated by lines starting `From `) into its messages as its bytes
 * arrive, undoing the `>From ` quoting of body lines. Lines end with LF, CRLF or a bare CR (the
 * mailboxes of old Mac mail programs). Input that does not start with `From ` is
 * one message. Memory is bounded whatever the input's size: of each message only its first
 * `keepBytes` bytes are kept (the rest is skipped; classifyMessage reads no more than its
 * `maxBytes` anyway and reports `truncated` for a longer message), so a mailbox of many
 * gigabytes, on stdin or in a file, is read in one pass. A chunk's content is copied into the
 * message in runs that only an envelope line or a `>From ` line breaks, into one buffer per
 * message: no allocation per line (a megabyte of empty lines made a million small arrays).
 */
export class MboxSplitter {
  readonly #source: string;
  readonly #keep: number;
  #mode: 'start' | 'single' | 'mbox' = 'start';
  /** The first bytes, until there are five to tell an mbox from one message. */
  #first: number[] = [];
  /** In the envelope (`From `) line, which is not part of a message. */
  #envelope = false;
  /**
   * At the start of a line, while it may still be a `From ` or `>From ` line: its bytes read so far
   * are `#quotes` `>` and the first `#matched` bytes of `From `, not yet in the message.
   */
  #inHead = false;
  /** The `>` that open the current line, while `#inHead`. */
  #quotes = 0;
  /** The bytes of `From ` matched after them, while `#inHead`. */
  #matched = 0;
  /**
   * The line before ended with a CR: an LF that comes next is part of that line end (CRLF),
   * kept with the message (1) or skipped with the envelope line (2); 0 otherwise.
   */
  #afterCr: 0 | 1 | 2 = 0;
  /** The current message's bytes kept so far: `#buf[0, #kept)`; the buffer grows by doubling up to keepBytes. */
  #buf = new Uint8Array(0);
  #kept = 0;
  #count = 0;
  #started = false;

  constructor(source: string, keepBytes: number = DEFAULT_MAX_MESSAGE_BYTES + 1) {
    this.#source = source;
    this.#keep = keepBytes;
  }

  /** The messages completed by this chunk. */
  push(chunk: Uint8Array): MessageInput[] {
    const out: MessageInput[] = [];
    let i = 0;
    if (this.#mode === 'start') {
      while (i < chunk.length && this.#first.length < FROM_.length) this.#first.push(chunk[i++]!);
      if (this.#first.length < FROM_.length) return out;
      const mbox = this.#first.every((b, k) => b === FROM_[k]);
      this.#mode = mbox ? 'mbox' : 'single';
      if (mbox) {
        this.#envelope = true;
        this.#started = true;
        // the rest of the first envelope line is skipped below
        this.#atLineStart(false);
      } else {
        const first = Uint8Array.from(this.#first);
        this.#write(first, 0, first.length);
      }
      this.#first = [];
    }
    if (this.#mode === 'single') {
      this.#write(chunk, i, chunk.length);
      return out;
    }
    // `run`: where the content not yet copied into the message starts in this chunk (-1: none);
    // `line`: where the current line starts, negative when its first bytes (all of the head read
    // so far) came with an earlier chunk
    let run = this.#envelope || this.#inHead ? -1 : i;
    let line = this.#inHead ? -(this.#quotes + this.#matched) : i;
    // the next LF and CR at or after i, found once each and again only when passed (linear)
    let lf = -2;
    let cr = -2;
    while (i < chunk.length) {
      if (this.#inHead) {
        const b = chunk[i]!;
        if (this.#afterCr !== 0 && this.#quotes + this.#matched === 0) {
          // the LF of a CRLF whose CR ended the line (in the chunk before, possibly)
          const skipped = this.#afterCr === 2;
          this.#afterCr = 0;
          if (b === LF) {
            if (!skipped && run < 0) run = i;
            line = ++i;
            continue;
          }
        }
        // the line's bytes in this chunk are content unless it turns out a `From ` line
        if (run < 0 && line >= 0) run = line;
        i++;
        // at the start of a line: is it `From ` (a new message) or `>...>From ` (quoted)?
        let possible: boolean;
        if (this.#matched === 0 && b === 0x3e) {
          // still in the run of '>' that opens the line
          this.#quotes++;
          possible = this.#quotes <= MAX_QUOTE_DEPTH;
        } else {
          possible = b === FROM_[this.#matched];
          if (possible) this.#matched++;
        }
        if (!possible) {
          // plain content: the head bytes an earlier chunk held are written as they were read
          if (line < 0) {
            this.#writeHead(0, -line);
            run = 0;
          }
          this.#atLineStart(b === LF || b === CR);
          if (b === LF || b === CR) line = i;
          if (b === CR) this.#afterCr = 1;
        } else if (this.#matched === FROM_.length) {
          if (this.#quotes === 0) {
            // a new message: the one before it is complete; its envelope line is skipped
            if (run >= 0 && line > run) this.#write(chunk, run, line);
            run = -1;
            out.push(this.#finish());
            this.#started = true;
            this.#envelope = true;
          } else if (line >= 0) {
            // `>From `: the line without its first `>`
            if (run >= 0 && line > run) this.#write(chunk, run, line);
            run = line + 1;
          } else {
            this.#writeHead(1, -line);
            run = 0;
          }
          this.#atLineStart(false);
        }
        continue;
      }
      // the line ends at its LF, or at a CR (old Mac mail, Eudora mailboxes), with the LF that follows it
      if (lf !== -1 && lf < i) lf = chunk.indexOf(LF, i);
      if (cr !== -1 && cr < i) cr = chunk.indexOf(CR, i);
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      const crlf = end >= 0 && end === cr && chunk[end + 1] === LF;
      i = end < 0 ? chunk.length : crlf ? end + 2 : end + 1;
      if (end >= 0) {
        const skipped = this.#envelope;
        this.#envelope = false;
        this.#atLineStart(true);
        line = i;
        // a CR at the end of the chunk: its LF, if any, comes with the next chunk
        if (end === cr && !crlf) this.#afterCr = skipped ? 2 : 1;
      }
    }
    // the content up to the end of the chunk, but for the start of a line not yet told apart
    const to = this.#inHead ? Math.max(line, 0) : chunk.length;
    if (run >= 0 && to > run) this.#write(chunk, run, to);
    return out;
  }

  /** The last message, at the end of the input (an input that is not an mbox, even empty, is one message). */
  end(): MessageInput[] {
    if (this.#mode === 'start') {
      const first = Uint8Array.from(this.#first);
      this.#write(first, 0, first.length);
      this.#mode = 'single';
    }
    if (this.#inHead) this.#writeHead(0, this.#quotes + this.#matched);
    this.#atLineStart(false);
    return this.#mode === 'single' || this.#started ? [this.#finish()] : [];
  }

  /** `yes`: a line starts at the next byte; otherwise the rest of this line is plain content. */
  #atLineStart(yes: boolean): void {
    this.#inHead = yes;
    this.#quotes = 0;
    this.#matched = 0;
    this.#afterCr = 0;
  }

  /** Room for `n` more bytes in the message buffer (at most up to keepBytes): how many fit. */
  #room(n: number): number {
    const fit = Math.min(n, this.#keep - this.#kept);
    if (fit <= 0) return 0;
    const need = this.#kept + fit;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.min(this.#keep, Math.max(need, this.#buf.length * 2, 4096)));
      grown.set(this.#buf.subarray(0, this.#kept));
      this.#buf = grown;
    }
    return fit;
  }

  /** Copies `bytes[from, to)` into the message (a copy: the caller may reuse its chunk). */
  #write(bytes: Uint8Array, from: number, to: number): void {
    const n = this.#room(to - from);
    if (n <= 0) return;
    this.#buf.set(bytes.subarray(from, from + n), this.#kept);
    this.#kept += n;
  }

  /** Writes bytes `[from, to)` of the line head read so far: `#quotes` `>`, then the start of `From `. */
  #writeHead(from: number, to: number): void {
    const n = this.#room(to - from);
    for (let k = from; k < from + n; k++) this.#buf[this.#kept++] = k < this.#quotes ? 0x3e : FROM_[k - this.#quotes]!;
  }

  #finish(): MessageInput {
    const raw = this.#kept === this.#buf.length ? this.#buf : this.#buf.slice(0, this.#kept);
    this.#buf = new Uint8Array(0);
    this.#kept = 0;
    this.#count++;
    return { source: this.#mode === 'mbox' ? `${this.#source}#${this.#count}` : this.#source, raw };
  }
}

/**
 * Splits an mbox held in memory (see {@link MboxSplitter}, which reads one as it arrives).
 */
export function splitMbox(data: Uint8Array, source: string, keepBytes?: number): MessageInput[] {
  const s = new MboxSplitter(source, keepBytes);
  return [...s.push(data), ...s.end()];
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

/** Bytes read from a file or stdin at a time. */
const READ_CHUNK = 1 << 20;

/**
 * The messages of these files, read one file at a time as the caller iterates (not all up front),
 * each in chunks through an {@link MboxSplitter}: a mailbox file of any size is read with bounded
 * memory. A file that cannot be read gives an {@link UnreadableInput} in its place (after the
 * messages read from it before the error), and the next file follows.
 */
export function* messageInputs(files: readonly string[]): Generator<MessageInput | UnreadableInput> {
  const buf = new Uint8Array(READ_CHUNK);
  const failed = (f: string, e: unknown): UnreadableInput => {
    const err = e as NodeJS.ErrnoException;
    return { source: f, error: { code: typeof err.code === 'string' ? err.code : 'EIO', message: err.message } };
  };
  for (const f of files) {
    const splitter = new MboxSplitter(f);
    let fd: number;
    try {
      fd = openSync(f, 'r');
    } catch (e) {
      yield failed(f, e);
      continue;
    }
    try {
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          yield failed(f, e);
          break;
        }
        if (n === 0) {
          yield* splitter.end();
          break;
        }
        yield* splitter.push(buf.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** The messages of an mbox (or one message) on stdin, as its bytes arrive. */
export async function* stdinMessages(stdin: AsyncIterable<Uint8Array> = process.stdin): AsyncGenerator<MessageInput> {
  const splitter = new MboxSplitter('stdin');
  for await (const chunk of stdin) yield* splitter.push(chunk);
  yield* splitter.end();
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
  // `truncated`: only part of the message was read, so recipients after it may be missing
  const lines = [
    printable(`${r.source}  ${r.kind}${r.original.messageId !== undefined ? `  original ${r.original.messageId}` : ''}${r.original.envelopeId !== undefined ? `  envid ${r.original.envelopeId}` : ''}`) +
      (r.truncated ? '  truncated' : ''),
  ];
  for (const x of r.recipients) {
    const diag = printable((x.diagnostic ?? '').replace(/\s+/g, ' ').slice(0, 160));
    lines.push(`  ${String(x.class.id).padStart(3)}  ${printable(x.class.name).padEnd(22)}  ${x.class.action.padEnd(8)}  ${printable(x.address ?? '-').padEnd(30)}  ${(x.status ?? '-').padEnd(7)}  <- ${diag}`);
  }
  if (r.recipients.length === 0) {
    // a message of its own kind (an auto-reply, a list notice, a challenge) has a class; a feedback
    // report or another message that names no recipient has none, and says so
    lines.push(r.class !== undefined ? `  ${String(r.class.id).padStart(3)}  ${printable(r.class.name).padEnd(22)}  ${r.class.action}` : '    -  no recipient, no class');
  }
  return lines.join('\n');
}

/**
 * Says on stderr what `smtp classify` is waiting for when its input is a terminal (nothing given
 * as arguments, nothing piped): otherwise it would wait silently. True when it said so.
 */
export function terminalHint(stdin: { readonly isTTY?: boolean }, stderr: { write(text: string): unknown }, what: string): boolean {
  if (stdin.isTTY !== true) return false;
  stderr.write(`smtp classify: reading ${what} from the terminal; end with Ctrl-D (see smtp classify --help)\n`);
  return true;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('classify a server reply (or each line of stdin) into a bounce class with smtp-errors')
    .argument('[text...]', 'the reply text, e.g. "550 5.1.1 user unknown" (quotes optional); read from stdin when absent')
    .option('-d, --domain <domain>', 'recipient domain of a reply text, so per-domain rules apply (with --message each recipient\'s own domain is used)')
    .option('--rules <file>', 'extra rules in the legacy override format (domain,bounce_code,rule per line; at most 4 MiB); - reads standard input (a file named - is ./-)')
    .option('--json', 'print one JSON object per input')
    .option('--message <path>', 'classify whole bounce emails: a file, a directory of files, or - for one message or an mbox on stdin')
    .addHelpText(
      'after',
      '\nExamples:\n  smtp classify 550 5.1.1 user unknown\n  smtp classify --json --domain gmail.com "421 4.7.0 try again later"\n  cat replies.txt | smtp classify --json\n  smtp classify --message bounce.eml\n  smtp classify --message ./bounces/ --json\n  cat bounces.mbox | smtp classify --message -\n  curl -s https://example.org/rules.csv | smtp classify --rules - --message ./bounces/\n',
    )
    .action(async (words: string[], opts: { domain?: string; json?: boolean; rules?: string; message?: string }, cmd: Command) => {
      const classifier = createClassifier();
      // standard input can be read once: by `--rules -`, by `--message -`, or for the replies when
      // no TEXT is given (without --message), not by two of them
      const stdinReaders = [
        ...(opts.rules !== undefined && readsStdin(opts.rules) ? [`--rules ${opts.rules}`] : []),
        ...(opts.message !== undefined ? (readsStdin(opts.message) ? [`--message ${opts.message}`] : []) : words.length === 0 ? ['the replies (no TEXT given: one per line of standard input)'] : []),
      ];
      const twice = stdinReadTwice(stdinReaders);
      if (twice !== undefined) cmd.error(twice, { exitCode: EXIT.usage });
      if (opts.rules !== undefined) {
        if (opts.rules === '-') terminalHint(process.stdin, process.stderr, 'the rules (--rules -)');
        try {
          classifier.addRules((await readCapped(opts.rules, RULES_MAX_BYTES, '--rules', process.stdin)).toString('utf8'));
        } catch (e) {
          cmd.error(e instanceof InputTooLargeError ? `error: ${e.message}` : `error: --rules ${opts.rules === '-' ? '- (standard input)' : opts.rules}: ${(e as Error).message}`, { exitCode: EXIT.usage });
        }
      }
      if (opts.message !== undefined) {
        // each recipient of a message is classified with its own address's domain (domain rules
        // included); a reply text has no place here
        if (opts.domain !== undefined) cmd.error('error: --domain applies to reply texts; with --message each recipient is classified with the domain of its own address', { exitCode: EXIT.usage });
        if (words.length > 0) cmd.error(`error: --message classifies emails, not a reply text (got "${printable(words.join(' ').slice(0, 60))}")`, { exitCode: EXIT.usage });
        let inputs: Iterator<MessageInput | UnreadableInput> | AsyncIterator<MessageInput | UnreadableInput>;
        try {
          if (opts.message === '-') terminalHint(process.stdin, process.stderr, 'a message or an mbox');
          inputs = opts.message === '-' ? stdinMessages() : messageInputs(messageFiles(opts.message));
        } catch (e) {
          cmd.error(`error: --message ${opts.message}: ${(e as Error).message}`, { exitCode: EXIT.usage });
          return;
        }
        // a closed stdout (`| head -c1`) stops the output, not the run: the exit code says whether
        // every input was a message, as with the output read to its end
        const out = writeUntilClosed(process.stdout);
        let failed = false;
        let seen = 0;
        for (;;) {
          let step: IteratorResult<MessageInput | UnreadableInput>;
          try {
            step = await inputs.next();
          } catch (e) {
            cmd.error(`error: --message ${opts.message}: ${(e as Error).message}`, { exitCode: EXIT.usage });
            return;
          }
          if (step.done === true) break;
          seen++;
          const record = 'error' in step.value ? step.value : await classifyMessageRecord(classifier, step.value);
          if ('error' in record) failed = true;
          out(`${opts.json === true ? jsonLine(record) : formatMessageRecord(record)}\n`);
        }
        // nothing to classify is not an error (a bounce directory may be empty), but it is said
        // (stdin, even empty, is one message)
        if (seen === 0) process.stderr.write(`smtp classify: no messages in ${opts.message}\n`);
        if (failed) process.exitCode = EXIT.rejected;
        return;
      }
      // every reply gets a class: `smtp classify < big.log | head` ends quietly, exit 0
      quietOnEpipe(process.stdout);
      const print = (text: string): void => {
        const record = classifyText(classifier, text, opts.domain);
        process.stdout.write(`${opts.json === true ? jsonLine(record) : formatRecord(record)}\n`);
      };
      if (words.length > 0) {
        print(words.join(' '));
        return;
      }
      terminalHint(process.stdin, process.stderr, 'replies, one per line,');
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        const text = line.trim();
        if (text !== '') print(text);
      }
    });
}
