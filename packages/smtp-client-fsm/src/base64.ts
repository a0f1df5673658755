/** Base64 without `Buffer` (RFC 4648 §4), for SASL. @internal */
const encoder = new TextEncoder();

/** Encodes bytes or a UTF-8 string as base64. @internal */
export function toBase64(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Decodes base64 (lenient about whitespace), `undefined` when malformed. @internal */
export function fromBase64(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text.replace(/[\t ]/g, ''));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}
