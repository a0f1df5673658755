// esmtp-server-fsm: public surface (explicit named exports).
export {};
