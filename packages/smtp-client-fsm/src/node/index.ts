// smtp-client-fsm/node: Node.js adapter.
export {};
