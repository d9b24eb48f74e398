// RAW_RETENTION in two places: the tables' TTL drops expired rows in background merges, and the public
// views filter by the same span, so an answer never depends on when a merge happened to run.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { MESSAGE_REQUESTS_TABLE, RAW_REQUESTS_TABLE } from './raw-requests.ts';

export const RAW_REQUESTS_VIEW = 'archive_requests_v1';
export const MESSAGE_REQUESTS_VIEW = 'archive_message_requests_v1';

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
  await ch.command({
    query: `CREATE OR REPLACE VIEW ${ch.table(RAW_REQUESTS_VIEW)} AS
      SELECT session_id, received_at, kafka_partition, kafka_offset, provider, kind, content_type, body, sha256
      FROM ${ch.table(RAW_REQUESTS_TABLE)} WHERE ${kept}`,
  });
  await ch.command({
    query: `CREATE OR REPLACE VIEW ${ch.table(MESSAGE_REQUESTS_VIEW)} AS
      SELECT session_id, provider_message_id, received_at, kafka_partition, kafka_offset
      FROM ${ch.table(MESSAGE_REQUESTS_TABLE)} WHERE ${kept}`,
  });
}
