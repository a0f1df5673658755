// smtp-errors: public surface (explicit named exports).
export {};
