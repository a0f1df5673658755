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
 * `Uint16Array`), an `ArrayBuffer` and an object that only looks like a `Uint8Array` (its own
 * `Symbol.toStringTag`, `Object.create(Uint8Array.prototype)`, a `Proxy`) are not.
 *
 * @example
 * ```ts
 * isBytes(new TextEncoder().encode('250 ok')); // true
 * isBytes({ [Symbol.toStringTag]: 'Uint8Array', length: 3 }); // false
 * ```
 */
export function isBytes(value: unknown): value is Uint8Array {
  // isView reads the internal slot of a real view (any realm; not a look-alike or a Proxy); the
  // typed arrays' own tag getter reads their element type from an internal slot too, so an own
  // Symbol.toStringTag on a Uint16Array cannot pass it off as bytes
  return ArrayBuffer.isView(value) && TYPED_ARRAY_NAME.call(value) === 'Uint8Array';
}

/** %TypedArray%.prototype[Symbol.toStringTag]'s getter: the name of a typed array of any realm, else undefined. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- a getter, only ever called with .call(value)
const TYPED_ARRAY_NAME = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;
