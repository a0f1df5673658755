import type { Options } from 'tsup';
import { definePackage } from '../../tools/tsup-preset/index.js';

// smtp-errors/message imports the core entry by the package's own name: kept external so the two
// entries share one default classifier instead of each bundling a copy.
const options: Options = { ...definePackage({ entry: { index: 'src/index.ts', 'message/index': 'src/message/index.ts' } }), external: [/^node:/, /^smtp-errors$/] };
export default options;
