import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/**
 * PostgreSQL and Redis tests run against the real local servers. Where none
 * runs they are skipped with a visible notice, unless HOOKLINE_REQUIRE_SERVICES=1
 * (CI), where an unreachable service is a failing test.
 */
export const PG_URL = process.env.HOOKLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.HOOKLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = process.env.HOOKLINE_REQUIRE_SERVICES === '1';

/** Resolves to undefined when reachable, or to the reason it is not. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function probeRedis(): Promise<string | undefined> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return String(error);
  } finally {
    client.disconnect();
  }
}

/** `describe` when the service answered; otherwise a visible skip, or a failure when services are required. */
export function describeWithService(service: string, unreachable: string | undefined, fn: () => void): void {
  if (unreachable === undefined) {
    describe(service, fn);
  } else if (required) {
    describe(service, () => {
      it(`${service} is reachable (HOOKLINE_REQUIRE_SERVICES=1)`, () => {
        throw new Error(`${service} is required but unreachable: ${unreachable}`);
      });
    });
  } else {
    console.warn(`\n[@hookline/verify] SKIPPING ${service} tests: not reachable (${unreachable}).`);
    console.warn('  Set HOOKLINE_REQUIRE_SERVICES=1 to make this a failure.\n');
    describe.skip(service, fn);
  }
}
