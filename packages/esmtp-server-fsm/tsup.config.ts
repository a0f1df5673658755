import type { Options } from 'tsup';
import { definePackage } from '../../tools/tsup-preset/index.js';

// esmtp-server-fsm/node imports the core entry by the package's own name: kept external so the two
// entries share one copy of the core (its classes, caches and defaults) instead of each bundling one.
const options: Options = { ...definePackage({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } }), external: [/^node:/, /^esmtp-server-fsm$/] };
export default options;
