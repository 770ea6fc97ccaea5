/**
 * The floor: the least a durable webhook sender can do per message in Node.js,
 * written to measure what any implementation could reach on this machine, not
 * to run. One thread, no framework, no routing, no policies, no claim query:
 *
 *   POST /msg -> JSON.parse -> (one transaction per event-loop turn) insert the
 *   message and its delivery, already leased to this process -> 202 ->
 *   signed POST to the receiver (undici keep-alive pool, 64 in flight) ->
 *   (one transaction per turn) insert the attempt, mark the delivery done.
 *
 * Hookline does all of this plus authentication, validation, fan-out to
 * subscribed endpoints, retries, policies and an API that answers while
 * deliveries flow; bench/floor.ts runs this in place of Hookline to show how
 * much of the ceiling is left once a durable accept and a durable attempt
 * record sit between the two HTTP exchanges.
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { newId } from '../src/core/ids.js';
import { createSigner, generateHmacSecret, signatureHeader } from '../src/core/signing.js';

const [dbPath = ':memory:', receiverPort = '0', inFlightArg = '64'] = process.argv.slice(2);
const MAX_IN_FLIGHT = Number(inFlightArg);

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  CREATE TABLE messages (id TEXT PRIMARY KEY, event_type TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE deliveries (id TEXT PRIMARY KEY, msg_id TEXT NOT NULL, status TEXT NOT NULL, lease_until INTEGER);
  CREATE TABLE attempts (id TEXT PRIMARY KEY, delivery_id TEXT NOT NULL, status_code INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'sending';`);
const insertMessage = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?)');
const insertDelivery = db.prepare("INSERT INTO deliveries VALUES (?, ?, 'sending', ?)");
const insertAttempt = db.prepare('INSERT INTO attempts VALUES (?, ?, ?, ?, ?)');
const finish = db.prepare("UPDATE deliveries SET status = 'success', lease_until = NULL WHERE id = ?");

interface Accepted {
  msgId: string;
  deliveryId: string;
  eventType: string;
  payload: string;
  answer: (status: number, body: string) => void;
}
interface Result {
  deliveryId: string;
  statusCode: number;
  durationMs: number;
}

/** Everything that arrives in one event-loop turn shares one transaction (group commit). */
function batcher<T>(write: (items: T[]) => void, after: (items: T[]) => void) {
  let batch: T[] = [];
  return (item: T) => {
    if (batch.length === 0) {
      setImmediate(() => {
        const items = batch;
        batch = [];
        write(items);
        after(items);
      });
    }
    batch.push(item);
  };
}

const accept = batcher<Accepted>(
  db.transaction((items: Accepted[]) => {
    const now = Date.now();
    for (const m of items) {
      insertMessage.run(m.msgId, m.eventType, m.payload, now);
      insertDelivery.run(m.deliveryId, m.msgId, now + 30_000);
    }
  }),
  (items) => {
    for (const m of items) {
      m.answer(202, JSON.stringify({ id: m.msgId, eventType: m.eventType }));
      queue.push(m);
    }
    pump();
  },
);
const record = batcher<Result>(
  db.transaction((items: Result[]) => {
    const now = Date.now();
    for (const r of items) {
      insertAttempt.run(newId('atmpt', now), r.deliveryId, r.statusCode, r.durationMs, now);
      finish.run(r.deliveryId);
    }
  }),
  () => {},
);

const receiver = new Pool(`http://127.0.0.1:${receiverPort}`, { connections: MAX_IN_FLIGHT, pipelining: 1 });
const signers = [createSigner(generateHmacSecret())];
const queue: Accepted[] = [];
let inFlight = 0;

function pump(): void {
  while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
    const m = queue.shift()!;
    inFlight++;
    void send(m).finally(() => {
      inFlight--;
      pump();
    });
  }
}

async function send(m: Accepted): Promise<void> {
  const started = performance.now();
  const ts = Math.floor(Date.now() / 1000);
  const res = await receiver.request({
    method: 'POST',
    path: '/',
    headers: {
      'content-type': 'application/json',
      'webhook-id': m.msgId,
      'webhook-timestamp': String(ts),
      'webhook-signature': signatureHeader(signers, m.msgId, ts, m.payload),
    },
    body: m.payload,
  });
  await res.body.dump();
  record({ deliveryId: m.deliveryId, statusCode: res.statusCode, durationMs: performance.now() - started });
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const answer = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    let input: { eventType?: unknown; payload?: unknown };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(400, '{"code":"invalid_json"}');
    }
    if (typeof input.eventType !== 'string' || typeof input.payload !== 'object') {
      return answer(422, '{"code":"validation"}');
    }
    const now = Date.now();
    accept({
      msgId: newId('msg', now),
      deliveryId: newId('dlv', now),
      eventType: input.eventType,
      payload: JSON.stringify(input.payload),
      answer,
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
