// Runs the shared conformance script against the built dist of every core entry in whichever
// runtime executes this file (node, bun, deno) and prints the result as one JSON line.
import { importCores } from './packages.mjs';
import { conformance } from './conformance.mjs';

const mods = await importCores();
const result = await conformance(mods);
console.log(JSON.stringify(result));
