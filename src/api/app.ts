import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { hashApiToken } from '../core/api-token.js';
import { HooklineError, notFound } from '../core/errors.js';
import type { RelayHub } from '../delivery/relay.js';
import { metricsRoute, registerRequestObservation, requestId } from '../observe/http.js';
import type { Metrics } from '../observe/metrics.js';
import { registerRequestTracing } from '../observe/request-tracing.js';
import type { Tracing } from '../observe/tracing.js';
import type { Store } from '../store/store.js';
import { registerAuth, tokenCheck } from './auth.js';
import { registerJsonBody } from './body.js';
import type { ApiContext } from './context.js';
import { clientErrorHandler } from './client-errors.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import { registerUi } from './ui.js';
import { createPayloadChecks } from './payload-checks.js';
import { createTaskRunner } from './tasks.js';
import { closeIfBodyUnread, createHttpServer, DEFAULT_HTTP_LIMITS, type HttpLimits } from './transport.js';
import { hasNul } from './validate.js';
import { applicationRoutes } from './routes/applications.js';
import { attemptRoutes } from './routes/attempts.js';
import { authRoutes } from './routes/auth.js';
import { dashboardSignInRoutes } from './routes/dashboard-sign-in.js';
import { backgroundTaskRoutes } from './routes/background-tasks.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { deliveryStatsRoutes } from './routes/delivery-stats.js';
import { endpointHeaderRoutes } from './routes/endpoint-headers.js';
import { endpointOpsRoutes } from './routes/endpoint-ops.js';
import { endpointReplayRoutes } from './routes/endpoint-replay.js';
import { endpointSecretRoutes } from './routes/endpoint-secret.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventTypeImportRoutes } from './routes/event-type-import.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { healthRoutes } from './routes/health.js';
import { messageBatchRoutes } from './routes/message-batch.js';
import { messageContentRoutes } from './routes/message-content.js';
import { messagePrecheckRoutes } from './routes/message-precheck.js';
import { messageRoutes } from './routes/messages.js';
import { registerNotImplemented } from './routes/not-implemented.js';
import { operationalWebhookRoutes } from './routes/operational-webhooks.js';
import { listenRoutes } from './routes/listen.js';
import { streamRoutes } from './routes/stream.js';
import { createStreamRegistry } from './sse.js';
import { referenceRoutes } from './routes/reference.js';
import { statisticsRoutes } from './routes/statistics.js';

export interface ApiDeps {
  store: Store;
  config: Config;
  logger?: Logger;
  /**
   * Called after a request made deliveries due now: a message accepted with at
   * least one delivery, a resend, a skip (the next message of an ordered
   * endpoint), a recover that queued some again (when its background task
   * ends), an endpoint enabled or disabled (its operational event; enabling
   * also resumes its parked deliveries). The process's own worker then claims
   * at once instead of at its next poll (workers of other processes learn of
   * it from the store's watchDue, or their poll). If it throws, the error is
   * logged and the request still succeeds.
   */
  onWorkDue?: () => void;
  /** Serve only `GET /api/v1/health` (a worker-only process still answers probes). */
  healthOnly?: boolean;
  /** Why the in-process worker cannot work, for the health check (delivery/health.ts). */
  workerProblem?: () => string | null;
  /** Connection limits (transport.ts); `maxConnections` defaults to `config.maxConnections`. */
  limits?: Partial<HttpLimits>;
  /** The token's stored hash (core/api-token.ts); without it, config.apiToken is hashed. */
  apiTokenHash?: string;
  /**
   * The in-process worker's relay hub for `hookline listen` (delivery/relay.ts);
   * without one (an API-only process) the listen routes answer 409.
   */
  relay?: RelayHub;
  /** Counts requests by route and status; with `serveMetrics`, also answers `GET /metrics` (behind the token). */
  metrics?: Metrics | null;
  /** `GET /metrics` on this API (false when --metrics-port serves it on a listener of its own). */
  serveMetrics?: boolean;
  /** A span per request, and the accept's context stored with each message (observe/tracing.ts). */
  tracing?: Tracing | null;
}

