import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Two pages, one bundle graph: the operator dashboard (index.html, served at
 * `/`) and the app portal (portal.html, served at `/portal`). Built into
 * dist/ui beside the server code; relative asset URLs so both pages work
 * under a proxy's path prefix. JSX goes to Preact's runtime without a plugin.
 */
export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // No inline script or style anywhere: the CSP allows only files from this server.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { dashboard: `${here}index.html`, portal: `${here}portal.html` },
    },
  },
});
