import type { Options } from 'tsup';
import { definePackage } from '../../tools/tsup-preset/index.js';

// smtp-errors/message and smtp-errors/learned import the core entry by the package's own name: kept
// external so the entries share one default classifier instead of each bundling a copy.
const options: Options = { ...definePackage({ entry: { index: 'src/index.ts', 'message/index': 'src/message/index.ts', 'learned/index': 'src/learned/index.ts' } }), external: [/^node:/, /^smtp-errors$/] };
export default options;
