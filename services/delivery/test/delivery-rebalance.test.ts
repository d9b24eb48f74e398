// Two delivery consumers in one group while partitions move between them: one joins mid-stream, then the
// first leaves. Units prepared ahead (ADR 7) for partitions that moved are dropped and fetched again; the
// stored result must still equal the ground truth.
import { describe, expect, it } from 'vitest';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { testClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { startTestDelivery } from '../../../test/support/delivery-consumer.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';
import {
  expectDeliveryMatchesTruth,
  expectTransitionsMatchTruth,
} from '../../../test/support/delivery-truth.ts';

const brokers = testBrokers();

describe('delivery consumers sharing a group', () => {
  it('stores the truth exactly once while partitions move between members', async () => {
    const prefix = uniqueName('delivery-rebalance');
    const topics = topicCatalog(prefix);
    const stream = generateDeliveryStream({
      sessions: ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'],
      messages: 3000,
      seed: 23,
    });
    const db = await testClickHouse();
    const kafka = await connectKafka({ brokers, clientId: 'delivery-rebalance-test', logger: silentLogger });
    await kafka.ensureTopics(topics.specs(3));
    const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
    const third = Math.ceil(stream.records.length / 3);
    const group = `${prefix}.delivery`;
    const first = await startTestDelivery(brokers, prefix, db.options);
    let second: Awaited<ReturnType<typeof startTestDelivery>> | undefined;
    try {
      await producer.sendMany(topics.raw, stream.records.slice(0, third));
      await waitFor('the first member storing', () => first.consumer.committed() > 0, { timeoutMs: 60_000 });

      second = await startTestDelivery(brokers, prefix, db.options);
      await producer.sendMany(topics.raw, stream.records.slice(third, 2 * third));
      await waitFor('the second member storing', () => second!.consumer.committed() > 0, {
        timeoutMs: 90_000,
      });

      await first.stop(); // leaves the group: its partitions move to the second member
      await producer.sendMany(topics.raw, stream.records.slice(2 * third));
      await waitFor(
        'the whole stream committed',
        async () => (await kafka.groupLag(group, topics.raw)) === 0n,
        {
          timeoutMs: 120_000,
          pollMs: 250,
        },
      );
      await second.stop();
      second = undefined;

      await expectDeliveryMatchesTruth(db.ch, stream);
      const published = await expectTransitionsMatchTruth(kafka, topics.statusTransitions, stream);
      expect(published.transitions).toBeGreaterThan(0);
    } finally {
      await second?.stop().catch(() => {});
      await first.stop().catch(() => {});
      await producer.close();
      await kafka.close();
      await db.cleanup();
    }
  });
});
