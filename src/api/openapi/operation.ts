import type { Schema } from './schema.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface QueryParam {
  name: string;
  schema: Schema;
  description: string;
  /** A Hookline addition (`x-hookline`). */
  hookline?: boolean;
}

/**
 * A response: a component schema's name (JSON), `null` (no body) or other
 * media types (a route serving files of several types lists each).
 */
export type ResponseBody =
  | string
  | null
  | { mediaType: string; description: string }
  | { mediaTypes: readonly string[]; description: string };

/**
 * One route of the API as the document shows it. Adding a route means adding
 * one of these to its resource's file (src/api/openapi/*.ts); the coverage
 * test (test/api/openapi-routes.test.ts) names any route that has none.
 * Error responses (401, 404, 409, 422, 5XX...) are added by document.ts
 * from the method, the path and `public`.
 */
export interface Operation {
  method: Method;
  /** The path with `{param}` placeholders, as Fastify's `:param` reads in OpenAPI. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  query?: QueryParam[];
  /** The request body's component schema; `optional` when a bare request is accepted too. */
  body?: { schema: string; optional?: boolean };
  /** Success responses by status. */
  responses: Record<number, ResponseBody>;
  /** Answers without the API token. */
  public?: boolean;
  /** A Hookline route that Svix does not have (`x-hookline`). */
  hookline?: boolean;
  /** A 404 without a path parameter: the query names a resource that may not exist. */
  queryNotFound?: boolean;
  /** Error statuses beyond those its method, path and auth imply (a GET that can answer 409, say). */
  moreErrors?: readonly string[];
  /**
   * A route of the svix client Hookline answers 501 (routes/not-implemented.ts),
   * with why: shown `deprecated` with `x-hookline-not-implemented` giving the reason.
   */
  notImplemented?: string;
}

/** The media types a non-JSON response may have. */
export function mediaTypesOf(body: { mediaType: string } | { mediaTypes: readonly string[] }): string[] {
  return 'mediaTypes' in body ? [...body.mediaTypes] : [body.mediaType];
}
