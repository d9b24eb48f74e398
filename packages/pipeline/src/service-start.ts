// Start-up that every consumer service shares: broker, topics, ClickHouse, migrations (journal first),
// producer, then the journaled consumer. A service passes its name, its migrations and its handler.
import { z } from 'zod';
import { clickhouseFromEnv, migrate } from '@wapipe/clickhouse';
import type { ClickHouse, Migration } from '@wapipe/clickhouse';
import { clickhouseSettings, kafkaSettings, logSettings, port, positiveInt } from '@wapipe/config';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { CoalescingProducer, ConsumerName, KafkaConnection, TopicCatalog } from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import type { ConsumerHandler } from './handler.ts';
import { createJournaledConsumer } from './journaled-consumer.ts';
import type { JournaledConsumer, JournaledConsumerOptions } from './journaled-consumer.ts';

/** Settings every consumer service reads; a service extends this with its own. */
export const consumerEnv = z.object({
  PORT: port(8080),
  ...kafkaSettings,
  ...clickhouseSettings,
  ...logSettings,
  /** Consumer group; default `<TOPIC_PREFIX>.<service>`. */
  CONSUMER_GROUP: z.string().optional(),
  /** Attempts for a failing batch before its records are isolated and dead-lettered. */
  CONSUMER_MAX_ATTEMPTS: positiveInt(5),
  /** How long the group waits for a crashed member before its partitions move (broker minimum 6000). */
  CONSUMER_SESSION_TIMEOUT_MS: positiveInt(30_000),
});
export type ConsumerEnv = z.infer<typeof consumerEnv>;

/** What a service's handler may use; the same things stay on the running consumer. */
export interface ConsumerDeps {
  ch: ClickHouse;
  topics: TopicCatalog;
  producer: CoalescingProducer;
  kafka: KafkaConnection;
  logger: Logger;
  registry: Registry;
}

export interface RunningConsumer {
  consumer: JournaledConsumer;
  ch: ClickHouse;
  kafka: KafkaConnection;
  /** The consumer's producer (effects, dead letters); a service's side consumers publish with it too. */
  producer: CoalescingProducer;
  topics: TopicCatalog;
  stop(): Promise<void>;
}

export async function startConsumerService(options: {
  name: ConsumerName;
  env: ConsumerEnv & { KAFKA_BROKERS: string[] };
  migrations: Migration[];
  logger: Logger;
  registry: Registry;
  /** Builds the service's handler once its dependencies exist. */
  handler(deps: ConsumerDeps): ConsumerHandler | Promise<ConsumerHandler>;
  /** Fetch sizes, which bound a unit of work (see createGroupMember for the defaults). */
  fetch?: JournaledConsumerOptions['fetch'];
  /** The service's materialized views as the journal must write them (ADR 5). */
  journalViews?: JournaledConsumerOptions['journalViews'];
  /** Extra work to stop with the consumer (e.g. timers). */
  onStop?: () => Promise<void>;
}): Promise<RunningConsumer> {
  const { name, env, registry } = options;
  const logger = options.logger.child({ service: name });
  const kafka = await connectKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-${name}`,
    logger,
    security: env,
  });
  const topics = topicCatalog(env.TOPIC_PREFIX);
  await kafka.ensureTopics(
    topics.specs(env.TOPIC_PARTITIONS, { rawRetentionDays: env.RAW_TOPIC_RETENTION_DAYS }),
  );
  const ch = clickhouseFromEnv(env, { logger });
  // Effects are published in bulk after each batch: a long ack deadline, the default send size.
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  let consumer: JournaledConsumer | undefined;
  let storeChs: ClickHouse[] = [];
  try {
    const handler = await options.handler({ ch, topics, producer, kafka, logger, registry });
    // A staged handler stores one unit while it reads for the next: separate connections, because the
    // embedded engine runs one query at a time per connection; two for storing, so tables apply side by side.
    if (handler.reset) storeChs = [clickhouseFromEnv(env, { logger }), clickhouseFromEnv(env, { logger })];
    consumer = createJournaledConsumer({
      name,
      kafka,
      topics,
      groupId: env.CONSUMER_GROUP ?? `${env.TOPIC_PREFIX}.${name}`,
      ch,
      storeChs,
      producer,
      logger,
      registry,
      handler,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.journalViews === undefined ? {} : { journalViews: options.journalViews }),
      maxAttempts: env.CONSUMER_MAX_ATTEMPTS,
      sessionTimeoutMs: env.CONSUMER_SESSION_TIMEOUT_MS,
    });
    await migrate(ch, { owner: `${name}-journal`, migrations: consumer.journal.migrations, logger });
    await migrate(ch, { owner: name, migrations: options.migrations, logger });
    await consumer.start();
  } catch (error) {
    await producer.close().catch(() => {});
    for (const c of storeChs) await c.close().catch(() => {});
    await ch.close().catch(() => {});
    await kafka.close().catch(() => {});
    throw error;
  }
  const running = consumer;
  return {
    consumer: running,
    ch,
    kafka,
    producer,
    topics,
    async stop() {
      await running.stop();
      await options.onStop?.();
      await producer.close();
      for (const c of storeChs) await c.close();
      await ch.close();
      await kafka.close();
    },
  };
}
