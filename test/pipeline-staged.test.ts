// A pipelined consumer (ADR 7) keeps what prepared batches will write until they are stored. When a store
// fails, that state must be forgotten (reset) before the batch is prepared again; kept, it would make the
// retry take the batch's own unwritten rows for stored ones.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '@wapipe/clickhouse';
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { createLogger, silentLogger } from '@wapipe/observability';
import { createConsumerLoop, createJournaledConsumer } from '@wapipe/pipeline';
import type { JournalBatch, RecordHandler, SourcedEvent } from '@wapipe/pipeline';
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

// The 3-member group test found cohort counts doubled after ClickHouse reads failed: the failed unit was
// stored again on its own (its in-flight state reset), and the next unit, prepared meanwhile, read its
// records as new. No unit may be prepared while a failed one is stored on its own.
it('prepares no unit while a failed one is being stored on its own', async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('staged-alone');
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'staged-alone-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(1));
  const producer = createCoalescingProducer(kafka);
  // A staged handler with in-flight state, as the delivery process keeps it: a unit prepared while another
  // is stored must find that unit's records either stored or in flight.
  const stored = new Set<string>();
  const inFlight = new Set<string>();
  const lines: string[] = [];
  const sawA: boolean[] = [];
  let failedOnce = false;
  let producingB: Promise<void> | undefined;
  const handler: RecordHandler = {
    async prepare(records) {
      const keys = records.map((r) => r.key ?? '');
      if (keys.includes('a') && !failedOnce) {
        failedOnce = true;
        producingB = producer.send(topics.raw, { key: 'b', value: 'b' });
        throw new Error('a read failed');
      }
      if (keys.includes('a')) {
        // Stored again on its own: before the fix, b was prepared right now, against state without a.
        await waitFor(
          'b prepared, or b waiting for a',
          () => sawA.length > 0 || lines.some((l) => l.includes('the next waits')),
          {
            timeoutMs: 30_000,
            pollMs: 10,
          },
        );
      }
      if (keys.includes('b')) sawA.push(stored.has('a') || inFlight.has('a'));
      for (const k of keys) inFlight.add(k);
      return {
        refused: [],
        store: async () => {
          for (const k of keys) {
            stored.add(k);
            inFlight.delete(k);
          }
        },
      };
    },
    reset: () => inFlight.clear(),
  };
  const loop = createConsumerLoop(kafka, {
    name: 'delivery',
    groupId: `${prefix}.delivery`,
    topics: [topics.raw],
    deadLetterTopic: topics.deadLetter('delivery'),
    producer,
    handler,
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    backoff: { initialMs: 10, maxMs: 50 },
  });
  try {
    await producer.send(topics.raw, { key: 'a', value: 'a' });
    await loop.start();
    await waitFor('a and b committed', () => loop.committed() === 2, { timeoutMs: 60_000 });
    await producingB;
    expect(failedOnce).toBe(true);
    expect(sawA).toEqual([true]);
  } finally {
    await loop.stop();
    await producer.close();
    await kafka.close();
  }
});
