// smtp-reply-reader: public surface (explicit named exports).
export {};
