// Issue 19: on a 3-broker cluster (replication 3, min ISR 2), the leader of the busiest raw partition is
// SIGKILLed while the real ingress is acknowledging webhooks. Counted against the ingress's own answers,
// every webhook answered 200 is stored exactly once (read back through the archive consumer, which keeps
// one row per raw record, so a duplicate produce would show as two rows); a 503 is allowed while the
// partition has no leader, and the ingress keeps answering 200 afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { archiveEnv, startArchive } from '@wapipe/archive';
import { createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import type { LocalCluster } from '@wapipe/local-kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
// eslint-disable-next-line no-restricted-imports -- reads partition leaders through the admin API
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { testClickHouse } from './harness/clickhouse.ts';
import type { TestClickHouse } from './harness/clickhouse.ts';
import { startTestCluster } from './harness/cluster.ts';
import { isProcessRunning, uniqueName, waitFor } from './harness/kafka.ts';
import {
  META_SECRET,
  auth,
  metaHeaders,
  metaStatusBody,
  readRawTopic,
  startTestIngress,
} from './support/ingress.ts';

const sessions = ['lk-1', 'lk-2', 'lk-3', 'lk-4', 'lk-5', 'lk-6'];
const prefix = uniqueName('leader-kill');
const topics = topicCatalog(prefix);
const cleanups: Array<() => Promise<void>> = [];
let cluster: LocalCluster;
let kafka: KafkaConnection;
let ingress: Awaited<ReturnType<typeof startTestIngress>>;
let db: TestClickHouse;

beforeAll(async () => {
  ({ cluster, kafka } = await startTestCluster('leader-kill', cleanups));
  await kafka.ensureTopics(topics.specs(3));
  // A produce that cannot reach min ISR answers 503 within this bound instead of holding the request.
  ingress = await startTestIngress(cluster.brokers, prefix, { PRODUCE_TIMEOUT_MS: '8000' });
  cleanups.push(() => ingress.stop());
  for (const session of sessions) {
    const put = await ingress.request(`/v1/sessions/${session}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: META_SECRET }),
    });
    expect(put.status).toBe(200);
  }
  db = await testClickHouse();
  cleanups.push(() => db.cleanup());
}, 300_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** The topic's leader and in-sync replicas per partition, through a short-lived admin client. */
async function partitionsOf(topic: string) {
  const client = new Kafka({
    clientId: 'leader-kill-admin',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]!.partitions;
  } finally {
    await admin.disconnect();
  }
}

/** The node leading the raw partition with the most records so far. */
async function busiestRawLeader(): Promise<{ partition: number; nodeId: number }> {
  const ends = await kafka.endOffsets(topics.raw);
  const [partition] = [...ends].sort((a, b) => Number(b[1] - a[1]))[0]!;
  const leader = (await partitionsOf(topics.raw)).find((p) => p.partitionId === partition)!.leader;
  return { partition, nodeId: leader };
}

// Runs before the SIGKILL test below, while all three nodes are up (a frozen node leaves a quorum of two).
it('answers a send whose partition moved to a broker that had already answered only once that partition is confirmed', async () => {
  // Partition 0 led by node 1 (node 3 follows), partition 1 led by node 2 with node 1 as its follower
  // (Kafka wants one replication factor for every partition). Node 2 is frozen
  // while a send to both partitions is in flight: node 1 answers for partition 0, partition 1 moves to
  // node 1, and node 2 answers (when thawed) that it no longer leads. kafkajs 2.2.4 retries per broker,
  // skips node 1 (it has answered), and used to resolve the send with partition 1's record never written.
  const topic = uniqueName('moved-partition');
  const client = new Kafka({
    clientId: 'moved-partition',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          replicaAssignment: [
            { partition: 0, replicas: [1, 3] },
            { partition: 1, replicas: [2, 1] },
          ],
          configEntries: [{ name: 'min.insync.replicas', value: '1' }],
        },
      ],
    });
  } catch (error) {
    const errors = (error as { errors?: { message: string; type?: string }[] }).errors ?? [];
    throw new Error(`creating ${topic}: ${errors.map((e) => `${e.type ?? ''} ${e.message}`).join('; ')}`);
  } finally {
    await admin.disconnect();
  }
  await waitFor('both leaders and node 1 in sync on partition 1', async () => {
    const parts = await partitionsOf(topic);
    return parts.find((p) => p.partitionId === 1)?.isr.length === 2 && parts.every((p) => p.leader > 0);
  });
  // Keys that the partitioner sends to partition 0 and partition 1.
  const partitioner = Partitioners.DefaultPartitioner();
  const meta = [0, 1].map((partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [],
    isr: [],
  }));
  const keyFor = (partition: number) => {
    for (let i = 0; ; i++)
      if (partitioner({ topic, partitionMetadata: meta, message: { key: `k${i}`, value: '' } }) === partition)
        return `k${i}`;
  };
  const [key0, key1] = [keyFor(0), keyFor(1)];
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 60_000 });
  const node2 = cluster.nodes[1]!;
  try {
    await producer.sendMany(topic, [
      { key: key0, value: 'warm-0' },
      { key: key1, value: 'warm-1' },
    ]);
    process.kill(node2.pid, 'SIGSTOP');
    let thawed = false;
    const thaw = () => {
      if (!thawed) process.kill(node2.pid, 'SIGCONT');
      thawed = true;
    };
    try {
      const sending = producer.sendMany(topic, [
        { key: key0, value: 'moved-0' },
        { key: key1, value: 'moved-1' },
      ]);
      const outcome = sending.then(
        () => 'acknowledged',
        (error: unknown) => (error as Error).message,
      );
      await waitFor(
        'partition 1 led by node 1',
        async () => {
          const parts = await partitionsOf(topic);
          return parts.find((p) => p.partitionId === 1)?.leader === 1;
        },
        { timeoutMs: 60_000, pollMs: 250 },
      );
      thaw();
      const answer = await outcome;
      const reader = await readTopic(topic);
      const values = reader.map((r) => r.value);
      console.log(`moved partition: the send was ${answer}; the topic holds ${values.join(', ')}`);
      // Acknowledged means written: either both records are in the topic, or the send failed.
      if (answer === 'acknowledged') expect(values).toEqual(expect.arrayContaining(['moved-0', 'moved-1']));
      else expect(answer).toMatch(/did not confirm partition .*\/1/);
    } finally {
      thaw();
    }
  } finally {
    await producer.close();
    // Leave the cluster as the next test expects it: node 2 back in sync everywhere.
    await waitFor(
      'node 2 back in sync',
      async () => {
        const parts = await partitionsOf(topic);
        return parts.find((p) => p.partitionId === 1)?.isr.length === 2;
      },
      { timeoutMs: 60_000, pollMs: 250 },
    );
  }
}, 180_000);

/** Every record of a 2-partition topic, read from the beginning until both ends are reached. */
async function readTopic(topic: string): Promise<{ partition: number; value: string }[]> {
  const ends = await kafka.endOffsets(topic);
  const records: { partition: number; value: string }[] = [];
  const client = new Kafka({
    clientId: 'moved-partition-reader',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = client.consumer({ groupId: uniqueName('moved-partition'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) =>
        void records.push({ partition, value: message.value?.toString() ?? '' }),
    });
    const total = [...ends.values()].reduce((n, o) => n + o, 0n);
    await waitFor('the topic read to its end', () => BigInt(records.length) >= total, { timeoutMs: 60_000 });
    return records;
  } finally {
    await consumer.disconnect();
  }
}

it('stores every webhook answered 200 exactly once while the busiest partition leader is SIGKILLed', async () => {
  const answered = new Map<string, number>(); // wamid → status the ingress answered
  const counts = { before: 0, after: 0, unavailable: 0 };
  let killed = false;
  let stop = false;
  let sent = 0;
  const sender = async () => {
    while (!stop) {
      const id = `wamid.${randomUUID()}`;
      const session = sessions[sent++ % sessions.length]!;
      const body = metaStatusBody([{ id, status: 'delivered' }]);
      const res = await ingress.request(`/webhooks/meta/${session}`, {
        method: 'POST',
        headers: metaHeaders(body),
        body,
      });
      answered.set(id, res.status);
      if (res.status === 200) counts[killed ? 'after' : 'before']++;
      else if (res.status === 503) counts.unavailable++;
      else throw new Error(`unexpected answer ${res.status}: ${await res.text()}`);
    }
  };
  const senders = Array.from({ length: 24 }, () => sender());
  try {
    await waitFor('webhooks acknowledged before the kill', () => counts.before >= 1500, {
      timeoutMs: 60_000,
    });
    const { partition, nodeId } = await busiestRawLeader();
    const node = cluster.nodes[nodeId - 1]!;
    process.kill(node.pid, 'SIGKILL');
    killed = true;
    await node.exited;
    expect(isProcessRunning(node.pid)).toBe(false);
    console.log(`SIGKILLed node ${nodeId}, leader of raw partition ${partition}`);
    await waitFor('webhooks acknowledged after the kill', () => counts.after >= 1500, {
      timeoutMs: 60_000,
    });
  } finally {
    stop = true;
    await Promise.all(senders);
  }
  console.log(
    `answered 200: ${counts.before} before and ${counts.after} after the kill; 503: ${counts.unavailable}`,
  );

  const env = archiveEnv.parse({
    KAFKA_BROKERS: cluster.brokers.join(','),
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '3',
    CLICKHOUSE_DATABASE: db.options.database,
    ...(db.options.url
      ? { CLICKHOUSE_URL: db.options.url, CLICKHOUSE_USER: db.options.username ?? 'default' }
      : { CHDB_PATH: db.options.dataPath }),
    ...(db.options.password ? { CLICKHOUSE_PASSWORD: db.options.password } : {}),
  });
  const archive = await startArchive(
    { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
    { logger: silentLogger, registry: createRegistry() },
  );
  try {
    await waitFor(
      'the archive to take every raw record',
      async () => (await kafka.groupLag(`${prefix}.archive`, topics.raw)) === 0n,
      { timeoutMs: 90_000, pollMs: 250 },
    );
  } finally {
    await archive.stop();
  }

  const rows = await db.ch.query({
    query: `SELECT JSONExtractString(body, 'entry', 1, 'changes', 1, 'value', 'statuses', 1, 'id') AS id,
                   count() AS n, uniqExact(kafka_partition, kafka_offset) AS offsets,
                   toString(groupArray((kafka_partition, kafka_offset))) AS at
            FROM ${db.ch.table('archive_raw_requests_v2')} GROUP BY id`,
    schema: z.object({ id: z.string(), n: z.coerce.number(), offsets: z.coerce.number(), at: z.string() }),
  });
  const stored = new Map(rows.map((r) => [r.id, r.n]));
  const duplicated = rows.filter((r) => r.n > 1).map((r) => r.id);
  for (const r of rows.filter((row) => row.n > 1))
    console.log(`stored twice: ${r.id} at (partition, offset) ${r.at}`);
  const lost = [...answered]
    .filter(([id, status]) => status === 200 && stored.get(id) !== 1)
    .map(([id]) => id);
  const unknown = rows.filter((r) => !answered.has(r.id)).map((r) => r.id);
  if (lost.length > 0) {
    // Where were they lost: in Kafka, or between the topic and the archive?
    const reader = await readRawTopic(cluster.brokers, prefix);
    const ends = await kafka.endOffsets(topics.raw);
    const total = [...ends.values()].reduce((n, o) => n + o, 0n);
    await waitFor('the raw topic read to its end', () => BigInt(reader.records.length) >= total, {
      timeoutMs: 60_000,
    });
    const inTopic = new Map(
      reader.records.map((r) => [/"id":"(wamid\.[^"]+)"/.exec(r.value!.toString())?.[1], r.partition]),
    );
    await reader.close();
    console.log(
      `lost: ${lost.map((id) => `${id} partition ${inTopic.get(id) ?? 'not in the topic'}`).join('; ')}`,
    );
  }
  expect({ duplicated, lost, unknown }).toEqual({ duplicated: [], lost: [], unknown: [] });
  expect(counts.after).toBeGreaterThanOrEqual(1500);
}, 240_000);
