// `npm start`: the whole pipeline in one process. Ctrl-C stops intake, drains, commits, and stops the broker.
import { loadEnvOrExit } from '@wapipe/config';
import { serveUntilSignal, startOrExit } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { allInOneEnv, startPipeline } from './start.ts';

const env = loadEnvOrExit(allInOneEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'all-in-one' } });
const registry = createRegistry({
  defaultMetrics: true,
  build: { service: 'all-in-one' },
});

const pipeline = await startOrExit(logger, () => startPipeline(env, { logger, registry }));
if (!env.API_KEYS?.length) logger.warn('API_KEYS is unset: /v1 routes answer 401 to everyone');
logger.info('wapipe is up', { url: `http://localhost:${env.PORT}`, kafka: pipeline.brokers.join(',') });
serveUntilSignal({ fetch: pipeline.app.fetch, port: env.PORT, logger, stop: () => pipeline.stop() });
