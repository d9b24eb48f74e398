// How a consumer reads back what it stored for a batch's messages or contacts: the rows of one of its own
// tables for (session, key) pairs, bounded by both columns and bound as parameters.
import type { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';

/** The key of a (session, key) pair in the maps below. */
export const pairKey = (sessionId: string, key: string) => `${sessionId}\u0000${key}`;

const unique = (values: Iterable<string>) => [...new Set(values)];

export interface StoredPairsQuery<Row extends { session_id: string }> {
  /** The select list; it must name session_id and keyColumn. */
  select: string;
  /** The table as the FROM clause takes it (`db.table FINAL`, …). */
  from: string;
  /** The column holding the pair's key (provider_message_id, wa_id, contact, …). */
  keyColumn: keyof Row & string;
  pairs: { sessionId: string; key: string }[];
  schema: z.ZodType<Row>;
  /** Appended after the WHERE clause, e.g. `GROUP BY session_id, contact`. */
  tail?: string;
}

/** The rows for these pairs by pairKey (a row of a session and a key that were not asked as a pair is left out). */
export async function loadStoredPairs<Row extends { session_id: string }>(
  ch: ClickHouse,
  q: StoredPairsQuery<Row>,
): Promise<Map<string, Row>> {
  if (q.pairs.length === 0) return new Map();
  const rows = await ch.query({
    query: `SELECT ${q.select} FROM ${q.from}
            WHERE session_id IN {sessions:Array(String)} AND ${q.keyColumn} IN {keys:Array(String)}
            ${q.tail ?? ''}`,
    params: { sessions: unique(q.pairs.map((p) => p.sessionId)), keys: unique(q.pairs.map((p) => p.key)) },
    schema: q.schema,
  });
  const wanted = new Set(q.pairs.map((p) => pairKey(p.sessionId, p.key)));
  const out = new Map<string, Row>();
  for (const row of rows) {
    const k = pairKey(row.session_id, String(row[q.keyColumn]));
    if (wanted.has(k)) out.set(k, row);
  }
  return out;
}
