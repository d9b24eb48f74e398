// Stats and latency across sessions, from the delivery consumer's rollup views (delivery_cohort_*_v1,
// delivery_latency_*_v1) and, for `replied`, the replies consumer's (replies_replied_*_v1). Every view holds
// signed partial sums (a message that moved cohort or dimensions left a -1 behind), so every count is a
// sum. Minute buckets read the minute rollups; every coarser interval reads the hour rollups.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Dimension } from '@wapipe/events';
import { bucketsEnd, calendarBuckets, encodeGroupCursor } from '../analytics-params.ts';
import type { AnalyticsInterval, AnalyticsStatsQuery, Filters, LatencyQuery } from '../analytics-params.ts';

const COLUMN: Record<Dimension, string> = {
  session: 'session_id',
  campaign: 'campaign',
  category: 'category',
  country: 'country',
  template: 'template',
};

const BUCKET: Record<AnalyticsInterval, string> = {
  minute: 'bucket_start',
  hour: 'bucket_start',
  day: 'toStartOfDay(bucket_start)',
  week: "toDateTime(toMonday(bucket_start), 'UTC')",
  month: "toDateTime(toStartOfMonth(bucket_start), 'UTC')",
};

const REPLIED_VIEWS = ['replies_replied_minute_v1', 'replies_replied_hour_v1'] as const;
const repliedViewsFound = new WeakSet<ClickHouse>();
const repliedViewsMissingAt = new WeakMap<ClickHouse, number>();
const RECHECK_MISSING_MS = 30_000;

/**
 * Whether the replies consumer publishes its replied views here. A deployment whose replies consumer
 * predates them answers `replied: 0` rather than failing every stats request; once found, they are
 * assumed to stay, and a miss is checked again only after RECHECK_MISSING_MS (not on every request).
 */
export async function hasRepliedViews(ch: ClickHouse): Promise<boolean> {
  if (repliedViewsFound.has(ch)) return true;
  const missingAt = repliedViewsMissingAt.get(ch);
  if (missingAt !== undefined && Date.now() - missingAt < RECHECK_MISSING_MS) return false;
  const rows = await ch.query({
    query: `SELECT count() AS n FROM system.tables
            WHERE database = {db:String} AND name IN {names:Array(String)}`,
    params: { db: ch.database, names: [...REPLIED_VIEWS] },
    schema: z.object({ n: z.coerce.number() }),
  });
  const found = rows[0]?.n === REPLIED_VIEWS.length;
  if (found) repliedViewsFound.add(ch);
  else repliedViewsMissingAt.set(ch, Date.now());
  return found;
}

/** `AND column IN {…}` for each filter, with its bound values. */
function filterSql(
  filters: Filters,
  column = (d: Dimension) => COLUMN[d],
): { sql: string; params: Record<string, string[]> } {
  const params: Record<string, string[]> = {};
  let sql = '';
  for (const [dimension, values] of Object.entries(filters) as [Dimension, string[]][]) {
    params[`f_${dimension}`] = values;
    sql += ` AND ${column(dimension)} IN {f_${dimension}:Array(String)}`;
  }
  return { sql, params };
}

const Counts = {
  sent: z.coerce.number(),
  delivered: z.coerce.number(),
  read: z.coerce.number(),
  failed: z.coerce.number(),
  replied: z.coerce.number(),
};
const GroupRow = z.object({
  key: z.string(),
  ...Counts,
  all_sent: z.coerce.number(),
  all_delivered: z.coerce.number(),
  all_read: z.coerce.number(),
  all_failed: z.coerce.number(),
  all_replied: z.coerce.number(),
});
const numbers = z.array(z.number());
const BucketArrays = z.object({
  key: z.string(),
  t: numbers,
  sent: numbers,
  delivered: numbers,
  read: numbers,
  failed: numbers,
  replied: numbers,
});

export type CountsView = Record<keyof typeof Counts, number>;
export interface TotalsView extends CountsView {
  deliveryRate: number | null;
  readRate: number | null;
  failureRate: number | null;
  replyRate: number | null;
}
export interface AnalyticsStatsView {
  totals: TotalsView;
  /** `buckets` is absent when the query asked for totals only (`buckets=false`). */
  groups: { key: string | null; totals: TotalsView; buckets?: ({ start: string } & CountsView)[] }[];
  nextCursor: string | null;
}

const zeroCounts = (): CountsView => ({ sent: 0, delivered: 0, read: 0, failed: 0, replied: 0 });

export function withRates(c: CountsView): TotalsView {
  const ratio = (n: number, of: number) => (of > 0 ? n / of : null);
  return {
    ...c,
    deliveryRate: ratio(c.delivered, c.sent),
    readRate: ratio(c.read, c.sent),
    failureRate: ratio(c.failed, c.sent),
    replyRate: ratio(c.replied, c.delivered),
  };
}

