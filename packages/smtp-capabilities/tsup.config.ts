import { definePackage } from '../../tools/tsup-preset/index.js';

export default definePackage({ entry: {"index":"src/index.ts"} });
