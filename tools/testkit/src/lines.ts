/**
 * CRLF line splitting for the scripted peers of tests (a fake server answering command lines, a raw
 * client reading reply lines): the socket's text goes in as it arrives, whole lines come out.
 */

/**
 * Returns a feeder for text chunks that calls `onLine` with each complete CRLF-terminated line,
 * without its CRLF, in order, however the text was chunked (a CR at the end of one chunk and the LF
 * at the start of the next still end a line). A bare CR or LF is part of the line, as in SMTP; an
 * unfinished last line waits for more text. Decoding is the caller's: pass strings, e.g. from a
 * socket with `setEncoding('latin1')`.
 *
 * @example
 * socket.setEncoding('latin1');
 * socket.on('data', crlfLines((line) => socket.write(line === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n')));
 */
export function crlfLines(onLine: (line: string) => void): (chunk: string) => void {
  let pending = '';
  return (chunk: string): void => {
    pending += chunk;
    for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      onLine(line);
    }
  };
}

/**
 * Whether `s` holds a C0 control, DEL or a C1 control (U+0000-U+001F, U+007F-U+009F): the
 * characters no header, log line or reply text may carry as they are. Property tests use it to
 * split generated strings into the ones a function must refuse and the ones it must keep.
 */
export function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
