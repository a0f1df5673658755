// pnpm demo: what smtpkit does, end to end, in a few seconds.
import { runRecorded } from './recorded.js';
import { runSafety } from './safety.js';
import { bold } from './style.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const started = performance.now();
console.log(bold('smtpkit demo: recorded provider replies, parsed incrementally'));
const replies = runRecorded(fixtures);
if (!runSafety()) process.exitCode = 1;
console.log(`\n${replies} replies parsed in ${(performance.now() - started).toFixed(0)} ms.`);
