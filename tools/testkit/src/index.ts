// @smtpkit/testkit: helpers shared by the tests of every package and tool (private, never published).
export { bytes, concatBytes, seededRandom, splitAt, byteByByte, randomSplits, splittings, resultsForEverySplit } from './split.js';
export type { Splitting } from './split.js';
export { createPair } from './pair.js';
export type { Pair, PairMessage, PairOptions } from './pair.js';
export { FakeClock, armTimeout } from './clock.js';
export type { TimedMachine } from './clock.js';
export { freePort, pollUntil, talk, waitForPort } from './net.js';
export type { Talk } from './net.js';
export { crlfLines, hasControl } from './lines.js';
export { errorCodeOf, thrownBy, otherPackageError, guardVerdicts, thrownValue } from './errors.js';
export { endErrorDelay } from './tarpit.js';
export { throwawayCertificate } from './certificate.js';
export type { ThrowawayCertificate, ThrowawayCertificateOptions } from './certificate.js';
export type { DelayingServer } from './tarpit.js';
export {
  parseTranscript,
  runTranscript,
  expectedOutcome,
  transcriptBytes,
  transcriptSplitters,
  matchesPattern,
} from './transcript.js';
export type {
  Transcript,
  TranscriptSide,
  TranscriptRule,
  TranscriptStep,
  TranscriptSession,
  TranscriptServerSession,
  TranscriptClientSession,
  TranscriptOutcome,
  TranscriptRun,
  FlightSplitter,
  NamedSplitter,
} from './transcript.js';
export { recordingServer, recordingServers, unstuffedBody } from './recording-server.js';
export type { RecordingServer } from './recording-server.js';
