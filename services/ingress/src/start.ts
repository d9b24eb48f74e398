// Wires the ingress to a real broker: topics, producer, session store, app. Used by index.ts and by the
// all-in-one, which serve the app themselves.
import type { Hono } from 'hono';
import { auditKafkaRecord } from '@wapipe/events';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { createIngressApp } from './app.ts';
import type { IngressEnv } from './env.ts';
import { createIngressMetrics } from './metrics.ts';
import { parseSessionsKey } from './sessions/session-crypto.ts';
import { createKafkaSessionStore, readSessionsFile } from './sessions/session-store.ts';
import { INGRESS_VERSION } from './version.ts';

// The package entry (package.json exports): what other workspaces may use of the ingress.
export { INGRESS_DOCUMENT_INFO, createIngressApp, ingressOperations, ingressRoutes } from './app.ts';
export type { IngressDeps } from './deps.ts';
export { createIngressMetrics } from './metrics.ts';
export {
  createKafkaSessionStore,
  createMemorySessionStore,
  readSessionsFile,
} from './sessions/session-store.ts';
export type { SessionStore } from './sessions/session-store.ts';
export { signMetaBody } from './intake/verify-meta-signature.ts';
export { signStandardWebhook } from './intake/verify-standard-webhooks.ts';
export { ingressEnv } from './env.ts';
export type { IngressEnv } from './env.ts';

export { INGRESS_VERSION } from './version.ts';

export interface RunningIngress {
  app: Hono;
  kafka: KafkaConnection;
  /** Stops producing after answering what is in flight; the caller closes its HTTP server first. */
  stop(): Promise<void>;
}

export async function startIngress(
  env: IngressEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningIngress> {
  const logger = context.logger.child({ service: 'ingress' });
  if (!env.SESSIONS_ENCRYPTION_KEY) {
    throw new Error(
      'SESSIONS_ENCRYPTION_KEY is required: 32 random bytes in base64 (openssl rand -base64 32), the same on every ingress',
    );
  }
  const encryptionKey = parseSessionsKey(env.SESSIONS_ENCRYPTION_KEY);
  const kafka = await connectKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-ingress`,
    logger,
    security: env,
  });
  const topics = topicCatalog(env.TOPIC_PREFIX);
  await kafka.ensureTopics(
    topics.specs(env.TOPIC_PARTITIONS, { rawRetentionDays: env.RAW_TOPIC_RETENTION_DAYS }),
  );
  const metrics = createIngressMetrics(context.registry);
  const producer = createCoalescingProducer(kafka, {
    ackTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    onBatch: ({ records, seconds }) => {
      metrics.produceBatchRecords.observe(records);
      metrics.produceSeconds.observe(seconds);
    },
  });
  const seed = env.SESSIONS_FILE ? await readSessionsFile(env.SESSIONS_FILE) : [];
  const sessions = await createKafkaSessionStore({
    connection: kafka,
    producer,
    topic: topics.sessions,
    logger,
    encryptionKey,
    seed,
  });
  const app = createIngressApp({
    sessions,
    publishRaw: (record) => producer.send(topics.raw, record),
    publishAudit: (entry) => producer.send(topics.audit, auditKafkaRecord(entry)),
    limits: {
      maxBodyBytes: env.MAX_BODY_BYTES,
      bodyTimeoutMs: env.BODY_TIMEOUT_MS,
      signatureToleranceSeconds: env.SIGNATURE_TOLERANCE_SECONDS,
      maxWebhooksInFlight: env.MAX_WEBHOOKS_IN_FLIGHT,
      replayCacheEntries: env.REPLAY_CACHE_ENTRIES,
    },
    apiKeys: env.API_KEYS ?? [],
    metrics,
    logger,
    version: INGRESS_VERSION,
  });
  if ((env.API_KEYS ?? []).length === 0) logger.warn('API_KEYS is empty: every /v1 route answers 401');
  return {
    app,
    kafka,
    async stop() {
      await producer.close();
      await sessions.close();
      await kafka.close();
    },
  };
}
