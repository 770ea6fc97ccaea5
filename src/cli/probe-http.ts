import { sign } from '@hookline/verify';
import { request } from 'undici';

/** What one probe request got back: a status, or why none came. */
export type Answer = { status: number } | { status: null; error: string };

export interface Delivery {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: string | Buffer;
  /** `webhook-signature` to send instead of a valid one. */
  signature?: string;
  /** Headers to leave out. */
  omit?: ('webhook-id' | 'webhook-timestamp' | 'webhook-signature')[];
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const newId = (): string => `msg_probe_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
export const isOk = (a: Answer): boolean => a.status !== null && a.status >= 200 && a.status < 300;
export const isRefused = (a: Answer): boolean => a.status !== null && a.status >= 400 && a.status < 500;
export const show = (a: Answer): string => (a.status === null ? a.error : String(a.status));

/** Flips the first byte of every signature, keeping each entry well formed: a forgery that parses. */
export function forge(signature: string): string {
  return signature
    .split(' ')
    .map((entry) => {
      const [version, b64] = entry.split(',') as [string, string];
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return `${version},${bytes.toString('base64')}`;
    })
    .join(' ');
}

export interface Sender {
  signatureFor(d: Pick<Delivery, 'id' | 'timestamp' | 'body'>): Promise<string>;
  post(d: Delivery): Promise<Answer>;
  /** How many requests got an HTTP answer, and the last transport error. */
  stats(): { answered: number; lastError: string | null };
}

/** Sends deliveries signed as Hookline signs them (Standard Webhooks), with the parts a check changes. */
export function createSender(url: string, secret: string, timeoutMs: number): Sender {
  const signatureFor = (d: Pick<Delivery, 'id' | 'timestamp' | 'body'>) =>
    sign(secret, d.id, d.timestamp, typeof d.body === 'string' ? d.body : new Uint8Array(d.body));
  let answered = 0;
  let lastError: string | null = null;
  return {
    signatureFor,
    stats: () => ({ answered, lastError }),
    async post(d) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Hookline-probe',
        'webhook-id': d.id,
        'webhook-timestamp': String(d.timestamp),
        'webhook-signature': d.signature ?? (await signatureFor(d)),
      };
      for (const name of d.omit ?? []) delete headers[name];
      try {
        const res = await request(url, {
          method: 'POST',
          headers,
          body: d.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        await res.body.dump();
        answered++;
        return { status: res.statusCode };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        lastError = e.code ?? e.message ?? String(err);
        return { status: null, error: lastError };
      }
    },
  };
}
