// Send one message with the Node adapter; run a sink first: pnpm -s smtp serve --port 2525 --dir /tmp/mail
import { sendMail } from 'smtp-client-fsm/node';

const result = await sendMail({
  host: '127.0.0.1',
  port: 2525,
  security: 'off',
  from: 'alice@example.com',
  to: ['bob@example.org'],
  body: 'Subject: hello\r\n\r\nSent with smtp-client-fsm.\r\n',
  transcript: (e) => console.log(e.direction === 'client' ? 'C:' : 'S:', e.line),
});
console.log(result.outcome, result.recipients.map((r) => `${r.address} ${r.status} ${r.classification?.name ?? ''}`));
