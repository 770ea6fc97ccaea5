import type { Receiver } from '../../helpers/receiver.js';

/**
 * A steady producer for crash tests: POSTs messages 0..count-1 with
 * `eventId: evt-<i>` through whichever API process is current, retrying a
 * message on a dropped connection or a 503 until it is accepted. A retry of
 * a message that was stored but whose answer was lost is a 409 (the eventId
 * is taken), which counts as accepted: the message is in the store.
 */
export interface Producer {
  /** Indexes accepted (202, or 409 on a retry). */
  readonly accepted: Set<number>;
  /** How many answers of each kind were seen (status, or 'network error'). */
  readonly answers: Map<number | string, number>;
  readonly done: Promise<void>;
}

export function produce(opts: {
  /** The current API base URL; awaited before each try, so a restart can swap it. */
  base: () => Promise<string>;
  token: string;
  appId: string;
  count: number;
  parallel?: number;
}): Producer {
  const accepted = new Set<number>();
  const answers = new Map<number | string, number>();
  const seen = (a: number | string) => answers.set(a, (answers.get(a) ?? 0) + 1);
  async function post(i: number): Promise<void> {
    for (let tries = 0; ; tries++) {
      const base = await opts.base();
      const answer = await fetch(`${base}/api/v1/app/${opts.appId}/msg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ eventType: 'load.test', eventId: `evt-${i}`, payload: { i } }),
        signal: AbortSignal.timeout(20_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 'network error',
      );
      seen(answer);
      if (answer === 202 || (answer === 409 && tries > 0)) {
        accepted.add(i);
        return;
      }
      if (answer !== 503 && answer !== 'network error') throw new Error(`message ${i}: unexpected ${answer}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let next = 0;
  const done = Promise.all(
    Array.from({ length: opts.parallel ?? 4 }, async () => {
      while (next < opts.count) await post(next++);
    }),
  ).then(() => {});
  done.catch(() => {});
  return { accepted, answers, done };
}

/**
 * What a receiver got, by the `i` in each payload: distinct messages, and
 * every request. While `open()` is false it answers 503 and counts nothing,
 * so deliveries stay pending in the store.
 */
export function countDeliveries(receiver: Receiver, delayMs = 0, open: () => boolean = () => true) {
  const distinct = new Set<number>();
  let total = 0;
  receiver.respondWith((req) => {
    if (!open()) return { status: 503, body: 'not yet' };
    distinct.add((JSON.parse(req.body) as { i: number }).i);
    total++;
    return { status: 200, body: 'ok', delayMs };
  });
  return {
    distinct,
    get total() {
      return total;
    },
  };
}

/**
 * Resolves once `check` holds, polling; rejects after `timeoutMs` with
 * `what()`: the bound only turns a hung run into a message.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: () => string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
