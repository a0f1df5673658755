// @smtpkit/testkit: helpers shared by the tests of every package and tool (private, never published).
export { bytes, seededRandom, splitAt, byteByByte, randomSplits, splittings, resultsForEverySplit } from './split.js';
export type { Splitting } from './split.js';
