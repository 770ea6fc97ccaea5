import type { EndpointSecret } from '../core/model.js';

/**
 * How both backends keep an endpoint's secrets in one JSON column: expiry as
 * epoch milliseconds, so the value round-trips exactly.
 */
export type StoredSecret = { key: string; expiresAt: number | null };

export const fromStoredSecrets = (stored: StoredSecret[]): EndpointSecret[] =>
  stored.map((s) => ({ key: s.key, expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt) }));

/** The JSON text to store. */
export const storeSecrets = (secrets: EndpointSecret[]): string =>
  JSON.stringify(secrets.map((s) => ({ key: s.key, expiresAt: s.expiresAt?.getTime() ?? null })));
