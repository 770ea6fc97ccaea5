import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, forge, isOk, isRefused, newId, nowSeconds, type Sender, show } from './probe-http.js';

/** The result of one check: passed or not, and what the receiver answered. */
export interface Outcome {
  pass: boolean;
  got: string;
}

export interface Check {
  id: string;
  title: string;
  /** What a correct receiver does. */
  expect: string;
  /** What to change when it does not. */
  fix: string;
  /** A receiver failing it can be fooled into acting on a request Hookline never sent. */
  critical: boolean;
  run(sender: Sender, options: ProbeOptions): Promise<Outcome>;
}

export interface ProbeOptions {
  /** Size of the oversized body, in bytes. */
  oversizeBytes: number;
  /** Pause before the later duplicate, like a retry arriving after the first was handled. */
  laterMs: number;
}

/** Far enough outside the usual 5-minute tolerance that no clock skew excuses it. */
const SKEW_SECONDS = 10 * 60;

const payload = (n: number) => JSON.stringify({ type: 'probe.test', data: { n, probe: true } });

const expectOk = (a: Answer): Outcome => ({ pass: isOk(a), got: show(a) });
const expectRefused = (a: Answer): Outcome => ({ pass: isRefused(a), got: show(a) });
const valid = (sender: Sender, body: string, timestamp = nowSeconds(), id = newId()) =>
  sender.post({ id, timestamp, body });

