// The core entries the portability test covers: each package's `.` export, built to dist/index.js.
// The `./node` subpaths are Node-only by design and deliberately absent here.
export const CORE_PACKAGES = [
  'smtp-reply-reader',
  'smtp-capabilities',
  'smtp-client-args',
  'smtp-errors',
  'smtp-client-fsm',
  'esmtp-server-fsm',
];

/** File URL of a package's built core entry, relative to this file. */
export function coreEntryUrl(name) {
  return new URL(`../../../packages/${name}/dist/index.js`, import.meta.url);
}

/** Imports every core entry; returns `{ [packageName]: module }`. */
export async function importCores() {
  const mods = {};
  for (const name of CORE_PACKAGES) mods[name] = await import(coreEntryUrl(name).href);
  return mods;
}
