import type { FastifyInstance } from 'fastify';
import { type ApiContext, type EndpointParams, loadEndpoint } from '../context.js';
import { inputOf } from '../endpoint-input.js';
import { checkHeaders, headersOut, mergeHeaders } from '../headers.js';
import { Fields } from '../validate.js';

/** GET, PUT (replace all) and PATCH (merge, `deleteHeaders`) of an endpoint's custom headers. */
export function endpointHeaderRoutes(app: FastifyInstance, { store }: ApiContext): void {
  const path = '/api/v1/app/:app_id/endpoint/:endpoint_id/headers';

  app.get<{ Params: EndpointParams }>(path, async (request) => {
    const { endpoint } = await loadEndpoint(store, request.params);
    return headersOut(endpoint.headers);
  });

  app.put<{ Params: EndpointParams }>(path, async (request, reply) => {
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    const f = Fields.body(request.body);
    const headers = f.stringMap('headers', { required: true, maxValue: 4096 });
    checkHeaders(f, 'headers', headers);
    f.done();
    await store.endpoints.update(application.id, endpoint.id, (current) => ({
      ...inputOf(current),
      headers: headers ?? {},
    }));
    return reply.code(204).send();
  });

  app.patch<{ Params: EndpointParams }>(path, async (request, reply) => {
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    const f = Fields.body(request.body);
    const updates = f.stringMap('headers', { required: true, maxValue: 4096 });
    checkHeaders(f, 'headers', updates);
    const remove = f.stringList('deleteHeaders', { min: 1, max: 256 });
    f.done();
    await store.endpoints.update(application.id, endpoint.id, (current) => ({
      ...inputOf(current),
      headers: mergeHeaders(current.headers, updates ?? {}, remove ?? []),
    }));
    return reply.code(204).send();
  });
}
