/**
 * The benchmark's receiving end, in its own process so it costs the same in
 * the ceiling run and the Hookline run. It answers 200 at once (or holds
 * requests while paused) and records when each webhook-id first arrived.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
const arrivals = new Map<string, number>();
let total = 0;
/** When the latest request was answered (for "time to the last delivery"). */
let lastAt = 0;
let paused = false;
const held: (() => void)[] = [];

function answer(req: IncomingMessage, res: ServerResponse) {
  req.resume();
  req.on('end', () => {
    const respond = () => {
      total++;
      lastAt = now();
      const id = req.headers['webhook-id'];
      if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, now());
      res.writeHead(200, { 'content-length': '0' }).end();
    };
    if (paused) held.push(respond);
    else respond();
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, answer);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('message', (msg: { cmd: string; ids?: boolean }) => {
  if (msg.cmd === 'reset') {
    arrivals.clear();
    total = 0;
    lastAt = 0;
    process.send?.({ type: 'reset' });
  } else if (msg.cmd === 'count') {
    process.send?.({ type: 'count', unique: arrivals.size, total, lastAt });
  } else if (msg.cmd === 'arrivals') {
    process.send?.({ type: 'arrivals', arrivals: [...arrivals] });
  } else if (msg.cmd === 'pause') {
    paused = true;
    process.send?.({ type: 'paused' });
  } else if (msg.cmd === 'resume') {
    paused = false;
    for (const respond of held.splice(0)) respond();
    process.send?.({ type: 'resumed' });
  } else if (msg.cmd === 'exit') {
    process.exit(0);
  }
});
