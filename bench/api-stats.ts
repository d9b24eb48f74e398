// How fast is GET /v1/sessions/{id}/stats for 30 days by the hour over 10M status events? A fresh
// embedded database (or CLICKHOUSE_URL's server) gets the services' real migrations and 10M status events
// of one busy session over 30 days, a registry entry for half of its messages and 500k inbound replies.
// The rollup is filled the way the delivery consumer fills it: one cohort row per message into
// delivery_rollup_feed, as its journal writes them, which the real materialized view sums into
// delivery_rollup_minute. Then it times the route (app.request, auth and JSON included) and, as the
// baseline, the same answer computed from the raw rows, checks both answers are equal, and prints median,
// p95 and the ratio.
//
//   npx tsx bench/api-stats.ts   (BENCH_EVENTS=10000000 BENCH_RUNS=50 BENCH_WARMUP_RUNS=10 BENCH_BASELINE_RUNS=5;
//                                target: median < 300 ms)
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createApiApp, memorySessionDirectory } from '@wapipe/api';
import { createClickHouse, loadMigrations, migrate } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { silentLogger } from '@wapipe/observability';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 10_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 50);
const WARMUP_RUNS = Number(process.env['BENCH_WARMUP_RUNS'] ?? 10);
const BASELINE_RUNS = Number(process.env['BENCH_BASELINE_RUNS'] ?? 5);
const REPLIES = Math.round(EVENTS / 20);
const SESSION = 'bench-main';
const FROM = '2026-10-01T00:00:00.000Z';
const TO = '2026-10-31T00:00:00.000Z';
const SPAN_SECONDS = 30 * 86_400;
const CHUNKS = 10;

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

async function openDatabase(): Promise<{
  ch: ClickHouse;
  options: Parameters<typeof createClickHouse>[0];
  done(): Promise<void>;
}> {
  const database = `bench_api_${Date.now().toString(36)}`;
  const url = process.env['CLICKHOUSE_URL'];
  if (url) {
    const options = {
      url,
      username: process.env['CLICKHOUSE_USER'] || 'default',
      password: process.env['CLICKHOUSE_PASSWORD'] || '',
      database,
    };
    const ch = createClickHouse(options);
    return {
      ch,
      options,
      done: async () => {
        await ch.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
        await ch.close();
      },
    };
  }
  const dataPath = await mkdtemp(join(tmpdir(), 'wapipe-bench-api-'));
  const options = { dataPath, database };
  const ch = createClickHouse(options);
  return {
    ch,
    options,
    done: async () => {
      await ch.close();
      await rm(dataPath, { recursive: true, force: true });
    },
  };
}

/** The tables exactly as the consumers create them. */
async function migrateAll(ch: ClickHouse): Promise<void> {
  for (const owner of ['delivery', 'replies', 'failures']) {
    const dir = new URL(`../services/${owner}/migrations/`, import.meta.url);
    await migrate(ch, { owner, migrations: await loadMigrations(dir) });
  }
}

/**
 * 4 events per message: sent, then 5 % fail (on two devices), 2 % fail and are then read on another
 * device, the rest are delivered, 60 % read (else a second device's delivered), 3 % played (else the
 * provider repeats the sent report). Send times spread evenly over 30 days.
 */
async function loadStatusEvents(ch: ClickHouse): Promise<void> {
  const perChunk = Math.ceil(EVENTS / CHUNKS);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const started = performance.now();
    await ch.command({
      query: `
        INSERT INTO ${ch.table('delivery_status_events')}
          (event_id, session_id, provider, provider_message_id, recipient, status, group_participant,
           occurred_at, received_at, pricing_category, conversation_category, kafka_partition, kafka_offset)
        SELECT concat(pmid, ':', status, ':', participant, ':', toString(j)), {session:String}, 'meta', pmid,
               concat('1555', toString(m % 100000)), status, participant, at, at + 1, 'marketing', '', 0, n
        FROM (
          SELECT number AS n, intDiv(number, 4) AS m, number % 4 AS j,
                 concat('wamid.B', toString(m)) AS pmid,
                 cityHash64(m) % 100 AS dice,
                 multiIf(j = 0, 'sent',
                         j = 1, if(dice < 7, 'failed', 'delivered'),
                         j = 2, multiIf(dice < 5, 'failed', dice < 60, 'read', 'delivered'),
                         if(dice >= 60 AND dice < 63, 'played', 'sent')) AS status,
                 if(j = 2 AND (dice < 5 OR dice >= 60), '2', '') AS participant,
                 toDateTime64({start:DateTime('UTC')}, 3, 'UTC')
                   + toIntervalMillisecond(intDiv(m * {span:UInt64} * 1000, {messages:UInt64}) + j * 7000 + cityHash64(n) % 5000)
                   AS at
          FROM numbers({offset:UInt64}, {count:UInt64})
        )`,
      params: {
        session: SESSION,
        start: new Date(FROM),
        span: SPAN_SECONDS,
        messages: Math.ceil(EVENTS / 4),
        offset: chunk * perChunk,
        count: Math.max(0, Math.min(perChunk, EVENTS - chunk * perChunk)),
      },
    });
    log(
      `  status events ${(Math.min(EVENTS, (chunk + 1) * perChunk) / 1e6).toFixed(1)}M / ${(EVENTS / 1e6).toFixed(1)}M (${seconds(started)})`,
    );
  }
}

