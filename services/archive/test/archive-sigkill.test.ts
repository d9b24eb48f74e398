// SIGKILL the archive consumer mid-stream (its embedded ClickHouse dies with it), twice, and restart it:
// every raw record is kept exactly once, byte for byte, counted against what was produced.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { testConsumerEnv } from '../../../test/support/consumer-env.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';
import { killMidStreamThenDrain, killedConsumerStorage } from '../../../test/support/sigkill.ts';

// ARCHIVE_TEST_KEEP=1 keeps the data directory and the consumer's log (consumer.log) for a post-mortem.
const storage = killedConsumerStorage('archive', 'ARCHIVE_TEST_KEEP');

it('keeps every raw record exactly once through SIGKILLs mid-stream', { timeout: 300_000 }, async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('archive-kill');
  const topics = topicCatalog(prefix);
  const { chOptions, logFile } = await storage();
  const { records } = generateDeliveryStream({
    sessions: ['kill-a', 'kill-b', 'kill-c'],
    messages: 4000,
    seed: 8,
  });

  const kafka = await connectKafka({ brokers, clientId: 'archive-kill-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  const group = `${prefix}.archive`;
  try {
    const committed = async () =>
      [...(await kafka.committedOffsets(group, topics.raw)).values()].reduce(
        (n, o) => n + (o > 0n ? o : 0n),
        0n,
      );
    // The stream keeps arriving, in small sends, while the consumer is killed and restarted.
    const produce = (async () => {
      for (let i = 0; i < records.length; i += 100)
        await producer.sendMany(topics.raw, records.slice(i, i + 100));
    })();
    const leftAtKill = await killMidStreamThenDrain({
      consumer: 'archive',
      env: testConsumerEnv(brokers, prefix, chOptions),
      logFile,
      kafka,
      group,
      topic: topics.raw,
      kills: 2,
      // Kill as soon as this run has committed a unit: the next is being stored behind it.
      killPoint: async () => {
        const before = await committed();
        await waitFor(
          'a unit committed by this run',
          async () => {
            const now = await committed();
            return now > before || now >= BigInt(records.length);
          },
          { timeoutMs: 120_000, pollMs: 5 },
        );
      },
      leftAtKill: async () => BigInt(records.length) - (await committed()),
      beforeLastRun: () => produce,
    });
    console.log(`records still to commit at each kill: ${leftAtKill.join(', ')} of ${records.length}`);
    expect(leftAtKill[0]).toBeGreaterThan(0n);
  } finally {
    await producer.close();
    await kafka.close();
  }

  const ch = createClickHouse(chOptions);
  try {
    const [stored] = await ch.query({
      query: `SELECT count() AS n, uniqExact(kafka_partition, kafka_offset) AS u
              FROM ${ch.table('archive_raw_requests_v2')}`,
      schema: z.object({ n: z.coerce.number(), u: z.coerce.number() }),
    });
    expect(stored).toEqual({ n: records.length, u: records.length });
    const hashes = await ch.query({
      query: `SELECT sha256 FROM ${ch.table('archive_raw_requests_v2')} ORDER BY sha256`,
      schema: z.object({ sha256: z.string() }),
    });
    const sha = (v: string | Buffer) => createHash('sha256').update(v).digest('hex');
    expect(hashes.map((h) => h.sha256)).toEqual(records.map((r) => sha(r.value!)).sort());
  } finally {
    await ch.close();
  }
});
