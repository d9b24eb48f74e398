// Analytics across sessions (CONTRACT.md): `GET /v1/stats` and `GET /v1/stats/latency`, JSON or CSV.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { analyticsStatsQuery, latencyQuery } from '../analytics-params.ts';
import { toCsv } from '../csv.ts';
import { readAnalyticsStats, readLatency } from '../queries/analytics.ts';
import { defineRoute } from '../route.ts';

const at = z.string().meta({ format: 'date-time', example: '2026-11-29T10:00:00.000Z' });
const counts = {
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  replied: z.number().int().meta({ description: 'Messages of the cohort with at least one linked reply.' }),
};
const rate = z.number().nullable();
const Totals = z.object({
  ...counts,
  deliveryRate: rate.meta({ description: 'delivered / sent; null when sent is 0.' }),
  readRate: rate.meta({ description: 'read / sent; null when sent is 0.' }),
  failureRate: rate.meta({ description: 'failed / sent; null when sent is 0.' }),
  replyRate: rate.meta({ description: 'replied / delivered; null when delivered is 0.' }),
});
const groupKey = z
  .string()
  .nullable()
  .meta({ description: 'The group’s dimension value ("" unknown); null without groupBy.' });

export const AnalyticsStatsView = z.object({
  totals: Totals,
  groups: z.array(
    z.object({
      key: groupKey,
      totals: Totals,
      buckets: z
        .array(z.object({ start: at, ...counts }))
        .optional()
        .meta({
          description: 'Every bucket of the range, oldest first, zeros included; absent with buckets=false.',
        }),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const Summary = z.object({
  count: z.number().int(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
});
export const LatencyView = z.object({
  groups: z.array(z.object({ key: groupKey, timeToDeliver: Summary, timeToRead: Summary })),
});

const COUNT_COLUMNS = ['sent', 'delivered', 'read', 'failed', 'replied'] as const;

export function analyticsRoutes(ch: ClickHouse, now: () => Date) {
  return [
    defineRoute({
      path: '/v1/stats',
      operationId: 'getStats',
      label: 'stats_across',
      summary: 'Delivery, read, failure and reply counts across sessions, by dimension and time',
      description:
        'Cohort counts (a message counts in the bucket of its send time) grouped by one of session, ' +
        'campaign, category, country, template; groups by sent descending, then key; paged. ' +
        '`buckets=false` gives each group its totals only. CSV with `Accept: text/csv`.',
      pathParams: z.object({}),
      query: analyticsStatsQuery,
      response: AnalyticsStatsView,
      errors: [400],
      handle: ({ query }) => readAnalyticsStats(ch, query),
      csv: (view, query) =>
        query.buckets
          ? toCsv(
              ['key', 'start', ...COUNT_COLUMNS],
              view.groups.flatMap((g) =>
                (g.buckets ?? []).map((b) => [g.key, b.start, ...COUNT_COLUMNS.map((c) => b[c])]),
              ),
            )
          : toCsv(
              ['key', ...COUNT_COLUMNS],
              view.groups.map((g) => [g.key, ...COUNT_COLUMNS.map((c) => g.totals[c])]),
            ),
    }),
    defineRoute({
      path: '/v1/stats/latency',
      operationId: 'getStatsLatency',
      label: 'stats_latency',
      summary: 'Time to deliver and to read (seconds, p50/p90/p99) across sessions, by dimension',
      description:
        'From the cohort time to the first delivered (read) report; read or played count as delivery when ' +
        'no delivered came. Quantiles are within 1% of the value. CSV with `Accept: text/csv`.',
      pathParams: z.object({}),
      query: latencyQuery,
      response: LatencyView,
      errors: [400],
      handle: ({ query }) => readLatency(ch, query, now()),
      csv: (view) =>
        toCsv(
          ['key', 'metric', 'count', 'p50', 'p90', 'p99'],
          view.groups.flatMap((g) =>
            (
              [
                ['timeToDeliver', g.timeToDeliver],
                ['timeToRead', g.timeToRead],
              ] as const
            ).map(([metric, s]) => [g.key, metric, s.count, s.p50, s.p90, s.p99]),
          ),
        ),
    }),
  ];
}
