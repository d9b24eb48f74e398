// The replies consumer pointed at the test broker and database, a reader for the topics it publishes to,
// and small queries the replies tests share.
import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import { parseEnv } from '@wapipe/config';
import { connectKafka, createCoalescingProducer, followTopic, topicCatalog } from '@wapipe/kafka';
import type {
  CoalescingProducer,
  KafkaConnection,
  ProducedRecord,
  TopicCatalog,
  TopicFollower,
} from '@wapipe/kafka';
import { createLogger, createRegistry, silentLogger } from '@wapipe/observability';
import type { RunningConsumer } from '@wapipe/pipeline';
import { repliesEnv, startReplies } from '@wapipe/replies';
import { suiteClickHouse } from '../harness/clickhouse.ts';
import type { TestClickHouse } from '../harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../harness/kafka.ts';
import { testConsumerEnv } from './consumer-env.ts';

/** Environment variables that point the replies consumer at the test broker and database. */
export function repliesTestEnv(
  brokers: string[],
  prefix: string,
  ch: ClickHouseOptions,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...testConsumerEnv(brokers, prefix, ch), LOG_LEVEL: 'warn', ...extra };
}

/** A published command as read back from its topic. */
export interface Published {
  key: string | null;
  value: Record<string, unknown> & { id: string; type: string };
}

export interface RepliesRig {
  topics: TopicCatalog;
  kafka: KafkaConnection;
  producer: CoalescingProducer;
  consumer: RunningConsumer;
  /** Everything published so far, per output topic, and what the consumer dead-lettered. */
  out: { suppressions: Published[]; optOuts: Published[]; followUps: Published[]; deadLetters: unknown[] };
  /** Produces to the raw topic and waits until the consumer has committed everything produced so far. */
  send(records: ProducedRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Topics, a producer, followers of the output topics and an in-process replies consumer. */
export async function startRepliesRig(
  brokers: string[],
  ch: ClickHouseOptions,
  settings: Record<string, string> = {},
): Promise<RepliesRig> {
  const prefix = uniqueName('replies');
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'replies-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka);
  const out: RepliesRig['out'] = { suppressions: [], optOuts: [], followUps: [], deadLetters: [] };
  const followers: TopicFollower[] = [];
  for (const name of ['suppressions', 'optOuts', 'followUps'] as const) {
    followers.push(
      await followTopic(kafka, { topic: topics[name], onRecord: (r) => out[name].push(readPublished(r)) }),
    );
  }
  followers.push(
    await followTopic(kafka, {
      topic: topics.deadLetter('replies'),
      onRecord: (r) => out.deadLetters.push(r.headers),
    }),
  );
  const env = parseEnv(repliesEnv, repliesTestEnv(brokers, prefix, ch, settings));
  // REPLIES_TEST_LOG=1 shows the consumer's warnings and errors (silent otherwise).
  const logger = process.env['REPLIES_TEST_LOG'] ? createLogger({ level: 'warn' }) : silentLogger;
  const consumer = await startReplies(env, { logger, registry: createRegistry() });
  let produced = 0;
  return {
    topics,
    kafka,
    producer,
    consumer,
    out,
    async send(records) {
      await producer.sendMany(topics.raw, records);
      produced += records.length;
      await waitFor(`${produced} records committed`, () => consumer.consumer.committed() >= produced, {
        timeoutMs: 60_000,
      });
      // A batch the consumer could not process is dead-lettered and committed: that is a failure here.
      if (out.deadLetters.length > 0) throw new Error(`dead-lettered: ${JSON.stringify(out.deadLetters[0])}`);
    },
    async close() {
      await consumer.stop();
      for (const follower of followers) await follower.stop();
      await producer.close();
      await kafka.close();
    },
  };
}

export function readPublished(record: { key: string | null; value: Buffer | null }): Published {
  return { key: record.key, value: JSON.parse(record.value?.toString() ?? 'null') as Published['value'] };
}

/**
 * Waits until `read()` returns at least `count` commands. They are published before the batch's offsets
 * are committed, but the test's follower may not have read them yet.
 */
export function waitForPublished(what: string, read: () => readonly unknown[], count: number): Promise<void> {
  return waitFor(`${count} ${what}`, () => read().length >= count, { timeoutMs: 30_000 });
}

/** The commands of one session on an output list. */
export const ofSession = (list: readonly Published[], sessionId: string) =>
  list.filter((p) => p.value['sessionId'] === sessionId).map((p) => p.value);

export const countOf = async (
  ch: ClickHouse,
  table: string,
  where = '1',
  params: Record<string, unknown> = {},
  final = false,
) => {
  const [row] = await ch.query({
    query: `SELECT count() AS n FROM ${ch.table(table)}${final ? ' FINAL' : ''} WHERE ${where}`,
    params,
    schema: z.object({ n: z.coerce.number() }),
  });
  return row?.n ?? 0;
};

/**
 * A test database and a replies rig on it for the enclosing describe block: started before its tests,
 * closed after them. Both are read through `db` and `rig` once the block runs.
 */
export function suiteRepliesRig(settings: Record<string, string> = {}): {
  db: TestClickHouse;
  rig: RepliesRig;
} {
  const db = suiteClickHouse();
  let started: RepliesRig | undefined;
  beforeAll(async () => {
    started = await startRepliesRig(testBrokers(), db.options, settings);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): RepliesRig => {
    if (!started) throw new Error('suiteRepliesRig(): the rig exists only while the suite runs');
    return started;
  };
  const rig: RepliesRig = {
    get topics() {
      return current().topics;
    },
    get kafka() {
      return current().kafka;
    },
    get producer() {
      return current().producer;
    },
    get consumer() {
      return current().consumer;
    },
    get out() {
      return current().out;
    },
    send: (records) => current().send(records),
    close: () => current().close(),
  };
  return { db, rig };
}
