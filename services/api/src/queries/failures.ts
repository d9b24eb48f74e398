// Failures of a session in a time range, counted as the contract says: one per message and code (a later
// delivery does not erase it; a repeated report of the same failure is not a second one), plus each failure
// event that has no message (e.g. Meta's envelope errors).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { failureCategories } from '../responses.ts';
import type { FailuresView } from '../responses.ts';

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

/** A code's title, category and retryable are those of its latest report (they come from one table). */
export async function readFailures(ch: ClickHouse, q: FailuresQuery): Promise<FailuresView> {
  const rows = await ch.query({
    query: `
      SELECT code,
             argMax(title, (occurred_at, event_id)) AS latest_title,
             argMax(category, (occurred_at, event_id)) AS latest_category,
             argMax(retryable, (occurred_at, event_id)) AS latest_retryable,
             uniqExactIf(provider_message_id, provider_message_id != '')
               + uniqExactIf(event_id, provider_message_id = '') AS failures
      FROM ${ch.table('failures_events_v1')}
      WHERE session_id = {session:String}
        AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
      GROUP BY code
      ORDER BY failures DESC, code`,
    params: { session: q.sessionId, from: q.from, to: q.to },
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
