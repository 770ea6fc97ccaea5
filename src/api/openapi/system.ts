import type { Operation } from './operation.js';

/** Health, and the document and reference page themselves: all answer without a token. */
export const systemOperations: Operation[] = [
  {
    method: 'GET',
    path: '/api/v1/health',
    operationId: 'v1.health.get',
    tag: 'Health',
    summary: 'Is this process able to work',
    description:
      '204 while the store takes a write, no request failed for want of it in the last 5 s and the in-process worker is not failing; 503 `store_unavailable` otherwise.',
    public: true,
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: '/api/v1/health/ping',
    operationId: 'v1.health.ping',
    tag: 'Health',
    summary: 'Is this process answering HTTP (liveness; HEAD too)',
    description:
      '204 whenever the process answers at all: it touches no store, so a database outage never gets a healthy ' +
      'process restarted. Readiness is `GET /api/v1/health`.',
    public: true,
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: '/metrics',
    operationId: 'hookline.metrics.get',
    tag: 'Health',
    summary: 'Prometheus metrics (text format)',
    description:
      'Behind the API token on the API port; with `--metrics-port` served on its own listener instead (no token), ' +
      'and not on the API port. README, Observe it, lists the metrics.',
    hookline: true,
    responses: { 200: { mediaType: 'text/plain', description: 'Prometheus text exposition format 0.0.4' } },
  },
  {
    method: 'GET',
    path: '/api/v1/openapi.json',
    operationId: 'hookline.openapi.get',
    tag: 'Reference',
    summary: 'This document (OpenAPI 3.1)',
    description: 'Public, like Svix’s own spec: it holds no data, only the contract of the routes.',
    public: true,
    hookline: true,
    responses: { 200: 'OpenApiDocument' },
  },
  {
    method: 'GET',
    path: '/docs',
    operationId: 'hookline.docs.page',
    tag: 'Reference',
    summary: 'The API reference page, rendered from this document',
    public: true,
    hookline: true,
    responses: { 200: { mediaType: 'text/html', description: 'The page' } },
  },
  {
    method: 'GET',
    path: '/docs/docs.js',
    operationId: 'hookline.docs.script',
    tag: 'Reference',
    summary: 'The reference page’s script',
    public: true,
    hookline: true,
    responses: { 200: { mediaType: 'text/javascript', description: 'The script' } },
  },
  {
    method: 'GET',
    path: '/docs/docs.css',
    operationId: 'hookline.docs.style',
    tag: 'Reference',
    summary: 'The reference page’s style sheet',
    public: true,
    hookline: true,
    responses: { 200: { mediaType: 'text/css', description: 'The style sheet' } },
  },
];
