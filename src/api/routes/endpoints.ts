import type { FastifyInstance } from 'fastify';
import { type ApiContext, type AppParams, type EndpointParams, loadApp, loadEndpoint } from '../context.js';
import { inputOf, readEndpoint } from '../endpoint-input.js';
import { endpointOut } from '../out.js';
import { listOut, Query } from '../query.js';
import { targetUrlCheck } from '../target-url.js';
import { Fields } from '../validate.js';

/** Endpoint create, list, get, update (PUT), patch and delete. */
export function endpointRoutes(app: FastifyInstance, { store, config, wake }: ApiContext): void {
  // Enabling or disabling queues an operational event (and enabling makes parked deliveries due).
  const wakeIfToggled = (before: boolean, after: boolean) => {
    if (before !== after) wake();
  };
  const checkUrl = targetUrlCheck(config);
  app.get<{ Params: AppParams }>('/api/v1/app/:app_id/endpoint', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    q.oneOf('order', ['ascending'] as const);
    q.done();
    const application = await loadApp(store, request.params.app_id);
    return listOut(await store.endpoints.list(application.id, page), (e) => e.id, endpointOut);
  });

  app.post<{ Params: AppParams }>('/api/v1/app/:app_id/endpoint', async (request, reply) => {
    const application = await loadApp(store, request.params.app_id);
    const f = Fields.body(request.body);
    const input = readEndpoint(f, 'create', null, checkUrl);
    f.done();
    return reply.code(201).send(endpointOut(await store.endpoints.create(application.id, input)));
  });

  const path = '/api/v1/app/:app_id/endpoint/:endpoint_id';

  app.get<{ Params: EndpointParams }>(path, async (request) => {
    return endpointOut((await loadEndpoint(store, request.params)).endpoint);
  });

  // PUT and PATCH differ only in how readEndpoint treats fields the body leaves out.
  for (const mode of ['update', 'patch'] as const) {
    app.route<{ Params: EndpointParams }>({
      method: mode === 'update' ? 'PUT' : 'PATCH',
      url: path,
      handler: async (request) => {
        const { app: application, endpoint } = await loadEndpoint(store, request.params);
        let wasDisabled = endpoint.disabled;
        const updated = await store.endpoints.update(application.id, endpoint.id, (current) => {
          wasDisabled = current.disabled;
          const f = Fields.body(request.body);
          const input = readEndpoint(f, mode, inputOf(current), checkUrl);
          f.done();
          return input;
        });
        wakeIfToggled(wasDisabled, updated.disabled);
        return endpointOut(updated);
      },
    });
  }

  app.delete<{ Params: EndpointParams }>(path, async (request, reply) => {
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    await store.endpoints.delete(application.id, endpoint.id);
    return reply.code(204).send();
  });
}
