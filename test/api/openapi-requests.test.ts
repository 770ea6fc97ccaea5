import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPERATIONS, SCHEMAS } from '../../src/api/openapi/document.js';
import { forEachBackend } from '../helpers/backends.js';
import { type SampleMode, sample } from '../helpers/schema-samples.js';
import { createRelayHub } from '../../src/delivery/relay.js';
import type { ClaimedDelivery } from '../../src/store/store.js';
import { type ApiHarness, startApi } from './harness.js';

/**
 * The other direction of the request check in test/setup/api-contract.ts
 * (there: whatever the API accepted, the document allows): whatever the
 * document allows, the API accepts. For every route with a request body,
 * samples of its documented schema (required fields only, every field, every
 * field null where allowed) are sent to a real API, which must answer 2xx.
 */
type Body = Record<string, unknown>;
let serial = 0;

/** Fields that must be unique get a fresh value, so a sample never meets an earlier one (409). */
function fresh(body: Body, operationId: string): Body {
  serial += 1;
  const out = { ...body };
  for (const key of ['uid', 'eventId']) if (typeof out[key] === 'string') out[key] = `${out[key]}-${serial}`;
  if (operationId === 'v1.event-type.create') out.name = `sample.type-${serial}`;
  // A rule between two fields, said in the description only: `until` comes after `since`.
  if (operationId === 'v1.endpoint.recover' && typeof out.until === 'string')
    out.until = new Date().toISOString();
  // A rule against the stored type (an earlier sample opted it in): a type that validates keeps a schema.
  if (operationId === 'v1.event-type.patch' && out.schemas === null) out.validateSchema = false;
  return out;
}

forEachBackend(
  'every request body the document allows, the API accepts',
  (backend) => {
    let api: ApiHarness;
    // By id: a sample may change the uids.
    const params: Record<string, string> = { event_type_name: 'sample.type' };
    let endpointId = '';
    // The listen routes need a relay hub, and a result needs a relayed request waiting for it.
    const relay = createRelayHub();
    const waitingRequest = async (): Promise<string> => {
      let requestId = '';
      relay.connect(endpointId, (r) => {
        requestId = r.requestId;
      });
      const claim = {
        message: { id: 'msg_sample', eventType: 'sample.type', payload: '{}' },
        endpoint: { id: endpointId },
        attempts: 0,
      } as ClaimedDelivery;
      void relay.deliver(claim, {}, 10_000);
      return requestId;
    };
    beforeAll(async () => {
      api = await startApi(backend, {}, false, {}, relay);
      params.app_id = (
        await api.http('POST', '/api/v1/app', { body: { name: 'Acme', uid: 'acme' } })
      ).json.id;
      const endpoint = await api.http('POST', `/api/v1/app/${params.app_id}/endpoint`, {
        body: { url: 'https://shop.example/a', uid: 'ep-a' },
      });
      endpointId = endpoint.json.id;
      await api.http('POST', '/api/v1/event-type', { body: { name: 'sample.type', description: 'a type' } });
    });
    afterAll(() => api.close());

    const withBody = OPERATIONS.filter((op) => op.body !== undefined);
    it('covers every route with a body', () => {
      expect(withBody.length).toBeGreaterThanOrEqual(18);
    });

    for (const op of withBody) {
      it(`${op.method} ${op.path} (${op.body?.schema})`, async () => {
        if (op.path.startsWith('/api/v1/operational-webhook/endpoint/')) {
          const created = await api.http('POST', '/api/v1/operational-webhook/endpoint', {
            body: { url: 'https://ops.example/hook' },
          });
          params.endpoint_id = created.json.id;
        } else {
          params.endpoint_id = endpointId;
        }
        const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? name);
        const schema = { $ref: `#/components/schemas/${op.body?.schema}` };
        for (const mode of ['required', 'full', 'nulls'] as SampleMode[]) {
          const body = fresh(sample(schema, SCHEMAS, mode) as Body, op.operationId);
          if (op.operationId === 'hookline.listen.result') body.requestId = await waitingRequest();
          // A sign-in code works once: each sample trades a fresh one.
          if (op.operationId === 'hookline.authentication.dashboard-sign-in-exchange') {
            body.code = (await api.http('POST', '/api/v1/auth/dashboard-sign-in')).json.code;
          }
          const res = await api.http(op.method, path, { body });
          expect(res.status, `${mode} ${JSON.stringify(body)} -> ${res.text}`).toBeLessThan(300);
        }
      });
    }
  },
  ['sqlite'],
);
