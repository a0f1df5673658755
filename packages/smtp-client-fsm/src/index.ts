// smtp-client-fsm: public surface (explicit named exports).
export {};
