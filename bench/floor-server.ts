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
import pg from 'pg';
import { Pool } from 'undici';
import { newId } from '../src/core/ids.js';
import { createSigner, generateHmacSecret } from '../src/core/signing.js';
import { signedPost } from './util.js';

const [database = ':memory:', receiverPort = '0', inFlightArg = '64'] = process.argv.slice(2);
const MAX_IN_FLIGHT = Number(inFlightArg);

/** The two durable writes of the pipeline, each given everything that arrived in one turn. */
interface FloorStore {
  accept(items: Accepted[]): Promise<void>;
  record(items: Result[]): Promise<void>;
}

function sqliteFloor(path: string): FloorStore {
  const db = new Database(path);
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
  const accept = db.transaction((items: Accepted[]) => {
    const now = Date.now();
    for (const m of items) {
      insertMessage.run(m.msgId, m.eventType, m.payload, now);
      insertDelivery.run(m.deliveryId, m.msgId, now + 30_000);
    }
  });
  const record = db.transaction((items: Result[]) => {
    const now = Date.now();
    for (const r of items) {
      insertAttempt.run(newId('atmpt', now), r.deliveryId, r.statusCode, r.durationMs, now);
      finish.run(r.deliveryId);
    }
  });
  return { accept: async (items) => accept(items), record: async (items) => record(items) };
}

/** Each write is one multi-row statement (one round trip, one implicit transaction) on a small pool. */
async function postgresFloor(url: string): Promise<FloorStore> {
  // One fixed scratch schema, replaced on each run: the process is killed, not stopped, so it cannot clean up.
  const schema = 'hookline_floor';
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path = ${schema};
    CREATE TABLE messages (id text PRIMARY KEY, event_type text NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL);
    CREATE TABLE deliveries (id text PRIMARY KEY, msg_id text NOT NULL, status text NOT NULL, lease_until timestamptz);
    CREATE TABLE attempts (id text PRIMARY KEY, delivery_id text NOT NULL, status_code int NOT NULL,
      duration_ms int NOT NULL, created_at timestamptz NOT NULL);
    CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'sending';`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  return {
    async accept(items) {
      await pool.query({
        name: 'accept',
        text: `WITH m AS (INSERT INTO messages SELECT * FROM unnest($1::text[], $2::text[], $3::text[]), now())
               INSERT INTO deliveries SELECT d, m, 'sending', now() + interval '30 s' FROM unnest($4::text[], $1::text[]) AS x(d, m)`,
        values: [
          items.map((m) => m.msgId),
          items.map((m) => m.eventType),
          items.map((m) => m.payload),
          items.map((m) => m.deliveryId),
        ],
      });
    },
    async record(items) {
      const now = Date.now();
      await pool.query({
        name: 'record',
        text: `WITH a AS (INSERT INTO attempts SELECT i, d, s, ms, now() FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS x(i, d, s, ms))
               UPDATE deliveries SET status = 'success', lease_until = NULL WHERE id = ANY ($2)`,
        values: [
          items.map(() => newId('atmpt', now)),
          items.map((r) => r.deliveryId),
          items.map((r) => r.statusCode),
          items.map((r) => Math.round(r.durationMs)),
        ],
      });
    },
  };
}

const store = database.startsWith('postgres') ? await postgresFloor(database) : sqliteFloor(database);

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

/**
 * Everything that arrives in one event-loop turn shares one write (group
 * commit); while a write is in flight (PostgreSQL), the next batch collects.
 */
function batcher<T>(write: (items: T[]) => Promise<void>, after: (items: T[]) => void) {
  let batch: T[] = [];
  let writing = false;
  const flush = () => {
    if (writing || batch.length === 0) return;
    const items = batch;
    batch = [];
    writing = true;
    write(items).then(
      () => {
        writing = false;
        after(items);
        flush();
      },
      (err: unknown) => {
        // A floor that cannot write measures nothing: stop loudly rather than hang.
        console.error(err);
        process.exit(1);
      },
    );
  };
  return (item: T) => {
    if (batch.length === 0) setImmediate(flush);
    batch.push(item);
  };
}

const accept = batcher<Accepted>(store.accept, (items) => {
  for (const m of items) {
    m.answer(202, JSON.stringify({ id: m.msgId, eventType: m.eventType }));
    queue.push(m);
  }
  pump();
});
const record = batcher<Result>(store.record, () => {});

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
  const statusCode = await signedPost(receiver, signers, m.msgId, m.payload);
  record({ deliveryId: m.deliveryId, statusCode, durationMs: performance.now() - started });
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
