// `npm start`: the whole pipeline in one process. Ctrl-C stops intake, drains, commits, and stops the broker.
import { dirname, join } from 'node:path';
import { loadEnvOrExit } from '@wapipe/config';
import { serveUntilSignal, startOrExit } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { generateApiKey, generatedApiKeyNotice, loadOrCreateSessionsKey } from './generated-secrets.ts';
import { allInOneEnv, startPipeline } from './start.ts';

const env = loadEnvOrExit(allInOneEnv);
const logger = createLogger({ level: env.LOG_LEVEL, base: { service: 'all-in-one' } });
const registry = createRegistry({
  defaultMetrics: true,
  build: { service: 'all-in-one' },
});

const generatedKey = env.API_KEYS?.length ? undefined : generateApiKey();
if (generatedKey) env.API_KEYS = [generatedKey];
if (!env.SESSIONS_ENCRYPTION_KEY) {
  const file =
    env.SESSIONS_ENCRYPTION_KEY_FILE ?? join(dirname(env.KAFKA_DATA_DIR), 'sessions-encryption.key');
  const { key, created } = await startOrExit(logger, () => loadOrCreateSessionsKey(file));
  env.SESSIONS_ENCRYPTION_KEY = key;
  logger.info(
    created
      ? 'SESSIONS_ENCRYPTION_KEY is unset: made a new key in SESSIONS_ENCRYPTION_KEY_FILE (keep it with the data)'
      : 'SESSIONS_ENCRYPTION_KEY is unset: using the key in SESSIONS_ENCRYPTION_KEY_FILE',
    { file },
  );
}

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
