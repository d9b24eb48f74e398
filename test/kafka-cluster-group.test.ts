// Issue 19 on a 3-node KRaft cluster from the project's jars (`npm run kafka -- start --nodes 3` from code):
// 1. the project's topics get 3 replicas and min.insync.replicas=2, and an acks=all write reads back;
// 2. three delivery members share one group over 10k sessions (a ClickHouse server in its own process, so
//    they share a database); one is SIGKILLed between journaling a batch and applying it, another joins
//    mid-stream. The stored result equals the ground truth exactly, and every partition's batches were
//    applied in offset order.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import { createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import type { LocalCluster } from '@wapipe/local-kafka';
// eslint-disable-next-line no-restricted-imports -- reads replication and configs through the admin API
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { randomDatabaseName } from './harness/clickhouse.ts';
import { startChdbServerProcess } from './harness/clickhouse-server.ts';
import { startTestCluster } from './harness/cluster.ts';
import { uniqueName, waitFor } from './harness/kafka.ts';
import { startChild } from './support/child-process.ts';
import type { Child } from './support/child-process.ts';
import { testConsumerEnv } from './support/delivery-consumer.ts';
import { generateDeliveryStream } from './support/delivery-stream.ts';
import { expectDeliveryMatchesTruth } from './support/delivery-truth.ts';

const cleanups: Array<() => Promise<void>> = [];
let cluster: LocalCluster;
let kafka: KafkaConnection;

beforeAll(async () => {
  ({ cluster, kafka } = await startTestCluster('kafka-cluster-test', cleanups));
}, 240_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

it('holds the project topics at replication 3, min ISR 2, and reads back acks=all', async () => {
  expect(cluster.brokers).toHaveLength(3);
  const topics = topicCatalog(uniqueName('cluster'));
  await kafka.ensureTopics(topics.specs(3));

  const client = new Kafka({
    clientId: 'cluster-check',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = client.consumer({ groupId: uniqueName('cluster'), maxWaitTimeInMs: 200 });
  try {
    const names = topics.specs(3).map((spec) => spec.name);
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    for (const topic of metadata.topics) {
      for (const partition of topic.partitions) expect(partition.replicas, topic.name).toHaveLength(3);
    }
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['min.insync.replicas'],
      })),
    });
    for (const resource of configs.resources) {
      expect(resource.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe(
        '2',
      );
    }

    await producer.connect();
    const sent = Array.from({ length: 10 }, (_, i) => `record ${i}`);
    await producer.send({
      topic: topics.raw,
      acks: -1,
      messages: sent.map((value) => ({ key: 's1', value })),
    });
    const read: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.raw], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void read.push(message.value?.toString() ?? ''),
    });
    await waitFor('every record written with acks=all', () => read.length >= sent.length, {
      timeoutMs: 60_000,
    });
    expect(read).toEqual(sent);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
}, 120_000);

const Applied = z.object({ batch: z.string(), partition: z.coerce.number(), from: z.coerce.number() });

/**
 * Each delivery batch (from its timeline rows' journal token) with its raw partition, its offsets and when
 * it was marked applied. Within a partition, a batch of later offsets must never be applied before one of
 * earlier offsets, and no two batches may hold the same offset.
 */
async function partitionOrderViolations(ch: ClickHouse): Promise<string[]> {
  const batches = await ch.query({
    query: `SELECT b.batch AS batch, b.partition AS partition, b.from AS from, b.to AS to,
                   toUnixTimestamp64Milli(a.applied_at) AS applied
            FROM (SELECT splitByChar('.', journal_batch)[1] AS batch, kafka_partition AS partition,
                         min(kafka_offset) AS from, max(kafka_offset) AS to
                  FROM ${ch.table('delivery_status_events')} GROUP BY batch, partition) AS b
            JOIN (SELECT batch_id, min(applied_at) AS applied_at FROM ${ch.table('delivery_journal_applied')}
                  GROUP BY batch_id) AS a ON a.batch_id = b.batch
            ORDER BY partition, from`,
    schema: Applied.extend({ to: z.coerce.number(), applied: z.coerce.number() }),
  });
  const violations: string[] = [];
  for (let i = 1; i < batches.length; i++) {
    const [before, after] = [batches[i - 1]!, batches[i]!];
    if (before.partition !== after.partition) continue;
    if (after.from <= before.to)
      violations.push(`partition ${after.partition}: offsets ${after.from}… stored by two batches`);
    if (after.applied < before.applied)
      violations.push(`partition ${after.partition}: offsets ${after.from}… applied before ${before.from}…`);
  }
  return violations;
}

