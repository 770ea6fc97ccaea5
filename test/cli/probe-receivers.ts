import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createIdempotencyGuard,
  isWebhookVerificationError,
  memoryStore,
  nodeWebhook,
  readRawBody,
  verifyRaw,
} from '@hookline/verify';

export const LIMIT = 1024 * 1024;

export interface TestReceiver {
  url: string;
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<TestReceiver> {
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The receiver the docs recommend: @hookline/verify's node adapter with a 1 MiB limit and an idempotency guard. */
export function correctReceiver(secret: string): Promise<TestReceiver> {
  const handle = nodeWebhook({
    secret,
    limit: LIMIT,
    idempotency: createIdempotencyGuard(memoryStore()),
    handler: () => undefined,
  });
  return listen(handle);
}

type Broken = 'no-signature-check' | 'parses-json-first' | 'no-timestamp-check' | '500-on-duplicates';

/**
 * Hand-written receivers, each with one mistake seen in the wild and otherwise
 * right (size limit, deduplication), so a probe should fail exactly the checks that mistake breaks.
 */
export function brokenReceiver(secret: string, mistake: Broken): Promise<TestReceiver> {
  const seen = new Set<string>();
  return listen(async (req, res) => {
    let raw: Uint8Array;
    try {
      raw = await readRawBody(req, LIMIT);
    } catch {
      res.writeHead(413, { connection: 'close' }).end();
      return;
    }
    const text = Buffer.from(raw).toString('utf8');
    let id: string;
    try {
      if (mistake === 'no-signature-check') {
        JSON.parse(text);
        id = String(req.headers['webhook-id'] ?? '');
      } else if (mistake === 'parses-json-first') {
        // The classic: a JSON body parser ran first, and the signature is checked over JSON.stringify of its result.
        const parsed = JSON.parse(text);
        id = (await verifyRaw(JSON.stringify(parsed), req.headers, secret)).id;
      } else {
        const tolerance = mistake === 'no-timestamp-check' ? 1e9 : 300;
        id = (await verifyRaw(raw, req.headers, secret, { toleranceSeconds: tolerance })).id;
      }
    } catch (err) {
      res.writeHead(isWebhookVerificationError(err) ? err.status : 400).end();
      return;
    }
    if (seen.has(id)) {
      res.writeHead(mistake === '500-on-duplicates' ? 500 : 200).end();
      return;
    }
    seen.add(id);
    res.writeHead(204).end();
  });
}
