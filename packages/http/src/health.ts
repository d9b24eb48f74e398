import { Hono } from 'hono';
import type { Registry } from '@wapipe/observability';

export type ReadinessChecks = Record<string, () => Promise<boolean>>;

/** /healthz (the process answers), /readyz (every dependency answers), /metrics (Prometheus text). */
export function healthRoutes(options: { registry: Registry; checks: ReadinessChecks }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((n) => options.checks[n]!().catch(() => false)));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i] ? 'ok' : 'unavailable']));
    const ready = results.every(Boolean);
    return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', options.registry.contentType);
    return c.body(await options.registry.metrics());
  });
  return app;
}
