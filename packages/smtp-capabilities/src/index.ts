// smtp-capabilities: public surface (explicit named exports).
export {};
