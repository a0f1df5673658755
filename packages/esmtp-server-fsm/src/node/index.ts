// esmtp-server-fsm/node: Node.js adapter.
export {};
