// Inserts are JSONEachRow only: the embedded engine decodes insert bodies as UTF-8 text, which corrupts
// binary formats. Per-call settings live in the statement itself: passed as `clickhouse_settings`, chdb
// turns them into `SET`s that outlive the call, and a dedup token reused by the next plain insert
// silently drops its rows.
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { assertDedupToken, qualifiedTable } from './identifiers.ts';
import type { EncodedFormat, InsertArgs } from './types.ts';

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

// The format name goes into the SQL text: only these.
const encodedFormats: Record<EncodedFormat, string> = {
  JSONEachRow: 'JSONEachRow',
  JSONCompactEachRowWithNames: 'JSONCompactEachRowWithNames',
  TabSeparatedWithNames: 'TabSeparatedWithNames',
};

export async function insertRows<Row extends object>(
  client: ClickHouseClient,
  database: string,
  args: InsertArgs<Row>,
): Promise<void> {
  const target = insertTarget(database, args.table, args.dedupToken, args.dedupDependentViews);
  if ('encoded' in args) {
    if (args.encoded.length === 0) return;
    // The driver's insert() takes JSON formats only as objects to encode; exec() sends a body as it is.
    const format = encodedFormats[args.format];
    const result = await client.exec({
      query: `INSERT INTO ${target} FORMAT ${format}`,
      values: Readable.from([args.encoded]),
    });
    result.stream.destroy();
    return;
  }
  if (args.rows.length === 0) return;
  // The driver writes `INSERT INTO ${table} FORMAT JSONEachRow`, so the SETTINGS clause rides in `table`.
  await client.insert({ table: target, values: args.rows as Row[], format: 'JSONEachRow' });
}

/**
 * Rows as JSONCompactEachRowWithNames: the first row's keys as the header, then each row's values in that
 * order. A third the size of JSONEachRow for typical rows, and ClickHouse parses it about 35% faster
 * (measured on the embedded engine). The header is every key any row has; a row without one sends null,
 * which ClickHouse stores as the column default (input_format_null_as_default).
 */
export function encodeCompactRows(rows: readonly object[]): string {
  if (rows.length === 0) return '';
  const seen = new Set<string>();
  for (const row of rows) for (const k in row) seen.add(k);
  const keys = [...seen];
  const lines = [JSON.stringify(keys)];
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    lines.push(JSON.stringify(keys.map((k) => record[k] ?? null)));
  }
  return lines.join('\n');
}

const tsvSpecial = /[\\\n\t\r]/;
const tsvValue = (value: unknown): string => {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  if (!tsvSpecial.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
};

/**
 * Rows of scalars (strings, numbers, null) as TabSeparatedWithNames. For rows carrying large text: the
 * engine reads a TSV string without unquoting it, and took ~30% less time for a journal row holding
 * 12 MB of JSON than as JSON (measured on the embedded engine).
 */
export function encodeTsvRows(rows: readonly Record<string, string | number | null>[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]!);
  const lines = [keys.join('\t')];
  for (const row of rows) lines.push(keys.map((k) => tsvValue(row[k])).join('\t'));
  return lines.join('\n');
}