it('three members over 10k sessions, one SIGKILLed mid-batch and one added: exact, and in partition order', async () => {
  const prefix = uniqueName('group');
  const topics = topicCatalog(prefix);
  await kafka.ensureTopics(topics.specs(6));
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-cluster-group-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // The members' logs are what explains a failure: kept beside the data directory, which goes.
  onTestFailed(async () => {
    const kept = `${dataDir}-logs`;
    const engine = join(dataDir, 'ch');
    await cp(dataDir, kept, { recursive: true, filter: (from) => !from.startsWith(engine) });
    console.error(`the members' logs are kept in ${kept}`);
  });
  const server = await startChdbServerProcess({ dataDir: join(dataDir, 'ch') });
  cleanups.push(() => server.stop());
  const chOptions: ClickHouseOptions = {
    url: server.url,
    username: 'default',
    password: server.password,
    database: randomDatabaseName(),
  };
  const ch = createClickHouse(chOptions);
  cleanups.push(() => ch.close());
  const setup = createClickHouse({ ...chOptions, database: 'default' });
  await setup.command({ query: `CREATE DATABASE IF NOT EXISTS ${chOptions.database}` });
  await setup.close();

  const sessions = Array.from({ length: 10_000 }, (_, i) => `grp-${i}`);
  const stream = generateDeliveryStream({ sessions, messages: 8_000, seed: 19 });
  const env = {
    ...testConsumerEnv(cluster.brokers, prefix, chOptions),
    TOPIC_PARTITIONS: '6',
    // A killed member's partitions move after the session timeout: the broker's minimum.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
  };
  const entry = new URL('./support/consumer-process.ts', import.meta.url).pathname;
  const members: Child[] = [];
  const start = async (name: string, extra: Record<string, string> = {}) => {
    const child = await startChild(entry, ['delivery'], { ...env, ...extra }, join(dataDir, `${name}.log`));
    members.push(child);
    return child;
  };
  cleanups.push(async () => {
    for (const m of members)
      if (m.process.exitCode === null && m.process.signalCode === null) await m.kill('SIGKILL');
  });
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  cleanups.push(() => producer.close());
  const group = `${prefix}.delivery`;
  const lag = () => kafka.groupLag(group, topics.raw);
  const half = Math.floor(stream.records.length / 2);

  await start('member-1');
  await start('member-2');
  // The victim logs at debug: "journaled" (with the batch id) comes after its journal insert and before the
  // batch's inserts and mark, so a SIGKILL right then leaves a batch only recovery can apply.
  // Records keep coming after each victim has joined (its start returns once it has), so it has
  // something to journal: sent all at once, the first half could be drained before the group rebalanced.
  let pendingBatch: string | undefined;
  const quarter = Math.floor(half / 2);
  const attempts = 5;
  const chunk = Math.ceil((half - quarter) / attempts);
  const chunks = Array.from({ length: attempts }, (_, i) =>
    stream.records.slice(quarter + i * chunk, Math.min(half, quarter + (i + 1) * chunk)),
  );
  await producer.sendMany(topics.raw, stream.records.slice(0, quarter));
  for (let attempt = 1; attempt <= attempts && pendingBatch === undefined; attempt++) {
    const log = join(dataDir, `victim-${attempt}.log`);
    const victim = await startChild(entry, ['delivery'], { ...env, LOG_LEVEL: 'debug' }, log);
    members.push(victim);
    const sending = producer.sendMany(topics.raw, chunks.shift()!);
    let batchId: string | undefined;
    await waitFor(
      'the victim journaling a batch',
      async () => {
        const text = await readFile(log, 'utf8').catch(() => '');
        const line = text.split('\n').find((l) => l.includes('"msg":"journaled"'));
        batchId =
          line === undefined ? undefined : z.object({ batchId: z.string() }).parse(JSON.parse(line)).batchId;
        return batchId !== undefined;
      },
      { timeoutMs: 90_000, pollMs: 2 },
    );
    await victim.kill('SIGKILL');
    const [marked] = await ch.query({
      query: `SELECT count() AS n FROM ${ch.table('delivery_journal_applied')} WHERE batch_id = {batchId:String}`,
      params: { batchId: batchId! },
      schema: z.object({ n: z.coerce.number() }),
    });
    if (marked!.n === 0) pendingBatch = batchId;
    await sending;
  }
  expect(pendingBatch, 'a SIGKILL between a journal insert and its mark').toBeDefined();
  for (const rest of chunks) await producer.sendMany(topics.raw, rest);
  // The survivors take the victim's partitions and read its records again.
  await waitFor('the first half committed by the survivors', async () => (await lag()) === 0n, {
    timeoutMs: 180_000,
    pollMs: 250,
  });

  // A member joins (its start recovers whatever the journal holds) while the rest arrives.
  const joining = start('member-3');
  await producer.sendMany(topics.raw, stream.records.slice(half));
  await joining;
  await waitFor('the whole stream committed', async () => (await lag()) === 0n, {
    timeoutMs: 180_000,
    pollMs: 250,
  });
  for (const m of members)
    if (m.process.exitCode === null && m.process.signalCode === null) await m.kill('SIGTERM');

  await expectDeliveryMatchesTruth(ch, stream);
  expect(await partitionOrderViolations(ch)).toEqual([]);
}, 480_000);
