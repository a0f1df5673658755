// Registering a custom state: XCLIENT after STARTTLS, and a state of your own that logs the
// capabilities before MAIL (the modern register_smtp_client_state).
import { ClientConnection, createStateRegistry, xclientState, STAGE } from 'smtp-client-fsm';

const states = createStateRegistry();
states.register(xclientState({ ADDR: '192.0.2.10', NAME: 'client.example', PROTO: 'ESMTP' }), { after: 'starttls' });
states.register(
  {
    name: 'log-capabilities',
    stage: STAGE.AFTER_EHLO,
    enter(ctx) {
      console.log('server offers', Object.keys(ctx.capabilities.keywords).join(' '));
      ctx.next(); // nothing to send: go on to the next state in the list
    },
    reply() {
      // never called: this state sends no command
    },
  },
  { after: 'auth' },
);

const conn = new ClientConnection({ states });
console.log(conn.getStateMachine().map((s) => `${s.id}:${s.name}(${s.stage} ${s.stageName})`).join('\n'));
