// The failures consumer on the real broker and engine: every source and category of failure is stored once
// with its classification, and gets exactly one retry advice, through repeated and re-batched deliveries.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  chatsendEvent,
  count,
  isoAt,
  json,
  metaBody,
  metaStatus,
  metricValue,
  rawRecord,
  sessionStatus,
  startFailuresUnderTest,
} from '../../../test/support/failures-service.ts';

const brokers = testBrokers();

describe('failures consumer: failure categories', () => {
  const db = suiteClickHouse();

  it('stores each failure once with its category and publishes one retry advice per failure, through duplicates', async () => {
    const session = uniqueName('sess');
    const failed = (n: number, code: number, recipient = `44770090${n}`) =>
      metaStatus({ id: `wamid.${session}.${n}`, status: 'failed', at: isoAt(n), recipient, codes: [code] });
    const statuses = [
      failed(1, 131026), // recipient
      failed(2, 130429), // rate_limit
      failed(3, 131000), // transient
      failed(4, 131048), // policy
      failed(5, 132001), // configuration
      failed(6, 999_999), // unknown
    ];
    const inboundWithError = {
      from: '16505551234',
      id: `wamid.${session}.in`,
      timestamp: String(Date.parse(isoAt(7)) / 1000),
      type: 'unsupported',
      unsupported: { type: 'poll_creation' },
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
    };
    const envelopeError = {
      code: 131000,
      title: 'Something went wrong',
      message: 'Something went wrong',
      error_data: { details: 'x' },
    };
    const chatsendFailed = chatsendEvent(session, 'message.failed', isoAt(8), {
      messageId: `cs.${session}.1`,
      recipient: '447700900999',
      error: { code: 'INVALID_RECIPIENT', message: 'The number is not registered on WhatsApp' },
    });
    const records = [
      ...statuses.map((s) => rawRecord('meta', session, metaBody({ statuses: [s] }))),
      rawRecord('meta', session, metaBody({ messages: [inboundWithError] })),
      rawRecord('meta', session, metaBody({ errors: [envelopeError] })),
      rawRecord('chatsend', session, chatsendFailed),
      sessionStatus(session, 'ERROR', isoAt(9), 'stream errored out'),
    ];
    // Every record twice, then the statuses again re-batched into one body: 10 failures, 23 records.
    const all = [...records, ...records, rawRecord('meta', session, metaBody({ statuses }))];

    const service = await startFailuresUnderTest(brokers, db.options);
    try {
      const advice = await service.follow(service.topics.retryAdvice);
      // First once each, stored; then the repeats, which must be recognised against what is stored.
      await service.produce(records);
      await waitFor('the first deliveries committed', () => service.committed() >= records.length, {
        timeoutMs: 60_000,
      });
      await service.produce(all.slice(records.length));
      await waitFor('every record committed', () => service.committed() >= all.length, { timeoutMs: 60_000 });
      // Each of the 10 failures and the session state came again after they were stored.
      expect(await metricValue(service.registry, 'wapipe_failures_repeats_total', {})).toBeGreaterThanOrEqual(
        11,
      );

      const Row = z.object({
        category: z.string(),
        source: z.string(),
        code: z.string(),
        n: z.coerce.number(),
      });
      const rows = await db.ch.query({
        query: `SELECT category, source, code, count() AS n FROM ${db.ch.table('failures_events')}
                WHERE session_id = {s:String} GROUP BY category, source, code ORDER BY code, source`,
        params: { s: session },
        schema: Row,
      });
      expect(rows).toEqual(
        [
          { code: '130429', category: 'rate_limit', source: 'status', n: 1 },
          { code: '131000', category: 'transient', source: 'envelope', n: 1 },
          { code: '131000', category: 'transient', source: 'status', n: 1 },
          { code: '131026', category: 'recipient', source: 'status', n: 1 },
          { code: '131048', category: 'policy', source: 'status', n: 1 },
          { code: '131051', category: 'recipient', source: 'message', n: 1 },
          { code: '132001', category: 'configuration', source: 'status', n: 1 },
          { code: '999999', category: 'unknown', source: 'status', n: 1 },
          { code: 'INVALID_RECIPIENT', category: 'recipient', source: 'status', n: 1 },
          { code: 'session.ERROR', category: 'session', source: 'session', n: 1 },
        ].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.source < b.source ? -1 : 1)),
      );

      // Effects were published before the offsets were committed: the topic's end is exact now.
      expect(await service.endOffset(service.topics.retryAdvice)).toBe(10);
      await waitFor('the advice records read', () => advice.length >= 10);
      const byCode = new Map(
        advice.map((r) => json(r)).map((a) => [`${String(a['code'])}/${String(a['failureEventId'])}`, a]),
      );
      expect(byCode.size).toBe(10);
      const adviceOf = (code: string) =>
        [...byCode.values()].filter((a) => a['code'] === code).map((a) => a['advice']);
      expect(adviceOf('130429')).toEqual(['retry_after_backoff']);
      expect(adviceOf('131048')).toEqual(['retry_after_24h']);
      expect(adviceOf('131026')).toEqual(['never']);
      expect(adviceOf('132001')).toEqual(['never']);
      expect(adviceOf('999999')).toEqual(['retry_after_backoff']);
      expect(adviceOf('session.ERROR')).toEqual(['retry_after_backoff']);
      expect(adviceOf('131051')).toEqual(['never']);
      const rateLimited = [...byCode.values()].find((a) => a['code'] === '130429')!;
      expect(rateLimited).toMatchObject({
        sessionId: session,
        providerMessageId: `wamid.${session}.2`,
        recipient: '447700902',
        notBefore: new Date(Date.parse(isoAt(2)) + 60_000).toISOString(),
      });
      expect(advice.every((r) => r.key === session)).toBe(true);

      expect(
        await count(
          db.ch,
          `SELECT count() AS n FROM ${db.ch.table('failures_session_states')} WHERE session_id = {s:String}`,
          { s: session },
        ),
      ).toBe(1);
      expect(
        await metricValue(service.registry, 'wapipe_failures_stored', { category: 'recipient' }),
      ).toBeGreaterThanOrEqual(3);
      expect(await metricValue(service.registry, 'wapipe_failures_dlq_depth', { consumer: 'failures' })).toBe(
        0,
      );
    } finally {
      await service.stop();
    }
  });
});
