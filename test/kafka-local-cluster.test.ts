// `npm run kafka -- start --nodes 3` from code: a 3-node KRaft cluster from the same jars, on which the
// project's topics get 3 replicas and min.insync.replicas=2, and an acks=all write reads back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKafka, topicCatalog } from '@wapipe/kafka';
import { findFreePort, startLocalCluster } from '@wapipe/local-kafka';
import type { LocalCluster } from '@wapipe/local-kafka';
import { silentLogger } from '@wapipe/observability';
// eslint-disable-next-line no-restricted-imports -- reads replication and configs through the admin API
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, test } from 'vitest';
import { uniqueName, waitFor } from './harness/kafka.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const freePorts = (count: number) => Promise.all(Array.from({ length: count }, () => findFreePort()));

test('a 3-node cluster holds the project topics at replication 3, min ISR 2, and reads back acks=all', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-kafka-cluster-test-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const cluster: LocalCluster = await startLocalCluster({
    nodes: 3,
    dataDir,
    ports: await freePorts(3),
    controllerPorts: await freePorts(3),
    onProgress: () => undefined,
  });
  cleanups.push(() => cluster.stop());
  expect(cluster.brokers).toHaveLength(3);

  const prefix = uniqueName('cluster');
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({
    brokers: cluster.brokers,
    clientId: 'cluster-test',
    logger: silentLogger,
  });
  cleanups.push(() => kafka.close());
  await kafka.ensureTopics(topics.specs(3));

  const client = new Kafka({
    clientId: 'cluster-check',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
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
    expect(resource.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe('2');
  }

  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const sent = Array.from({ length: 10 }, (_, i) => `record ${i}`);
  await producer.send({ topic: topics.raw, acks: -1, messages: sent.map((value) => ({ key: 's1', value })) });
  const consumer = client.consumer({ groupId: uniqueName('cluster'), maxWaitTimeInMs: 200 });
  cleanups.push(() => consumer.disconnect());
  const read: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.raw], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void read.push(message.value?.toString() ?? '') });
  await waitFor('every record written with acks=all', () => read.length >= sent.length, {
    timeoutMs: 60_000,
  });
  expect(read).toEqual(sent);
}, 240_000);
