// Issue 19: the producer picks each record's partition itself (kafkajs 2.2.4 can skip a moved partition on
// retry), so it counts a topic's partitions. A count kept forever would send nothing to partitions added
// later; it is read again once it is older than metadataMaxAgeMs. Every record sent is in the topic.
import { expect, it } from 'vitest';
import { connectKafka, createCoalescingProducer } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';

it('a topic given more partitions gets records on the new ones, and none is lost', async () => {
  const kafka = await connectKafka({
    brokers: testBrokers(),
    clientId: 'partitions-test',
    logger: silentLogger,
  });
  const topic = uniqueName('grown');
  await kafka.ensureTopics([{ name: topic, key: 'session id', value: 'test record', partitions: 2 }]);
  const producer = createCoalescingProducer(kafka, { metadataMaxAgeMs: 500 });
  const admin = kafka.client.admin();
  try {
    let sent = 0;
    const sendRound = async () => {
      const records = Array.from({ length: 40 }, (_, i) => ({ key: `session-${sent + i}`, value: 'x' }));
      await producer.sendMany(topic, records);
      sent += records.length;
    };
    await sendRound();
    const before = await kafka.endOffsets(topic);
    expect([...before.keys()].sort()).toEqual([0, 1]);

    await admin.connect();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    // 40 keys a round spread over 4 partitions once the count is read again (after 500 ms).
    await waitFor(
      'records on the added partitions 2 and 3',
      async () => {
        await sendRound();
        const offsets = await kafka.endOffsets(topic);
        return (offsets.get(2) ?? 0n) > 0n && (offsets.get(3) ?? 0n) > 0n;
      },
      { timeoutMs: 30_000, pollMs: 250 },
    );
    const after = await kafka.endOffsets(topic);
    expect([...after.values()].reduce((n, o) => n + o, 0n)).toBe(BigInt(sent));
  } finally {
    await admin.disconnect();
    await producer.close();
    await kafka.close();
  }
});
