import { Hono } from 'hono';
import { z } from 'zod';
import type { Registry } from '@wapipe/observability';
import type { OperationDoc } from './openapi/operation.ts';

export type ReadinessChecks = Record<string, () => Promise<boolean>>;

interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | 'unavailable'>;
}

const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'unavailable'])),
});

export const healthOperations: readonly OperationDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tag: 'Operations',
    summary: 'The process is up (liveness)',
    security: 'none',
    response: { status: 200, description: 'Up.', schema: z.object({ status: z.literal('ok') }) },
    errors: {},
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    tag: 'Operations',
    summary: 'Kafka (and ClickHouse, where the service uses it) answer (readiness)',
    description:
      'Each check is cached for a second, so probes cost one round trip per dependency per second.',
    security: 'none',
    response: {
      status: 200,
      description: 'Every dependency answers.',
      schema: Readiness,
      example: { status: 'ready', checks: { kafka: 'ok', clickhouse: 'ok' } },
    },
    alsoAnswers: [
      {
        status: 503,
        description: 'A dependency does not answer (the same body, naming it).',
        schema: Readiness,
        example: { status: 'unavailable', checks: { kafka: 'ok', clickhouse: 'unavailable' } },
      },
    ],
    errors: {},
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tag: 'Operations',
    summary: 'Prometheus metrics in the text exposition format',
    security: 'none',
    response: { status: 200, description: 'The metrics.', contentType: 'text/plain; version=0.0.4' },
    errors: {},
  },
];

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
