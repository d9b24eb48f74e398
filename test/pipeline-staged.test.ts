// A pipelined consumer (ADR 7) keeps what prepared batches will write until they are stored. When a store
// fails, that state must be forgotten (reset) before the batch is prepared again; kept, it would make the
// retry take the batch's own unwritten rows for stored ones.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '@wapipe/clickhouse';
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { createJournaledConsumer } from '@wapipe/pipeline';
import type { JournalBatch, SourcedEvent } from '@wapipe/pipeline';
import { testClickHouse } from './harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';

it('a failed store resets the pipelined state before the batch is prepared again', async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('staged');
  const topics = topicCatalog(prefix);
  const db = await testClickHouse();
  const kafka = await connectKafka({ brokers, clientId: 'staged-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(1));
  const producer = createCoalescingProducer(kafka);
  // What the process keeps between batches, as the delivery process does: ids it has written.
  const kept = new Set<string>();
  const calls: string[] = [];
  const prepare = async (events: SourcedEvent[]): Promise<JournalBatch> => {
    const fresh = events.filter((e) => !kept.has(e.eventId));
    calls.push(`process ${fresh.length} of ${events.length}`);
    for (const e of fresh) kept.add(e.eventId);
    return { writes: [{ table: 'staged_target', rows: fresh.map((e) => ({ id: e.eventId })) }] };
  };
  const consumer = createJournaledConsumer({
    name: 'delivery',
    kafka,
    topics,
    groupId: `${prefix}.delivery`,
    ch: db.ch,
    producer,
    logger: silentLogger,
    handler: {
      prepare,
      reset: () => {
        calls.push('reset');
        kept.clear();
      },
    },
    maxAttempts: 100,
  });
  await migrate(db.ch, { owner: 'delivery-journal', migrations: consumer.journal.migrations });
  try {
    const body = JSON.stringify(
      metaEnvelope({
        statuses: [{ id: 'wamid.staged', status: 'sent', timestamp: '1764403200', recipient_id: '1555' }],
      }),
    );
    await producer.send(
      topics.raw,
      rawKafkaRecord({ kind: 'webhook', provider: 'meta', sessionId: 's', ingressVersion: 'test' }, body),
    );
    await consumer.start();
    // staged_target does not exist: the store fails, and keeps failing until it does.
    // (The first reset comes with joining the group, before any batch.)
    const resetAfterProcess = () =>
      calls.some((c, i) => c === 'reset' && calls.slice(0, i).some((p) => p.startsWith('process')));
    await waitFor('a failed store', resetAfterProcess, { timeoutMs: 30_000 });
    await db.ch.command({
      query: `CREATE TABLE ${db.ch.table('staged_target')} (id String) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 1000`,
    });
    await waitFor('the record committed', () => consumer.committed() === 1, { timeoutMs: 60_000 });
    const [row] = await db.ch.query({
      query: `SELECT count() AS n FROM ${db.ch.table('staged_target')}`,
      schema: z.object({ n: z.coerce.number() }),
    });
    expect(row?.n).toBe(1);
    // Every prepare after a reset saw the event as new again.
    const processes = calls.filter((c) => c.startsWith('process'));
    expect(processes.length).toBeGreaterThan(1);
    for (const [i, c] of calls.entries()) {
      if (c.startsWith('process') && calls[i - 1] === 'reset') expect(c).toBe('process 1 of 1');
    }
  } finally {
    await consumer.stop();
    await producer.close();
    await kafka.close();
    await db.cleanup();
  }
});
