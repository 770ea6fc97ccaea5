import { isWebhookVerificationError, verifyRaw } from '@hookline/verify';

/** What `hookline verify` concluded about one saved request. */
export interface Verdict {
  ok: boolean;
  /** Stable code: OK, or @hookline/verify's error code. */
  code: string;
  /** One sentence saying exactly why. */
  reason: string;
  id?: string;
  timestamp?: number;
}

type Headers = Record<string, string>;

const header = (h: Headers, name: string) => h[`webhook-${name}`] ?? h[`svix-${name}`];

/** Whether the signature matches when the clock is set to the request's own timestamp. */
async function signatureMatches(body: Uint8Array, headers: Headers, secrets: string[]): Promise<boolean> {
  const ts = Number(header(headers, 'timestamp'));
  try {
    await verifyRaw(body, headers, secrets, { now: () => ts * 1000 });
    return true;
  } catch {
    return false;
  }
}

function ago(seconds: number): string {
  const abs = Math.abs(seconds);
  const text =
    abs >= 86_400
      ? `${Math.floor(abs / 86_400)}d${Math.floor((abs % 86_400) / 3600)}h`
      : abs >= 3600
        ? `${Math.floor(abs / 3600)}h${Math.floor((abs % 3600) / 60)}m`
        : abs >= 60
          ? `${Math.floor(abs / 60)}m${abs % 60}s`
          : `${abs}s`;
  return seconds >= 0 ? `${text} old` : `${text} in the future`;
}

/** Near misses worth naming when no signature matches: each is a common way to break a body. */
async function nearMiss(body: Uint8Array, headers: Headers, secrets: string[]): Promise<string | null> {
  const text = Buffer.from(body).toString('utf8');
  const candidates: [string, string][] = [];
  if (/\r?\n$/.test(text)) {
    candidates.push([
      text.replace(/\r?\n$/, ''),
      'the body file ends with a newline the sender did not sign',
    ]);
  }
  if (text.includes('\r\n'))
    candidates.push([text.replace(/\r\n/g, '\n'), 'the body has CRLF line ends where LF was signed']);
  for (const [candidate, why] of candidates) {
    if (await signatureMatches(Buffer.from(candidate), headers, secrets))
      return `${why}; it matches without it`;
  }
  const signature = header(headers, 'signature') ?? '';
  const versions = new Set(signature.split(' ').map((s) => s.split(',')[0]));
  const hmacOnly = secrets.every((s) => !s.startsWith('whpk_') && !s.startsWith('whsk_'));
  if (hmacOnly && versions.has('v1a') && !versions.has('v1')) {
    return "the request carries only v1a (ed25519) signatures, but the secret is an HMAC (whsec_) secret: use the endpoint's whpk_ public key";
  }
  if (!hmacOnly && versions.has('v1') && !versions.has('v1a')) {
    return 'the request carries only v1 (HMAC) signatures, but the key given is an ed25519 key: use the whsec_ secret';
  }
  try {
    const reencoded = JSON.stringify(JSON.parse(text));
    if (reencoded !== text && (await signatureMatches(Buffer.from(reencoded), headers, secrets))) {
      return 'the body was re-encoded (JSON parsed and serialized again): the signature covers the exact bytes sent';
    }
  } catch {
    // not JSON: nothing to say about re-encoding
  }
  return null;
}

/** Verifies like a receiver would, then explains a failure as precisely as the evidence allows. */
export async function diagnose(
  body: Uint8Array,
  headers: Headers,
  secrets: string[],
  opts: { toleranceSeconds: number; ignoreTimestamp: boolean; now?: number },
): Promise<Verdict> {
  const now = opts.now ?? Date.now();
  const ts = Number(header(headers, 'timestamp'));
  try {
    const clock = opts.ignoreTimestamp && Number.isFinite(ts) ? ts * 1000 : now;
    const v = await verifyRaw(body, headers, secrets, {
      toleranceSeconds: opts.toleranceSeconds,
      now: () => clock,
    });
    const age = Math.floor(now / 1000) - v.timestamp;
    const note = opts.ignoreTimestamp ? ` (timestamp not checked: ${ago(age)})` : '';
    return {
      ok: true,
      code: 'OK',
      reason: `signature valid for ${v.id}${note}`,
      id: v.id,
      timestamp: v.timestamp,
    };
  } catch (err) {
    if (!isWebhookVerificationError(err)) throw err;
    const base = { ok: false, code: err.code, id: header(headers, 'id') };
    switch (err.code) {
      case 'MISSING_HEADER':
        return { ...base, reason: `${err.message} (nor its svix- form); the saved headers are incomplete` };
      case 'TIMESTAMP_TOO_OLD':
      case 'TIMESTAMP_TOO_NEW': {
        const sig = (await signatureMatches(body, headers, secrets))
          ? 'the signature itself matches'
          : 'and no signature matches either';
        const age = ago(Math.floor(now / 1000) - ts);
        return {
          ...base,
          reason:
            `the timestamp is ${age}, outside the ${opts.toleranceSeconds}s tolerance receivers apply against replays; ${sig}` +
            (sig.startsWith('the') ? ' (--ignore-timestamp checks only the signature)' : ''),
        };
      }
      case 'NO_MATCHING_SIGNATURE': {
        const miss = await nearMiss(body, headers, secrets);
        return {
          ...base,
          reason:
            miss ??
            `no signature matches ${secrets.length === 1 ? 'the secret' : 'any of the secrets'}: a different secret ` +
              '(`hookline endpoint secret` shows the current one; after a rotation both may sign), or the body, id or timestamp was changed',
        };
      }
      default:
        return { ...base, reason: err.message };
    }
  }
}
