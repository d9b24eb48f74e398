// SIGKILL the delivery consumer three times in the middle of storing a unit (embedded ClickHouse dies with
// it), restart it each time, and the stored result must still equal the ground truth exactly.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, followTopic, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { testConsumerEnv } from '../../../test/support/delivery-consumer.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';
import {
  expectDeliveryMatchesTruth,
  expectTransitionsMatchTruth,
} from '../../../test/support/delivery-truth.ts';
import { killMidStreamThenDrain, killedConsumerStorage } from '../../../test/support/sigkill.ts';

// DELIVERY_TEST_KEEP=1 keeps the data directory and the consumer's log (consumer.log) for a post-mortem.
const storage = killedConsumerStorage('delivery', 'DELIVERY_TEST_KEEP');

it('survives three SIGKILLs mid-stream with nothing lost and nothing stored twice', async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('crash');
  const { chOptions, logFile } = await storage();
  const stream = generateDeliveryStream({ sessions: ['k1', 'k2', 'k3', 'k4'], messages: 6000, seed: 3 });
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'crash-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka);
  const group = `${prefix}.delivery`;
  try {
    // The stream keeps arriving while the consumer is killed and restarted.
    const chunks = 8;
    const size = Math.ceil(stream.records.length / chunks);
    let sent = 0;
    const produce = (async () => {
      for (let i = 0; i < chunks; i++) {
        await producer.sendMany(topics.raw, stream.records.slice(i * size, (i + 1) * size));
        sent += Math.min(size, stream.records.length - i * size);
      }
    })();

    // A unit's transitions are published beside its table inserts, after its journal and before its mark:
    // killing as soon as this run publishes some lands in the middle of storing a unit.
    let transitionRecords = 0;
    const transitions = await followTopic(kafka, {
      topic: topics.statusTransitions,
      onRecord: () => transitionRecords++,
    });
    await killMidStreamThenDrain({
      consumer: 'delivery',
      env: testConsumerEnv(brokers, prefix, chOptions),
      logFile,
      kafka,
      group,
      topic: topics.raw,
      kills: 3,
      killPoint: async () => {
        const before = transitionRecords;
        await waitFor('transitions from this run', () => transitionRecords > before, {
          timeoutMs: 60_000,
          pollMs: 2,
        });
      },
      leftAtKill: () => kafka.groupLag(group, topics.raw),
      beforeLastRun: async () => {
        await transitions.stop();
        await produce;
        expect(sent).toBe(stream.records.length);
      },
    });

    const log = await readFile(logFile, 'utf8').catch(() => '');
    const reapplied = log.split('re-applying a journaled batch').length - 1;
    console.log(`journal batches re-applied after kills: ${reapplied}`);
    // At least one kill fell between a unit's journal and its mark, so recovery had work to do.
    expect(reapplied).toBeGreaterThan(0);
    const ch = createClickHouse(chOptions);
    try {
      await expectDeliveryMatchesTruth(ch, stream);
    } finally {
      await ch.close();
    }
    const published = await expectTransitionsMatchTruth(kafka, topics.statusTransitions, stream);
    console.log(
      `transitions published: ${published.transitions}, repeated after kills: ${published.repeats}`,
    );
  } finally {
    await producer.close();
    await kafka.close();
  }
});
