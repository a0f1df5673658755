/**
 * The message body handed to `onData`: a `Readable` fed by the session, which stops feeding it
 * (and reading the socket) while the consumer does not ask for more.
 */
import { Readable } from 'node:stream';

/** A no-op listener: body streams are destroyed with an error on abort, nobody has to listen. */
const ignore = (): void => undefined;

/** What a body stream asks of its session. */
export interface BodySource {
  /**
   * The consumer wants more bytes (called from `_read`), or will never read again (called when
   * the stream is destroyed: the rest of the message is then drained).
   */
  bodyRead(body: BodyStream): void;
}

/**
 * The body stream of one message: exact bytes, dot-unstuffed, in the chunks the core produced.
 * An abort destroys it with a typed error (`ERR_SMTP_MESSAGE_ABORTED`,
 * `ERR_SMTP_CONNECTION_CLOSED`); an error listener is installed, so an application that does not
 * listen never sees an unhandled `error` event.
 */
export class BodyStream extends Readable {
  constructor(private readonly source: BodySource) {
    super();
    this.on('error', ignore);
  }

  override _read(): void {
    this.source.bodyRead(this);
  }

  /**
   * Destroyed before its end (by the consumer: a `for await` left with `break` or a throw, a
   * failed `pipeline`): the session must not wait for a read that never comes.
   */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source.bodyRead(this);
    callback(error);
  }
}

/** Whether anything consumes `body` (flowing, a `data` or `readable` listener, a pipe). */
export function isConsumed(body: Readable): boolean {
  return body.readableFlowing === true || body.listenerCount('data') > 0 || body.listenerCount('readable') > 0;
}