/**
 * The Svix-compatible HTTP API under `/api/v1`, ready to `listen()`. The
 * caller owns listening and closing; closing waits for background tasks
 * (recover) started by requests.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { store, config } = deps;
  const tokenHash = deps.apiTokenHash ?? (config.apiToken === null ? null : hashApiToken(config.apiToken));
  if (tokenHash === null) {
    throw new HooklineError('CONFIG_INVALID', 'the API needs a token (config.apiToken or apiTokenHash)');
  }
  const limits: HttpLimits = {
    ...DEFAULT_HTTP_LIMITS,
    maxConnections: config.maxConnections,
    ...deps.limits,
  };
  const checkToken = tokenCheck(tokenHash, store);
  const app: FastifyInstance = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    serverFactory: (handler) => createHttpServer(handler, limits),
    clientErrorHandler,
    bodyLimit: config.maxBodyBytes,
    // A line per request would dominate the log at webhook volumes; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // The request id is in every log line of the request and in its answer's x-request-id.
    requestIdHeader: false,
    genReqId: requestId,
    // Errors Fastify raises before routing (a malformed %-escape, a path
    // parameter over maxParamLength) skip the hooks, so the token is checked
    // here: without it the answer is 401 whatever the path's shape, and a
    // stranger cannot tell existing routes from others by a 414.
    frameworkErrors: (err, request, reply) => {
      closeIfBodyUnread(request.raw, (name, value) => reply.header(name, value), limits);
      checkToken(request.headers).then(
        () => {
          // No id or uid is that long: no such resource (the path is not echoed).
          const tooLong = (err as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
          errorHandler(tooLong ? notFound('resource') : err, request, reply);
        },
        (authError: unknown) => errorHandler(authError, request, reply),
      );
    },
  });

  registerRequestObservation(app, deps.metrics ?? null);
  const requestTracing = registerRequestTracing(app, deps.tracing ?? null);
  const tasks = createTaskRunner(store, app.log);
  const ctx: ApiContext = {
    store,
    config,
    log: app.log,
    wake: () => {
      try {
        deps.onWorkDue?.();
      } catch (err) {
        app.log.error({ err }, 'onWorkDue failed');
      }
    },
    background: (kind, work) => tasks.start(kind, work),
    tasks,
    payloadChecks: createPayloadChecks(store),
    workerProblem: deps.workerProblem ?? (() => null),
    traceparent: requestTracing.traceparent,
  };

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  registerJsonBody(app, config.maxBodyBytes);
  registerAuth(app, checkToken, store);
  // Any answer given before the request's body was read closes the connection in stages.
  app.addHook('onSend', (request, reply, payload, done) => {
    closeIfBodyUnread(request.raw, (name, value) => reply.header(name, value), limits);
    done(null, payload);
  });
  // No id or uid holds a NUL (PostgreSQL text cannot even store one): no such resource.
  app.addHook('preValidation', (request, _reply, done) => {
    for (const value of Object.values(request.params ?? {})) {
      if (typeof value === 'string' && hasNul(value)) return done(notFound('resource'));
    }
    done();
  });
  registerIdempotency(app, store);
  app.addHook('onClose', async () => {
    await tasks.close();
  });

  const routeSets = [
    healthRoutes,
    applicationRoutes,
    eventTypeRoutes,
    eventTypeImportRoutes,
    endpointRoutes,
    endpointSecretRoutes,
    endpointHeaderRoutes,
    endpointOpsRoutes,
    endpointReplayRoutes,
    messageRoutes,
    messageBatchRoutes,
    messageContentRoutes,
    messagePrecheckRoutes,
    attemptRoutes,
    deliveryRoutes,
    operationalWebhookRoutes,
    backgroundTaskRoutes,
    statisticsRoutes,
    deliveryStatsRoutes,
    referenceRoutes,
    authRoutes,
    dashboardSignInRoutes,
  ];
  for (const routes of deps.healthOnly ? [healthRoutes] : routeSets) routes(app, ctx);
  if (!deps.healthOnly) {
    const streams = createStreamRegistry(app);
    streamRoutes(app, ctx, streams);
    listenRoutes(app, ctx, streams, deps.relay ?? null);
  }
  // A worker-only process serves it too: its deliveries are counted there.
  if (deps.metrics && deps.serveMetrics) metricsRoute(app, deps.metrics);
  if (!deps.healthOnly) await registerUi(app, config);
  // Last: the svix client's routes Hookline does not serve answer 501, not 404.
  if (!deps.healthOnly) registerNotImplemented(app);
  return app;
}
