/** The part of a server session a test host needs to end a DOS-5 tarpit. */
export interface DelayingServer {
  pendingTimeout(): { readonly timer: string } | undefined;
  handleTimeout(): void;
}

/**
 * For test hosts whose clock jumps: when the session is paused on its `error-delay` timer (the
 * DOS-5 tarpit), fires that timer at once and returns true; otherwise returns false and leaves the
 * session alone.
 */
export function endErrorDelay(server: DelayingServer): boolean {
  if (server.pendingTimeout()?.timer !== 'error-delay') return false;
  server.handleTimeout();
  return true;
}
