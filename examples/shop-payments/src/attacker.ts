/**
 * The attacker posts to the shop's public URL. It signs with HMAC-SHA256 over
 * `id.timestamp.body`, the Standard Webhooks scheme, computed here by hand.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface AttackResult {
  status: number;
  code: string | null;
}

/** A payment that never happened, signed with a secret the attacker made up. */
export function forgedPayment(url: string, data: Record<string, unknown>): Promise<AttackResult> {
  const madeUp = `whsec_${randomBytes(32).toString('base64')}`;
  const body = JSON.stringify({ type: 'payment.succeeded', timestamp: new Date().toISOString(), data });
  return post(url, `msg_forged${randomBytes(4).toString('hex')}`, new Date(), body, madeUp);
}

/**
 * A real request captured an hour ago, sent again unchanged. It carries a
 * genuine signature made with the endpoint's real secret, of the timestamp it
 * was sent at: one hour ago. (The demo cannot wait an hour, so it makes that
 * request now, exactly as Hookline signed it then.)
 */
export function replayFromAnHourAgo(
  url: string,
  webhookId: string,
  body: string,
  realSecret: string,
): Promise<AttackResult> {
  return post(url, webhookId, new Date(Date.now() - 3600_000), body, realSecret);
}

async function post(url: string, id: string, at: Date, body: string, secret: string): Promise<AttackResult> {
  const timestamp = Math.floor(at.getTime() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'curl/8.5.0',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
    },
    body,
  });
  const text = await response.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { code?: string }).code ?? null;
  } catch {
    // no JSON body
  }
  return { status: response.status, code };
}
