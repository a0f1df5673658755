// Coming from the C API: the smtp_client_mailfrom_args / smtp_client_rcptto_args hooks received an
// smtp_client_args and called smtp_client_args_add / _delete / _exists_and_fetch on it. Here a hook
// is a plain function over an SmtpClientArgs, and the add result says why a parameter was refused.
// Run: pnpm exec tsx packages/smtp-client-args/examples/legacy-hooks.ts
import { parseEhloReply } from 'smtp-capabilities';
import { SmtpClientArgs, checkArgsAgainst, formatMailFrom } from 'smtp-client-args';
import type { CapabilitiesLike } from 'smtp-client-args';

type MailFromArgsHook = (capabilities: CapabilitiesLike, args: SmtpClientArgs) => 'continue' | 'tempfail';

const hooks: MailFromArgsHook[] = [
  // Like the hello_world.c sample: add a parameter only when the server can take it.
  (caps, args) => {
    if (caps.has('8BITMIME')) {
      const r = args.add('BODY', '8BITMIME'); // smtp_client_args_add
      if (!r.ok) return 'tempfail';
    }
    return 'continue';
  },
  (_caps, args) => {
    const { exists, value } = args.existsAndFetch('SIZE'); // smtp_client_args_exists_and_fetch
    if (exists && Number(value) === 0) args.delete('SIZE'); // smtp_client_args_delete
    return 'continue';
  },
];

const capabilities = parseEhloReply({ code: 250, lines: ['mx.example.com', '8BITMIME', 'SIZE 1000000'] });
const args = new SmtpClientArgs({ command: 'mail' }).setSize(0);
for (const hook of hooks) if (hook(capabilities, args) === 'tempfail') throw new Error('message tempfailed by a hook');

console.log(`len=${args.byteLength}`, JSON.stringify(args.toString())); // smtp_client_args.len
console.log(checkArgsAgainst(capabilities, args)); // []
console.log(formatMailFrom('sender@example.com', args));
