// Proves that kafkajs 2.2.4, the client inside @wapipe/kafka, works against the pinned broker: keyed
// partitioning, classic consumer-group rebalancing, and the idempotent producer. This is the Kafka
// package's test of its own dependency, so it speaks kafkajs directly (see docs/adr/0003).
// eslint-disable-next-line no-restricted-imports -- pins kafkajs's behaviour against the broker version
import { Kafka, Partitioners, logLevel } from 'kafkajs';
// eslint-disable-next-line no-restricted-imports -- types of the same
import type { Consumer, PartitionMetadata } from 'kafkajs';
import { afterEach, describe, expect, test } from 'vitest';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';

const kafka = new Kafka({
  clientId: 'kafka-compat-test',
  brokers: testBrokers(),
  logLevel: logLevel.NOTHING,
});
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function createTopic(prefix: string, numPartitions: number): Promise<string> {
  const topic = uniqueName(prefix);
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(async () => {
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
  await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  return topic;
}

async function connectedProducer(options: { idempotent?: boolean; maxInFlightRequests?: number } = {}) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return producer;
}

interface Consumed {
  member: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
}

/** A consumer that records every message into `into` and its latest assignment into `assignments`. */
async function startMember(
  name: string,
  groupId: string,
  topic: string,
  into: Consumed[],
  assignments?: Map<string, number[]>,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    heartbeatInterval: 500,
    sessionTimeout: 10_000,
    maxWaitTimeInMs: 200,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assignments?.set(name, [...(payload.memberAssignment[topic] ?? [])].sort());
  });
  await consumer.connect();
  cleanups.push(() => consumer.disconnect());
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      into.push({
        member: name,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
      });
    },
  });
  return consumer;
}

describe('kafkajs against the pinned broker', () => {
  test('records with one key land in the one partition that the default partitioner picks', async () => {
    const partitions = 6;
    const topic = await createTopic('compat-keys', partitions);
    const producer = await connectedProducer();
    const keys = Array.from({ length: 12 }, (_, i) => `customer-${i}`);
    await producer.send({
      topic,
      messages: keys.flatMap((key) => [1, 2, 3].map((n) => ({ key, value: `${key}/${n}` }))),
    });

    const consumed: Consumed[] = [];
    await startMember('reader', uniqueName('compat-keys'), topic, consumed);
    await waitFor('36 records', () => consumed.length >= keys.length * 3);

    const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
    }));
    const defaultPartition = Partitioners.DefaultPartitioner();
    for (const key of keys) {
      const expected = defaultPartition({ topic, partitionMetadata, message: { key, value: null } });
      const landed = consumed.filter((record) => record.key === key);
      expect(landed.map((record) => record.value)).toEqual([`${key}/1`, `${key}/2`, `${key}/3`]);
      expect(new Set(landed.map((record) => record.partition))).toEqual(new Set([expected]));
    }
    expect(new Set(consumed.map((record) => record.partition)).size).toBeGreaterThan(1);
  });

  test('two members split the partitions and the survivor takes them all when one leaves', async () => {
    const topic = await createTopic('compat-group', 4);
    const groupId = uniqueName('compat-group');
    const producer = await connectedProducer();
    const consumed: Consumed[] = [];
    const assignments = new Map<string, number[]>();
    const produce = (batch: string) =>
      producer.send({
        topic,
        messages: Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: `${batch}-${i}` })),
      });

    await startMember('a', groupId, topic, consumed, assignments);
    await waitFor('member a to own all four partitions', () => assignments.get('a')?.length === 4);
    const b = await startMember('b', groupId, topic, consumed, assignments);
    await waitFor('the partitions to be split two and two', () => {
      const [ofA, ofB] = [assignments.get('a') ?? [], assignments.get('b') ?? []];
      return ofA.length === 2 && ofB.length === 2 && new Set([...ofA, ...ofB]).size === 4;
    });

    await produce('first');
    await waitFor('the first 40 records', () => consumed.length >= 40);
    for (const member of ['a', 'b']) {
      const own = consumed.filter((record) => record.member === member);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((record) => assignments.get(member)?.includes(record.partition))).toBe(true);
    }

    await b.disconnect();
    await waitFor('member a to take over all four partitions', () => assignments.get('a')?.length === 4);
    await produce('second');
    await waitFor(
      'the second 40 records',
      () => consumed.filter((r) => r.value.startsWith('second')).length >= 40,
    );

    const values = consumed.map((record) => record.value);
    expect(values).toHaveLength(80);
    expect(new Set(values).size).toBe(80);
    expect(consumed.filter((r) => r.value.startsWith('second')).every((r) => r.member === 'a')).toBe(true);
  });

  test('an idempotent producer with acks=-1 and one request in flight is read back in order', async () => {
    const topic = await createTopic('compat-idempotent', 1);
    const producer = await connectedProducer({ idempotent: true, maxInFlightRequests: 1 });
    const count = 200;
    for (let start = 0; start < count; start += 40) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 40 }, (_, i) => ({ key: 'one-key', value: String(start + i) })),
      });
    }

    const consumed: Consumed[] = [];
    await startMember('reader', uniqueName('compat-idempotent'), topic, consumed);
    await waitFor(`${count} records`, () => consumed.length >= count);
    expect(consumed.map((record) => Number(record.value))).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
    expect(consumed.map((record) => Number(record.offset))).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
  });
});