async function loadRegistryAndReplies(ch: ClickHouse): Promise<void> {
  // Half of the messages registered, with sentAt one second before their first status.
  await ch.command({
    query: `
      INSERT INTO ${ch.table('delivery_outbound_messages')}
        (message_id, provider_message_id, session_id, recipient, sent_at, campaign_id, category, registered_at, event_id)
      SELECT concat('order-', substring(provider_message_id, 8)), provider_message_id, {session:String},
             any(recipient), min(occurred_at) - toIntervalSecond(1), 'spring', 'marketing', min(occurred_at),
             concat('reg:', provider_message_id)
      FROM ${ch.table('delivery_status_events')}
      WHERE toUInt64(substring(provider_message_id, 8)) % 2 = 0
      GROUP BY provider_message_id`,
    params: { session: SESSION },
  });
  await ch.command({
    query: `
      INSERT INTO ${ch.table('replies_inbound')}
        (event_id, session_id, provider, provider_message_id, from_id, type, text, link_method, occurred_at, received_at)
      SELECT concat('in:', toString(number)), {session:String}, 'meta', concat('wamid.IN', toString(number)),
             concat('1555', toString(number % 100000)), 'text', 'thanks', 'none',
             toDateTime64({start:DateTime('UTC')}, 3, 'UTC') + toIntervalMillisecond(cityHash64(number) % ({span:UInt64} * 1000)),
             toDateTime64({start:DateTime('UTC')}, 3, 'UTC') + toIntervalMillisecond(cityHash64(number) % ({span:UInt64} * 1000))
      FROM numbers({count:UInt64})`,
    params: { session: SESSION, start: new Date(FROM), span: SPAN_SECONDS, count: REPLIES },
  });
}

/** What the delivery consumer writes for a message whose facts are all known: one +1 cohort row. */
const cohortSelect = (ch: ClickHouse, where: string) => `
  SELECT s.session_id, s.provider_message_id,
         toStartOfMinute(toDateTime(if(r.registered_sent_at IS NULL, s.first_at, assumeNotNull(r.registered_sent_at)), 'UTC')) AS minute,
         s.top_rank >= 2 AS delivered, s.top_rank >= 3 AS read, s.top_rank < 2 AND s.any_failed AS failed
  FROM (
    SELECT session_id, provider_message_id, min(occurred_at) AS first_at,
           max(multiIf(status = 'sent', 1, status = 'delivered', 2, status = 'read', 3, status = 'played', 4, 0)) AS top_rank,
           max(status = 'failed') AS any_failed
    FROM ${ch.table('delivery_status_events')}
    WHERE session_id = {session:String} ${where}
    GROUP BY session_id, provider_message_id
  ) AS s
  LEFT JOIN (
    SELECT provider_message_id, argMin(sent_at, registered_at) AS registered_sent_at
    FROM ${ch.table('delivery_outbound_messages')}
    GROUP BY provider_message_id
  ) AS r ON r.provider_message_id = s.provider_message_id
  SETTINGS join_use_nulls = 1`;

async function fillRollupLikeTheConsumer(ch: ClickHouse): Promise<void> {
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const started = performance.now();
    await ch.command({
      query: `
        INSERT INTO ${ch.table('delivery_rollup_feed')}
          (session_id, provider_message_id, minute, sign, delivered, read, failed, changed_at)
        SELECT session_id, provider_message_id, minute, 1, delivered, read, failed, now64(3, 'UTC')
        FROM (${cohortSelect(ch, 'AND cityHash64(provider_message_id) % {chunks:UInt32} = {chunk:UInt32}')})`,
      params: { session: SESSION, chunks: CHUNKS, chunk },
    });
    log(`  cohort rows ${chunk + 1}/${CHUNKS} (${seconds(started)})`);
  }
}

const Bucket = z.object({
  start: z.string(),
  sent: z.coerce.number(),
  delivered: z.coerce.number(),
  read: z.coerce.number(),
  failed: z.coerce.number(),
  replies: z.coerce.number(),
});
type Bucket = z.infer<typeof Bucket>;

