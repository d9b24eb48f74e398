// Session stats from the minute rollup (cohort counts kept by the delivery consumer) and the inbound
// replies, bucketed in UTC. Never reads the raw status rows: a month of a busy session is a few thousand
// rollup rows however many events it took.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { INTERVAL_MS, bucketStarts } from '../params.ts';
import type { Interval } from '../params.ts';
import type { StatsView } from '../responses.ts';

const BucketRow = z.object({
  start: z.string(),
  sent: z.coerce.number(),
  delivered: z.coerce.number(),
  read: z.coerce.number(),
  failed: z.coerce.number(),
  replies: z.coerce.number(),
});
type Counts = Omit<z.infer<typeof BucketRow>, 'start'>;

export interface StatsQuery {
  sessionId: string;
  from: Date;
  to: Date;
  interval: Interval;
}

/**
 * Buckets cover [from rounded down, to rounded up) to whole intervals. The rollup may hold rows not yet
 * merged (and negative deltas when a message moved cohort), so every count is a sum per bucket.
 */
export async function readStats(ch: ClickHouse, q: StatsQuery): Promise<StatsView> {
  const starts = bucketStarts(q.from, q.to, q.interval);
  const step = INTERVAL_MS[q.interval];
  const first = starts[0] ?? q.from;
  const end = new Date((starts.at(-1) ?? q.from).getTime() + step);
  const rows = await ch.query({
    query: `
      SELECT toDateTime64(intDiv(toUnixTimestamp(t), {step:UInt32}) * {step:UInt32}, 3, 'UTC') AS start,
             sum(s) AS sent, sum(d) AS delivered, sum(r) AS read, sum(f) AS failed, sum(n) AS replies
      FROM (
        SELECT bucket_start AS t, sent AS s, delivered AS d, read AS r, failed AS f, 0 AS n
        FROM ${ch.table('delivery_session_minute_v1')}
        WHERE session_id = {session:String}
          AND bucket_start >= {from:DateTime('UTC')} AND bucket_start < {to:DateTime('UTC')}
        UNION ALL
        SELECT toDateTime(occurred_at, 'UTC') AS t, 0, 0, 0, 0, 1
        FROM ${ch.table('replies_inbound')}
        WHERE session_id = {session:String}
          AND occurred_at >= {from:DateTime('UTC')} AND occurred_at < {to:DateTime('UTC')}
      )
      GROUP BY start`,
    params: { session: q.sessionId, step: step / 1000, from: first, to: end },
    schema: BucketRow,
  });
  return assembleStats(starts, rows);
}

/** Fills the buckets that had no rows with zeros and adds up the totals. Pure, for unit tests. */
export function assembleStats(starts: Date[], rows: z.infer<typeof BucketRow>[]): StatsView {
  const byStart = new Map(rows.map((r) => [new Date(r.start).getTime(), r]));
  const totals: Counts = { sent: 0, delivered: 0, read: 0, failed: 0, replies: 0 };
  const buckets = starts.map((start) => {
    const row = byStart.get(start.getTime());
    const counts: Counts = {
      sent: row?.sent ?? 0,
      delivered: row?.delivered ?? 0,
      read: row?.read ?? 0,
      failed: row?.failed ?? 0,
      replies: row?.replies ?? 0,
    };
    for (const key of Object.keys(totals) as (keyof Counts)[]) totals[key] += counts[key];
    return { start: start.toISOString(), ...counts };
  });
  const rate = (n: number) => (totals.sent > 0 ? n / totals.sent : null);
  return {
    totals: {
      ...totals,
      deliveryRate: rate(totals.delivered),
      readRate: rate(totals.read),
      failureRate: rate(totals.failed),
    },
    buckets,
  };
}
