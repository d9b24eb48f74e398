// RAW_RETENTION in two places: the tables' TTL drops expired rows in background merges, and the public
// views filter by the same span, so an answer never depends on when a merge happened to run.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { LEGACY_RAW_REQUESTS_TABLE, MESSAGE_REQUESTS_TABLE, RAW_REQUESTS_TABLE } from './raw-requests.ts';

export const RAW_REQUESTS_VIEW = 'archive_requests_v1';
export const MESSAGE_REQUESTS_VIEW = 'archive_message_requests_v1';
export const MESSAGE_RAW_VIEW = 'archive_message_raw_v1';

const EngineRow = z.object({ engine_full: z.string() });

export async function applyRawRetention(ch: ClickHouse, retentionMs: number): Promise<void> {
  const seconds = Math.max(1, Math.round(retentionMs / 1000));
  const ttl = `toDateTime(received_at) + toIntervalSecond(${seconds})`;
  for (const table of [RAW_REQUESTS_TABLE, MESSAGE_REQUESTS_TABLE]) {
    const [row] = await ch.query({
      query: `SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {name:String}`,
      params: { db: ch.database, name: table },
      schema: EngineRow,
    });
    // Modifying a TTL rewrites parts: only when it changed.
    if (!row?.engine_full.includes(ttl)) {
      await ch.command({ query: `ALTER TABLE ${ch.table(table)} MODIFY TTL ${ttl}` });
    }
  }
  const kept = `received_at >= now64(3) - toIntervalSecond(${seconds})`;
  const columns =
    'session_id, received_at, kafka_partition, kafka_offset, provider, kind, content_type, body, sha256';
  await ch.command({
    query: `CREATE OR REPLACE VIEW ${ch.table(RAW_REQUESTS_VIEW)} AS
      SELECT ${columns} FROM ${ch.table(RAW_REQUESTS_TABLE)} WHERE ${kept}`,
  });
  await ch.command({
    query: `CREATE OR REPLACE VIEW ${ch.table(MESSAGE_REQUESTS_VIEW)} AS
      SELECT session_id, provider_message_id, received_at, kafka_partition, kafka_offset
      FROM ${ch.table(MESSAGE_REQUESTS_TABLE)} WHERE ${kept}`,
  });
  // A message's requests in one parameterised view (session, ids): each view a query goes through costs
  // the embedded engine a few ms to expand, and this lookup is the hot one. The links carry each request's
  // whole sorting key, so the bodies are read by primary key; a link and its request share received_at,
  // so the links' retention filter covers both.
  const links = `SELECT session_id, received_at, kafka_partition, kafka_offset
    FROM ${ch.table(MESSAGE_REQUESTS_TABLE)}
    WHERE session_id = {session:String} AND provider_message_id IN {ids:Array(String)} AND ${kept}`;
  await ch.command({
    query: `CREATE OR REPLACE VIEW ${ch.table(MESSAGE_RAW_VIEW)} AS
      SELECT ${columns} FROM ${ch.table(RAW_REQUESTS_TABLE)}
      WHERE (session_id, received_at, kafka_partition, kafka_offset) IN (${links})`,
  });
}

const Count = z.object({ n: z.coerce.number() });

/**
 * Moves the requests archived before migration 0006 into the table with small granules, once. A start
 * killed between copy and truncate copies again at the next: the copies share a sorting key, so the
 * table collapses them and every reader takes one per partition and offset.
 */
export async function moveLegacyRequests(ch: ClickHouse): Promise<number> {
  const [legacy] = await ch.query({
    query: `SELECT count() AS n FROM ${ch.table(LEGACY_RAW_REQUESTS_TABLE)}`,
    schema: Count,
  });
  if (!legacy || legacy.n === 0) return 0;
  await ch.command({
    query: `INSERT INTO ${ch.table(RAW_REQUESTS_TABLE)} SELECT * FROM ${ch.table(LEGACY_RAW_REQUESTS_TABLE)}`,
  });
  await ch.command({ query: `TRUNCATE TABLE ${ch.table(LEGACY_RAW_REQUESTS_TABLE)}` });
  return legacy.n;
}
