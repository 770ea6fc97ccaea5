import { parentPort, workerData } from 'node:worker_threads';
import { createGuardedSender } from './guarded-sender.js';
import type { FromThread, SenderThreadConfig, ToThread } from './thread.js';

/** Entry point of the sender thread (see thread.ts): a guarded sender behind a message port. */
const port = parentPort!;
const sender = createGuardedSender(workerData as SenderThreadConfig);
const post = (m: FromThread) => port.postMessage(m);

port.on('message', (m: ToThread) => {
  if (m.type === 'send') {
    // send() never throws: failures come back as results with an error class.
    void sender.send(m.req).then((result) => post({ type: 'sent', id: m.id, result }));
  } else {
    void sender.close().finally(() => port.close());
  }
});
post({ type: 'ready' });
