/**
 * @hookline/verify: verify webhook signatures (Standard Webhooks, Stripe,
 * GitHub, Shopify, Slack) and handle each delivery exactly once.
 */
export {
  ErrorCodes,
  type ErrorCode,
  WebhookVerificationError,
  isWebhookVerificationError,
} from './errors.js';
export type { RawBody } from './bytes.js';
export type { HeaderSource } from './headers.js';
export { generateSecret } from './keys.js';
export {
  createVerifier,
  verify,
  verifyRaw,
  type VerifiedWebhook,
  type Verifier,
  type VerifyOptions,
} from './standard.js';
export { sign, testHeaders, type TestHeadersOptions, type TestRequest } from './sign.js';

export type { ProviderOptions, ProviderWebhook } from './providers/common.js';
export { verifyStripe } from './providers/stripe.js';
export { verifyGithub } from './providers/github.js';
export { verifyShopify } from './providers/shopify.js';
export { verifySlack } from './providers/slack.js';

export type { WebhookAdapterOptions, WebhookEvent } from './adapters/core.js';
export { nodeWebhook, readRawBody, type NodeWebhookOptions } from './adapters/node.js';
export { expressWebhook } from './adapters/express.js';
export {
  fastifyWebhook,
  type FastifyWebhookOptions,
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from './adapters/fastify.js';
export { fetchWebhook } from './adapters/web.js';

export {
  createIdempotencyGuard,
  DEFAULT_LOCK_MS,
  DEFAULT_RETENTION_MS,
  type ClaimState,
  type IdempotencyGuard,
  type IdempotencyGuardOptions,
  type IdempotencyStore,
  type OnceResult,
} from './idempotency/guard.js';
export { memoryStore, type MemoryStoreOptions } from './idempotency/memory.js';
export { sqliteStore, type SqliteDatabaseLike, type SqlStoreOptions } from './idempotency/sqlite.js';
export { postgresStore, type PgQueryable } from './idempotency/postgres.js';
export { redisStore, type RedisLike, type RedisStoreOptions } from './idempotency/redis.js';
