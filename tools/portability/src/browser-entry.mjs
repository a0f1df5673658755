// Browser bundle entry: the same conformance script over the same core entries, bundled by esbuild
// with --platform=browser (no Node built-ins, no polyfills). The page reads `globalThis.__smtpkit`.
import * as replyReader from '../../../packages/smtp-reply-reader/dist/index.js';
import * as capabilities from '../../../packages/smtp-capabilities/dist/index.js';
import * as clientArgs from '../../../packages/smtp-client-args/dist/index.js';
import * as errors from '../../../packages/smtp-errors/dist/index.js';
import * as clientFsm from '../../../packages/smtp-client-fsm/dist/index.js';
import * as serverFsm from '../../../packages/esmtp-server-fsm/dist/index.js';
import { conformance } from './conformance.mjs';

globalThis.__smtpkit = conformance({
  'smtp-reply-reader': replyReader,
  'smtp-capabilities': capabilities,
  'smtp-client-args': clientArgs,
  'smtp-errors': errors,
  'smtp-client-fsm': clientFsm,
  'esmtp-server-fsm': serverFsm,
}).then(
  (r) => JSON.stringify(r),
  (e) => JSON.stringify({ error: String(e && e.stack ? e.stack : e) }),
);
