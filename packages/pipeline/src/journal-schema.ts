// How a consumer journal is laid out in ClickHouse: its own two tables (journalMigrations), and how the
// consumer's materialized views must be written so that a batch re-applied after a kill fills them once
// (JournalViews; ADR 5). The journal itself is journal.ts.
import type { Migration } from '@wapipe/clickhouse';

/**
 * A materialized view that is not idempotent (sums, t-digests) must not hang off a table the journal writes:
 * its part and the table's are separate, so after a kill one can be there without the other. It hangs off
 * `feed`, a Null-engine table that the journal writes `source`'s rows into as an insert of its own, and
 * marks one row of its `target` per insert with the insert's token (journal_batch in the sorting key).
 */
export interface JournalFeed {
  source: string;
  feed: string;
  target: string;
}

/**
 * Views that stay on `source` must fill only idempotent states (max, min, any), so filling them twice is
 * harmless. `replay` is a Null-engine copy of `source` with the same views: when recovery finds a batch's
 * rows already in `source` (maybe without the views' rows), it writes them into `replay` instead.
 */
export interface JournalReplay {
  source: string;
  replay: string;
}

/**
 * A table and its feeds written as ONE insert, so their rows are parsed once: `fanOut` is a Null-engine table
 * whose views copy each block into `source` and into every feed of `source`. Each copy's rows carry this
 * insert's token, so recovery checks each target as it would a separate insert and re-applies only the
 * missing ones, each on its own (the fan-out's views must cover exactly `source` and its feeds).
 */
export interface JournalFanOut {
  source: string;
  fanOut: string;
}

export interface JournalViews {
  feeds?: JournalFeed[];
  replays?: JournalReplay[];
  fanOuts?: JournalFanOut[];
}

export function journalMigrations(consumer: string): Migration[] {
  if (!/^[a-z][a-z0-9_]*$/.test(consumer)) throw new Error(`bad consumer name ${consumer}`);
  return [
    {
      version: 1,
      name: 'create_journal',
      sql: `
CREATE TABLE IF NOT EXISTS {db}.${consumer}_journal (
  batch_id String,
  seq UInt32,
  target LowCardinality(String),
  row String,
  journaled_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (batch_id, seq)
TTL toDateTime(journaled_at) + INTERVAL 7 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.${consumer}_journal_applied (
  batch_id String,
  applied_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY batch_id
TTL toDateTime(applied_at) + INTERVAL 8 DAY
SETTINGS non_replicated_deduplication_window = 1000;
`,
    },
  ];
}

/**
 * The tables a fan-out must feed (its source and each of the source's feeds) that no materialized view of
 * the database copies it into. A feed added without its fan-out view would silently get no rows.
 */
export function uncoveredByFanOuts(
  views: JournalViews,
  database: string,
  materializedViews: { create_table_query: string }[],
): { fanOut: string; target: string }[] {
  const queries = materializedViews.map((v) => v.create_table_query.replaceAll('`', ''));
  const missing: { fanOut: string; target: string }[] = [];
  for (const { source, fanOut } of views.fanOuts ?? []) {
    const targets = [source, ...(views.feeds ?? []).filter((f) => f.source === source).map((f) => f.feed)];
    for (const target of targets) {
      const copies = queries.some(
        (q) => q.includes(` TO ${database}.${target} `) && q.includes(` FROM ${database}.${fanOut}`),
      );
      if (!copies) missing.push({ fanOut, target });
    }
  }
  return missing;
}
