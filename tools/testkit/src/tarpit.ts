/** The part of a server session a test host needs to end a DOS-5 tarpit. */
export interface DelayingServer {
  /** `name` and `id` in the shared timer contract; `timer` in the older shape. */
  pendingTimeout(): { readonly name?: string; readonly timer?: string; readonly id?: number } | undefined;
  handleTimeout(id?: number): void;
}

/**
 * For test hosts whose clock jumps: when the session is paused on its `error-delay` timer (the
 * DOS-5 tarpit), fires that timer at once and returns true; otherwise returns false and leaves the
 * session alone.
 */
export function endErrorDelay(server: DelayingServer): boolean {
  const pending = server.pendingTimeout();
  const name = pending?.name ?? pending?.timer;
  if (name !== 'errorDelay' && name !== 'error-delay') return false;
  server.handleTimeout(pending?.id);
  return true;
}
