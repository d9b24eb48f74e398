// `npm start`: the whole pipeline in one process. Ctrl-C stops intake, drains, commits, and stops the broker.
import { serve } from '@hono/node-server';
import { loadEnvOrExit } from '@wapipe/config';
import { createLogger, createRegistry } from '@wapipe/observability';
import { allInOneEnv, startPipeline } from './start.ts';

const env = loadEnvOrExit(allInOneEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'all-in-one' } });
const registry = createRegistry({ defaultMetrics: true });

let pipeline: Awaited<ReturnType<typeof startPipeline>>;
try {
  pipeline = await startPipeline(env, { logger, registry });
} catch (error) {
  logger.error('could not start', { error: (error as Error).message });
  process.exit(1);
}
const server = serve({ fetch: pipeline.app.fetch, port: env.PORT, hostname: '0.0.0.0' }, (info) => {
  logger.info('wapipe is up', { url: `http://localhost:${info.port}`, kafka: pipeline.brokers.join(',') });
  if (!env.API_KEYS?.length) logger.warn('API_KEYS is unset: /v1 routes answer 401 to everyone');
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: no new requests, draining, committing', { signal });
    server.close();
    void pipeline.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  });
}
