import { NOT_IMPLEMENTED } from '../routes/not-implemented.js';
import type { Operation } from './operation.js';

/** `POST /api/v1/stream/{stream_id}/sink` as `unserved.post.api-v1-stream-stream_id-sink`. */
const operationId = (method: string, path: string): string =>
  `unserved.${method.toLowerCase()}.${path
    .replace(/[{}]/g, '')
    .split('/')
    .filter((part) => part !== '')
    .join('-')}`;

/**
 * The routes of the svix client Hookline answers 501, from the same list that
 * registers them (routes/not-implemented.ts): shown deprecated, with the
 * reason in `x-hookline-not-implemented`, so a reader of the document learns
 * the feature is missing rather than finding nothing. `served` leaves out
 * any route another entry documents, as registerNotImplemented skips any
 * route already registered.
 */
export function notImplementedOperations(served: readonly Operation[]): Operation[] {
  const documented = new Set(served.map((op) => `${op.method} ${op.path}`));
  return NOT_IMPLEMENTED.filter(([method, path]) => !documented.has(`${method} ${path}`)).map(
    ([method, path, why]) => ({
      method,
      path,
      operationId: operationId(method, path),
      tag: 'Not served',
      summary: `Not served by Hookline: ${why}`,
      description:
        'A route of the svix client: Hookline answers 501 `not_implemented`, its `detail` saying why.',
      responses: { 501: 'HttpErrorOut' },
      notImplemented: why,
    }),
  );
}
