import type { Options } from 'tsup';
import { definePackage } from '../../tools/tsup-preset/index.js';

// smtp-client-fsm/node imports the core entry by the package's own name: kept external so the two
// entries share one copy of the core. With a copy each, a state registry or a built-in state made
// with the main entry could not run in a connection made by the Node entry.
const options: Options = { ...definePackage({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } }), external: [/^node:/, /^smtp-client-fsm$/] };
export default options;
