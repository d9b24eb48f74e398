// The delivery consumer on the real broker and engine, against a generated stream with 30% duplicates
// (identical and re-batched), shuffled statuses, and registered and unknown messages.
import { describe, expect, it } from 'vitest';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { suiteClickHouse, testClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { startTestDelivery } from '../../../test/support/delivery-consumer.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';
import {
  expectDeliveryMatchesTruth,
  expectTransitionsMatchTruth,
  storedStatusEventCount,
} from '../../../test/support/delivery-truth.ts';

const brokers = testBrokers();

describe('delivery consumer', () => {
  const db = suiteClickHouse();

  it('stores every reached status once, the right latest status and cohort counts, through duplicates', async () => {
    const prefix = uniqueName('delivery');
    const stream = generateDeliveryStream({ sessions: ['s-a', 's-b', 's-c'], messages: 1500, seed: 7 });
    expect(stream.duplicates).toBeGreaterThan(stream.statusEvents * 0.25);

    const kafka = await connectKafka({ brokers, clientId: 'delivery-test', logger: silentLogger });
    await kafka.ensureTopics(topicCatalog(prefix).specs(3));
    const producer = createCoalescingProducer(kafka);
    const consumer = await startTestDelivery(brokers, prefix, db.options);
    try {
      // Half before the consumer catches up, half while it runs: batches of every size.
      const half = Math.floor(stream.records.length / 2);
      await producer.sendMany(topicCatalog(prefix).raw, stream.records.slice(0, half));
      await waitFor('the first half', async () => (await storedStatusEventCount(db.ch)) > 0, {
        timeoutMs: 60_000,
      });
      await producer.sendMany(topicCatalog(prefix).raw, stream.records.slice(half));
      await waitFor('every record committed', () => consumer.consumer.committed() >= stream.records.length, {
        timeoutMs: 120_000,
        pollMs: 200,
      });
      await expectDeliveryMatchesTruth(db.ch, stream);
      const published = await expectTransitionsMatchTruth(
        kafka,
        topicCatalog(prefix).statusTransitions,
        stream,
      );
      expect(published.repeats, 'no crash, so no transition published twice').toBe(0);
    } finally {
      await consumer.stop();
      await producer.close();
      await kafka.close();
    }
  });

  it('a provider retry days later is not stored again', async () => {
    const prefix = uniqueName('delivery-late');
    const stream = generateDeliveryStream({ sessions: ['late'], messages: 50, seed: 11, duplicateShare: 0 });
    const kafka = await connectKafka({ brokers, clientId: 'delivery-test', logger: silentLogger });
    await kafka.ensureTopics(topicCatalog(prefix).specs(3));
    const producer = createCoalescingProducer(kafka);
    const late = await testClickHouse();
    try {
      const first = await startTestDelivery(brokers, prefix, late.options);
      await producer.sendMany(topicCatalog(prefix).raw, stream.records);
      await waitFor('the stream', () => first.consumer.committed() >= stream.records.length, {
        timeoutMs: 60_000,
      });
      await first.stop();
      // The same events again, as a provider retrying days later sends them: nothing new may be stored.
      const again = await startTestDelivery(brokers, `${prefix}`, { ...late.options });
      await producer.sendMany(topicCatalog(prefix).raw, stream.records);
      await waitFor('the repeats', () => again.consumer.committed() >= stream.records.length, {
        timeoutMs: 60_000,
      });
      await again.stop();
      await expectDeliveryMatchesTruth(late.ch, stream);
    } finally {
      await producer.close();
      await kafka.close();
      await late.cleanup();
    }
  });
});
