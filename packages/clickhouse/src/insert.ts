// Inserts are JSONEachRow only: the embedded engine decodes insert bodies as UTF-8 text, which corrupts
// binary formats. Per-call settings live in the statement itself: passed as `clickhouse_settings`, chdb
// turns them into `SET`s that outlive the call, and a dedup token reused by the next plain insert
// silently drops its rows.
import type { ClickHouseClient } from '@clickhouse/client';
import { assertDedupToken, qualifiedTable } from './identifiers.ts';
import type { InsertArgs } from './types.ts';

/**
 * `db.table` plus the statement-level SETTINGS clause, i.e. what follows `INSERT INTO`. Every insert is
 * synchronous (servers may default to async inserts; chdb only pretends to queue them). A token insert
 * also asks for dedup explicitly, including in materialized views, whose default differs by version.
 */
export function insertTarget(
  database: string,
  table: string,
  dedupToken?: string,
  dedupDependentViews = true,
): string {
  const target = qualifiedTable(database, table);
  if (dedupToken === undefined) return `${target} SETTINGS async_insert = 0`;
  return (
    `${target} SETTINGS async_insert = 0, insert_deduplicate = 1, ` +
    `deduplicate_blocks_in_dependent_materialized_views = ${dedupDependentViews ? 1 : 0}, ` +
    `insert_deduplication_token = '${assertDedupToken(dedupToken)}'`
  );
}

export async function insertRows<Row extends object>(
  client: ClickHouseClient,
  database: string,
  args: InsertArgs<Row>,
): Promise<void> {
  const target = insertTarget(database, args.table, args.dedupToken, args.dedupDependentViews);
  if (args.rows.length === 0) return;
  // The driver writes `INSERT INTO ${table} FORMAT JSONEachRow`, so the SETTINGS clause rides in `table`.
  await client.insert({ table: target, values: args.rows as Row[], format: 'JSONEachRow' });
}
