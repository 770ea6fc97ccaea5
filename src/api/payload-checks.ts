import type { ValidateFunction } from 'ajv';
import { checkPayload, validatorFor } from '../core/payload-schema.js';
import type { Store } from '../store/store.js';

/**
 * How long an event type's validation rule is trusted before it is read
 * again. Writes through this process forget it at once; another API process
 * sees a change within this time.
 */
const RULE_TTL_MS = 5_000;
const MAX_RULES = 1024;

/**
 * Payload validation at message accept, for event types that opted in
 * (`validateSchema`). The rule per type is cached briefly so that a message
 * costs no extra read in the common case; compiled schemas are cached by
 * core/payload-schema.ts.
 */
export function createPayloadChecks(store: Store, now: () => number = Date.now) {
  const rules = new Map<string, { at: number; validate: ValidateFunction | null }>();
  const ruleFor = async (eventType: string) => {
    const cached = rules.get(eventType);
    if (cached && now() - cached.at < RULE_TTL_MS) return cached.validate;
    const type = await store.eventTypes.get(eventType);
    // A stored schema that no longer compiles (a newer validator) validates nothing rather than refusing every message.
    let validate: ValidateFunction | null = null;
    if (type?.validateSchema) {
      try {
        validate = validatorFor(type.schemas);
      } catch {
        validate = null;
      }
    }
    if (rules.size >= MAX_RULES) rules.clear();
    rules.set(eventType, { at: now(), validate });
    return validate;
  };
  return {
    /** Throws a 422 naming the failing paths when the type validates and the payload fails. */
    async check(
      eventType: string,
      payload: unknown,
      loc: (string | number)[] = ['body', 'payload'],
    ): Promise<void> {
      const validate = await ruleFor(eventType);
      if (validate) checkPayload(validate, payload, loc);
    },
    /** An event type was written: read its rule afresh next time. */
    forget(eventType: string): void {
      rules.delete(eventType);
    },
  };
}

export type PayloadChecks = ReturnType<typeof createPayloadChecks>;
