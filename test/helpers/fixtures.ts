import { DEFAULTS, endpointPolicy } from '../../src/config.js';
import type { AttemptResult, ClaimedDelivery, EndpointInput } from '../../src/store/store.js';

/**
 * Store-level fixtures shared by the store, PostgreSQL and delivery tests, so
 * a new EndpointInput or AttemptResult field is added in one place.
 */

/** A valid whsec_ secret (the Standard Webhooks test vector's): fixed, so stored secrets can be compared. */
export const TEST_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** An endpoint with every option at its plain default; `over` replaces any field. */
export function endpointInput(over: Partial<EndpointInput> = {}): EndpointInput {
  return {
    uid: null,
    url: 'https://example.com/hook',
    description: '',
    version: 1,
    rateLimit: null,
    disabled: false,
    disabledReason: null,
    filterTypes: null,
    channels: null,
    metadata: {},
    headers: {},
    secrets: [{ key: TEST_SECRET, expiresAt: null }],
    maxInFlight: null,
    ordered: false,
    ...over,
  };
}

/**
 * What a worker would record for claimed delivery `c`: the attempt follows
 * the outcome (success: 200, no error class; otherwise 500, 'http'), and
 * `attempt` replaces any of its fields.
 */
export function attemptResult(
  c: ClaimedDelivery,
  outcome: AttemptResult['outcome'],
  attempt: Partial<AttemptResult['attempt']> = {},
): AttemptResult {
  const success = outcome.kind === 'success';
  return {
    deliveryId: c.deliveryId,
    leaseToken: c.leaseToken,
    outcome,
    attempt: {
      appId: c.message.appId,
      msgId: c.message.id,
      endpointId: c.endpoint.id,
      url: c.endpoint.url,
      status: success ? 'success' : 'fail',
      responseStatusCode: success ? 200 : 500,
      response: '',
      responseDurationMs: 1,
      errorClass: success ? null : 'http',
      trigger: c.trigger,
      createdAt: new Date(),
      ...attempt,
    },
  };
}

/** The endpoint policy of the default configuration, for tests that record attempts themselves. */
export const POLICY = endpointPolicy(DEFAULTS);
