// Failures of a session in a time range, counted as the contract says: one per message and code (a later
// delivery does not erase it; a repeated report of the same failure is not a second one), plus each failure
// event that has no message (e.g. Meta's envelope errors).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { failureCategories } from '../responses.ts';
import type { FailuresView } from '../responses.ts';
import { toCsv } from '../csv.ts';

const CodeRow = z.object({
  code: z.string(),
  latest_title: z.string(),
  latest_category: z.string(),
  latest_retryable: z.coerce.number(),
  failures: z.coerce.number(),
});

export interface FailuresQuery {
  sessionId: string;
  from: Date;
  to: Date;
}

/** Failures across sessions: each filter, when given, keeps the failures whose value is in its list. */
export interface FailuresAcrossQuery {
  from: Date;
  to: Date;
  sessionId?: string[] | undefined;
  campaignId?: string[] | undefined;
  category?: string[] | undefined;
  country?: string[] | undefined;
  template?: string[] | undefined;
}

export const readFailures = (ch: ClickHouse, q: FailuresQuery): Promise<FailuresView> =>
  readFailuresAcross(ch, { from: q.from, to: q.to, sessionId: [q.sessionId] });

// A filter's column in failures_messages_v1 (the failures service's own copy of the message dimensions).
const DIMENSION_COLUMNS = {
  campaignId: 'campaign',
  category: 'category',
  country: 'country',
  template: 'template',
} as const;

/**
 * A code's title, category and retryable are those of its latest report (they come from one table). A
 * failure with no message (an envelope error) has every dimension '' and passes a filter only if it lists ''.
 */
export async function readFailuresAcross(ch: ClickHouse, q: FailuresAcrossQuery): Promise<FailuresView> {
  const dimensions = (Object.keys(DIMENSION_COLUMNS) as (keyof typeof DIMENSION_COLUMNS)[]).filter(
    (d) => q[d] !== undefined,
  );
  // Only fixed SQL text is chosen here; every value stays a bound parameter.
  const where = [
    `f.occurred_at >= {from:DateTime64(3, 'UTC')} AND f.occurred_at < {to:DateTime64(3, 'UTC')}`,
    q.sessionId ? 'f.session_id IN {sessions:Array(String)}' : '',
    ...dimensions.map((d) => `m.${DIMENSION_COLUMNS[d]} IN {${d}:Array(String)}`),
  ].filter(Boolean);
  const join =
    dimensions.length === 0
      ? ''
      : `LEFT JOIN (
           SELECT session_id, provider_message_id, ${dimensions.map((d) => DIMENSION_COLUMNS[d]).join(', ')}
           FROM ${ch.table('failures_messages_v1')}
           ${q.sessionId ? 'WHERE session_id IN {sessions:Array(String)}' : ''}
         ) AS m ON m.session_id = f.session_id AND m.provider_message_id = f.provider_message_id`;
  const rows = await ch.query({
    query: `
      SELECT f.code AS code,
             argMax(f.title, (f.occurred_at, f.event_id)) AS latest_title,
             argMax(f.category, (f.occurred_at, f.event_id)) AS latest_category,
             argMax(f.retryable, (f.occurred_at, f.event_id)) AS latest_retryable,
             uniqExactIf((f.session_id, f.provider_message_id), f.provider_message_id != '')
               + uniqExactIf((f.session_id, f.event_id), f.provider_message_id = '') AS failures
      FROM ${ch.table('failures_events_v1')} AS f
      ${join}
      WHERE ${where.join(' AND ')}
      GROUP BY code
      ORDER BY failures DESC, code`,
    params: {
      from: q.from,
      to: q.to,
      ...(q.sessionId ? { sessions: q.sessionId } : {}),
      ...Object.fromEntries(dimensions.map((d) => [d, q[d]])),
    },
    schema: CodeRow,
  });
  const byCategory: Record<string, number> = Object.fromEntries(failureCategories.map((c) => [c, 0]));
  for (const row of rows) {
    byCategory[row.latest_category] = (byCategory[row.latest_category] ?? 0) + row.failures;
  }
  return {
    byCode: rows.map((r) => ({
      code: r.code,
      title: r.latest_title,
      category: r.latest_category,
      retryable: r.latest_retryable === 1,
      count: r.failures,
    })),
    byCategory,
  };
}

/** The failures answer as CSV: a header row, then one row per code. */
export function failuresCsv(view: FailuresView): string {
  return toCsv(
    ['code', 'title', 'category', 'retryable', 'count'],
    view.byCode.map((c) => [c.code, c.title, c.category, String(c.retryable), c.count]),
  );
}
