import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config.js';

/** Where `npm run build` puts the pages (ui/vite.config.ts): the same path from src/api and from dist/api. */
export const UI_ROOT = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/**
 * The pages may load only this server's own files and talk only to its API:
 * no inline script or style, no CDN, no plugin, no base change, no form posts.
 * Payloads are rendered as text by the pages; the policy is the second wall.
 */
export function pagePolicy(frameAncestors: string, httpsImages = false): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The portal shows the embedding site's logo (`?logo=https://...`): https images there, nothing else.
    httpsImages ? "img-src 'self' data: https:" : "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, frameAncestors: string, httpsImages: boolean): FastifyReply {
  return reply
    .header('content-security-policy', pagePolicy(frameAncestors, httpsImages))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

/**
 * The operator dashboard at `/` and the app portal at `/portal`, both plain
 * clients of the public API (the token they hold decides what they may do),
 * served without a token: they hold no data. Only the portal may be framed,
 * by the sites `--portal-frame-ancestors` names. Without a build (a checkout
 * before `npm run build`) both answer 503 saying so.
 */
export async function registerUi(
  app: FastifyInstance,
  config: Pick<Config, 'portalFrameAncestors'>,
): Promise<void> {
  const built = existsSync(`${UI_ROOT}index.html`);
  // Two small files, read once: a build while the server runs is picked up at its restart.
  const html = (file: string) => (built ? readFileSync(`${UI_ROOT}${file}`, 'utf8') : '');
  const page = (file: string, frameAncestors: string, httpsImages = false) => {
    const body = html(file);
    return async (request: { url: string }, reply: FastifyReply) => {
      // The pages load ./assets/...: from /portal/ that would be /portal/assets.
      const [path = '', query] = request.url.split('?', 2);
      if (path.length > 1 && path.endsWith('/')) {
        return reply.redirect(`${path.replace(/\/+$/, '')}${query ? `?${query}` : ''}`, 308);
      }
      securityHeaders(reply, frameAncestors, httpsImages);
      if (!built) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The pages are not built: run `npm run build`.\n');
      }
      return reply.type('text/html; charset=utf-8').send(body);
    };
  };
  const open = { config: { public: true } };
  app.get('/', open, page('index.html', "'none'"));
  app.get('/portal', open, page('portal.html', config.portalFrameAncestors, true));
  if (!built) return;
  await app.register(async (assets) => {
    assets.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    assets.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      return payload;
    });
    await assets.register(fastifyStatic, {
      root: `${UI_ROOT}assets`,
      prefix: '/assets/',
      index: false,
      list: false,
      decorateReply: false,
      dotfiles: 'deny',
      // File names carry their content hash.
      immutable: true,
      maxAge: '365d',
    });
  });
}
