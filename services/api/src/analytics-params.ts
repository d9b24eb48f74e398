// Parameters of the routes across sessions (CONTRACT.md "Analytics across sessions"): calendar intervals
// (weeks start on Monday, months on the 1st, all in UTC), the range each interval allows, the five
// dimension filters (one value or a comma list) and the groups' keyset cursor.
import { z } from 'zod';
import { DIMENSIONS } from '@wapipe/events';
import type { Dimension } from '@wapipe/events';
import { HttpError } from '@wapipe/http';
import { cursor, instant, limit, SESSION_ID } from './params.ts';

export const analyticsIntervals = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type AnalyticsInterval = (typeof analyticsIntervals)[number];

const DAY_MS = 86_400_000;
/** The longest range each interval allows: minute and hour rollups are the fine grain (31 days). */
export const MAX_RANGE_DAYS: Record<AnalyticsInterval, number> = {
  minute: 31,
  hour: 31,
  day: 400,
  week: 400,
  month: 400,
};

/** Start of the UTC bucket that holds `t`. */
export function bucketFloor(t: number, interval: AnalyticsInterval): number {
  const date = new Date(t);
  switch (interval) {
    case 'minute':
      return Math.floor(t / 60_000) * 60_000;
    case 'hour':
      return Math.floor(t / 3_600_000) * 3_600_000;
    case 'day':
      return Math.floor(t / DAY_MS) * DAY_MS;
    case 'week': {
      const day = Math.floor(t / DAY_MS) * DAY_MS;
      return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
    }
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
}

function nextBucket(start: number, interval: AnalyticsInterval): number {
  if (interval === 'month') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  const step = { minute: 60_000, hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS }[interval];
  return start + step;
}

/** Starts of the buckets that cover [from, to): from rounded down, to rounded up. */
export function calendarBuckets(from: Date, to: Date, interval: AnalyticsInterval): Date[] {
  const starts: Date[] = [];
  for (let t = bucketFloor(from.getTime(), interval); t < to.getTime(); t = nextBucket(t, interval)) {
    starts.push(new Date(t));
  }
  return starts;
}

/** The end of the last bucket: the exclusive upper bound the rollups are read to. */
export const bucketsEnd = (starts: Date[], interval: AnalyticsInterval): Date =>
  new Date(nextBucket(starts.at(-1)!.getTime(), interval));

/** Query parameter of each dimension's filter. */
export const FILTER_PARAMS = {
  session: 'sessionId',
  campaign: 'campaignId',
  category: 'category',
  country: 'country',
  template: 'template',
} as const satisfies Record<Dimension, string>;

const MAX_FILTER_VALUES = 100;

/**
 * One value or a comma-separated list of at most MAX_FILTER_VALUES, each matching `pattern`: the one
 * filter-list parser of every route across sessions (/v1/stats, /v1/stats/latency, /v1/failures).
 */
export const filterList = (pattern: RegExp, expected: string, description: string) =>
  z
    .string()
    .max(16_384)
    .transform((value, ctx) => {
      const values = [...new Set(value.split(','))];
      if (values.length > MAX_FILTER_VALUES) {
        ctx.addIssue({ code: 'custom', message: `give at most ${MAX_FILTER_VALUES} values` });
        return z.NEVER;
      }
      if (values.some((v) => !pattern.test(v))) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}, comma-separated` });
        return z.NEVER;
      }
      return values;
    })
    .optional()
    .meta({ description: `${description} One value or a comma-separated list.` });

const TEXT = /^[^\u0000-\u001f]{0,512}$/;

/** Each dimension's filter, by its query parameter (FILTER_PARAMS); an empty item is the unknown value "". */
export const filterFields = {
  sessionId: filterList(SESSION_ID, 'session ids', 'Only these sessions.'),
  campaignId: filterList(TEXT, 'campaign ids of at most 512 characters', 'Only messages of these campaigns.'),
  category: filterList(TEXT, 'categories of at most 512 characters', 'Only messages of these categories.'),
  country: filterList(
    /^([A-Z]{2})?$/,
    'ISO 3166-1 alpha-2 codes such as BR',
    'Only messages to these countries.',
  ),
  template: filterList(TEXT, 'template names of at most 512 characters', 'Only messages of these templates.'),
} satisfies Record<(typeof FILTER_PARAMS)[Dimension], unknown>;

export type Filters = Partial<Record<Dimension, string[]>>;

const groupBy = z
  .enum(DIMENSIONS, { message: `expected one of ${DIMENSIONS.join(', ')}` })
  .optional()
  .meta({ description: 'Dimension to group by; without it, one group with key null.' });

const rangeFields = {
  from: instant.meta({ description: 'Start (inclusive); rounded down to the start of its bucket.' }),
  to: instant.meta({ description: 'End (exclusive); rounded up to the end of its bucket.' }),
};

function filtersOf(raw: Record<string, unknown>): Filters {
  const filters: Filters = {};
  for (const d of DIMENSIONS) {
    const values = raw[FILTER_PARAMS[d]];
    if (Array.isArray(values)) filters[d] = values as string[];
  }
  return filters;
}

function refineRange(value: { from: Date; to: Date }, ctx: z.RefinementCtx, maxDays: number, path: string) {
  const ms = value.to.getTime() - value.from.getTime();
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be earlier than to' });
  } else if (ms > maxDays * DAY_MS) {
    ctx.addIssue({
      code: 'custom',
      path: [path],
      message:
        path === 'interval'
          ? `the range is longer than ${maxDays} days, the most this interval allows; use a coarser interval (day, week, month allow 400 days) or a shorter range`
          : `the range is longer than ${maxDays} days`,
    });
  }
}

export const analyticsStatsQuery = z
  .object({
    ...rangeFields,
    interval: z
      .enum(analyticsIntervals, { message: `expected one of ${analyticsIntervals.join(', ')}` })
      .default('day')
      .meta({ description: 'Bucket width in UTC (weeks start on Monday). Default: day.' }),
    groupBy,
    ...filterFields,
    limit: limit.meta({ description: 'Groups per page, 1–1000; default 100.' }),
    cursor,
    buckets: z.enum(['true', 'false'], { message: 'expected true or false' }).default('true').meta({
      description:
        'false: each group carries only its totals, no buckets (CSV: one row per group). Default: true.',
    }),
  })
  .superRefine((value, ctx) => refineRange(value, ctx, MAX_RANGE_DAYS[value.interval], 'interval'))
  .transform((value) => ({
    from: value.from,
    to: value.to,
    interval: value.interval,
    groupBy: value.groupBy,
    filters: filtersOf(value),
    limit: value.limit,
    after: value.cursor === undefined ? undefined : decodeGroupCursor(value.cursor),
    buckets: value.buckets === 'true',
  }));
export type AnalyticsStatsQuery = z.output<typeof analyticsStatsQuery>;

export const latencyQuery = z
  .object({ ...rangeFields, groupBy, ...filterFields })
  .superRefine((value, ctx) => refineRange(value, ctx, 400, 'to'))
  .transform((value) => ({
    from: value.from,
    to: value.to,
    groupBy: value.groupBy,
    filters: filtersOf(value),
  }));
export type LatencyQuery = z.output<typeof latencyQuery>;

/** The last group of a page: groups are ordered by sent descending, then key ascending. */
export interface GroupKeyset {
  sent: number;
  key: string;
}

export function encodeGroupCursor(keyset: GroupKeyset): string {
  return Buffer.from(JSON.stringify([1, keyset.sent, keyset.key]), 'utf8').toString('base64url');
}

export function decodeGroupCursor(value: string): GroupKeyset {
  const bad = () => new HttpError(400, 'bad_parameter', 'cursor: not a cursor from a previous page');
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(value)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [version, sent, key] = parsed as unknown[];
  if (version !== 1 || !Number.isSafeInteger(sent) || typeof key !== 'string' || key.length > 512)
    throw bad();
  return { sent: sent as number, key };
}
