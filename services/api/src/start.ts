// Wires the API to its own ClickHouse connection. Used by index.ts and by the all-in-one, which serve the
// app themselves.
import type { Hono } from 'hono';
import { clickhouseFromEnv } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Logger, Registry } from '@wapipe/observability';
import { createApiApp } from './app.ts';
import type { ApiEnv } from './env.ts';
import { createApiMetrics } from './metrics.ts';

export interface RunningApi {
  app: Hono;
  ch: ClickHouse;
  /** Closes the ClickHouse connection; the caller closes its HTTP server first. */
  stop(): Promise<void>;
}

export async function startApi(
  env: ApiEnv,
  context: { logger: Logger; registry: Registry },
): Promise<RunningApi> {
  const logger = context.logger.child({ service: 'api' });
  const ch = clickhouseFromEnv(env, { logger });
  const apiKeys = env.API_KEYS ?? [];
  if (apiKeys.length === 0) logger.warn('API_KEYS is empty: every /v1 route answers 401');
  const app = createApiApp({ ch, apiKeys, logger, metrics: createApiMetrics(context.registry) });
  return {
    app,
    ch,
    stop: () => ch.close(),
  };
}
