// The argument hooks with smtp-client-args, exactly as its README recommends: `ctx.capabilities`
// is smtp-capabilities' `Capabilities`, so `checkArgsAgainst(capabilities, args)` takes it as is.
import { describe, expect, it } from 'vitest';
import { checkArgsAgainst } from 'smtp-client-args';
import { ClientConnection } from '../src/index.js';
import type { ArgsHook } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';

const mailArgs: ArgsHook = (args, { capabilities }) => {
  if (capabilities.has('MT-PRIORITY')) args.setMtPriority(3);
  const problems = checkArgsAgainst(capabilities, args);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; ')); // fails the message (transient)
};

function send(ehlo: string[], hook: ArgsHook) {
  const server = new ScriptedServer({ ehlo });
  const conn = new ClientConnection({ mailArgs: hook });
  conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
  conn.quit();
  return { server, result: sent(run(conn, server))[0]! };
}

describe('checkArgsAgainst(ctx.capabilities, args) inside a hook', () => {
  it('adds MT-PRIORITY when advertised and passes the check', () => {
    const { server, result } = send(['PIPELINING', 'MT-PRIORITY MIXER'], mailArgs);
    expect(result.outcome).toBe('delivered');
    expect(server.messages[0]!.mailLine).toBe('MAIL FROM:<a@x.test> MT-PRIORITY=3');
  });

  it('leaves it out when not advertised', () => {
    const { server, result } = send(['PIPELINING'], mailArgs);
    expect(result.outcome).toBe('delivered');
    expect(server.messages[0]!.mailLine).toBe('MAIL FROM:<a@x.test>');
  });

  it('a parameter the server did not advertise fails the message locally, nothing sent', () => {
    const { server, result } = send(['PIPELINING'], (args, ctx) => {
      args.setHoldFor(60);
      mailArgs(args, ctx);
    });
    expect(result).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_HOOK_FAILED' });
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('with FUTURERELEASE advertised the same hook sends HOLDFOR', () => {
    const { server, result } = send(['FUTURERELEASE 604800 2030-01-01T00:00:00Z'], (args, ctx) => {
      args.setHoldFor(60);
      mailArgs(args, ctx);
    });
    expect(result.outcome).toBe('delivered');
    expect(server.messages[0]!.mailLine).toBe('MAIL FROM:<a@x.test> HOLDFOR=60');
  });
});
