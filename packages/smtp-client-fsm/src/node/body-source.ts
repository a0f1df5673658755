// Message body sources of the Node client: what `send()` accepts as a body, how it is read chunk by
// chunk (with the socket's backpressure left to the caller) and released when it is not needed.
import { BDAT_MAX_CHUNK } from 'smtp-client-fsm';
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

/** Reads a body source chunk by chunk, as it arrives (a whole string or byte array is one chunk). */
export async function* chunks(b: BodySource): AsyncGenerator<Uint8Array | string> {
  if (isWholeBody(b)) {
    yield b;
    return;
  }
  if (isStream(b)) {
    const reader = b.getReader();
    let ended = false;
    try {
      while (true) {
        const r = await reader.read();
        if (r.done) {
          ended = true;
          return;
        }
        yield r.value;
      }
    } finally {
      // left before its end (the connection dropped, the message was aborted): the stream is
      // cancelled, as a Node stream left by `for await` is destroyed, so what feeds it is freed
      if (!ended) reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  for await (const c of b as AsyncIterable<Uint8Array | string>) yield c;
}

/** Releases a body source that will not be read (every recipient refused). */
export function discard(b: BodySource): void {
  if (isWholeBody(b)) return;
  if (isStream(b)) {
    b.cancel().catch(() => undefined);
    return;
  }
  const d = (b as { destroy?: () => void }).destroy;
  if (typeof d === 'function') d.call(b);
}
