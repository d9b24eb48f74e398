// Issue 19: on a 3-broker cluster (replication 3, min ISR 2), the leader of the busiest raw partition is
// SIGKILLed while the real ingress is acknowledging webhooks. Counted against the ingress's own answers,
// every webhook answered 200 is stored exactly once (read back through the archive consumer, which keeps
// one row per raw record, so a duplicate produce would show as two rows); a 503 is allowed while the
// partition has no leader, and the ingress keeps answering 200 afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { archiveEnv, startArchive } from '@wapipe/archive';
import { topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import type { LocalCluster } from '@wapipe/local-kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
// eslint-disable-next-line no-restricted-imports -- reads partition leaders through the admin API
import { Kafka, logLevel } from 'kafkajs';
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

/** The node leading the raw partition with the most records so far. */
async function busiestRawLeader(): Promise<{ partition: number; nodeId: number }> {
  const ends = await kafka.endOffsets(topics.raw);
  const [partition] = [...ends].sort((a, b) => Number(b[1] - a[1]))[0]!;
  const client = new Kafka({
    clientId: 'leader-kill-admin',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.raw] });
    const leader = metadata.topics[0]!.partitions.find((p) => p.partitionId === partition)!.leader;
    return { partition, nodeId: leader };
  } finally {
    await admin.disconnect();
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