const BY_DAY_AFTER_DAYS = 31;

/**
 * The one dimension the by-day rollup (delivery_cohort_by_day_v1) answers a query with, or undefined when
 * it does not: it keeps each dimension on its own, so it serves day/week/month buckets grouped by at most
 * one dimension and filtered by at most that same one. It is sorted by value, not time, so only a range
 * longer than BY_DAY_AFTER_DAYS reads it; a shorter one reads fewer rows of the hour rollup.
 */
export function byDayDimension(q: AnalyticsStatsQuery): Dimension | '' | undefined {
  if (q.interval === 'minute' || q.interval === 'hour') return undefined;
  if (q.to.getTime() - q.from.getTime() <= BY_DAY_AFTER_DAYS * 86_400_000) return undefined;
  const filtered = Object.keys(q.filters) as Dimension[];
  if (filtered.length > 1) return undefined;
  const dimension = q.groupBy ?? filtered[0];
  if (filtered[0] !== undefined && filtered[0] !== dimension) return undefined;
  return dimension ?? '';
}

/** The delivery counts, and replied when the replies views exist, as one row source over the range. */
function countsSource(ch: ClickHouse, q: AnalyticsStatsQuery, replies: boolean, keyFilter: string) {
  const grain = q.interval === 'minute' ? 'minute' : 'hour';
  const key = q.groupBy === undefined ? "''" : COLUMN[q.groupBy];
  const range = `bucket_start >= {from:DateTime('UTC')} AND bucket_start < {to:DateTime('UTC')}`;
  const where = `${range}${filterSql(q.filters).sql}${keyFilter}`;
  const byDay = byDayDimension(q);
  const delivery =
    byDay === undefined
      ? `SELECT ${key} AS key, ${BUCKET[q.interval]} AS b, sent AS s, delivered AS d, read AS r, failed AS f, toInt64(0) AS p
    FROM ${ch.table(`delivery_cohort_${grain}_v1`)} WHERE ${where}`
      : `SELECT ${q.groupBy === undefined ? "''" : 'value'} AS key, ${BUCKET[q.interval]} AS b, sent AS s, delivered AS d, read AS r, failed AS f, toInt64(0) AS p
    FROM ${ch.table('delivery_cohort_by_day_v1')}
    WHERE dimension = '${byDay}' AND ${range}${filterSql(q.filters, () => 'value').sql}${keyFilter}`;
  if (!replies) return delivery;
  return `${delivery}
    UNION ALL
    SELECT ${key} AS key, ${BUCKET[q.interval]} AS b, toInt64(0), toInt64(0), toInt64(0), toInt64(0), replied
    FROM ${ch.table(`replies_replied_${grain}_v1`)} WHERE ${where}`;
}

