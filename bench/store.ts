/**
 * `npm run bench:store [-- --database postgres://... --src DIR]`: the store
 * alone, in process, no HTTP: CPU and wall time per delivery for accept
 * (64 concurrent, so group commit applies), claim and record, one endpoint.
 * `--src` points at another checkout's src/ to compare two versions of the
 * store side by side in one sitting. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    src: { type: 'string', default: fileURLToPath(new URL('../src', import.meta.url)) },
    database: { type: 'string', default: 'sqlite' },
    deliveries: { type: 'string', default: '30000' },
  },
});
const N = Number(args.deliveries);
type OpenStore = (url: string) => Promise<import('../src/store/store.js').Store>;
const { openStore } = (await import(pathToFileURL(join(resolve(args.src), 'store/open.ts')).href)) as {
  openStore: OpenStore;
};
const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-store-'));
const store = await openStore(args.database === 'sqlite' ? `sqlite:${join(dir, 'b.db')}` : args.database);
// The defaults, spelled out: older stores took the policy as optional.
const policy = {
  breakerThreshold: 5,
  breakerBackoffMs: 30_000,
  breakerMaxBackoffMs: 1_800_000,
  autoDisableAfterMs: 432_000_000,
};
const app = await store.apps.create({ uid: null, name: 'bench', rateLimit: null, metadata: {} });
await store.endpoints.create(app.id, {
  uid: null,
  url: 'https://example.com/hook',
  description: '',
  version: 1,
  rateLimit: null,
  disabled: false,
  disabledReason: null,
  filterTypes: ['payment.succeeded', 'payment.refunded'],
  channels: null,
  metadata: {},
  headers: { 'x-shop': '1' },
  secrets: [{ key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }],
  maxInFlight: null,
  ordered: false,
});
const payload = JSON.stringify({ id: 'pay_1', amount: 4200, currency: 'EUR', note: 'x'.repeat(200) });

async function run(n: number): Promise<void> {
  for (let done = 0; done < n; ) {
    const send = () =>
      store.messages.create({
        appId: app.id,
        eventType: 'payment.succeeded',
        eventId: null,
        payload,
        channels: null,
        tags: null,
      });
    await Promise.all(Array.from({ length: 64 }, send));
    const claims = await store.queue.claimDue({ limit: 64, leaseMs: 60_000 });
    const at = new Date();
    const results = claims.map((c) => ({
      deliveryId: c.deliveryId,
      leaseToken: c.leaseToken,
      outcome: { kind: 'success' as const },
      attempt: {
        appId: c.message.appId,
        msgId: c.message.id,
        endpointId: c.endpoint.id,
        url: c.endpoint.url,
        status: 'success' as const,
        responseStatusCode: 200,
        response: 'ok',
        responseDurationMs: 3,
        errorClass: null,
        trigger: c.trigger,
        createdAt: at,
      },
    }));
    await store.queue.recordAttempts(results, policy);
    done += claims.length;
  }
}

await run(3000); // warm-up
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(N);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    src: args.src,
    backend: args.database === 'sqlite' ? 'sqlite' : 'postgres',
    deliveries: N,
    cpuUsPerDelivery: Math.round(((cpu.user + cpu.system) / N) * 10) / 10,
    wallUsPerDelivery: Math.round(((wallMs * 1000) / N) * 10) / 10,
  }),
);
