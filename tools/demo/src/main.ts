// pnpm demo: what smtpkit does, end to end, in a few seconds.
import { runRecorded } from './recorded.js';
import { runSafety } from './safety.js';
import { runRoundTrip } from './round-trip.js';
import { bold, dim, green, red } from './style.js';
import { parseEhloReply } from 'smtp-capabilities';
import { classify } from 'smtp-errors';

const fixtures = new URL('../fixtures/', import.meta.url);
const started = performance.now();
console.log(bold('smtpkit demo'));
let ok = await runRoundTrip();
const replies = runRecorded(fixtures, {
  ehlo: (reply) => {
    const caps = parseEhloReply(reply);
    const size = caps.size !== undefined ? `SIZE ${(caps.size / 1024 / 1024).toFixed(0)} MiB, ` : '';
    return [dim(`capabilities: ${size}${[...caps.entries()].map((e) => e.keyword).filter((k) => k !== 'SIZE').join(' ')}`)];
  },
  negative: (reply, domain) => {
    const c = classify(reply, { domain });
    return [`${bold(`class ${c.id} ${c.name}`)} (${c.category}${c.transient ? ', retry later' : ''})`];
  },
});
ok = runSafety() && ok;
console.log(`\n${ok ? green('demo complete') : red('demo finished with unexpected results')}: round trip, ${replies} recorded replies parsed, in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
if (!ok) process.exitCode = 1;
