import { parentPort, workerData } from 'node:worker_threads';
import { createGuardedSender } from './guarded-sender.js';
import type { SendResult } from './sender.js';
import { type FromThread, perTurn, type SenderThreadConfig, type ToThread } from './thread.js';

/** Entry point of the sender thread (see thread.ts): a guarded sender behind a message port. */
const port = parentPort!;
const sender = createGuardedSender(workerData as SenderThreadConfig);
const post = (m: FromThread) => port.postMessage(m);
const answers = perTurn<{ id: number; result: SendResult }>((batch) => post({ type: 'sent', batch }));

port.on('message', (m: ToThread) => {
  if (m.type === 'send') {
    for (const { id, req } of m.batch) {
      // send() never throws: failures come back as results with an error class.
      void sender.send(req).then((result) => answers.push({ id, result }));
    }
  } else {
    // Results of sends that finished while closing go out before the port shuts.
    void sender.close().finally(() => {
      answers.flush();
      port.close();
    });
  }
});
post({ type: 'ready' });
