/** The part of a server session a test host needs to end a DOS-5 tarpit. */
export interface DelayingServer {
  pendingTimeout(): { readonly name: string; readonly id: number } | undefined;
  handleTimeout(id: number): void;
}

/**
 * For test hosts whose clock jumps: when the session is paused on its `errorDelay` timer (the
 * DOS-5 tarpit), fires that timer at once and returns true; otherwise returns false and leaves the
 * session alone.
 */
export function endErrorDelay(server: DelayingServer): boolean {
  const t = server.pendingTimeout();
  if (t?.name !== 'errorDelay') return false;
  server.handleTimeout(t.id);
  return true;
}
