// The read API alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… API_KEYS=… npm start -w @wapipe/api`.
import { Hono } from 'hono';
import { loadEnvOrExit } from '@wapipe/config';
import {
  answerUnmatchedAsJson,
  healthRoutes,
  requestIdMiddleware,
  serveUntilSignal,
  startOrExit,
} from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { apiEnv } from './env.ts';
import { startApi } from './start.ts';

const env = loadEnvOrExit(apiEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'api' } });
if (!env.API_KEYS?.length) {
  logger.error('API_KEYS is required when the api runs alone: set API_KEYS=<key of 16+ characters>');
  process.exit(2);
}
const registry = createRegistry({ defaultMetrics: true, build: { service: 'api' } });
const api = await startOrExit(logger, () => startApi(env, { logger, registry }));
const root = new Hono();
root.use('*', requestIdMiddleware());
root.route(
  '/',
  healthRoutes({
    registry,
    checks: { kafka: () => api.kafka.isReachable(), clickhouse: () => api.ch.ping() },
  }),
);
root.route('/', api.app);
answerUnmatchedAsJson(root);
serveUntilSignal({ fetch: root.fetch, port: env.PORT, logger, stop: () => api.stop() });
