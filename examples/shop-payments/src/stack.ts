/**
 * Starts the whole story on loopback: Hookline (this repository's server, on a
 * temporary SQLite file, with a short retry schedule), the mail sink, the
 * payment service, the shop and the edge in front of it. The shop runs under
 * a small supervisor: when it crashes it is started again, as in production.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Svix } from 'svix';
import type { ChildEvent } from './child.js';
import { type Edge, type Exchange, type GaveUp, startEdge } from './edge.js';
import { Service } from './processes.js';

export const APP_UID = 'shop';
/** Hookline's settings for the demo: retries within seconds, so the story fits in well under a minute. */
export const RETRY_SCHEDULE = '1s,1s,2s,2s,3s,3s,5s';
export const REQUEST_TIMEOUT = '1s';
const HOOKLINE_FLAGS = [
  '--retry-schedule',
  RETRY_SCHEDULE,
  '--request-timeout',
  REQUEST_TIMEOUT,
  '--poll-interval',
  '250ms',
  '--breaker-backoff',
  '1s',
  // The shop is on loopback, which Hookline's SSRF guard refuses unless allowed.
  '--allowed-cidrs',
  '127.0.0.0/8',
  '--log-level',
  'warn',
];

export interface Stack {
  dir: string;
  mailStore: string;
  hooklineUrl: string;
  apiToken: string;
  svix: Svix;
  endpointId: string;
  webhookSecret: string;
  edge: Edge;
  paymentsUrl: string;
  shopUrl(): string;
  mailPageUrl: string;
  smtpPort: number;
  /** Stops the shop (it stays down until startShop). */
  stopShop(): Promise<void>;
  startShop(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackEvents {
  child(service: string, event: ChildEvent): void;
  exchange(exchange: Exchange): void;
  gaveUp(request: GaveUp): void;
  shopRestarting(exitCode: number | null): void;
}

const src = (file: string) => `examples/shop-payments/src/${file}`;

export async function startStack(on: StackEvents): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-demo-'));
  const mailStore = join(dir, 'mails.jsonl');
  const apiToken = `hk_demo_${randomBytes(16).toString('hex')}`;
  const services: Service[] = [];
  const onEvent = (service: Service, event: ChildEvent) => on.child(service.name, event);
  const service = (name: string, args: string[], env: Record<string, string>) => {
    const s = new Service(name, args, env, onEvent);
    services.push(s);
    return s;
  };

  let edge: Edge | undefined;
  try {
    const hookline = service(
      'hookline',
      [
        'src/cli/main.ts',
        'serve',
        '--port',
        '0',
        '--database',
        `sqlite:${join(dir, 'hookline.db')}`,
        ...HOOKLINE_FLAGS,
      ],
      { HOOKLINE_API_TOKEN: apiToken },
    );
    const sink = service('mail sink', [src('mail-sink.ts')], { MAIL_STORE: mailStore });
    // Off a terminal Hookline's banner is a JSON log record ({msg: "Hookline listening on URL ..."}).
    const said = (e: ChildEvent) => String(e.text ?? e.msg ?? '');
    const [banner, sinkReady] = await Promise.all([
      hookline.start((e) => /listening on /.test(said(e))),
      sink.start(),
    ]);
    const hooklineUrl = /listening on (\S+)/.exec(said(banner))![1]!;
    const svix = new Svix(apiToken, { serverUrl: hooklineUrl });

    const payments = service('payments', [src('payments.ts')], {
      HOOKLINE_URL: hooklineUrl,
      HOOKLINE_TOKEN: apiToken,
      APP_UID,
    });
    const paymentsUrl = String((await payments.start()).url);

    // The shop subscribes its public URL (the edge) to both events; Hookline makes the secret.
    edge = await startEdge(
      (exchange) => on.exchange(exchange),
      (request) => on.gaveUp(request),
    );
    const endpoint = await svix.endpoint.create(APP_UID, {
      url: `${edge.url}/webhooks`,
      filterTypes: ['payment.succeeded', 'payment.refunded'],
      description: 'the shop',
    });
    const webhookSecret = (await svix.endpoint.getSecret(APP_UID, endpoint.id)).key;

    const shop = service('shop', [src('shop.ts')], {
      WEBHOOK_SECRET: webhookSecret,
      SHOP_DB: join(dir, 'shop.db'),
      SMTP_PORT: String(sinkReady.smtpPort),
    });
    let shopUrl = '';
    let stoppingShop = false;
    const startShop = async (): Promise<void> => {
      stoppingShop = false;
      shopUrl = String((await shop.start()).url);
      edge!.setUpstream(shopUrl);
      // The supervisor: a shop that dies on its own is started again.
      void shop.exited.then((code) => {
        if (stoppingShop || stopping) return;
        on.shopRestarting(code);
        startShop().catch(() => {});
      });
    };
    let stopping = false;
    await startShop();

    const liveEdge = edge;
    return {
      dir,
      mailStore,
      hooklineUrl,
      apiToken,
      svix,
      endpointId: endpoint.id,
      webhookSecret,
      edge: liveEdge,
      paymentsUrl,
      shopUrl: () => shopUrl,
      mailPageUrl: String(sinkReady.url),
      smtpPort: Number(sinkReady.smtpPort),
      async stopShop() {
        stoppingShop = true;
        await shop.stop();
      },
      startShop,
      async stop() {
        stopping = true;
        await liveEdge.close();
        await Promise.all(services.map((s) => s.stop()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await edge?.close();
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
