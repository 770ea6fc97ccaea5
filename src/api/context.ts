import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { notFound } from '../core/errors.js';
import type { Application, Endpoint, Message } from '../core/model.js';
import { OPERATIONAL_APP_ID } from '../core/operational.js';
import type { Store } from '../store/store.js';

import type { PayloadChecks } from './payload-checks.js';
import type { BackgroundTask, TaskRunner } from './tasks.js';

/** What every route needs: the store, the config and a way to wake the worker. */
export interface ApiContext {
  store: Store;
  config: Config;
  /** Tells the in-process worker that deliveries are due now. */
  wake: () => void;
  log: FastifyBaseLogger;
  /**
   * Records a background task of kind `task` (recover, replay, ...) in the
   * store and runs `work` after the response; clients poll it; awaited when
   * the server closes. Resolves to the task as it starts; what `work` returns
   * becomes its `data`.
   */
  background: (task: string, work: () => Promise<Record<string, unknown>>) => Promise<BackgroundTask>;
  tasks: TaskRunner;
  /** Payload validation for event types with `validateSchema` (payload-checks.ts). */
  payloadChecks: PayloadChecks;
  /** Why the in-process delivery worker cannot work (its claims keep failing), or null; health answers 503 then. */
  workerProblem: () => string | null;
  /** The trace context a message accepted by this request is stored with (observe/request-tracing.ts), or null. */
  traceparent: (request: FastifyRequest) => string | null;
}

export interface AppParams {
  app_id: string;
}
export interface EndpointParams extends AppParams {
  endpoint_id: string;
}
export interface MessageParams extends AppParams {
  msg_id: string;
}

/** The application by id or uid, or a 404 (also for Hookline's hidden operational application). */
export async function loadApp(store: Store, idOrUid: string): Promise<Application> {
  const app = await store.apps.get(idOrUid);
  if (!app || app.id === OPERATIONAL_APP_ID) throw notFound('application');
  return app;
}

/** The endpoint by id or uid within the app (itself by id or uid), or a 404. */
export async function loadEndpoint(
  store: Store,
  params: EndpointParams,
): Promise<{ app: Application; endpoint: Endpoint }> {
  const app = await loadApp(store, params.app_id);
  const endpoint = await store.endpoints.get(app.id, params.endpoint_id);
  if (!endpoint) throw notFound('endpoint');
  return { app, endpoint };
}

export async function loadMessage(
  store: Store,
  params: MessageParams,
): Promise<{ app: Application; message: Message }> {
  const app = await loadApp(store, params.app_id);
  const message = await store.messages.get(app.id, params.msg_id);
  if (!message) throw notFound('message');
  return { app, message };
}