export async function readAnalyticsStats(
  ch: ClickHouse,
  q: AnalyticsStatsQuery,
): Promise<AnalyticsStatsView> {
  const starts = calendarBuckets(q.from, q.to, q.interval);
  const params = {
    ...filterSql(q.filters).params,
    from: starts[0]!,
    to: bucketsEnd(starts, q.interval),
    limit: q.limit + 1,
    ...(q.after ? { after_sent: q.after.sent, after_key: q.after.key } : {}),
  };
  const replies = await hasRepliedViews(ch);
  // Groups whose sums all cancelled out (every message moved away) are not groups.
  const groups = await ch.query({
    query: `
      SELECT * FROM (
        SELECT key, sum(s) AS sent, sum(d) AS delivered, sum(r) AS read, sum(f) AS failed, sum(p) AS replied,
               sum(sum(s)) OVER () AS all_sent, sum(sum(d)) OVER () AS all_delivered,
               sum(sum(r)) OVER () AS all_read, sum(sum(f)) OVER () AS all_failed,
               sum(sum(p)) OVER () AS all_replied
        FROM (${countsSource(ch, q, replies, '')})
        GROUP BY key
        HAVING sent != 0 OR delivered != 0 OR read != 0 OR failed != 0 OR replied != 0
      )
      ${q.after ? 'WHERE sent < {after_sent:Int64} OR (sent = {after_sent:Int64} AND key > {after_key:String})' : ''}
      ORDER BY sent DESC, key ASC
      LIMIT {limit:UInt32}`,
    params,
    schema: GroupRow,
  });
  const page = groups.slice(0, q.limit);
  const first = groups[0];
  const totals = withRates(
    first
      ? {
          sent: first.all_sent,
          delivered: first.all_delivered,
          read: first.all_read,
          failed: first.all_failed,
          replied: first.all_replied,
        }
      : zeroCounts(),
  );
  // Without groupBy there is always one group, with zeros when nothing matched.
  const rows = q.groupBy === undefined && page.length === 0 ? [{ key: '', ...zeroCounts() }] : page;
  const groupTotals = rows.map(({ key, sent, delivered, read, failed, replied }) => ({
    key: q.groupBy === undefined ? null : key,
    totals: withRates({ sent, delivered, read, failed, replied }),
  }));
  // Totals only (`buckets=false`): the groups above are already summed by key alone over the same rows
  // and range, so the bucket query is skipped (1,000 sessions × 24 hours: ~2.4 MB of JSON, ~1 s).
  if (!q.buckets) return { totals, groups: groupTotals, nextCursor: nextCursorOf(groups, q.limit) };
  // One row per group with its buckets as arrays: a 400-day page is 100 rows, not 40k rows to parse.
  const buckets =
    page.length === 0
      ? []
      : await ch.query({
          query: `
            SELECT key, groupArray(toUInt32(t)) AS t, groupArray(toFloat64(sent)) AS sent,
                   groupArray(toFloat64(delivered)) AS delivered, groupArray(toFloat64(read)) AS read,
                   groupArray(toFloat64(failed)) AS failed, groupArray(toFloat64(replied)) AS replied
            FROM (
              SELECT key, toUnixTimestamp(b) AS t, sum(s) AS sent, sum(d) AS delivered, sum(r) AS read,
                     sum(f) AS failed, sum(p) AS replied
              FROM (${countsSource(ch, q, replies, ' AND key IN {keys:Array(String)}')})
              GROUP BY key, t
            )
            GROUP BY key`,
          params: { ...params, keys: page.map((g) => g.key) },
          schema: BucketArrays,
        });
  // Every bucket of the range, zeros included: built once per group from its arrays (100 × 720 objects).
  const isoStarts = starts.map((start) => start.toISOString());
  const indexOf = new Map(starts.map((start, i) => [start.getTime() / 1000, i]));
  const bucketsOf = new Map<string, ({ start: string } & CountsView)[]>();
  for (const row of buckets) {
    const own = isoStarts.map((start) => ({ start, ...zeroCounts() }));
    row.t.forEach((t, i) => {
      const bucket = own[indexOf.get(t) ?? -1];
      if (!bucket) return;
      bucket.sent = row.sent[i]!;
      bucket.delivered = row.delivered[i]!;
      bucket.read = row.read[i]!;
      bucket.failed = row.failed[i]!;
      bucket.replied = row.replied[i]!;
    });
    bucketsOf.set(row.key, own);
  }
  const zeroBuckets = () => isoStarts.map((start) => ({ start, ...zeroCounts() }));
  return {
    totals,
    groups: rows.map((row, i) => ({ ...groupTotals[i]!, buckets: bucketsOf.get(row.key) ?? zeroBuckets() })),
    nextCursor: nextCursorOf(groups, q.limit),
  };
}

/** The cursor after a page of `limit` groups, when the query found one more (it asks for limit + 1). */
function nextCursorOf(groups: z.output<typeof GroupRow>[], limit: number): string | null {
  const last = groups[limit - 1];
  return groups.length > limit && last ? encodeGroupCursor({ sent: last.sent, key: last.key }) : null;
}

const LatencyRow = z.object({
  key: z.string(),
  metric: z.string(),
  count: z.coerce.number(),
  q: z.array(z.coerce.number()),
});
const DirectLatencyRow = z.object({
  key: z.string(),
  deliver_count: z.coerce.number(),
  deliver_q: z.array(z.coerce.number()),
  deliver_moved: z.coerce.number(),
  read_count: z.coerce.number(),
  read_q: z.array(z.coerce.number()),
  read_moved: z.coerce.number(),
});

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}
export interface LatencyView {
  groups: { key: string | null; timeToDeliver: LatencySummary; timeToRead: LatencySummary }[];
}

const HOUR_MS = 3_600_000;
const MINUTE_ROLLUP_DAYS = 31;
const LEVELS = '0.5, 0.9, 0.99';
/** A group is netted when its moved messages are more than 1/200 of its count (0.5% of rank, half the 1%). */
const MOVED_SHARE_NETTED = 200;
const MAX_NETTED_KEYS = 1_000;

/**
 * Latency by cohort time in [from, to). The minute histograms answer a range of whole minutes within the
 * last 31 days; anything else reads the hour histograms, with the range rounded out to whole hours.
 *
 * A bin's -1 rows (a message that moved) must be netted against its +1 rows before the quantile, and
 * netting means grouping by every bin: ~10M groups for 10k sessions over 400 days (6 s, bench/analytics).
 * So the quantiles are first taken over the +1 rows alone. Counting m moved messages that a group no
 * longer holds moves a quantile by at most m of its n messages in rank, so where m ≤ n / 200 (merges
 * fold most -1 rows away; a journal marker row keeps its own) the answer is within the contract's 1% of
 * rank as it is. Only the other groups are netted, in a second read.
 */
