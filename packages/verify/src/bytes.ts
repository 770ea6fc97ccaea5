import { fail } from './errors.js';

/** Raw request bodies this library accepts: the exact bytes that were signed. */
export type RawBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** Bytes backed by a plain ArrayBuffer, which is what Web Crypto accepts. */
export type Bytes = Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();
// fatal: a body that is not valid UTF-8 is reported as INVALID_PAYLOAD, not silently mangled.
const decoder = new TextDecoder('utf-8', { fatal: true });

export const utf8 = (text: string): Bytes => encoder.encode(text);

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw fail('INVALID_PAYLOAD', 'The body is not valid UTF-8');
  }
}

export const BODY_NOT_RAW_HELP =
  'A signature covers the exact bytes that were sent, and re-serializing parsed JSON changes them. ' +
  'Pass the raw body (string, Buffer, Uint8Array or ArrayBuffer). ' +
  "Express: mount the webhook route before express.json(), or use express.raw({ type: 'application/json' }), " +
  'or the expressWebhook() adapter. ' +
  "Fastify: register the fastifyWebhook plugin, or add a content-type parser with { parseAs: 'buffer' }. " +
  'Next.js route handlers / Web Request: pass await request.text(), not await request.json().';

/** Normalises a raw body to bytes; anything else is the classic "body was already parsed" bug. */
export function toBytes(body: unknown): Bytes {
  if (typeof body === 'string') {
    // What String(parsedObject) produces: the body was parsed and then stringified.
    if (body === '[object Object]') throw fail('BODY_NOT_RAW', `Got "[object Object]". ${BODY_NOT_RAW_HELP}`);
    return utf8(body);
  }
  // isView and the tag check (not instanceof) also accept Buffers and arrays from another realm.
  if (ArrayBuffer.isView(body)) {
    const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    // Web Crypto refuses views of a SharedArrayBuffer; slice() copies into a plain one.
    return isPlainBuffer(view.buffer) ? (view as Bytes) : view.slice();
  }
  if (isPlainBuffer(body)) return new Uint8Array(body);
  const got = body === null ? 'null' : typeof body === 'object' ? 'a parsed object' : typeof body;
  throw fail('BODY_NOT_RAW', `Got ${got} instead of the raw body. ${BODY_NOT_RAW_HELP}`);
}

const isPlainBuffer = (value: unknown): value is ArrayBuffer =>
  Object.prototype.toString.call(value) === '[object ArrayBuffer]';

/** Strict standard base64 (padding optional); undefined when the text is not base64. */
export function fromBase64(text: string): Bytes | undefined {
  if (text.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromHex(text: string): Bytes | undefined {
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Compares in time that depends only on the length (which is public: every
 * signature of a scheme has the same length), never on where bytes differ.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** HMAC-SHA256 over Web Crypto, so it runs in any Web-standard runtime. */
export async function hmacSha256(key: Bytes, data: Bytes): Promise<Bytes> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data));
}
