// The read API alone: `CLICKHOUSE_URL=… API_KEYS=… npm start -w @wapipe/api`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadEnvOrExit } from '@wapipe/config';
import { healthRoutes } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { apiEnv } from './env.ts';
import { startApi } from './start.ts';

const env = loadEnvOrExit(apiEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'api' } });
const registry = createRegistry({ defaultMetrics: true });
const api = await startApi(env, { logger, registry });
const root = new Hono();
root.route('/', healthRoutes({ registry, checks: { clickhouse: () => api.ch.ping() } }));
root.route('/', api.app);
const server = serve({ fetch: root.fetch, port: env.PORT, hostname: '0.0.0.0' }, (info) =>
  logger.info('api listening', { port: info.port }),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    server.close(() => {
      void api.stop().then(() => process.exit(0));
    });
  });
}