export async function readLatency(
  ch: ClickHouse,
  q: LatencyQuery,
  now: Date,
  { maxNettedKeys = MAX_NETTED_KEYS }: { maxNettedKeys?: number } = {},
): Promise<LatencyView> {
  const hourAligned = q.from.getTime() % HOUR_MS === 0 && q.to.getTime() % HOUR_MS === 0;
  const recent = q.from.getTime() >= now.getTime() - MINUTE_ROLLUP_DAYS * 86_400_000;
  const grain = hourAligned || !recent ? 'hour' : 'minute';
  const step = grain === 'hour' ? HOUR_MS : 60_000;
  const from = new Date(Math.floor(q.from.getTime() / step) * step);
  const to = new Date(Math.ceil(q.to.getTime() / step) * step);
  const key = q.groupBy === undefined ? "''" : COLUMN[q.groupBy];
  const filters = filterSql(q.filters);
  const source = `${ch.table(`delivery_latency_${grain}_v1`)}
        WHERE bucket_start >= {from:DateTime('UTC')} AND bucket_start < {to:DateTime('UTC')}${filters.sql}`;
  const params = { ...filters.params, from, to };
  // One row per group, both metrics in it: half the rows of grouping by metric too, and ~25% faster.
  const perMetric = (metric: 'deliver' | 'read') => `
             sumIf(messages, metric = '${metric}') AS ${metric}_count,
             quantilesExactWeightedIf(${LEVELS})(ms, toUInt64(messages), messages > 0 AND metric = '${metric}') AS ${metric}_q,
             -sumIf(messages, messages < 0 AND metric = '${metric}') AS ${metric}_moved`;
  const direct = await ch.query({
    query: `
      SELECT ${key} AS key, ${perMetric('deliver')}, ${perMetric('read')}
      FROM ${source}
      GROUP BY key
      HAVING deliver_count > 0 OR read_count > 0 OR deliver_moved > 0 OR read_moved > 0
      ORDER BY key`,
    params,
    schema: DirectLatencyRow,
  });
  const netting = (count: number, moved: number) => moved * MOVED_SHARE_NETTED > count;
  const movedKeys = direct
    .filter((row) => netting(row.deliver_count, row.deliver_moved) || netting(row.read_count, row.read_moved))
    .map((row) => row.key);
  // Past maxNettedKeys the keys would outgrow a URL (query parameters travel in it): every group is
  // netted then, exact for all.
  const nettedAll = movedKeys.length > maxNettedKeys;
  const netted =
    movedKeys.length === 0
      ? []
      : await ch.query({
          query: `
            SELECT key, metric, sum(w) AS count, quantilesExactWeighted(${LEVELS})(ms, toUInt64(w)) AS q
            FROM (
              SELECT ${key} AS key, metric, ms, sum(messages) AS w
              FROM ${source}${nettedAll ? '' : ` AND ${key} IN {moved_keys:Array(String)}`}
              GROUP BY key, metric, ms
              HAVING w > 0
            )
            GROUP BY key, metric
            ORDER BY key, metric`,
          params: nettedAll ? params : { ...params, moved_keys: movedKeys },
          schema: LatencyRow,
        });
  const empty = (): LatencySummary => ({ count: 0, p50: null, p90: null, p99: null });
  const summary = (count: number, q: number[]): LatencySummary => {
    if (count <= 0) return empty();
    const [p50, p90, p99] = q.map((ms) => ms / 1000);
    return { count, p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null };
  };
  const nettedOf = new Map<string, { deliver?: LatencySummary; read?: LatencySummary }>();
  for (const row of netted) {
    const own = nettedOf.get(row.key) ?? {};
    own[row.metric === 'deliver' ? 'deliver' : 'read'] = summary(row.count, row.q);
    nettedOf.set(row.key, own);
  }
  // The direct rows hold every group, in ClickHouse's key order; a netted group takes its netted answer,
  // and one that nets to nothing (every message moved away) is not a group.
  const movedKeySet = new Set(movedKeys);
  const groups: LatencyView['groups'] = [];
  for (const row of direct) {
    const own = nettedAll || movedKeySet.has(row.key) ? (nettedOf.get(row.key) ?? {}) : undefined;
    const timeToDeliver = own ? (own.deliver ?? empty()) : summary(row.deliver_count, row.deliver_q);
    const timeToRead = own ? (own.read ?? empty()) : summary(row.read_count, row.read_q);
    if (timeToDeliver.count === 0 && timeToRead.count === 0) continue;
    groups.push({ key: q.groupBy === undefined ? null : row.key, timeToDeliver, timeToRead });
  }
  if (q.groupBy === undefined && groups.length === 0) {
    groups.push({ key: null, timeToDeliver: empty(), timeToRead: empty() });
  }
  return { groups };
}
