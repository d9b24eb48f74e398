// Issue 19 on a 3-node KRaft cluster from the project's jars (`npm run kafka -- start --nodes 3` from code):
// 1. the project's topics get 3 replicas and min.insync.replicas=2, and an acks=all write reads back;
// 2. three delivery members share one group over 10k sessions (a ClickHouse server in its own process, so
//    they share a database); one is SIGKILLed between journaling a batch and applying it, another joins
//    mid-stream. The stored result equals the ground truth exactly, and every partition's batches were
//    applied in offset order;
// 3. the same for three replies members: replies, suppressions, opt-outs, follow-ups and links;
// 4. the same for three failures members: each failed status stored once, in its session.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import { createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection, ProducedRecord } from '@wapipe/kafka';
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
import { conversation } from './support/replies-conversation.ts';
import { metaBody, registrationRecord, webhookRecord } from './support/replies-webhooks.ts';

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
 * Each batch (from its rows' journal token in `table`) with its raw partition, its offsets and when it was
 * marked applied. Within a partition, a batch of later offsets must never be applied before one of earlier
 * offsets, and no two batches may hold the same offset.
 */
async function partitionOrderViolations(
  ch: ClickHouse,
  consumer: GroupConsumer,
  table: string,
): Promise<string[]> {
  const batches = await ch.query({
    query: `SELECT b.batch AS batch, b.partition AS partition, b.from AS from, b.to AS to,
                   toUnixTimestamp64Milli(a.applied_at) AS applied
            FROM (SELECT splitByChar('.', journal_batch)[1] AS batch, kafka_partition AS partition,
                         min(kafka_offset) AS from, max(kafka_offset) AS to
                  FROM ${ch.table(table)} GROUP BY batch, partition) AS b
            JOIN (SELECT batch_id, min(applied_at) AS applied_at FROM ${ch.table(`${consumer}_journal_applied`)}
                  GROUP BY batch_id) AS a ON a.batch_id = b.batch
            ORDER BY partition, from`,
    schema: Applied.extend({ to: z.coerce.number(), applied: z.coerce.number() }),
  });
  expect(batches.length, `${table}: batches read`).toBeGreaterThan(0);
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

/**
 * One consumer group on the cluster: two members, then victims (each SIGKILLed as soon as it journals a
 * batch, until one dies before marking it applied), then a third member joining while the second half
 * arrives; returns once the group has committed every record, with a connection to its database.
 */
type GroupConsumer = 'delivery' | 'replies' | 'failures';

async function groupScenario(consumer: GroupConsumer, records: ProducedRecord[]): Promise<ClickHouse> {
  const prefix = uniqueName(`group-${consumer}`);
  const topics = topicCatalog(prefix);
  await kafka.ensureTopics(topics.specs(6));
  const dataDir = await mkdtemp(join(tmpdir(), `wapipe-cluster-${consumer}-`));
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

  const env = {
    ...testConsumerEnv(cluster.brokers, prefix, chOptions),
    TOPIC_PARTITIONS: '6',
    // A killed member's partitions move after the session timeout: the broker's minimum.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
  };
  const entry = new URL('./support/consumer-process.ts', import.meta.url).pathname;
  const members: Child[] = [];
  const start = async (name: string, extra: Record<string, string> = {}) => {
    const child = await startChild(entry, [consumer], { ...env, ...extra }, join(dataDir, `${name}.log`));
    members.push(child);
    return child;
  };
  cleanups.push(async () => {
    for (const m of members)
      if (m.process.exitCode === null && m.process.signalCode === null) await m.kill('SIGKILL');
  });
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  cleanups.push(() => producer.close());
  const group = `${prefix}.${consumer}`;
  const lag = () => kafka.groupLag(group, topics.raw);
  const half = Math.floor(records.length / 2);

  await start('member-1');
  await start('member-2');
  // The victim logs at debug: "claimed" (with the batch id) comes after its journal insert and its claim
  // (ADR 15) and before the batch's inserts and mark, so a SIGKILL right then leaves a batch only recovery
  // can apply. (Killed before its claim, a batch is abandoned: test/journal-claim-fence.test.ts.)
  // Records keep coming after each victim has joined (its start returns once it has), so it has
  // something to journal: sent all at once, the first half could be drained before the group rebalanced.
  let pendingBatch: string | undefined;
  const quarter = Math.floor(half / 2);
  const attempts = 5;
  const chunk = Math.ceil((half - quarter) / attempts);
  const chunks = Array.from({ length: attempts }, (_, i) =>
    records.slice(quarter + i * chunk, Math.min(half, quarter + (i + 1) * chunk)),
  );
  await producer.sendMany(topics.raw, records.slice(0, quarter));
  for (let attempt = 1; attempt <= attempts && pendingBatch === undefined; attempt++) {
    const log = join(dataDir, `victim-${attempt}.log`);
    const victim = await startChild(entry, [consumer], { ...env, LOG_LEVEL: 'debug' }, log);
    members.push(victim);
    const sending = producer.sendMany(topics.raw, chunks.shift()!);
    let batchId: string | undefined;
    await waitFor(
      'the victim claiming a journaled batch',
      async () => {
        const text = await readFile(log, 'utf8').catch(() => '');
        const line = text.split('\n').find((l) => l.includes('"msg":"claimed"'));
        batchId =
          line === undefined ? undefined : z.object({ batchId: z.string() }).parse(JSON.parse(line)).batchId;
        return batchId !== undefined;
      },
      { timeoutMs: 90_000, pollMs: 2 },
    );
    await victim.kill('SIGKILL');
    const [marked] = await ch.query({
      query: `SELECT count() AS n FROM ${ch.table(`${consumer}_journal_applied`)} WHERE batch_id = {batchId:String}`,
      params: { batchId: batchId! },
      schema: z.object({ n: z.coerce.number() }),
    });
    if (marked!.n === 0) pendingBatch = batchId;
    await sending;
  }
  expect(pendingBatch, 'a SIGKILL between a claim and its mark').toBeDefined();
  for (const rest of chunks) await producer.sendMany(topics.raw, rest);
  // The survivors take the victim's partitions and read its records again.
  await waitFor('the first half committed by the survivors', async () => (await lag()) === 0n, {
    timeoutMs: 180_000,
    pollMs: 250,
  });

  // A member joins (its start recovers whatever the journal holds) while the rest arrives.
  const joining = start('member-3');
  await producer.sendMany(topics.raw, records.slice(half));
  await joining;
  await waitFor('the whole stream committed', async () => (await lag()) === 0n, {
    timeoutMs: 180_000,
    pollMs: 250,
  });
  for (const m of members)
    if (m.process.exitCode === null && m.process.signalCode === null) await m.kill('SIGTERM');
  // Nothing is left journaled and not applied.
  const [pending] = await ch.query({
    query: `SELECT count() AS n FROM ${ch.table(`${consumer}_journal`)}
            WHERE batch_id NOT IN (SELECT batch_id FROM ${ch.table(`${consumer}_journal_applied`)})`,
    schema: z.object({ n: z.coerce.number() }),
  });
  expect(pending?.n, 'batches journaled and never applied').toBe(0);
  return ch;
}

it('three delivery members over 10k sessions, one SIGKILLed mid-batch and one added: exact, and in partition order', async () => {
  const sessions = Array.from({ length: 10_000 }, (_, i) => `grp-${i}`);
  const stream = generateDeliveryStream({ sessions, messages: 8_000, seed: 19 });
  const ch = await groupScenario('delivery', stream.records);
  await expectDeliveryMatchesTruth(ch, stream);
  expect(await partitionOrderViolations(ch, 'delivery', 'delivery_status_events')).toEqual([]);
}, 480_000);

/** What the replies consumer must have stored for each session: counts per table, and each reply's link. */
interface RepliesTruth {
  perSession: Map<string, Record<RepliesTable, number>>;
  links: string[];
}
const repliesTables = [
  'replies_inbound',
  'replies_suppressions',
  'replies_opt_outs',
  'replies_follow_ups',
] as const;
type RepliesTable = (typeof repliesTables)[number];

/**
 * 3,000 contacts, each in its own session of 10k (`conversation`'s four kinds of contact in turn): its
 * registration, then its replies, every fifth contact's first reply sent twice.
 */
function repliesStream(): { records: ProducedRecord[]; truth: RepliesTruth } {
  const contacts = 3_000;
  const { registrations, messages } = conversation(contacts);
  const sessionOf = (contact: number) => `rgrp-${(contact * 7919) % 10_000}`; // 7919 is prime: all distinct
  const contactOf = (id: string) => Number(/^(?:wamid\.(?:out|in)\.|op-)(\d+)/.exec(id)![1]);
  const records: ProducedRecord[] = [];
  const perSession = new Map<string, Record<RepliesTable, number>>();
  const links: string[] = [];
  const byContact = new Map<number, typeof messages>();
  for (const m of messages) byContact.set(contactOf(m.id), [...(byContact.get(contactOf(m.id)) ?? []), m]);
  for (const [i, registration] of registrations.entries()) {
    const session = sessionOf(i);
    const replies = byContact.get(i) ?? [];
    records.push(registrationRecord(session, registration));
    for (const m of replies) records.push(webhookRecord(session, 'meta', metaBody([m])));
    if (i % 5 === 0) records.push(webhookRecord(session, 'meta', metaBody([replies[0]!])));
    // conversation's kinds: 0 thank-you (follow-up), 1 STOP twice (one opt-out), 2 STOP then START (an
    // opt-out and an opt-in), 3 a button then text (follow-up); each reply links to the contact's message.
    perSession.set(session, {
      replies_inbound: replies.length,
      replies_suppressions: 1,
      replies_opt_outs: i % 4 === 1 ? 1 : i % 4 === 2 ? 2 : 0,
      replies_follow_ups: i % 4 === 0 || i % 4 === 3 ? 1 : 0,
    });
    for (const m of replies) links.push(`${session} ${m.id} → ${registration.providerMessageId}`);
  }
  return { records, truth: { perSession, links: links.sort() } };
}

it('three replies members over 10k sessions, one SIGKILLed mid-batch and one added: exact, and in partition order', async () => {
  const { records, truth } = repliesStream();
  const ch = await groupScenario('replies', records);
  for (const table of repliesTables) {
    const rows = await ch.query({
      query: `SELECT session_id, count() AS n, uniqExact(${table === 'replies_inbound' ? 'provider_message_id' : 'id'}) AS u
              FROM ${ch.table(table)} GROUP BY session_id`,
      schema: z.object({ session_id: z.string(), n: z.coerce.number(), u: z.coerce.number() }),
    });
    const stored = Object.fromEntries(rows.map((r) => [r.session_id, r.n]));
    const expected = Object.fromEntries(
      [...truth.perSession].flatMap(([session, counts]) =>
        counts[table] > 0 ? [[session, counts[table]]] : [],
      ),
    );
    expect(stored, `${table}: rows per session`).toEqual(expected);
    expect(
      rows.filter((r) => r.u !== r.n),
      `${table}: stored twice`,
    ).toEqual([]);
  }
  // Each reply's current link: its latest moved link (a relink after a late message), else its own.
  const links = await ch.query({
    query: `SELECT r.session_id AS session_id, r.provider_message_id AS id,
                   if(l.moved = 1, l.linked, r.linked) AS link
            FROM (SELECT session_id, provider_message_id, any(linked_provider_message_id) AS linked
                  FROM ${ch.table('replies_inbound')} GROUP BY session_id, provider_message_id) AS r
            LEFT JOIN (SELECT session_id, provider_message_id,
                              argMax(linked_provider_message_id, version) AS linked, 1 AS moved
                       FROM ${ch.table('replies_links')} GROUP BY session_id, provider_message_id) AS l
              ON l.session_id = r.session_id AND l.provider_message_id = r.provider_message_id`,
    schema: z.object({ session_id: z.string(), id: z.string(), link: z.string() }),
  });
  expect(links.map((l) => `${l.session_id} ${l.id} → ${l.link}`).sort()).toEqual(truth.links);
  expect(await partitionOrderViolations(ch, 'replies', 'replies_inbound')).toEqual([]);
}, 480_000);

it('three failures members over 10k sessions, one SIGKILLed mid-batch and one added: exact, and in partition order', async () => {
  const sessions = Array.from({ length: 10_000 }, (_, i) => `fgrp-${i}`);
  const stream = generateDeliveryStream({ sessions, messages: 8_000, seed: 23 });
  // Every failed status (Meta's error 131026) is one failure event, however often its body was retried.
  const expected: Record<string, number> = {};
  for (const m of stream.messages.values())
    if (m.earliest.failed) expected[m.sessionId] = (expected[m.sessionId] ?? 0) + 1;
  expect(Object.keys(expected).length).toBeGreaterThan(1_000);
  const ch = await groupScenario('failures', stream.records);
  const rows = await ch.query({
    query: `SELECT session_id, count() AS n, uniqExact(event_id) AS u, countIf(code != '131026') AS other
            FROM ${ch.table('failures_events')} GROUP BY session_id`,
    schema: z.object({
      session_id: z.string(),
      n: z.coerce.number(),
      u: z.coerce.number(),
      other: z.coerce.number(),
    }),
  });
  expect(Object.fromEntries(rows.map((r) => [r.session_id, r.n])), 'failures per session').toEqual(expected);
  expect(
    rows.filter((r) => r.u !== r.n || r.other > 0),
    'failures stored twice, or with another code',
  ).toEqual([]);
  expect(await partitionOrderViolations(ch, 'failures', 'failures_events')).toEqual([]);
}, 480_000);
