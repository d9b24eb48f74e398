// The ingress alone: `KAFKA_BROKERS=… npm start -w @wapipe/ingress`.
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
import { ingressEnv } from './env.ts';
import { startIngress } from './start.ts';

const env = loadEnvOrExit(ingressEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'ingress' } });
if (!env.API_KEYS?.length) {
  logger.error(
    'API_KEYS is required when the ingress runs alone: set API_KEYS=<key of 16+ characters>[,read:<key>…]',
  );
  process.exit(2);
}
if (!env.SESSIONS_ENCRYPTION_KEY) {
  logger.error(
    'SESSIONS_ENCRYPTION_KEY is required when the ingress runs alone: 32 random bytes in base64 (openssl rand -base64 32)',
  );
  process.exit(2);
}
const registry = createRegistry({
  defaultMetrics: true,
  build: { service: 'ingress' },
});
const ingress = await startOrExit(logger, () => startIngress(env, { logger, registry }));
const root = new Hono();
root.use('*', requestIdMiddleware());
root.route('/', healthRoutes({ registry, checks: { kafka: () => ingress.kafka.isReachable() } }));
root.route('/', ingress.app);
answerUnmatchedAsJson(root);
serveUntilSignal({
  fetch: root.fetch,
  port: env.PORT,
  logger,
  stop: () => ingress.stop(),
  limits: {
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    maxConnections: env.MAX_CONNECTIONS,
  },
});
