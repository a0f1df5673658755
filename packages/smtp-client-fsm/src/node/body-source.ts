// Message body sources of the Node client: what `send()` accepts as a body, how it is read chunk by
// chunk (with the socket's backpressure left to the caller) and released when it is not needed.
import { BDAT_MAX_CHUNK, SmtpClientError } from 'smtp-client-fsm';
import { isBytes } from '@smtpkit/foundation';

/**
 * A message body: a string, bytes, an async iterable of chunks or a web `ReadableStream`.
 * Iterables and streams are sent as they are read, with socket backpressure.
 *
 * @example
 * const body: BodySource = fs.createReadStream('message.eml');
 * @see RFC 5321 §4.1.1.4
 */
export type BodySource = string | Uint8Array | AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

/** A body held whole (a string or bytes): it can be read again, for another attempt. */
export function isWholeBody(b: BodySource): b is string | Uint8Array {
  return typeof b === 'string' || isBytes(b);
}

/** True for every kind of {@link BodySource} (checked before a message is queued). */
export function isBodySource(b: unknown): b is BodySource {
  if (typeof b === 'string' || isBytes(b)) return true;
  if (typeof b !== 'object' || b === null) return false;
  return typeof (b as ReadableStream).getReader === 'function' || typeof (b as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * Cuts a source chunk so no single write exceeds one BDAT chunk (the core coalesces small ones).
 * Text is cut as text (at most a quarter of a chunk in UTF-16 units, so at most three quarters in
 * UTF-8): the core's encoder turns it into bytes, joins a surrogate pair cut in two and refuses a
 * lone surrogate, which an encoder here would have sent as U+FFFD.
 */
export function* pieces(chunk: Uint8Array | string): Generator<Uint8Array | string> {
  const size = typeof chunk === 'string' ? BDAT_MAX_CHUNK / 4 : BDAT_MAX_CHUNK;
  if (chunk.length <= size) {
    yield chunk;
    return;
  }
  for (let o = 0; o < chunk.length; o += size) yield typeof chunk === 'string' ? chunk.slice(o, o + size) : chunk.subarray(o, o + size);
}

function isStream(b: BodySource): b is ReadableStream<Uint8Array> {
  return typeof (b as ReadableStream).getReader === 'function';
}

/**
 * A body source being read: its chunks, and a way to let go of it before its end. Every reader of
 * a body (a connection's writer, the pool's stand-in, a source a factory opened) reads through one.
 */
export interface BodyReader {
  /**
   * The chunks as they arrive (a whole string or byte array is one chunk). Left before its end,
   * the source is released. A read pending when {@link BodyReader.release} is called ends with an
   * error, never as if the body had ended: `ERR_SMTP_CLIENT_BODY_SOURCE_FAILED`, or the source's own
   * when releasing it failed that read (a destroyed Node stream's premature close).
   */
  readonly chunks: AsyncGenerator<Uint8Array | string>;
  /**
   * Releases the source now unless it was read to its end (idempotent): a web stream cancelled, a
   * Node stream (anything with `destroy()`) destroyed, else an iterator begun returned.
   */
  readonly release: () => void;
  /** Set when the source itself failed while it was read (not when it was released). */
  readonly failure: unknown;
}

/** Opens a {@link BodyReader} on `b` (nothing is read before its chunks are asked for). */
export function openReader(b: BodySource): BodyReader {
  let ended = false;
  let released = false;
  let failure: unknown;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let iterator: AsyncIterator<Uint8Array | string> | undefined;
  const release = (): void => {
    if (ended || released) return;
    released = true;
    if (isWholeBody(b)) return;
    if (reader) reader.cancel().catch(() => undefined);
    else if (isStream(b)) b.cancel().catch(() => undefined);
    const d = (b as { destroy?: unknown }).destroy;
    if (typeof d === 'function') d.call(b);
    else if (iterator && typeof iterator.return === 'function') {
      try {
        Promise.resolve(iterator.return()).catch(() => undefined);
      } catch {
        // an iterator whose return() throws has nothing more to free
      }
    }
  };
  // one loop for both kinds of stream: a web stream's reader reads as an iterator does
  async function* read(): AsyncGenerator<Uint8Array | string> {
    try {
      if (isWholeBody(b)) yield b;
      else {
        if (isStream(b)) reader = b.getReader();
        const next = reader ? () => reader!.read() : () => (iterator ??= (b as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]()).next();
        for (;;) {
          const r = await next();
          if (released) throw sourceFailed('released before its end');
          if (r.done) break;
          yield r.value;
        }
      }
      ended = true;
    } catch (e) {
      if (!released) failure ??= e;
      throw e;
    } finally {
      // left before its end (the session ended, the message settled, a chunk was refused)
      release();
      reader?.releaseLock();
    }
  }
  return {
    chunks: read(),
    release,
    get failure() {
      return failure;
    },
  };
}

/** Releases a body source that will not be read (every recipient refused). */
export function discard(b: BodySource): void {
  openReader(b).release();
}

/**
 * A body `deliver()` can open again: called once for each attempt that needs the body (each
 * exchanger tried after it took the session, each recipient domain, each connection carrying on
 * recipients LIMITS MAILMAX left untried), it returns a fresh {@link BodySource}, or a promise of
 * one. A streamed body from a factory is still streamed with backpressure, never held whole, and
 * behaves like a string or bytes for fallback: after a 421 or a lost connection in the body, the
 * next exchanger gets the message from a new source, and several domains each get their own.
 * Every source it returned that was not read to its end is released (a Node stream destroyed, a
 * web stream cancelled, an iterator returned), whatever happened. A factory that throws or
 * rejects, a result that is no `BodySource`, or a source that fails while it is read, defers that
 * domain's recipients with `ERR_SMTP_CLIENT_BODY_SOURCE_FAILED` (no further exchanger is tried).
 * `send()`, `sendMail()` and `createPool()` take no factory: they read a body once.
 *
 * @example
 * await deliver({ from, to, body: () => fs.createReadStream('message.eml') });
 * @see RFC 5321 §5.1
 */
export type BodyFactory = () => BodySource | Promise<BodySource>;

/** A source a {@link BodyFactory} returned for one attempt, wrapped so it can be released. */
export interface OpenedBody {
  /** What the connection reads: the source itself when it is whole, else a wrapper around it. */
  readonly body: BodySource;
  /** Releases the source unless it was read to its end (idempotent). */
  release(): void;
  /** Set when the source itself failed while it was read (not when it was released). */
  readonly failure: unknown;
}

function sourceFailed(why: string, cause?: unknown): SmtpClientError {
  return new SmtpClientError('ERR_SMTP_CLIENT_BODY_SOURCE_FAILED', `body: ${why}`, 'local', cause === undefined ? undefined : { cause });
}

/** The text of a failure (an error's name and message). */
export function describeFailure(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Calls `factory` for one attempt. Throws `ERR_SMTP_CLIENT_BODY_SOURCE_FAILED` when it throws,
 * rejects, or returns something that is not a {@link BodySource} (released when it can be).
 */
export async function openBody(factory: BodyFactory): Promise<OpenedBody> {
  let source: unknown;
  try {
    source = await factory();
  } catch (e) {
    throw sourceFailed(`the body factory failed: ${describeFailure(e)}`, e);
  }
  if (!isBodySource(source)) {
    const d = typeof source === 'object' && source !== null ? (source as { destroy?: unknown }).destroy : undefined;
    if (typeof d === 'function') d.call(source);
    throw sourceFailed('the body factory returned something other than a string, a Uint8Array, an async iterable of chunks or a ReadableStream');
  }
  if (isWholeBody(source)) return { body: source, release: () => undefined, failure: undefined };
  return tracked(source);
}

/** A streamed source read through a wrapper that knows whether it ended, failed or was left. */
function tracked(source: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>): OpenedBody {
  const r = openReader(source);
  let started = false;
  const body: AsyncIterable<Uint8Array | string> & { destroy(): void } = {
    [Symbol.asyncIterator]() {
      // read once: a second reader would get nothing of what the first took
      if (started) throw sourceFailed('a source opened for one attempt is read once');
      started = true;
      return r.chunks;
    },
    // what the connection calls to release a body it never asked for (`discard`)
    destroy: r.release,
  };
  return {
    body,
    release: r.release,
    get failure() {
      return r.failure;
    },
  };
}