export const CHECKS: readonly Check[] = [
  {
    id: 'valid',
    title: 'valid delivery',
    expect: '2xx',
    fix: "Answer 2xx to a correctly signed delivery. Check that the receiver uses this endpoint's current secret (`hookline endpoint secret`), the whole whsec_ string.",
    critical: false,
    run: async (s) => expectOk(await valid(s, payload(1))),
  },
  {
    id: 'raw-body',
    title: 'valid delivery, JSON spaced and escaped unusually',
    expect: '2xx',
    fix: "Verify the raw body bytes before parsing: a body parsed and serialized again (express.json(), request.json()) no longer matches its signature. Use express.raw(), request.text() or @hookline/verify's adapters.",
    critical: false,
    run: async (s) =>
      expectOk(
        await valid(
          s,
          '{ "type" : "probe.test",\n  "data": {"amount": 1.50, "name": "caf\\u00e9", "big": 12345678901234567890} }\n',
        ),
      ),
  },
  {
    id: 'duplicate-concurrent',
    title: 'the same delivery twice at once (same webhook-id)',
    expect: '2xx, and 2xx or 409 for the other',
    fix: "Deduplicate on webhook-id: a duplicate is acknowledged with 2xx (409 while the first is still being handled), never a 5xx, and never handled twice. @hookline/verify's createIdempotencyGuard does this.",
    critical: false,
    run: async (s) => {
      const id = newId();
      const timestamp = nowSeconds();
      const body = payload(2);
      const answers = await Promise.all([s.post({ id, timestamp, body }), s.post({ id, timestamp, body })]);
      const ok = answers.filter(isOk).length;
      const busy = answers.filter((a) => a.status === 409).length;
      return { pass: ok >= 1 && ok + busy === 2, got: answers.map(show).join(' + ') };
    },
  },
  {
    id: 'duplicate-later',
    title: 'the same delivery again later, re-signed (a retry)',
    expect: '2xx both times',
    fix: 'Acknowledge a delivery already handled with 2xx (Hookline retries anything else for days). Remember handled webhook-ids for at least the retry window.',
    critical: false,
    run: async (s, o) => {
      const id = newId();
      const body = payload(3);
      const first = await valid(s, body, nowSeconds(), id);
      await sleep(o.laterMs);
      const second = await valid(s, body, nowSeconds(), id);
      return { pass: isOk(first) && isOk(second), got: `${show(first)} then ${show(second)}` };
    },
  },
  {
    id: 'stale-timestamp',
    title: 'timestamp 10 minutes old, correctly signed',
    expect: '4xx',
    fix: 'Refuse a webhook-timestamp more than 5 minutes from your clock: otherwise a captured request can be replayed forever.',
    critical: true,
    run: async (s) => expectRefused(await valid(s, payload(4), nowSeconds() - SKEW_SECONDS)),
  },
  {
    id: 'future-timestamp',
    title: 'timestamp 10 minutes ahead, correctly signed',
    expect: '4xx',
    fix: 'Refuse a webhook-timestamp more than 5 minutes in the future as well as in the past.',
    critical: true,
    run: async (s) => expectRefused(await valid(s, payload(5), nowSeconds() + SKEW_SECONDS)),
  },
  {
    id: 'forged-signature',
    title: 'forged signature',
    expect: '4xx',
    fix: 'Check the signature: HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" with the secret, compared in constant time, and refuse the request (401) when none matches.',
    critical: true,
    run: async (s) => {
      const d = { id: newId(), timestamp: nowSeconds(), body: payload(6) };
      return expectRefused(await s.post({ ...d, signature: forge(await s.signatureFor(d)) }));
    },
  },
  {
    id: 'tampered-body',
    title: 'body changed after signing',
    expect: '4xx',
    fix: 'Compute the signature over the body as received, and refuse the request when it does not match.',
    critical: true,
    run: async (s) => {
      const d = { id: newId(), timestamp: nowSeconds(), body: payload(7) };
      const signature = await s.signatureFor(d);
      return expectRefused(await s.post({ ...d, body: payload(7_000_000), signature }));
    },
  },
  {
    id: 'missing-headers',
    title: 'webhook-id, -timestamp or -signature missing',
    expect: '4xx for each',
    fix: 'Refuse a request missing any of webhook-id, webhook-timestamp, webhook-signature: an unsigned request is not a webhook.',
    critical: true,
    run: async (s) => {
      const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
      const answers = await Promise.all(
        names.map((name) => s.post({ id: newId(), timestamp: nowSeconds(), body: payload(8), omit: [name] })),
      );
      return {
        pass: answers.every(isRefused),
        got: answers.map((a, i) => `${names[i]?.slice(8)}: ${show(a)}`).join(', '),
      };
    },
  },
  {
    id: 'rotated-secret',
    title: 'two signatures (secret rotation), only the second valid',
    expect: '2xx',
    fix: 'webhook-signature holds several space-separated signatures during a rotation: accept the request when any one matches, not only the first.',
    critical: false,
    run: async (s) => {
      const d = { id: newId(), timestamp: nowSeconds(), body: payload(9) };
      const good = await s.signatureFor(d);
      return expectOk(await s.post({ ...d, signature: `${forge(good)} ${good}` }));
    },
  },
  {
    id: 'oversized',
    title: 'oversized body, correctly signed',
    expect: '4xx (413), or the connection closed',
    fix: 'Cap the body size before reading it all (Hookline sends at most its --max-body-size, 1mb by default), and answer 413 beyond it, so one request cannot exhaust memory.',
    critical: false,
    run: async (s, o) => {
      const filler = 'x'.repeat(Math.max(0, o.oversizeBytes - 40));
      const a = await valid(s, JSON.stringify({ type: 'probe.oversized', filler }));
      // A receiver may cut the connection instead of answering: that refuses it too.
      const closed = a.status === null && /SOCKET|EPIPE|ECONNRESET|closed/i.test(a.error);
      return { pass: isRefused(a) || closed, got: closed ? `connection closed (${show(a)})` : show(a) };
    },
  },
  {
    id: 'out-of-order',
    title: 'an older event after a newer one',
    expect: '2xx both',
    fix: 'Accept deliveries in any order (retries reorder them): never refuse a timestamp older than the last one seen; order by a field of the payload if you must.',
    critical: false,
    run: async (s) => {
      const newer = await valid(s, payload(10), nowSeconds());
      const older = await valid(s, payload(11), nowSeconds() - 120);
      return { pass: isOk(newer) && isOk(older), got: `${show(newer)} then ${show(older)}` };
    },
  },
];
