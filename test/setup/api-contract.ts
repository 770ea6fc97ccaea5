import { subscribe } from 'node:diagnostics_channel';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach } from 'vitest';

/**
 * Every Hookline API any test builds (buildApi, directly or through
 * startServer) has each response checked against the OpenAPI document
 * (test/helpers/openapi-contract.ts); a mismatch fails the test that caused
 * it. Fastify announces each instance it creates on the
 * `fastify.initialization` diagnostics channel, so no test harness needs to
 * opt in and no production code carries a test hook. Instances that register
 * no `/api/v1/` route (receivers in packages/verify tests) are left alone.
 */
const problems: string[] = [];
let checker: Promise<typeof import('../helpers/openapi-contract.js')> | undefined;

function instrument(app: FastifyInstance): void {
  let isHookline = false;
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/')) isHookline = true;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isHookline) return payload;
    try {
      checker ??= import('../helpers/openapi-contract.js');
      const { contractProblem } = await checker;
      const body =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      const problem = contractProblem({
        method: request.method,
        routeUrl: request.is404 ? undefined : request.routeOptions.url,
        query: request.query,
        requestBody: request.body,
        status: reply.statusCode,
        contentType: reply.getHeader('content-type')?.toString(),
        body,
      });
      if (problem) problems.push(problem);
    } catch (err) {
      problems.push(`the contract check itself failed: ${(err as Error).stack}`);
    }
    return payload;
  });
}

subscribe('fastify.initialization', (message) =>
  instrument((message as { fastify: FastifyInstance }).fastify),
);

function failOnProblems(): void {
  if (problems.length === 0) return;
  const found = problems.splice(0);
  throw new Error(
    `API responses that do not match the OpenAPI document (src/api/openapi/*.ts):\n${[...new Set(found)].join('\n')}`,
  );
}
afterEach(failOnProblems);
afterAll(failOnProblems);
