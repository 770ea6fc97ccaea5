import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { openApiDocument } from '../openapi/document.js';

/**
 * The reference page allows only its own script, style sheet and the
 * document: no inline script or style, no other origin, never framed.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's files, read once: they sit beside this code (copied into dist/ by scripts/copy-sql.mjs). */
const ASSETS = {
  page: { file: 'index.html', type: 'text/html; charset=utf-8' },
  script: { file: 'docs.js', type: 'text/javascript; charset=utf-8' },
  style: { file: 'docs.css', type: 'text/css; charset=utf-8' },
} as const;
const cache = new Map<string, string>();
function asset(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`../docs-page/${file}`, import.meta.url), 'utf8');
    cache.set(file, text);
  }
  return text;
}

/**
 * `GET /api/v1/openapi.json` and the `/docs` page rendered from it, without a
 * token: the contract is public (as Svix's is), holds no data, and a browser
 * opening /docs has no way to send the API token.
 */
export function referenceRoutes(app: FastifyInstance, _ctx: ApiContext): void {
  const open = { config: { public: true } };
  // Serialized once: the document does not change while Hookline runs.
  let documentText: string | undefined;
  app.get('/api/v1/openapi.json', open, async (_request, reply) => {
    documentText ??= JSON.stringify(openApiDocument());
    return reply.type('application/json; charset=utf-8').send(documentText);
  });

  for (const [path, { file, type }] of [
    ['/docs', ASSETS.page],
    ['/docs/docs.js', ASSETS.script],
    ['/docs/docs.css', ASSETS.style],
  ] as const) {
    app.get(path, open, async (_request, reply) => {
      return reply
        .type(type)
        .header('content-security-policy', PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(asset(file));
    });
  }
}
