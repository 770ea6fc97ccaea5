import { describe, expect, it } from 'vitest';
import {
  ErrorCodes,
  WebhookVerificationError,
  createVerifier,
  generateSecret,
  sign,
  testHeaders,
  verify,
  verifyRaw,
} from '@hookline/verify';

const secret = generateSecret();
const body = JSON.stringify({ type: 'payment.succeeded', amount: 4200 });
const now = () => Math.floor(Date.now() / 1000);

async function headersAt(timestamp: number, secrets: string | string[] = secret, id = 'msg_1') {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await sign(secrets, id, timestamp, body),
  };
}

async function errorOf(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}
const codeOf = async (promise: Promise<unknown>): Promise<string> => (await errorOf(promise)).code;

describe('verify: success', () => {
  it('returns the parsed payload, id and timestamp', async () => {
    const ts = now();
    expect(await verify(body, await headersAt(ts), secret)).toEqual({
      id: 'msg_1',
      timestamp: ts,
      payload: { type: 'payment.succeeded', amount: 4200 },
    });
  });

  it('returns the raw body from verifyRaw, also for a body that is not JSON', async () => {
    const ts = now();
    const text = 'not json at all';
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(ts),
      'webhook-signature': await sign(secret, 'm', ts, text),
    };
    expect((await verifyRaw(text, headers, secret)).payload).toBe(text);
    expect(await codeOf(verify(text, headers, secret))).toBe('INVALID_PAYLOAD');
  });

  it('accepts any of several secrets (rotation) and several signatures in the header', async () => {
    const [previous, current] = [generateSecret(), generateSecret()];
    const headers = await headersAt(now(), [current]);
    await expect(verify(body, headers, [previous, current])).resolves.toBeDefined();
    const both = await headersAt(now(), [previous, current]);
    expect(both['webhook-signature'].split(' ')).toHaveLength(2);
    await expect(verify(body, both, previous)).resolves.toBeDefined();
    await expect(verify(body, both, current)).resolves.toBeDefined();
  });

  it('accepts multiple signatures where only one is valid, in any position', async () => {
    const ts = now();
    const good = await sign(secret, 'msg_1', ts, body);
    const wrong = await sign(generateSecret(), 'msg_1', ts, body);
    for (const header of [`${wrong} ${good}`, `${good} ${wrong}`, `v1,bad ${wrong} v2,abcd ${good}`]) {
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': header };
      await expect(verify(body, headers, secret)).resolves.toMatchObject({ id: 'msg_1' });
    }
  });

  it('accepts a signature header sent twice, which Node and Fetch join with ", "', async () => {
    const ts = now();
    const good = await sign(secret, 'msg_1', ts, body);
    const wrong = await sign(generateSecret(), 'msg_1', ts, body);
    for (const header of [`${good}, ${wrong}`, `${wrong}, ${good}`]) {
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': header };
      await expect(verify(body, headers, secret)).resolves.toMatchObject({ id: 'msg_1' });
    }
    const joined = new Headers();
    joined.append('webhook-id', 'msg_1');
    joined.append('webhook-timestamp', String(ts));
    joined.append('webhook-signature', wrong);
    joined.append('webhook-signature', good);
    await expect(verify(body, joined, secret)).resolves.toMatchObject({ id: 'msg_1' });
  });

  it('reads svix-* header names, Web Headers objects and mixed-case keys', async () => {
    const h = await headersAt(now());
    const svix = {
      'svix-id': h['webhook-id'],
      'svix-timestamp': h['webhook-timestamp'],
      'svix-signature': h['webhook-signature'],
    };
    await expect(verify(body, svix, secret)).resolves.toBeDefined();
    await expect(verify(body, new Headers(h), secret)).resolves.toBeDefined();
    const mixed = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'Webhook-Signature': h['webhook-signature'],
    };
    await expect(verify(body, mixed, secret)).resolves.toBeDefined();
  });

  it('accepts the body as string, Buffer, Uint8Array and ArrayBuffer', async () => {
    const headers = await headersAt(now());
    const bytes = new TextEncoder().encode(body);
    for (const raw of [body, Buffer.from(body), bytes, bytes.buffer]) {
      await expect(verify(raw, headers, secret)).resolves.toMatchObject({ id: 'msg_1' });
    }
  });

  it('accepts exactly 300 seconds of skew both ways by default, and a configured tolerance', async () => {
    await expect(verify(body, await headersAt(now() - 300), secret)).resolves.toBeDefined();
    await expect(verify(body, await headersAt(now() + 300), secret)).resolves.toBeDefined();
    const verifier = createVerifier(secret, { toleranceSeconds: 3600 });
    await expect(verifier.verify(body, await headersAt(now() - 3000))).resolves.toBeDefined();
    const strict = createVerifier(secret, { toleranceSeconds: 10 });
    expect(await codeOf(strict.verify(body, await headersAt(now() - 60)))).toBe('TIMESTAMP_TOO_OLD');
  });

  it('refuses a tolerance that is not a non-negative number, rather than accepting every timestamp', async () => {
    for (const toleranceSeconds of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => createVerifier(secret, { toleranceSeconds })).toThrow(RangeError);
      await expect(
        verify(body, await headersAt(now() - 86_400 * 365), secret, { toleranceSeconds }),
      ).rejects.toThrow(RangeError);
    }
  });

  it('testHeaders produces a body and headers that verify', async () => {
    const { body: sent, headers } = await testHeaders(secret, { hello: 'world' }, { id: 'msg_test' });
    expect(headers['content-type']).toBe('application/json');
    expect(await verify(sent, headers, secret)).toMatchObject({
      id: 'msg_test',
      payload: { hello: 'world' },
    });
  });
});

