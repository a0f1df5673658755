/**
 * Byte helpers shared by the state machines.
 */

/**
 * A copy of `bytes` that shares no memory with it. `bytes.slice()` is not enough for input a
 * caller may reuse: a Node.js `Buffer` (a `Uint8Array` subclass) overrides `slice` to return a
 * view. The copy has the same class as `bytes`.
 *
 * @example
 * ```ts
 * const kept = copyBytes(chunk); // safe to keep after the caller refills `chunk`
 * ```
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}

/**
 * True for the bytes the parsers read: a `Uint8Array` (a Node.js `Buffer` is one), also one made in
 * another realm (a worker, a `vm` context), where `instanceof` fails. Any other view (`DataView`,
 * `Uint16Array`) and an `ArrayBuffer` are not.
 *
 * @example
 * ```ts
 * isBytes(new TextEncoder().encode('250 ok')); // true
 * ```
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]';
}
