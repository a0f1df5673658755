// The transport of `smtp send`: one smtp-client-fsm/node connection per slot.
import type { Credentials } from './options.js';
import type { SenderConnection } from './send-run.js';

/** Connection settings shared by every slot. */
export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly starttls: 'off' | 'optional' | 'required';
  readonly auth?: Credentials;
  readonly helo: string;
  readonly insecure: boolean;
  readonly timeoutMs: number;
}

/** Opens one client connection (throws when the adapter is not available in this build). */
export async function openClientConnection(options: TransportOptions): Promise<SenderConnection> {
  const mod = (await import('smtp-client-fsm/node')) as Record<string, unknown>;
  if (typeof mod['connect'] !== 'function') throw new Error('smtp send needs smtp-client-fsm/node, which is not available in this build yet');
  throw new Error(`smtp-client-fsm/node is present but not wired into smtp send yet (${options.host}:${options.port})`);
}
