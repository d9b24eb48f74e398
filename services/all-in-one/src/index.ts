// `npm start`: the whole pipeline in one process. Ctrl-C stops intake, drains, commits, and stops the broker.
import { loadEnvOrExit } from '@wapipe/config';
import { serveUntilSignal, startOrExit } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { generateApiKey, generatedApiKeyNotice } from './generated-secrets.ts';
import { allInOneEnv, startPipeline } from './start.ts';

const env = loadEnvOrExit(allInOneEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'all-in-one' } });
const registry = createRegistry({ defaultMetrics: true });

const generatedKey = env.API_KEYS?.length ? undefined : generateApiKey();
if (generatedKey) env.API_KEYS = [generatedKey];

const pipeline = await startOrExit(logger, () => startPipeline(env, { logger, registry }));
logger.info('wapipe is up', { url: `http://localhost:${env.PORT}`, kafka: pipeline.brokers.join(',') });
if (generatedKey) process.stdout.write(generatedApiKeyNotice(generatedKey, env.PORT) + '\n');
serveUntilSignal({
  fetch: pipeline.app.fetch,
  port: env.PORT,
  logger,
  stop: () => pipeline.stop(),
  limits: {
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    maxConnections: env.MAX_CONNECTIONS,
  },
});