/** The baseline: the same answer from the raw status rows, the registry and the replies. */
async function statsFromRawRows(ch: ClickHouse): Promise<Bucket[]> {
  return ch.query({
    query: `
      SELECT start, sum(sent) AS sent, sum(delivered) AS delivered, sum(read) AS read, sum(failed) AS failed,
             sum(replies) AS replies
      FROM (
        SELECT toStartOfHour(minute) AS start, 1 AS sent, delivered, read, failed, 0 AS replies
        FROM (${cohortSelect(ch, '')})
        WHERE minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
        UNION ALL
        SELECT toStartOfHour(toDateTime(occurred_at, 'UTC')), 0, 0, 0, 0, 1
        FROM ${ch.table('replies_inbound')}
        WHERE session_id = {session:String} AND occurred_at >= {from:DateTime('UTC')} AND occurred_at < {to:DateTime('UTC')}
      )
      GROUP BY start
      ORDER BY start`,
    params: { session: SESSION, from: new Date(FROM), to: new Date(TO) },
    schema: Bucket,
  });
}

async function time<T>(
  runs: number,
  run: () => Promise<T>,
): Promise<{ median: number; p95: number; last: T }> {
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await run();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), last: last as T };
}

async function main(): Promise<void> {
  const db = await openDatabase();
  const { ch } = db;
  const apiCh = createClickHouse(db.options);
  try {
    log(
      `api-stats bench: ${(EVENTS / 1e6).toFixed(1)}M status events, ${(REPLIES / 1e3).toFixed(0)}k replies, ${ch.backend} ClickHouse`,
    );
    log(
      `  ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} (other work on the machine skews the numbers)`,
    );
    let started = performance.now();
    await migrateAll(ch);
    log('loading:');
    await loadStatusEvents(ch);
    await loadRegistryAndReplies(ch);
    log(`  registry and replies (${seconds(started)} so far)`);
    await fillRollupLikeTheConsumer(ch);
    log(`  loaded in ${seconds(started)}`);
    const [size] = await ch.query({
      query: `SELECT (SELECT count() FROM ${ch.table('delivery_status_events')}) AS events,
                     (SELECT count() FROM ${ch.table('delivery_rollup_minute')}) AS rollup_rows,
                     (SELECT count() FROM system.parts WHERE database = {db:String} AND table = 'delivery_rollup_minute' AND active) AS rollup_parts`,
      params: { db: ch.database },
      schema: z.object({
        events: z.coerce.number(),
        rollup_rows: z.coerce.number(),
        rollup_parts: z.coerce.number(),
      }),
    });
    log(
      `  ${size!.events} status events; rollup: ${size!.rollup_rows} rows in ${size!.rollup_parts} parts (as merged so far)`,
    );

    const app = createApiApp({
      ch: apiCh,
      apiKeys: ['bench'],
      sessions: memorySessionDirectory([SESSION]),
      logger: silentLogger,
    });
    const path = `/v1/sessions/${SESSION}/stats?from=${FROM}&to=${TO}&interval=hour`;
    const viaRoute = async () => {
      const res = await app.request(path, { headers: { authorization: 'Bearer bench' } });
      if (res.status !== 200) throw new Error(`stats answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { totals: Record<string, number>; buckets: Bucket[] };
    };
    // Warm-up: the first queries after a bulk load pay for cold caches and settling parts.
    await time(WARMUP_RUNS, viaRoute);
    started = performance.now();
    log(`timing (load average ${loadavg()[0]!.toFixed(1)}):`);
    const route = await time(RUNS, viaRoute);
    log(
      `rollup path (route): median ${route.median.toFixed(1)} ms, p95 ${route.p95.toFixed(1)} ms over ${RUNS} runs (${seconds(started)})`,
    );
    started = performance.now();
    const raw = await time(BASELINE_RUNS, () => statsFromRawRows(apiCh));
    log(
      `raw rows (baseline): median ${raw.median.toFixed(1)} ms, p95 ${raw.p95.toFixed(1)} ms over ${BASELINE_RUNS} runs (${seconds(started)})`,
    );

    const nonEmpty = route.last.buckets.filter(
      (b) => b.sent || b.delivered || b.read || b.failed || b.replies,
    );
    const same =
      JSON.stringify(nonEmpty.map((b) => ({ ...b, start: new Date(b.start).toISOString() }))) ===
      JSON.stringify(raw.last.map((b) => ({ ...b, start: new Date(b.start).toISOString() })));
    log(
      `answers equal: ${same ? 'yes' : 'NO'} (${route.last.buckets.length} buckets; totals ${JSON.stringify(route.last.totals)})`,
    );
    log(
      `ratio raw / rollup (median): ${(raw.median / route.median).toFixed(1)}x; target median < 300 ms: ${route.median < 300 ? 'met' : 'NOT met'}`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    await apiCh.close();
    await db.done();
  }
}

await main();
