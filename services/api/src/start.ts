// Wires the API to its own ClickHouse connection and to the sessions topic (which sessions exist). Used by index.ts and by the all-in-one, which serve the
// app themselves.
import type { Hono } from 'hono';
import type { OperationDoc } from '@wapipe/http';
import { clickhouseFromEnv } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { connectKafka, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { apiAppRoutes, apiOperations, createApiApp } from './app.ts';
import { kafkaConsumerStates } from './consumer-lag.ts';
import type { ApiEnv } from './env.ts';
import { createApiMetrics } from './metrics.ts';
import { followSessionDirectory } from './session-directory.ts';
import type { SessionDirectory } from './session-directory.ts';

// The package entry (package.json exports): what other workspaces may use of the api.
export {
  API_DOCUMENT_INFO,
  API_VERSION,
  apiAppRoutes,
  apiOperations,
  apiRoutes,
  createApiApp,
} from './app.ts';
export type { ApiDeps } from './app.ts';
// The latency read and its query parser, for the test that nets every group against netting some.
export { latencyQuery } from './analytics-params.ts';
export { parseQuery } from './params.ts';
export { readLatency } from './queries/analytics.ts';
export { kafkaConsumerStates } from './consumer-lag.ts';
export { apiEnv } from './env.ts';
export type { ApiEnv } from './env.ts';
export { createApiMetrics } from './metrics.ts';
export type { ApiMetrics } from './metrics.ts';
export { followSessionDirectory, memorySessionDirectory } from './session-directory.ts';
export type { SessionDirectory } from './session-directory.ts';

export interface RunningApi {
  app: Hono;
  /** Its operations, for a document of more than this service (the all-in-one's). */
  operations: OperationDoc[];
  ch: ClickHouse;
  kafka: KafkaConnection;
  /** Closes the ClickHouse connection; the caller closes its HTTP server first. */
  stop(): Promise<void>;
}

export async function startApi(
  env: ApiEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningApi> {
  const logger = context.logger.child({ service: 'api' });
  const kafka = await connectKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-api`,
    logger,
  });
  const topics = topicCatalog(env.TOPIC_PREFIX);
  let sessions: SessionDirectory;
  try {
    await kafka.ensureTopics(topics.specs(env.TOPIC_PARTITIONS));
    sessions = await followSessionDirectory({ connection: kafka, topic: topics.sessions, logger });
  } catch (error) {
    await kafka.close();
    throw error;
  }
  const ch = clickhouseFromEnv(env, { logger });
  const apiKeys = env.API_KEYS ?? [];
  if (apiKeys.length === 0) logger.warn('API_KEYS is empty: every /v1 route answers 401');
  const consumers = kafkaConsumerStates(kafka, topics, env.CONSUMER_GROUPS);
  const app = createApiApp({
    ch,
    apiKeys,
    sessions,
    logger,
    metrics: createApiMetrics(context.registry),
    consumers,
  });
  return {
    app,
    operations: apiOperations(apiAppRoutes({ ch, consumers })),
    ch,
    kafka,
    async stop() {
      await sessions.close();
      await kafka.close();
      await ch.close();
    },
  };
}
