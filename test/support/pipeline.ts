// The whole pipeline in this process (every consumer, the ingress and the API on one app), on the test
// broker and a database of its own: records in, read answers out.
import { randomBytes } from 'node:crypto';
import { allInOneEnv, startPipeline } from '@wapipe/all-in-one';
import type { RunningPipeline } from '@wapipe/all-in-one';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import { connectKafka, consumerNames, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection, ProducedRecord, TopicCatalog } from '@wapipe/kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { backendOptions, randomDatabaseName } from '../harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../harness/kafka.ts';
import { testConsumerEnv } from './consumer-env.ts';

export const PIPELINE_KEY = 'pipeline-test-key-0123456789';

export interface TestPipeline {
  pipeline: RunningPipeline;
  topics: TopicCatalog;
  kafka: KafkaConnection;
  chOptions: ClickHouseOptions;
  /** A connection of the test's own to the pipeline's database (opened on first use). */
  ch(): ClickHouse;
  /** A request to the app, with the API key unless `authorization` is given. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Produces records one at a time, so their order within each session's partition is exact. */
  produce(records: ProducedRecord[]): Promise<void>;
  /** Waits until every consumer group has committed everything in the raw topic. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestPipeline(settings: Record<string, string> = {}): Promise<TestPipeline> {
  const brokers = testBrokers();
  const prefix = uniqueName('pipeline');
  const chOptions: ClickHouseOptions = { ...backendOptions(), database: randomDatabaseName() };
  const env = allInOneEnv.parse({
    API_KEYS: PIPELINE_KEY,
    SESSIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...testConsumerEnv(brokers, prefix, chOptions),
    ...settings,
  });
  const pipeline = await startPipeline(env, { logger: silentLogger, registry: createRegistry() });
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'pipeline-test', logger: silentLogger });
  const producer = createCoalescingProducer(kafka);
  let ch: ClickHouse | undefined;
  return {
    pipeline,
    topics,
    kafka,
    chOptions,
    ch: () => (ch ??= createClickHouse(chOptions)),
    request: async (path, init = {}) =>
      pipeline.app.request(path, {
        ...init,
        headers: {
          authorization: `Bearer ${PIPELINE_KEY}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      }),
    async produce(records) {
      for (const record of records) await producer.sendMany(topics.raw, [record]);
    },
    async settled(timeoutMs = 180_000) {
      const groups = consumerNames.map((c) => `${prefix}.${c}`);
      await waitFor(
        'every consumer to commit every record',
        async () =>
          (await Promise.all(groups.map((g) => kafka.groupLag(g, topics.raw)))).every((lag) => lag === 0n),
        { timeoutMs, pollMs: 250 },
      );
    },
    async stop() {
      await producer.close();
      await kafka.close();
      await ch?.close();
      await pipeline.stop();
    },
  };
}
