import { describe, expect, it } from 'vitest';
import { consoleRoutes } from './console.ts';

const app = consoleRoutes();

describe('the console’s files', () => {
  it('serves the page with its content type, an ETag and a policy allowing only this origin', async () => {
    const res = await app.request('/console');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    const again = await app.request('/console', { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves its modules, its stylesheet and uPlot with their content types', async () => {
    const types: Record<string, string> = {
      '/console/app.js': 'text/javascript; charset=utf-8',
      '/console/pages/overview.js': 'text/javascript; charset=utf-8',
      '/console/style.css': 'text/css; charset=utf-8',
      '/console/vendor/uplot/uPlot.esm.js': 'text/javascript; charset=utf-8',
      '/console/vendor/uplot/uPlot.min.css': 'text/css; charset=utf-8',
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
    }
  });

  it('every module the page imports is one it serves', async () => {
    const html = await (await app.request('/console')).text();
    const pending = [...html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]!);
    const seen = new Set<string>();
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      if (!path.endsWith('.js')) continue;
      // Static imports, and the pages each loaded by a dynamic import() when it opens.
      const text = await res.text();
      const specs = [
        ...text.matchAll(/^import [^'"]*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const [, spec] of specs) {
        pending.push(spec!.startsWith('/') ? spec! : new URL(spec!, `http://x${path}`).pathname);
      }
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('answers a file it does not have by passing it on (the app answers 404)', async () => {
    expect((await app.request('/console/nope.js')).status).toBe(404);
    expect((await app.request('/console/../package.json')).status).toBe(404);
  });
});
