// Bytes made in another realm (a `vm` context, a worker, a test runner's sandbox): `instanceof
// Uint8Array` is false for them, but they are bytes all the same, and every API that takes bytes
// takes them as it takes this realm's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { BodyEncoder, ClientConnection, encodeBody } from '../src/index.js';
import { sendMail } from '../src/node/index.js';
import { ScriptedServer, listenScripted, run, sent } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';

const dec = new TextDecoder();

/** `text`'s UTF-8 in a Uint8Array made in a new `vm` context. */
function foreign(text: string): Uint8Array {
  const bytes = [...new TextEncoder().encode(text)];
  return runInNewContext(`new Uint8Array([${bytes.join(',')}])`) as Uint8Array;
}

describe('bytes from another realm', () => {
  it('the helper makes bytes that instanceof does not recognise', () => {
    expect(foreign('x') instanceof Uint8Array).toBe(false);
    expect(Object.prototype.toString.call(foreign('x'))).toBe('[object Uint8Array]');
  });

  it('ClientConnection.receiveData takes them', () => {
    const conn = new ClientConnection({ security: 'off' });
    conn.receiveData(foreign('220 mx.test ESMTP\r\n'));
    expect(dec.decode(conn.dataToSend())).toBe('EHLO localhost\r\n');
  });

  it('sendMessage takes them as the body, and they are sent', () => {
    const conn = new ClientConnection({ security: 'off' });
    const server = new ScriptedServer();
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: foreign('Subject: x\r\n\r\n.hi\r\n') });
    expect(sent(run(conn, server))).toMatchObject([{ outcome: 'delivered' }]);
    expect(dec.decode(server.messages[0]!.content)).toBe('Subject: x\r\n\r\n.hi\r\n');
  });

  it('writeBody takes them as a streamed chunk', () => {
    const conn = new ClientConnection({ security: 'off' });
    const server = new ScriptedServer();
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    expect(sent(run(conn, server, { bodies: { [id]: [foreign('Subject: x\r\n\r\n'), foreign('hi\r\n')] } }))).toMatchObject([{ outcome: 'delivered' }]);
    expect(dec.decode(server.messages[0]!.content)).toBe('Subject: x\r\n\r\nhi\r\n');
  });

  it('encodeBody and BodyEncoder.push give what the same bytes of this realm give', () => {
    const text = 'hi\n.x\r\n';
    expect(encodeBody(foreign(text))).toEqual(encodeBody(new TextEncoder().encode(text)));
    expect(new BodyEncoder().push(foreign(text))).toEqual(new BodyEncoder().push(new TextEncoder().encode(text)));
    // bytes after a string chunk that ended with a lone high surrogate: refused for what they are
    const e = new BodyEncoder();
    e.push('a\ud83d');
    expect(() => e.push(foreign('b'))).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER', message: expect.stringContaining('bytes after a string chunk') }));
  });

  describe('./node', () => {
    let listener: ScriptedListener;
    let last: ScriptedServer | undefined;
    beforeAll(async () => {
      listener = await listenScripted(() => (last = new ScriptedServer()));
    });
    afterAll(() => listener.close());

    it('sendMail takes them as a whole body', async () => {
      const r = await sendMail({ host: '127.0.0.1', port: listener.port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: foreign('Subject: x\r\n\r\nhi\r\n') });
      expect(r).toMatchObject({ outcome: 'delivered' });
      expect(dec.decode(last!.messages[0]!.content)).toBe('Subject: x\r\n\r\nhi\r\n');
    });

    it('sendMail takes them as the chunks of a streamed body', async () => {
      async function* body(): AsyncGenerator<Uint8Array> {
        for (const text of ['Subject: x\r\n\r\n', 'hi\r\n']) yield await Promise.resolve(foreign(text));
      }
      const r = await sendMail({ host: '127.0.0.1', port: listener.port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: body() });
      expect(r).toMatchObject({ outcome: 'delivered' });
      expect(dec.decode(last!.messages[0]!.content)).toBe('Subject: x\r\n\r\nhi\r\n');
    });
  });
});
