import { conflict, type HooklineError, notFound } from './errors.js';
import type { DeliveryStatus } from './model.js';
import {
  type EndpointRef,
  endpointDisabledEvent,
  endpointEnabledEvent,
  OPERATIONAL_APP_ID,
  type OperationalEvent,
} from './operational.js';

/**
 * The decisions around a stored change that both stores take the same way;
 * the stores only read the inputs and write what these decide.
 */

/** What a user's change of an endpoint's `disabled` flag implies, beyond the flag itself. */
export interface EndpointToggle {
  /**
   * Enabling starts over: breaker closed, failure run forgotten, or the next
   * failure would disable it again at once. (The endpoint's pending
   * deliveries leave and rejoin the queue by trigger, 007_one_queue_model.)
   */
  resetHealth: boolean;
  /** Whether to tell operators (endpoint.enabled / endpoint.disabled); never about Hookline's own endpoints. */
  announce: boolean;
  /** The operational event, once the store has looked up the endpoint's uids. */
  event(ref: EndpointRef): OperationalEvent;
}

/** Null when the change leaves `disabled` as it was. */
export function endpointToggle(
  appId: string,
  wasDisabled: boolean,
  disabled: boolean,
): EndpointToggle | null {
  if (wasDisabled === disabled) return null;
  return {
    resetHealth: !disabled,
    announce: appId !== OPERATIONAL_APP_ID,
    event: (ref) => (disabled ? endpointDisabledEvent(ref, 'manual', null) : endpointEnabledEvent(ref)),
  };
}

const BEING_SENT = 'this message is being sent to this endpoint right now';

/**
 * Resending a (message, endpoint) pair: null when allowed. A delivery being
 * sent right now is left to finish; anything else (none yet, pending, or
 * finished) becomes due now.
 */
export function resendRefusal(status: DeliveryStatus | undefined): HooklineError | null {
  return status === 'sending' ? conflict(BEING_SENT) : null;
}

/** Skipping (canceling) a delivery: only a pending one can be. Null when allowed. */
export function cancelRefusal(status: DeliveryStatus | undefined): HooklineError | null {
  if (status === undefined) return notFound('delivery of this message to this endpoint');
  if (status === 'pending') return null;
  if (status === 'sending') return conflict(BEING_SENT);
  return conflict(`this delivery is already ${status}; only a pending delivery can be skipped`);
}
