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
