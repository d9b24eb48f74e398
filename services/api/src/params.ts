// Query and path parameters: one zod schema per route, and one way to read them, so that a bad value is a
// 400 that names the parameter, and the OpenAPI document is generated from these same schemas.
import { z } from 'zod';
import { HttpError } from '@wapipe/http';

/** Instants outside these bounds are refused: they fit every DateTime column and every sane question. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:[0-5]\d)$/;

/** Milliseconds of an ISO-8601 instant, or NaN; a day that does not exist (02-30) is NaN, not March. */
function parseInstant(value: string): number {
  const match = ISO_INSTANT.exec(value);
  if (!match) return NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return NaN;
  return Date.parse(value);
}

/** An ISO-8601 instant with a date, a time and an offset (`Z` or `±hh:mm`), parsed to a Date. */
export const instant = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a string') })
  .meta({ format: 'date-time', example: '2026-11-29T10:00:00Z' })
  .transform((value, ctx) => {
    const ms = parseInstant(value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 instant such as 2026-11-29T10:00:00Z' });
      return z.NEVER;
    }
    if (ms < EARLIEST || ms >= LATEST) {
      ctx.addIssue({ code: 'custom', message: 'expected an instant from 1970 to 2099' });
      return z.NEVER;
    }
    return new Date(ms);
  });

/** Same rule as the ingress's session ids, so nothing that could be a session is refused. */
export const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const sessionId = z
  .string()
  .regex(SESSION_ID, { message: '1–128 letters, digits, ".", "_", ":" or "-"' })
  .meta({ example: 'shop-main' });

/** A message id or provider message id: any text the registry accepts (1–256 characters). */
export const messageRef = z
  .string()
  .min(1, { message: 'expected 1–256 characters' })
  .max(256, { message: 'expected 1–256 characters' })
  .meta({ example: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI' });

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 1000;
const limitMessage = `expected an integer from 1 to ${PAGE_MAX}`;
/** Decimal digits only (no `1e3`, `0x10` or spaces), then 1–PAGE_MAX. */
export const limit = z
  .preprocess(
    (value) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value),
    z
      .number({ error: limitMessage })
      .int({ error: limitMessage })
      .min(1, { error: limitMessage })
      .max(PAGE_MAX, { error: limitMessage }),
  )
  .default(PAGE_DEFAULT)
  .meta({ description: `Page size, 1–${PAGE_MAX}; default ${PAGE_DEFAULT}.` });

export const cursor = z
  .string()
  .max(1024, { message: 'not a cursor from a previous page' })
  .optional()
  .meta({ description: 'The `nextCursor` of the previous page, unchanged. Send the same other parameters.' });

export interface TimeRange {
  from: Date;
  to: Date;
}

/** Adds the "from before to" rule to a schema with `from` and `to`; the issue names `from`. */
export function refineRange<T extends TimeRange>(value: T, ctx: z.RefinementCtx): void {
  if (value.from.getTime() >= value.to.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be earlier than to' });
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const rangeFields = {
  from: instant.optional().meta({ description: 'Start (inclusive). Default: 24 hours before `to`.' }),
  to: instant.optional().meta({ description: 'End (exclusive). Default: now.' }),
};

/** `to` defaults to now, `from` to 24 hours before `to`. */
export function defaultRange(now: () => Date) {
  return <T extends { from?: Date | undefined; to?: Date | undefined }>(value: T): T & TimeRange => {
    const to = value.to ?? now();
    return { ...value, from: value.from ?? new Date(to.getTime() - DAY_MS), to };
  };
}

/** `from`/`to`, defaulting to the last 24 hours. */
export const rangeQuery = (now: () => Date) =>
  z.object(rangeFields).transform(defaultRange(now)).superRefine(refineRange);

/** `from`/`to` (defaulting to the last 24 hours), `limit` and `cursor`. */
export const pagedRangeQuery = (now: () => Date) =>
  z
    .object({ ...rangeFields, limit, cursor })
    .transform(defaultRange(now))
    .superRefine(refineRange);

/** The same, for the raw requests of one session (`sessionId` required). */
export const sessionPagedRangeQuery = (now: () => Date) =>
  z
    .object({ ...rangeFields, limit, cursor, sessionId })
    .transform(defaultRange(now))
    .superRefine(refineRange);

/** The same, for the audit log, with an optional `action` among `actions`. */
export const actionPagedRangeQuery = (now: () => Date, actions: readonly [string, ...string[]]) =>
  z
    .object({
      ...rangeFields,
      limit,
      cursor,
      action: z.enum(actions, { message: `expected one of ${actions.join(', ')}` }).optional(),
    })
    .transform(defaultRange(now))
    .superRefine(refineRange);

export const intervals = ['minute', 'hour', 'day'] as const;
export type Interval = (typeof intervals)[number];
export const INTERVAL_MS: Record<Interval, number> = { minute: 60_000, hour: 3_600_000, day: DAY_MS };
export const MAX_BUCKETS = 10_000;

export const statsQuery = z
  .object({
    from: instant.meta({ description: 'Start (inclusive); rounded down to the start of its bucket.' }),
    to: instant.meta({ description: 'End (exclusive); rounded up to the end of its bucket.' }),
    interval: z
      .enum(intervals, { message: 'expected minute, hour or day' })
      .default('hour')
      .meta({ description: 'Bucket width, aligned in UTC. Default: hour.' }),
  })
  .superRefine(refineRange)
  .superRefine((value, ctx) => {
    const buckets = bucketStarts(value.from, value.to, value.interval, MAX_BUCKETS + 1).length;
    if (buckets > MAX_BUCKETS) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message: `the range holds more than ${MAX_BUCKETS} ${value.interval} buckets; use a wider interval or a shorter range`,
      });
    }
  });

/**
 * Starts of the UTC-aligned buckets that cover [from, to): from rounded down, to rounded up. Stops after
 * `max` buckets so a huge range costs nothing to refuse.
 */
export function bucketStarts(from: Date, to: Date, interval: Interval, max = Infinity): Date[] {
  const step = INTERVAL_MS[interval];
  const starts: Date[] = [];
  for (let t = Math.floor(from.getTime() / step) * step; t < to.getTime() && starts.length < max; t += step) {
    starts.push(new Date(t));
  }
  return starts;
}

export const alertStatuses = ['open', 'resolved'] as const;

/**
 * Reads the query string with `schema`. A parameter given twice, or a value the schema refuses, is a 400
 * `bad_parameter` whose message starts with the parameter's name.
 */
export function parseQuery<S extends z.ZodType>(schema: S, url: string): z.output<S> {
  const params = new URL(url).searchParams;
  const raw: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in raw) throw new HttpError(400, 'bad_parameter', `${name}: give it once`);
    raw[name] = value;
  }
  return parseWith(schema, raw);
}

/** Reads path parameters with `schema`, with the same error shape as query parameters. */
export function parseWith<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.map(String).join('.') || 'query';
  throw new HttpError(400, 'bad_parameter', `${name}: ${issue?.message ?? 'invalid'}`);
}
