// Start-up that every consumer service shares: broker, topics, ClickHouse, migrations (journal first),
// producer, then the event consumer. A service passes its name, its migrations and its process function.
import { z } from 'zod';
import { clickhouseFromEnv, migrate } from '@wapipe/clickhouse';
import type { ClickHouse, Migration } from '@wapipe/clickhouse';
import { clickhouseSettings, kafkaSettings, logSettings, port, positiveInt } from '@wapipe/config';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { CoalescingProducer, ConsumerName, KafkaConnection, TopicCatalog } from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { createEventConsumer } from './event-consumer.ts';
import type { EventConsumer, EventConsumerOptions } from './event-consumer.ts';

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

export interface ConsumerDeps {
  ch: ClickHouse;
  topics: TopicCatalog;
  producer: CoalescingProducer;
  kafka: KafkaConnection;
  logger: Logger;
  registry: Registry;
}

type ProcessFunction = EventConsumerOptions['process'];
export type ProcessSpec = ProcessFunction | { process: ProcessFunction; reset(): void };

export interface RunningConsumer {
  consumer: EventConsumer;
  ch: ClickHouse;
  kafka: KafkaConnection;
  stop(): Promise<void>;
}

export async function startConsumerService(options: {
  name: ConsumerName;
  env: ConsumerEnv & { KAFKA_BROKERS: string[] };
  migrations: Migration[];
  logger: Logger;
  registry: Registry;
  /** Builds the service's process function (or a pipelined one, see EventConsumerOptions) once its dependencies exist. */
  makeProcess(deps: ConsumerDeps): ProcessSpec | Promise<ProcessSpec>;
  /** Fetch sizes, which bound a unit of work (see createBatchConsumer for the defaults). */
  fetch?: EventConsumerOptions['fetch'];
  /** The service's materialized views as the journal must write them (ADR 5). */
  journalViews?: EventConsumerOptions['journalViews'];
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
  let consumer: EventConsumer | undefined;
  let storeChs: ClickHouse[] = [];
  try {
    const spec = await options.makeProcess({ ch, topics, producer, kafka, logger, registry });
    const pipelined = typeof spec !== 'function';
    // A pipelined consumer stores one batch while it reads for the next: separate connections, because the
    // embedded engine runs one query at a time per connection; two for storing, so tables apply side by side.
    if (pipelined) storeChs = [clickhouseFromEnv(env, { logger }), clickhouseFromEnv(env, { logger })];
    consumer = createEventConsumer({
      name,
      kafka,
      topics,
      groupId: env.CONSUMER_GROUP ?? `${env.TOPIC_PREFIX}.${name}`,
      ch,
      producer,
      logger,
      registry,
      ...(pipelined
        ? { process: spec.process, pipelined: { reset: spec.reset }, storeChs }
        : { process: spec }),
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
