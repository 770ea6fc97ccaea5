import type { Operation } from './operation.js';
import { str } from './schema.js';

const NOT_BUILT = { mediaType: 'text/plain', description: 'The pages are not built (`npm run build`)' };

/**
 * The operator dashboard and the app portal (api/ui.ts): pages served without
 * a token (they hold no data; the token they are given decides what they may
 * do), under a strict Content-Security-Policy.
 */
export const pageOperations: Operation[] = [
  {
    method: 'GET',
    path: '/',
    operationId: 'hookline.ui.dashboard',
    tag: 'Pages',
    summary: 'The operator dashboard (signs in with the API token)',
    description: 'Never framed.',
    public: true,
    hookline: true,
    responses: { 200: { mediaType: 'text/html', description: 'The page' }, 503: NOT_BUILT },
  },
  {
    method: 'GET',
    path: '/portal',
    operationId: 'hookline.ui.portal',
    tag: 'Pages',
    summary: 'The app portal (opened with an app-portal token in the URL fragment)',
    description:
      'Framed only by the sites `--portal-frame-ancestors` names. `/portal/` is redirected (308) to `/portal`, ' +
      'query kept.',
    public: true,
    hookline: true,
    // Read by the page itself (ui/src/portal.tsx), so the embedding site can match its look.
    query: [
      { name: 'theme', schema: str({ enum: ['dark', 'light'] }), description: 'The colour scheme' },
      {
        name: 'accent',
        schema: str({ pattern: '^#?[0-9a-fA-F]{6}$' }),
        description: 'The accent colour, `#RRGGBB` (the `#` escaped as `%23`)',
      },
      {
        name: 'logo',
        schema: str({ maxLength: 2048 }),
        description:
          'A logo shown beside the application’s name: an `https:` URL (any other value is ignored; the portal’s CSP allows https images)',
      },
    ],
    responses: {
      200: { mediaType: 'text/html', description: 'The page' },
      308: null,
      503: NOT_BUILT,
    },
  },
  {
    method: 'GET',
    path: '/assets/{file}',
    operationId: 'hookline.ui.asset',
    tag: 'Pages',
    summary: 'The pages’ scripts and style sheets (names carry their content hash; cached a year)',
    public: true,
    hookline: true,
    responses: {
      200: { mediaTypes: ['application/javascript', 'text/css'], description: 'The file' },
    },
  },
];
