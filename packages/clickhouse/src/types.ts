import type { Logger } from '@wapipe/observability';
import type { z } from 'zod';

export interface ClickHouseOptions {
  /** http(s)://host:port of a server. Unset → embedded ClickHouse (chdb) in `dataPath`. */
  url?: string;
  username?: string;
  password?: string;
  /** Database every table name is qualified with. Letters, digits and `_`. */
  database: string;
  /** A server cluster (CLICKHOUSE_CLUSTER, HTTP only): migrations run ON CLUSTER on Replicated tables. */
  cluster?: string | undefined;
  /** Embedded data directory (one process per directory). Default `.data/chdb`, relative to the cwd. */
  dataPath?: string;
  logger?: Logger;
  /** HTTP only: a request with no answer for this long fails with CLICKHOUSE_TIMEOUT. Default 30 000. */
  requestTimeoutMs?: number;
}

/** Values bound to `{name:Type}` placeholders. Dates bound to DateTime64 keep their milliseconds. */
export type QueryParams = Record<string, unknown>;

export type InsertArgs<Row extends object> = InsertTarget &
  (
    | { rows: readonly Row[] }
    /**
     * Rows already encoded, for callers that encode once and write twice: `JSONEachRow` (an object per line)
     * or `JSONCompactEachRowWithNames` (a line of column names, then an array per row; see encodeCompactRows).
     */
    | { encoded: string; format: EncodedFormat }
  );

export type EncodedFormat = 'JSONEachRow' | 'JSONCompactEachRowWithNames' | 'TabSeparatedWithNames';

interface InsertTarget {
  /** Bare table name; it is qualified with the database. */
  table: string;
  /** Same token twice → stored once, on tables with `non_replicated_deduplication_window` (or Replicated*). */
  dedupToken?: string;
  /** With a token: also dedup the blocks materialized views derive from this insert. Default true. */
  dedupDependentViews?: boolean;
}

export interface QueryArgs<Schema extends z.ZodType> {
  /** One SELECT without FORMAT; tables written as `${ch.table('x')}`, values as `{name:Type}`. */
  query: string;
  params?: QueryParams;
  /** Each row is parsed with this schema; a mismatch is CLICKHOUSE_SCHEMA_MISMATCH. */
  schema: Schema;
}

export interface CommandArgs {
  /** One statement (DDL, ALTER, INSERT … SELECT, …) whose result is not needed. */
  query: string;
  params?: QueryParams;
}

/**
 * The one way wapipe talks to ClickHouse, the same over HTTP and embedded.
 * Rows travel as JSONEachRow; DateTime values come back as ISO-8601 UTC strings (`…Z`) and 64-bit integers
 * as strings (use `z.coerce.number()` for counts). Every failure is a ClickHouseError.
 */
export interface ClickHouse {
  readonly database: string;
  readonly backend: 'http' | 'embedded';
  /** The server cluster migrations run on (CLICKHOUSE_CLUSTER); unset on a single node. */
  readonly cluster?: string;
  /** `database.name`, validated. Use it for every table in SQL text. */
  table(name: string): string;
  insert<Row extends object>(args: InsertArgs<Row>): Promise<void>;
  query<Schema extends z.ZodType>(args: QueryArgs<Schema>): Promise<z.output<Schema>[]>;
  command(args: CommandArgs): Promise<void>;
  /** True when a `SELECT 1` succeeds; false otherwise (the reason is logged at debug). Never throws. */
  ping(): Promise<boolean>;
  /** Idempotent. Later calls fail with CLICKHOUSE_UNAVAILABLE. */
  close(): Promise<void>;
}
