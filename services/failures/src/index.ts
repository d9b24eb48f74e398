// The failures consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/failures`.
// Not runConsumerMain: this service also runs the alert notifier and scrape-time gauges, which must stop
// with it.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadEnvOrExit } from '@wapipe/config';
import { healthRoutes } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { failuresEnv, startFailures } from './app.ts';

const env = loadEnvOrExit(failuresEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'failures' } });
if (!env.KAFKA_BROKERS) {
  logger.error(
    'KAFKA_BROKERS is required when failures runs alone (npm start runs everything with a local broker)',
  );
  process.exit(2);
}
const registry = createRegistry({ defaultMetrics: true });
const running = await startFailures({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS }, { logger, registry });
const app = new Hono();
app.route(
  '/',
  healthRoutes({
    registry,
    checks: { kafka: () => running.kafka.isReachable(), clickhouse: () => running.ch.ping() },
  }),
);
const server = serve({ fetch: app.fetch, port: env.PORT, hostname: '0.0.0.0' });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    server.close();
    void running.stop().then(() => process.exit(0));
  });
}