describe('verify: failures', () => {
  it('MISSING_HEADER for each missing header', async () => {
    const full = await headersAt(now());
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const headers: Record<string, string> = { ...full };
      delete headers[name];
      const error = await errorOf(verify(body, headers, secret));
      expect(error.code).toBe('MISSING_HEADER');
      expect(error.message).toContain(name);
      expect(error.status).toBe(400);
    }
    expect(await codeOf(verify(body, {}, secret))).toBe('MISSING_HEADER');
  });

  it('INVALID_TIMESTAMP for a non-numeric timestamp', async () => {
    const headers = await headersAt(now());
    for (const ts of ['abc', '12e5', '-5', '1.5', ' 123', '0x10']) {
      expect(await codeOf(verify(body, { ...headers, 'webhook-timestamp': ts }, secret))).toBe(
        'INVALID_TIMESTAMP',
      );
    }
  });

  it('TIMESTAMP_TOO_OLD at now-301s and TIMESTAMP_TOO_NEW at now+301s', async () => {
    expect(await codeOf(verify(body, await headersAt(now() - 301), secret))).toBe('TIMESTAMP_TOO_OLD');
    expect(await codeOf(verify(body, await headersAt(now() + 301), secret))).toBe('TIMESTAMP_TOO_NEW');
  });

  it('INVALID_SIGNATURE_FORMAT for a truncated or bare v1, signature', async () => {
    const headers = await headersAt(now());
    const full = headers['webhook-signature'];
    for (const signature of [
      'v1,',
      'v1',
      ',abc',
      full.slice(0, 20),
      full.slice(0, -4),
      'v1,!!!notbase64',
      'garbage',
    ]) {
      const code = await codeOf(verify(body, { ...headers, 'webhook-signature': signature }, secret));
      expect(code, signature).toBe('INVALID_SIGNATURE_FORMAT');
    }
  });

  it('NO_MATCHING_SIGNATURE for a wrong secret, tampered body, id or timestamp (401)', async () => {
    const ts = now();
    const headers = await headersAt(ts);
    expect(await codeOf(verify(body, headers, generateSecret()))).toBe('NO_MATCHING_SIGNATURE');
    expect(await codeOf(verify(body.replace('4200', '4201'), headers, secret))).toBe('NO_MATCHING_SIGNATURE');
    expect(await codeOf(verify(body, { ...headers, 'webhook-id': 'msg_2' }, secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    expect(await codeOf(verify(body, { ...headers, 'webhook-timestamp': String(ts - 1) }, secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    // Only unknown versions: well formed, but nothing this library can check.
    expect(await codeOf(verify(body, { ...headers, 'webhook-signature': 'v2,abcd' }, secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
  });

  it('INVALID_SECRET for unusable secrets, without echoing them', async () => {
    const headers = await headersAt(now());
    for (const bad of ['', 'whsec_', 'whsec_not base64!', 'whpk_c2hvcnQ=', 'whsk_c2hvcnQ=']) {
      const error = await errorOf(verify(body, headers, bad));
      expect(error.code).toBe('INVALID_SECRET');
      expect(error.status).toBe(500);
    }
    expect(await codeOf(verify(body, headers, []))).toBe('INVALID_SECRET');
    expect(() => createVerifier('whsec_%%%')).toThrow(WebhookVerificationError);
  });

  it('BODY_NOT_RAW for a parsed object, with how to fix it per framework', async () => {
    const headers = await headersAt(now());
    for (const parsed of [JSON.parse(body), undefined, null, 42, '[object Object]']) {
      const error = await errorOf(verify(parsed, headers, secret));
      expect(error.code).toBe('BODY_NOT_RAW');
      expect(error.message).toMatch(/express\.raw/);
      expect(error.message).toMatch(/Fastify/);
      expect(error.message).toMatch(/request\.text\(\)/);
    }
  });

  it('INVALID_PAYLOAD for a signed body that is not UTF-8', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x7b]);
    const ts = now();
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(ts),
      'webhook-signature': await sign(secret, 'm', ts, bytes),
    };
    expect(await codeOf(verifyRaw(bytes, headers, secret))).toBe('INVALID_PAYLOAD');
  });

  it('exports every error code as a stable string', () => {
    expect(Object.keys(ErrorCodes)).toEqual([
      'MISSING_HEADER',
      'INVALID_TIMESTAMP',
      'TIMESTAMP_TOO_OLD',
      'TIMESTAMP_TOO_NEW',
      'INVALID_SIGNATURE_FORMAT',
      'NO_MATCHING_SIGNATURE',
      'INVALID_SECRET',
      'INVALID_PAYLOAD',
      'BODY_NOT_RAW',
      'BODY_TOO_LARGE',
    ]);
    for (const [key, value] of Object.entries(ErrorCodes)) expect(value).toBe(key);
  });
});
