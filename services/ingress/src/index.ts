// The ingress alone: `KAFKA_BROKERS=… npm start -w @wapipe/ingress`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadEnvOrExit } from '@wapipe/config';
import { healthRoutes } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { ingressEnv } from './env.ts';
import { startIngress } from './start.ts';

const env = loadEnvOrExit(ingressEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'ingress' } });
if (!env.KAFKA_BROKERS) {
  logger.error(
    'KAFKA_BROKERS is required when the ingress runs alone (npm start runs everything with a local broker)',
  );
  process.exit(2);
}
const registry = createRegistry({ defaultMetrics: true });
const ingress = await startIngress({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS }, { logger, registry });
const root = new Hono();
root.route('/', healthRoutes({ registry, checks: { kafka: () => ingress.kafka.isReachable() } }));
root.route('/', ingress.app);
const server = serve({ fetch: root.fetch, port: env.PORT, hostname: '0.0.0.0' }, (info) =>
  logger.info('ingress listening', { port: info.port }),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    server.close(() => {
      void ingress.stop().then(() => process.exit(0));
    });
  });
}
