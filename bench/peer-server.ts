/**
 * The peers of `npm run bench:peers`: what a Node.js team builds instead of
 * running Hookline, written the way their documentation recommends. One
 * process (fork it with the queue, the receiver's port and the database):
 *
 *   POST /msg -> JSON.parse -> enqueue one job (id = a new message id) -> 202 {id}
 *   worker (64 jobs at once) -> Standard Webhooks signature -> undici POST ->
 *   a non-2xx or a transport error throws, so the queue retries the job with
 *   exponential backoff (8 attempts); the attempt's status and duration are
 *   the job's result, stored by the queue (its "attempt log").
 *
 * - `bullmq`: BullMQ 5 on Redis, `new Worker(..., { concurrency: 64 })`,
 *   completed jobs kept with their result (removeOnComplete: false). Redis as
 *   .ci/run starts it: no AOF, no snapshots, so nothing is durable across a
 *   Redis restart (Hookline's SQLite and PostgreSQL commits are).
 * - `pgboss`: pg-boss 10 on PostgreSQL (its own schema), `work()` with
 *   batchSize 64 and its shortest polling interval (0.5 s), jobs completed with
 *   their result. pg-boss is polling by design; that is its latency floor.
 */
import { createServer } from 'node:http';
import { Queue, Worker } from 'bullmq';
import PgBoss from 'pg-boss';
import { Pool } from 'undici';
import { newId } from '../src/core/ids.js';
import { createSigner, generateHmacSecret } from '../src/core/signing.js';
import { signedPost } from './util.js';

const [kind = 'bullmq', receiverPort = '0', database = '', concurrency = '64'] = process.argv.slice(2);
const CONCURRENCY = Number(concurrency);
const ATTEMPTS = 8;
const QUEUE = 'webhooks';

const receiver = new Pool(`http://127.0.0.1:${receiverPort}`, { connections: CONCURRENCY, pipelining: 1 });
const signers = [createSigner(generateHmacSecret())];

interface Job {
  id: string;
  eventType: string;
  payload: string;
}

/** One delivery attempt; throws on failure so the queue retries it. */
async function deliver(job: Job): Promise<{ status: number; durationMs: number }> {
  const start = performance.now();
  const status = await signedPost(receiver, signers, job.id, job.payload);
  if (status < 200 || status >= 300) throw new Error(`receiver answered ${status}`);
  return { status, durationMs: Math.round(performance.now() - start) };
}

async function startQueue(): Promise<(job: Job) => Promise<void>> {
  if (kind === 'bullmq') {
    const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
    const queue = new Queue<Job>(QUEUE, { connection });
    await queue.obliterate({ force: true });
    new Worker<Job>(QUEUE, async (j) => deliver(j.data), { connection, concurrency: CONCURRENCY });
    return async (job) => {
      await queue.add('deliver', job, {
        jobId: job.id,
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: false,
      });
    };
  }
  const boss = new PgBoss({ connectionString: database, schema: `pgboss_bench_${process.pid}` });
  await boss.start();
  await boss.createQueue(QUEUE);
  await boss.work<Job>(QUEUE, { batchSize: CONCURRENCY, pollingIntervalSeconds: 0.5 }, async (jobs) =>
    Promise.all(jobs.map((j) => deliver(j.data))),
  );
  process.on('SIGTERM', () => {
    void boss.stop({ graceful: false }).finally(() => process.exit(0));
  });
  return async (job) => {
    await boss.send(QUEUE, job, { retryLimit: ATTEMPTS - 1, retryDelay: 5, retryBackoff: true });
  };
}

const enqueue = await startQueue();
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => {
    body += c;
  });
  req.on('end', () => {
    let parsed: { eventType?: string; payload?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const job: Job = {
      id: newId('msg'),
      eventType: String(parsed.eventType),
      payload: JSON.stringify(parsed.payload),
    };
    enqueue(job).then(
      () => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: job.id })),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
