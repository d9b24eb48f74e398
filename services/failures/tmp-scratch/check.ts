import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
const ch = createClickHouse({ database: 'scratch1', dataPath: '/tmp/scratch-chdb' });
await ch.command({ query: 'CREATE DATABASE IF NOT EXISTS scratch1' });
await ch.command({ query: `CREATE TABLE IF NOT EXISTS scratch1.marks (session_id String, minute DateTime('UTC'), provider_message_id String, failed UInt8, occurred_at DateTime64(3,'UTC')) ENGINE=MergeTree ORDER BY (session_id, minute, provider_message_id, failed) TTL minute + INTERVAL 2 DAY SETTINGS non_replicated_deduplication_window = 1000` });
await ch.insert({ table: 'marks', rows: [
  { session_id: 's', minute: '2026-11-29 10:00:00', provider_message_id: 'a', failed: 0, occurred_at: '2026-11-29 10:00:01.000' },
  { session_id: 's', minute: '2026-11-29 10:01:00', provider_message_id: 'a', failed: 1, occurred_at: '2026-11-29 10:01:01.000' },
  { session_id: 's', minute: '2026-11-29 10:03:00', provider_message_id: 'b', failed: 0, occurred_at: '2026-11-29 10:03:01.000' },
], dedupToken: 'x1' });
const base = Math.floor(Date.parse('2026-11-29T10:00:00Z') / 60000);
const rows = await ch.query({
  query: `SELECT session_id, window_end, uniqExact(provider_message_id) AS attempted, uniqExactIf(provider_message_id, failed = 1) AS failed, max(occurred_at) AS last_at
  FROM (SELECT session_id, provider_message_id, failed, occurred_at,
      arrayJoin(arrayFilter(e -> e >= intDiv(toUInt32(minute), 60) AND e < intDiv(toUInt32(minute), 60) + {w:UInt32}, {ends:Array(UInt32)})) AS window_end
    FROM ${ch.table('marks')} WHERE session_id IN {sessions:Array(String)} AND minute >= toDateTime({from:UInt32} * 60, 'UTC') AND minute <= toDateTime({to:UInt32} * 60, 'UTC'))
  GROUP BY session_id, window_end ORDER BY window_end`,
  params: { w: 5, ends: [base, base + 1, base + 3, base + 6], sessions: ['s'], from: base - 10, to: base + 10 },
  schema: z.object({ session_id: z.string(), window_end: z.coerce.number(), attempted: z.coerce.number(), failed: z.coerce.number(), last_at: z.string() }),
});
console.log(base, rows);
await ch.command({ query: `RENAME TABLE scratch1.marks TO scratch1.marks_away` });
try { await ch.query({ query: `SELECT count() c FROM ${ch.table('marks')}`, schema: z.object({ c: z.coerce.number() }) }); } catch (e) { console.log('err', (e as any).code, (e as any).retry, (e as any).clickhouseType, (e as Error).message.slice(0, 100)); }
await ch.command({ query: `RENAME TABLE scratch1.marks_away TO scratch1.marks` });
await ch.command({ query: `CREATE TABLE IF NOT EXISTS scratch1.alerts (id String, session_id String, kind LowCardinality(String), status LowCardinality(String), opened_at DateTime64(3,'UTC'), version UInt64) ENGINE=ReplacingMergeTree(version) ORDER BY (session_id, kind, id)` });
await ch.insert({ table: 'alerts', rows: [
 { id: 'a1', session_id: 's', kind: 'k', status: 'open', opened_at: '2026-11-29 10:00:00.000', version: 1 },
 { id: 'a1', session_id: 's', kind: 'k', status: 'resolved', opened_at: '2026-11-29 10:00:00.000', version: 2 },
 { id: 'a2', session_id: 's', kind: 'k', status: 'open', opened_at: '2026-11-29 11:00:00.000', version: 1 },
 { id: 'a3', session_id: 's', kind: 'j', status: 'open', opened_at: '2026-11-29 09:00:00.000', version: 1 },
]});
console.log(await ch.query({ query: `SELECT id, kind, status, version FROM ${ch.table('alerts')} FINAL WHERE session_id IN {s:Array(String)} ORDER BY session_id, kind, opened_at DESC, id DESC LIMIT 1 BY session_id, kind`, params: { s: ['s'] }, schema: z.object({ id: z.string(), kind: z.string(), status: z.string(), version: z.coerce.number() }) }));
// far future datetime64
try { await ch.insert({ table: 'marks', rows: [{ session_id: 's', minute: '2026-11-29 10:00:00', provider_message_id: 'z', failed: 0, occurred_at: '5138-11-16 09:46:39.999' }] }); console.log('far future ok', await ch.query({ query: `SELECT occurred_at FROM ${ch.table('marks')} WHERE provider_message_id='z'`, schema: z.object({ occurred_at: z.string() }) })); } catch (e) { console.log('far future err', (e as Error).message.slice(0, 200)); }
await ch.command({ query: 'DROP DATABASE scratch1 SYNC' });
await ch.close();
