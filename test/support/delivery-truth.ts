// Compares what the delivery consumer stored with the generator's ground truth, and says what differs.
import { expect } from 'vitest';
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { GeneratedStream } from './delivery-stream.ts';

const rankName = ['pending', 'sent', 'delivered', 'read', 'played'] as const;

export async function storedStatusEventCount(ch: ClickHouse): Promise<number> {
  const [row] = await ch.query({
    query: `SELECT count() AS n FROM ${ch.table('delivery_status_events')}`,
    schema: z.object({ n: z.coerce.number() }),
  });
  return row?.n ?? 0;
}

export async function expectDeliveryMatchesTruth(ch: ClickHouse, stream: GeneratedStream): Promise<void> {
  const timeline = await ch.query({
    query: `SELECT provider_message_id AS pmid, status, count() AS n, min(occurred_at) AS at
            FROM ${ch.table('delivery_status_events')} GROUP BY pmid, status`,
    schema: z.object({ pmid: z.string(), status: z.string(), n: z.coerce.number(), at: z.string() }),
  });
  expect(
    timeline.filter((r) => r.n !== 1),
    'statuses stored more than once',
  ).toEqual([]);
  expect(timeline.length, 'distinct (message, status) rows').toBe(stream.statusEvents);
  const wrongTimes = timeline.filter(
    (r) => stream.messages.get(r.pmid)?.earliest[r.status as 'sent'] !== r.at,
  );
  expect(wrongTimes.slice(0, 5), 'each status at its earliest report').toEqual([]);

  const states = await ch.query({
    query: `SELECT provider_message_id AS pmid, max(top_rank) AS rank, max(failed) AS failed
            FROM ${ch.table('delivery_message_state')} GROUP BY pmid`,
    schema: z.object({ pmid: z.string(), rank: z.coerce.number(), failed: z.coerce.number() }),
  });
  const wrongStatus = states
    .map((s) => ({
      pmid: s.pmid,
      got: s.rank >= 2 ? rankName[s.rank] : s.failed ? 'failed' : rankName[s.rank],
      want: stream.messages.get(s.pmid)?.status,
    }))
    .filter((s) => s.got !== s.want);
  expect(wrongStatus.slice(0, 5), 'latest status by precedence').toEqual([]);
  expect(states.length).toBe(
    [...stream.messages.values()].filter((m) => Object.keys(m.earliest).length > 0).length,
  );

  const rollup = await ch.query({
    query: `SELECT session_id, toString(minute) AS minute, sum(sent) AS sent, sum(delivered) AS delivered,
                   sum(read) AS read, sum(failed) AS failed
            FROM ${ch.table('delivery_rollup_minute')} GROUP BY session_id, minute
            HAVING sent != 0 OR delivered != 0 OR read != 0 OR failed != 0`,
    schema: z.object({
      session_id: z.string(),
      minute: z.string(),
      sent: z.coerce.number(),
      delivered: z.coerce.number(),
      read: z.coerce.number(),
      failed: z.coerce.number(),
    }),
  });
  const got = Object.fromEntries(
    rollup.map((r) => [
      `${r.session_id}|${r.minute}`,
      { sent: r.sent, delivered: r.delivered, read: r.read, failed: r.failed },
    ]),
  );
  expect(got, 'cohort rollups').toEqual(Object.fromEntries(stream.rollup));

  const [registry] = await ch.query({
    query: `SELECT count() AS n, uniqExact(provider_message_id) AS u FROM ${ch.table('delivery_outbound_messages')}`,
    schema: z.object({ n: z.coerce.number(), u: z.coerce.number() }),
  });
  const registered = [...stream.messages.values()].filter((m) => m.messageId !== null).length;
  expect(registry).toEqual({ n: registered, u: registered });
}
