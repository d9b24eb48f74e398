// The read API over what the real delivery consumer stored from a generated stream (shuffled statuses,
// identical and re-batched duplicates, registrations before and after their statuses) on the real broker:
// every message's status and timeline, and each session's stats, equal the generator's ground truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createApiApp, memorySessionDirectory } from '@wapipe/api';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { createApiTables } from '../../../test/support/api-tables.ts';
import { startTestDelivery } from '../../../test/support/delivery-consumer.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';
import type { GeneratedStream, TruthMessage } from '../../../test/support/delivery-stream.ts';

const brokers = testBrokers();
const sessions = ['api-a', 'api-b'];
const start = new Date('2026-11-29T08:00:00.000Z');
const HOUR = 3_600_000;

const db = suiteClickHouse();
let apiCh: ClickHouse;
let app: Hono;
let stream: GeneratedStream;

const get = async (path: string) => {
  const res = await app.request(path, { headers: { authorization: 'Bearer k' } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};

beforeAll(async () => {
  await createApiTables(db.ch);
  stream = generateDeliveryStream({ sessions, messages: 160, seed: 21, start });
  const prefix = uniqueName('api-pipeline');
  const kafka = await connectKafka({ brokers, clientId: 'api-pipeline-test', logger: silentLogger });
  await kafka.ensureTopics(topicCatalog(prefix).specs(3));
  const producer = createCoalescingProducer(kafka);
  const consumer = await startTestDelivery(brokers, prefix, db.options);
  try {
    await producer.sendMany(topicCatalog(prefix).raw, stream.records);
    await waitFor('every record committed', () => consumer.consumer.committed() >= stream.records.length, {
      timeoutMs: 120_000,
      pollMs: 200,
    });
  } finally {
    await consumer.stop();
    await producer.close();
    await kafka.close();
  }
  apiCh = createClickHouse(db.options);
  app = createApiApp({
    ch: apiCh,
    apiKeys: ['k'],
    sessions: memorySessionDirectory(sessions),
    logger: silentLogger,
  });
});

afterAll(async () => {
  await apiCh?.close();
});

function expectedMessage(m: TruthMessage) {
  const timeline = Object.entries(m.earliest)
    .map(([status, at]) => ({ status, at }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.status.localeCompare(b.status));
  return {
    messageId: m.messageId,
    providerMessageId: m.providerMessageId,
    sessionId: m.sessionId,
    status: m.status,
    updatedAt: timeline.at(-1)?.at,
    timeline: timeline.map((t) => ({ ...t, eventId: expect.any(String) })),
  };
}

/** Hour buckets of a session from the generator's per-minute cohort truth. */
function expectedHours(session: string, from: Date, hours: number) {
  const buckets = Array.from({ length: hours }, (_, h) => ({
    start: new Date(from.getTime() + h * HOUR).toISOString(),
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    replies: 0,
  }));
  for (const [key, counts] of stream.rollup) {
    const [s, minute] = key.split('|') as [string, string];
    if (s !== session) continue;
    const bucket = buckets[Math.floor((Date.parse(`${minute.replace(' ', 'T')}Z`) - from.getTime()) / HOUR)];
    if (!bucket) throw new Error(`cohort minute ${minute} outside the queried range`);
    bucket.sent += counts.sent;
    bucket.delivered += counts.delivered;
    bucket.read += counts.read;
    bucket.failed += counts.failed;
  }
  return buckets;
}

describe('the read API over the delivery consumer', () => {
  it('answers every message as the ground truth says, by provider id and by message id', async () => {
    for (const m of stream.messages.values()) {
      const body = await get(`/v1/messages/${m.providerMessageId}`);
      expect(body, m.providerMessageId).toMatchObject(expectedMessage(m));
      if (m.messageId) expect(await get(`/v1/messages/${m.messageId}`), m.messageId).toEqual(body);
    }
  });

  it('answers each session’s stats as the ground truth says', async () => {
    const from = new Date(start.getTime() - HOUR);
    const to = new Date(start.getTime() + 4 * HOUR);
    for (const session of sessions) {
      const body = (await get(
        `/v1/sessions/${session}/stats?from=${from.toISOString()}&to=${to.toISOString()}&interval=hour`,
      )) as { totals: Record<string, number | null>; buckets: unknown[] };
      const buckets = expectedHours(session, from, 5);
      expect(body.buckets, session).toEqual(buckets);
      const sent = buckets.reduce((n, b) => n + b.sent, 0);
      const delivered = buckets.reduce((n, b) => n + b.delivered, 0);
      expect(sent, session).toBe([...stream.messages.values()].filter((m) => m.sessionId === session).length);
      expect(body.totals['deliveryRate'], session).toBeCloseTo(delivered / sent, 12);
    }
  });
});
