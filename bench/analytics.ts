// How fast are GET /v1/stats and /v1/stats/latency over 100M status events' worth of rollups (10k sessions,
// 400 campaigns, 30 countries, 13 months)? A fresh embedded database gets the delivery migrations; the
// rollup tables they create (delivery_cohort_hour/minute, delivery_latency_hist_hour) are filled directly
// with INSERT … SELECT FROM numbers(): one hour row (on a whole hour) stands for ~3.3 messages (~10 status
// events) of one session × campaign × category × country × template; delivery_cohort_by_day (one dimension
// at a time, for ranges over 31 days) is summed from the hour rows. Then every grouped query (no groupBy and each of the
// five; a 30-day hourly range and a 400-day daily range) runs through the API's real query code, and the
// same grouping over raw status rows (delivery_status_events, a sample of BENCH_RAW_EVENTS, scaled
// linearly to BENCH_EVENTS) is the baseline.
//
//   npx tsx bench/analytics.ts   (BENCH_EVENTS=100000000 BENCH_RAW_EVENTS=10000000 BENCH_RUNS=7;
//                                 goal: median < 200 ms, p95 < 500 ms)
//
// A live table also holds the -1 rows of messages that moved (a later report changed their cohort time or
// latency) until merges fold them in: BENCH_MOVES of them (default 1,000) are added after the merge, in
// the last day, each as a -1 row on a loaded bin and a +1 row on the next hour's.
//
// BENCH_DATA_DIR=<dir> keeps the loaded database there and, on the next run, queries it without loading
// again (the load of 100M takes minutes; a changed query can then be timed in seconds).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createClickHouse, migrate } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { deliveryMigrations } from '@wapipe/delivery';
import { DIMENSIONS } from '@wapipe/events';
import type { Dimension } from '@wapipe/events';
import { analyticsStatsQuery, latencyQuery } from '../services/api/src/analytics-params.ts';
import { parseQuery } from '../services/api/src/params.ts';
import { readAnalyticsStats, readLatency } from '../services/api/src/queries/analytics.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000_000);
const RAW_EVENTS = Number(process.env['BENCH_RAW_EVENTS'] ?? 10_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const MOVES = Number(process.env['BENCH_MOVES'] ?? 1_000);
const EVENTS_PER_ROW = 10; // ~3.3 messages of ~3 statuses each
const HOUR_ROWS = Math.round(EVENTS / EVENTS_PER_ROW);
const NOW = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const HOURS = 395 * 24; // 13 months
const DAY = 86_400_000;

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

// The same shape for every table: a row number → its dimensions and its hour.
const dims = (n: string) => `
  toDateTime(${NOW / 1000} - (1 + ${n} % ${HOURS}) * 3600, 'UTC') AS bucket_start,
  concat('s-', toString(${n} * 7919 % 10000)) AS session_id,
  concat('c-', toString((${n} * 7919 % 10000 * 31 + intDiv(${n}, 7) % 4) % 400)) AS campaign,
  ['marketing', 'utility', 'authentication', 'service', ''][1 + intDiv(${n}, 3) % 5] AS category,
  ['BR','IN','DE','US','GB','FR','ES','IT','MX','AR','CO','CL','PE','ID','PH','NG','KE','ZA','EG','TR',
   'PK','BD','VN','TH','MY','SA','AE','PL','NL',''][1 + ${n} * 7919 % 10000 % 30] AS country,
  concat('t-', toString(intDiv(${n}, 11) % 40)) AS template`;

async function fill(
  ch: ClickHouse,
  label: string,
  rows: number,
  insert: (from: number, n: number) => string,
) {
  const chunk = 5_000_000;
  for (let from = 0; from < rows; from += chunk) {
    const n = Math.min(chunk, rows - from);
    const started = performance.now();
    await ch.command({ query: insert(from, n) });
    log(`${label}: ${from + n} of ${rows} rows (${Math.round(performance.now() - started)} ms)`);
  }
}

async function load(ch: ClickHouse) {
  // A row's bucket is a whole hour in the hour rollup and a whole minute (over 31 days) in the minute one.
  const cohort = (table: string, rows: number, minutes?: number) =>
    fill(
      ch,
      table,
      rows,
      (from, n) => `
      INSERT INTO ${ch.table(table)} (bucket_start, session_id, campaign, category, country, template,
                                      sent, delivered, read, failed, journal_batch, journal_marker)
      SELECT ${minutes === undefined ? dims('number') : dims('number').replace(`% ${HOURS}) * 3600`, `% ${minutes}) * 60`)},
             toInt64(1 + number % 6) AS sent, toInt64(sent - number % 2) AS delivered,
             toInt64(intDiv(delivered, 2)) AS read, toInt64(sent - delivered) AS failed, '', 0
      FROM numbers(${from}, ${n})`,
    );
  await cohort('delivery_cohort_hour', HOUR_ROWS);
  // The by-day rollup of one dimension at a time, from the hour rows, as migration 0014 fills its history.
  const started = performance.now();
  await ch.command({
    query: `
    INSERT INTO ${ch.table('delivery_cohort_by_day')} (dimension, value, bucket_start, sent, delivered, read, failed,
                                                       journal_batch, journal_marker)
    SELECT d.1, d.2, toStartOfDay(bucket_start) AS day, sum(sent), sum(delivered), sum(read), sum(failed), '', 0
    FROM ${ch.table('delivery_cohort_hour')}
    ARRAY JOIN [('', ''), ('session', session_id), ('campaign', campaign), ('category', toString(category)),
                ('country', toString(country)), ('template', template)] AS d
    GROUP BY d.1, d.2, day`,
  });
  log(`delivery_cohort_by_day: from the hour rows (${Math.round(performance.now() - started)} ms)`);
  // The minute rollup holds the last 31 days at a finer grain: as many rows as a month of hour rows, x2.
  await cohort('delivery_cohort_minute', Math.round((HOUR_ROWS * 31 * 2) / 395), 31 * 24 * 60);
  await fill(
    ch,
    'delivery_latency_hist_hour',
    HOUR_ROWS,
    (from, n) => `
    INSERT INTO ${ch.table('delivery_latency_hist_hour')} (bucket_start, session_id, campaign, category, country,
                                                           template, metric, ms, messages, journal_batch, journal_marker)
    SELECT ${dims('intDiv(number, 2)')}, ['deliver', 'read'][1 + number % 2] AS metric,
           toUInt64(floor(exp2(10 + (cityHash64(number) % 1000) / 60))) AS ms, toInt64(1 + number % 3), '', 0
    FROM numbers(${from}, ${n})`,
  );
  await fill(
    ch,
    'delivery_status_events (raw sample)',
    RAW_EVENTS,
    (from, n) => `
    INSERT INTO ${ch.table('delivery_status_events')} (event_id, session_id, provider, provider_message_id,
      recipient, status, group_participant, occurred_at, received_at, pricing_category, conversation_category,
      kafka_partition, kafka_offset)
    SELECT toString(number), concat('s-', toString(intDiv(number, 3) * 7919 % 10000)), 'meta',
           concat('wamid.', toString(intDiv(number, 3))), '5511987650000',
           ['sent', 'delivered', 'read'][1 + number % 3], '',
           toDateTime64(${NOW / 1000} - (1 + intDiv(number, 3) % ${HOURS}) * 3600 + number % 3 * 5, 3, 'UTC'),
           now64(3, 'UTC'), '', '', 0, number
    FROM numbers(${from}, ${n})`,
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function time(run: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  await run(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { median: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}

/** The baseline: the same day/hour × session cohort counts computed from the raw status rows. */
function rawStats(ch: ClickHouse, bucket: string, fromMs: number) {
  return ch.query({
    query: `
      SELECT session_id AS key, ${bucket} AS b, count() AS sent, countIf(top >= 2) AS delivered, countIf(top >= 3) AS read
      FROM (
        SELECT provider_message_id, any(session_id) AS session_id, min(occurred_at) AS cohort,
               max(multiIf(status = 'sent', 1, status = 'delivered', 2, status = 'read', 3, 0)) AS top
        FROM ${ch.table('delivery_status_events')}
        GROUP BY provider_message_id
      )
      WHERE cohort >= fromUnixTimestamp64Milli(${fromMs}, 'UTC')
      GROUP BY key, b ORDER BY sent DESC LIMIT 100`,
    schema: z.object({ key: z.string() }).passthrough(),
  });
}

async function main() {
  const kept = process.env['BENCH_DATA_DIR'];
  const dir = kept ?? (await mkdtemp(join(tmpdir(), 'wapipe-bench-analytics-')));
  const ch = createClickHouse({ database: 'bench_analytics', dataPath: join(dir, 'chdb') });
  try {
    await migrate(ch, { owner: 'delivery', migrations: await deliveryMigrations() });
    const rowsOf = async (table: string, where = '1') =>
      (
        await ch.query({
          query: `SELECT count() AS n FROM ${ch.table(table)} WHERE ${where}`,
          schema: z.object({ n: z.coerce.number() }),
        })
      )[0]!.n;
    const loaded = await rowsOf('delivery_cohort_hour');
    if (loaded === 0) {
      log(
        `loading ${EVENTS.toLocaleString()} status events' worth of rollup rows (${HOUR_ROWS.toLocaleString()} hour rows)`,
      );
      const started = performance.now();
      await load(ch);
      log(`loaded in ${Math.round((performance.now() - started) / 1000)} s; merging`);
      for (const t of [
        'delivery_cohort_hour',
        'delivery_cohort_minute',
        'delivery_cohort_by_day',
        'delivery_latency_hist_hour',
      ]) {
        await ch.command({ query: `OPTIMIZE TABLE ${ch.table(t)} FINAL` });
      }
    } else {
      log(
        `${dir} holds ${loaded.toLocaleString()} hour rows already: querying them (BENCH_EVENTS must match)`,
      );
    }
    if (MOVES > 0 && (await rowsOf('delivery_latency_hist_hour', 'messages < 0')) === 0) {
      await ch.command({
        query: `
        INSERT INTO ${ch.table('delivery_latency_hist_hour')}
        SELECT bucket_start + toIntervalHour(m.1), session_id, campaign, category, country, template, metric, ms,
               m.2 * messages, '', 0
        FROM (SELECT * FROM ${ch.table('delivery_latency_hist_hour')}
              WHERE bucket_start >= toDateTime(${NOW / 1000 - 86_400}, 'UTC') ORDER BY cityHash64(ms, session_id) LIMIT ${MOVES})
        ARRAY JOIN [(0, -1), (1, 1)] AS m`,
      });
      log(`${MOVES.toLocaleString()} moved messages in the latency histograms, unmerged`);
    }
    const sizes = await ch.query({
      query: `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
              WHERE database = 'bench_analytics' AND active GROUP BY table ORDER BY table`,
      schema: z.object({ table: z.string(), rows: z.coerce.number(), bytes: z.coerce.number() }),
    });
    for (const s of sizes.filter((s) => s.bytes > 0)) {
      const events = s.table === 'delivery_status_events' ? RAW_EVENTS : EVENTS;
      log(
        `${s.table}: ${s.rows.toLocaleString()} rows, ${(s.bytes / 1e6).toFixed(1)} MB, ${(((s.bytes / events) * 1e6) / 1e3).toFixed(1)} kB per 1M events`,
      );
    }

    const iso = (t: number) => new Date(t).toISOString();
    const ranges = [
      { name: '30 days hourly', from: NOW - 30 * DAY, interval: 'hour' },
      { name: '400 days daily', from: NOW - 400 * DAY, interval: 'day' },
    ];
    const results: { name: string; median: number; p95: number }[] = [];
    for (const range of ranges) {
      for (const groupBy of [undefined, ...DIMENSIONS] as (Dimension | undefined)[]) {
        const url = `http://bench/v1/stats?from=${iso(range.from)}&to=${iso(NOW)}&interval=${range.interval}${groupBy ? `&groupBy=${groupBy}` : ''}`;
        const q = parseQuery(analyticsStatsQuery, url);
        const r = await time(() => readAnalyticsStats(ch, q));
        results.push({ name: `stats ${range.name} groupBy=${groupBy ?? '-'}`, ...r });
        log(`${results.at(-1)!.name}: median ${r.median.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms`);
        const lq = parseQuery(latencyQuery, url.replace(/&interval=\w+/, ''));
        const l = await time(() => readLatency(ch, lq, new Date(NOW)));
        results.push({ name: `latency ${range.name} groupBy=${groupBy ?? '-'}`, ...l });
        log(`${results.at(-1)!.name}: median ${l.median.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms`);
      }
    }
    const baselines = [];
    for (const range of ranges) {
      const bucket = range.interval === 'hour' ? 'toStartOfHour(cohort)' : 'toStartOfDay(cohort)';
      const b = await time(() => rawStats(ch, bucket, range.from));
      const scaled = (b.median * EVENTS) / RAW_EVENTS;
      baselines.push({ range: range.name, sample: b.median, scaled });
      log(
        `baseline raw rows ${range.name} groupBy=session: ${b.median.toFixed(0)} ms over ${RAW_EVENTS.toLocaleString()} events, ~${(scaled / 1000).toFixed(1)} s scaled to ${EVENTS.toLocaleString()}`,
      );
    }
    // The goal is the issue's: every grouped /v1/stats query. Latency has no interval and is reported beside.
    for (const route of ['stats', 'latency']) {
      const own = results.filter((r) => r.name.startsWith(`${route} `));
      const worstMedian = Math.max(...own.map((r) => r.median));
      const worstP95 = Math.max(...own.map((r) => r.p95));
      process.stdout.write(
        `\n${route}: worst median ${worstMedian.toFixed(0)} ms, worst p95 ${worstP95.toFixed(0)} ms${route === 'stats' ? ' (goal: < 200 and < 500)' : ''}`,
      );
    }
    process.stdout.write('\n');
    for (const b of baselines) {
      const own = results.find((r) => r.name === `stats ${b.range} groupBy=session`)!;
      process.stdout.write(
        `ratio raw (scaled) / rollups, ${b.range} by session: ${(b.scaled / own.median).toFixed(1)}×\n`,
      );
    }
  } finally {
    await ch.close();
    if (kept === undefined) await rm(dir, { recursive: true, force: true });
  }
}

await main();
