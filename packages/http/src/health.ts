import { Hono } from 'hono';
import type { Registry } from '@wapipe/observability';

export type ReadinessChecks = Record<string, () => Promise<boolean>>;

interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | 'unavailable'>;
}

/**
 * /healthz (the process answers), /readyz (every dependency answers), /metrics (Prometheus text).
 * /readyz is unauthenticated and each check is a network round trip: its answer is reused for
 * `readyCacheMs`, and callers arriving while a check runs share it, so a flood of probes costs one check
 * per dependency per interval.
 */
export function healthRoutes(options: {
  registry: Registry;
  checks: ReadinessChecks;
  readyCacheMs?: number;
}): Hono {
  const cacheMs = options.readyCacheMs ?? 1_000;
  let cached: { at: number; result: Promise<Readiness> } | undefined;
  const check = async (): Promise<Readiness> => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((n) => options.checks[n]!().catch(() => false)));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i] ? 'ok' : 'unavailable'] as const));
    return { ready: results.every(Boolean), checks };
  };

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const now = performance.now();
    if (!cached || now - cached.at > cacheMs) cached = { at: now, result: check() };
    const { ready, checks } = await cached.result;
    return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', options.registry.contentType);
    return c.body(await options.registry.metrics());
  });
  return app;
}
