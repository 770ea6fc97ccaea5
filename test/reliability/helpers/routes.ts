import type { FastifyInstance } from 'fastify';

export interface Route {
  method: string;
  /** Fastify's pattern, e.g. `/api/v1/app/:app_id/msg`. */
  url: string;
  /** Parameter names in order, e.g. `['app_id']`. */
  params: string[];
}

/**
 * Every route the instance serves, read from `printRoutes({ commonPrefix:
 * false })`: a tree whose lines are `<indent><label> (METHOD, ...)`, four
 * columns per level; a route's path is its labels joined as they are (`/` +
 * `api/v1/app` + `/:app_id`). Reading the running instance (not a hand-kept list)
 * means a route added later is fuzzed without anyone remembering to.
 */
export function listRoutes(app: FastifyInstance): Route[] {
  const stack: string[] = [];
  const routes: Route[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│├└─]*)(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4 - 1;
    stack.length = depth;
    stack.push(m[2]!);
    const url = stack.join('');
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) {
      routes.push({ method, url, params: [...url.matchAll(/:([a-z_]+)/g)].map((p) => p[1]!) });
    }
  }
  return routes;
}
