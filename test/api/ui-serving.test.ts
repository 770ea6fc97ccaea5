import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi } from './harness.js';

/**
 * How the server hands out the pages (src/api/ui.ts): without a token (they
 * hold no data), under a policy that allows only this server's own files,
 * the dashboard never framed, the portal framed by the sites configured.
 */
forEachBackend(
  'API: the dashboard and portal pages as served',
  (backend) => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend, { portalFrameAncestors: "'self' https://app.example.com" });
    });
    afterAll(() => api.close());

    it('serves the dashboard at / under a strict CSP, with no inline script and no cookie', async () => {
      const res = await api.http('GET', '/', { token: null });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe|https?:/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['set-cookie']).toBeUndefined();
      // Every script is a file of this server; none is inline.
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    });

    it('serves the portal at /portal, framed only by the configured sites', async () => {
      const res = await api.http('GET', '/portal?theme=dark', { token: null });
      expect(res.status).toBe(200);
      expect(String(res.headers['content-security-policy'])).toContain(
        "frame-ancestors 'self' https://app.example.com",
      );
      // The embedding site's logo (`?logo=https://...`) may load: https images, on the portal alone; still no unsafe-*.
      const portalCsp = String(res.headers['content-security-policy']);
      expect(portalCsp).toContain("img-src 'self' data: https:;");
      expect(portalCsp).toContain("script-src 'self';");
      expect(portalCsp).not.toMatch(/unsafe|http:/);
      const slash = await api.http('GET', '/portal/?theme=dark', { token: null });
      expect(slash.status).toBe(308);
      expect(slash.headers.location).toBe('/portal?theme=dark');
    });

    it('serves the built assets without a token, and nothing outside them', async () => {
      const page = await api.http('GET', '/', { token: null });
      const scripts = [...page.text.matchAll(/src="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const path of scripts) {
        const res = await api.http('GET', `/${path}`, { token: null });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
      expect((await api.http('GET', '/assets/../index.html', { token: null })).status).not.toBe(200);
      expect((await api.http('GET', '/assets/%2e%2e/portal.html', { token: null })).status).not.toBe(200);
      expect((await api.http('GET', '/assets/nothing.js', { token: null })).status).toBe(404);
    });

    it('still asks for a token everywhere else', async () => {
      expect((await api.http('GET', '/api/v1/app', { token: null })).status).toBe(401);
      expect((await api.http('GET', '/index.html', { token: null })).status).toBe(401);
      expect((await api.http('GET', '/no/such/page', { token: null })).status).toBe(401);
    });
  },
  ['sqlite'],
);
