// smtp-client-args: public surface (explicit named exports).
export {};
