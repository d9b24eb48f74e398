// How fast does a console page first load with 1,000 sessions? The whole pipeline (all-in-one, embedded
// ClickHouse, a local broker unless KAFKA_BROKERS) gets 1,000 sessions, each with a few delivered and
// read messages, then a headless Chromium opens the overview in a fresh context each run (empty cache,
// the key put in sessionStorage before the page runs) and times, from navigation to:
//   listed  — every session's row with its health drawn (three requests);
//   loaded  — every row's rates too (one GET /v1/stats, or one stats request per session until that
//             route is served);
// against the baseline: an empty static page from the same server, in a fresh context as well. Two clocks:
// the driver's (this process, which also runs the server: while a handler holds the event loop, e.g. the
// embedded ClickHouse answering GET /v1/stats, it sees the page late) and the page's own (a
// MutationObserver from navigation start), which that work cannot delay.
//
//   npx tsx bench/console.ts   (BENCH_SESSIONS=1000 BENCH_RUNS=7 BENCH_RATES=1 to time the rates too;
//                              goal: listed median < 1 s)
// BENCH_COMPARE=<commit> also times that commit's console files (read with git), each run right after
// this tree's, on the same stack and load: a before/after that the machine's load cannot skew.
// BENCH_PAGES=1 also times the first load of every other page (its main[data-loaded], page's clock).
// BENCH_PROFILE=1 also prints, for the last run, where its time went: each request as the browser saw it
// (start, time to first byte, end) next to the server's own handler time for it.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { allInOneEnv, startPipeline } from '@wapipe/all-in-one';
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import { serveHttp } from '@wapipe/http';
import { connectKafka, consumerNames, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { benchBroker } from './support/local-kafka.ts';
import { median } from './support/load.ts';

const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 1_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const MESSAGES = 3;
/** Also wait for every rate (slow until GET /v1/stats is served: one request per session). */
const WITH_RATES = process.env['BENCH_RATES'] === '1';
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** Also time every other page's first load (session, campaigns, message, alerts, consumers). */
const PAGES = process.env['BENCH_PAGES'] === '1';
const COMPARE = process.env['BENCH_COMPARE'];
const KEY = 'console-bench-key-0123456789';
const log = (line: string) => process.stdout.write(`${line}\n`);
const ms = (n: number) => `${Math.round(n)} ms`;

const broker = await benchBroker();
const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-bench-console-'));
const prefix = `bench-console-${Date.now().toString(36)}`;
const pipeline = await startPipeline(
  allInOneEnv.parse({
    API_KEYS: KEY,
    SESSIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KAFKA_BROKERS: broker.brokers.join(','),
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '3',
    CHDB_PATH: dataDir,
    CLICKHOUSE_DATABASE: 'bench_console',
  }),
  { logger: silentLogger, registry: createRegistry() },
);
let browser: Browser | undefined;
let server: ReturnType<typeof serveHttp> | undefined;
try {
  const started = performance.now();
  const ids = Array.from({ length: SESSIONS }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  for (const id of ids) {
    const res = await pipeline.app.request(`/v1/sessions/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: 'console-bench-meta-secret' }),
    });
    if (res.status !== 200) throw new Error(`PUT /v1/sessions/${id}: ${res.status}`);
  }
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({
    brokers: broker.brokers,
    clientId: 'bench-console',
    logger: silentLogger,
  });
  const producer = createCoalescingProducer(kafka);
  const at = Math.floor(Date.now() / 1000) - 3_600;
  await producer.sendMany(
    topics.raw,
    ids.map((id, s) =>
      rawKafkaRecord(
        { kind: 'webhook', provider: 'meta', sessionId: id },
        JSON.stringify(
          metaEnvelope({
            statuses: Array.from({ length: MESSAGES }, (_, m) =>
              ['sent', 'delivered', ...(m % 2 ? ['read'] : [])].map((status, k) => ({
                id: `wamid.bench.${s}.${m}`,
                status,
                timestamp: String(at + m * 60 + k),
                recipient_id: `1555000${String(s).padStart(4, '0')}`,
              })),
            ).flat(),
          }),
        ),
      ),
    ),
  );
  const deadline = Date.now() + 600_000;
  for (;;) {
    const lags = await Promise.all(
      consumerNames.map((c) => kafka.groupLag(topics.consumerGroup(c), topics.raw)),
    );
    if (lags.every((lag) => lag === 0n)) break;
    if (Date.now() > deadline) throw new Error('the consumers did not catch up within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await producer.close();
  await kafka.close();
  log(`${SESSIONS} sessions with ${MESSAGES} messages each stored in ${ms(performance.now() - started)}`);

  const root = new Hono();
  /** Server handler time per request path (with its query), for BENCH_PROFILE. */
  const handled = new Map<string, number>();
  if (PROFILE)
    root.use(async (c, next) => {
      const t = performance.now();
      await next();
      const url = new URL(c.req.url);
      handled.set(url.pathname + url.search, performance.now() - t);
    });
  root.get('/bench/empty', (c) =>
    c.html('<!doctype html><title>empty</title><main data-loaded="true"></main>'),
  );
  if (COMPARE) {
    // The other commit's console, for a context that sends x-bench-console (its vendor files: this tree's).
    const git = (...args: string[]) => execFileSync('git', args, { maxBuffer: 1 << 24 });
    const dir = 'services/api/console/';
    const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
    const old = new Map<string, { body: Buffer; type: string }>();
    for (const path of git('ls-tree', '-r', '--name-only', COMPARE, dir).toString().split('\n')) {
      if (!path) continue;
      const type = types[path.split('.').at(-1)!] ?? 'image/svg+xml';
      old.set(path.slice(dir.length), { body: git('show', `${COMPARE}:${path}`), type });
    }
    root.use('/console/*', async (c, next) => {
      const file = c.req.header('x-bench-console') && old.get(c.req.path.slice('/console/'.length));
      if (!file) return next();
      return c.body(new Uint8Array(file.body), 200, { 'content-type': `${file.type}; charset=utf-8` });
    });
    root.get('/console', async (c, next) => {
      const file = c.req.header('x-bench-console') && old.get('index.html');
      return file ? c.html(file.body.toString()) : next();
    });
  }
  root.route('/', pipeline.app);
  server = await new Promise<ReturnType<typeof serveHttp>>((resolve) => {
    const s = serveHttp({ fetch: root.fetch, port: 0, hostname: '127.0.0.1', onListening: () => resolve(s) });
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });

  const load = async (path: string, marks: string[], version: 'this' | 'compared' = 'this') => {
    const context = await browser!.newContext({
      viewport: { width: 1280, height: 900 },
      ...(version === 'compared' ? { extraHTTPHeaders: { 'x-bench-console': COMPARE! } } : {}),
    });
    await context.addInitScript({
      content: `sessionStorage.setItem('wapipe.apiKey', ${JSON.stringify(KEY)})`,
    });
    // The page's own clock (from navigation start) when each mark's attribute appears: the browser's view,
    // which the server's work in this same process (embedded ClickHouse, 2 MB answers) cannot delay.
    await context.addInitScript({
      content: `window.__marks = {};
        new MutationObserver(() => {
          const m = window.__marks, now = performance.now();
          if (m.listed === undefined && document.querySelector('[data-page="overview"][data-listed="true"]')) m.listed = now;
          if (m.loaded === undefined && document.querySelector('main[data-loaded="true"]')) m.loaded = now;
        }).observe(document, { subtree: true, childList: true, attributes: true });`,
    });
    // The main thread's long tasks (over 50 ms), for BENCH_PROFILE.
    if (PROFILE)
      await context.addInitScript({
        content: `window.__longTasks = [];
          new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
            .observe({ type: 'longtask', buffered: true });
          window.__frames = [];
          new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__frames.push([e.startTime, e.duration, e.renderStart, e.styleAndLayoutStart]); })
            .observe({ type: 'long-animation-frame', buffered: true });`,
      });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${base}${path}`);
    const times: number[] = [];
    /** The page's own clock at each mark (BENCH_PROFILE), to line up with its request timings. */
    const inPage: number[] = [];
    for (const mark of marks) {
      await page.waitForSelector(mark, { timeout: 120_000, state: 'attached' });
      times.push(performance.now() - t0);
      if (PROFILE) inPage.push(await page.evaluate(() => performance.now()));
    }
    // The sessions the overview holds (it shows 100 a page): its summary, "1000 of 1000 sessions".
    const holder = page.locator('#overview-summary');
    const summary = (await holder.count()) ? ((await holder.textContent()) ?? '') : '';
    const rows = Number(/of (\d+) sessions/.exec(summary)?.[1] ?? NaN);
    const pageClock = await page.evaluate(
      () => (globalThis as unknown as { __marks: { listed?: number; loaded?: number } }).__marks,
    );
    const requests = PROFILE
      ? await page.evaluate(() => {
          // Runs in the page: its resource timings (this file is typed without the DOM's types).
          type Timing = {
            name: string;
            startTime: number;
            responseStart: number;
            responseEnd: number;
            encodedBodySize: number;
          };
          const timings = performance as unknown as { getEntriesByType(type: string): Timing[] };
          return [...timings.getEntriesByType('navigation'), ...timings.getEntriesByType('resource')].map(
            (e) => ({
              url: e.name,
              start: e.startTime,
              firstByte: e.responseStart,
              end: e.responseEnd,
              bytes: e.encodedBodySize,
            }),
          );
        })
      : [];
    const longTasks = PROFILE
      ? await page.evaluate(() => (globalThis as unknown as { __longTasks: [number, number][] }).__longTasks)
      : [];
    const frames = PROFILE
      ? await page.evaluate(
          () => (globalThis as unknown as { __frames: [number, number, number, number][] }).__frames,
        )
      : [];
    const userMarks = PROFILE
      ? await page.evaluate(() =>
          (
            performance as unknown as {
              getEntriesByType(type: string): { name: string; startTime: number }[];
            }
          )
            .getEntriesByType('mark')
            .map((m) => [m.name, m.startTime] as const),
        )
      : [];
    await context.close();
    return { times, rows, pageClock, requests, inPage, longTasks, frames, userMarks };
  };
  const baseline: number[] = [];
  const listed: number[] = [];
  const loaded: number[] = [];
  const comparedListed: number[] = [];
  const comparedLoaded: number[] = [];
  /** [listed, loaded] on the page's clock, for this tree and the compared commit. */
  const clock = { this: [] as [number, number][], compared: [] as [number, number][] };
  await load('/console#/overview', ['[data-page="overview"][data-listed="true"]']); // warm-up
  if (COMPARE) await load('/console#/overview', ['[data-page="overview"][data-listed="true"]'], 'compared');
  for (let run = 0; run < RUNS; run++) {
    baseline.push((await load('/bench/empty', ['main[data-loaded="true"]'])).times[0]!);
    const { times, rows, pageClock } = await load('/console#/overview', [
      '[data-page="overview"][data-listed="true"]',
      ...(WITH_RATES ? ['main[data-loaded="true"]'] : []),
    ]);
    if (rows !== SESSIONS) throw new Error(`the overview listed ${rows} sessions, not ${SESSIONS}`);
    listed.push(times[0]!);
    if (WITH_RATES) loaded.push(times[1]!);
    clock.this.push([pageClock.listed ?? NaN, pageClock.loaded ?? NaN]);
    if (COMPARE) {
      const compared = await load(
        '/console#/overview',
        ['[data-page="overview"][data-listed="true"]', ...(WITH_RATES ? ['main[data-loaded="true"]'] : [])],
        'compared',
      );
      if (compared.rows !== SESSIONS)
        throw new Error(`${COMPARE}'s overview listed ${compared.rows} sessions`);
      comparedListed.push(compared.times[0]!);
      clock.compared.push([compared.pageClock.listed ?? NaN, compared.pageClock.loaded ?? NaN]);
      if (WITH_RATES) comparedLoaded.push(compared.times[1]!);
    }
  }
  /** Every other page's first load (BENCH_PAGES=1), on the page's clock: path → loaded per run. */
  const pages = new Map<string, number[]>();
  if (PAGES)
    for (const path of [
      '/console#/session/bench-0000',
      '/console#/campaigns',
      '/console#/message?id=wamid.bench.0.1',
      '/console#/alerts',
      '/console#/consumers',
    ]) {
      await load(path, ['main[data-loaded="true"]']); // warm-up: its module is not in any cache
      const runs: number[] = [];
      for (let run = 0; run < RUNS; run++)
        runs.push((await load(path, ['main[data-loaded="true"]'])).pageClock.loaded ?? NaN);
      pages.set(path, runs);
    }
  if (PROFILE) {
    handled.clear();
    const { times, requests, inPage, longTasks, frames, userMarks } = await load('/console#/overview', [
      '[data-page="overview"][data-listed="true"]',
      'main[data-loaded="true"]',
    ]);
    log(
      `profile of one more load: listed at ${ms(times[0]!)}, loaded at ${ms(times[1]!)} (page clock: ${inPage.map(ms).join(', ')})`,
    );
    log('  start    ttfb     end  server   bytes  request');
    for (const r of requests) {
      const u = new URL(r.url);
      const server = handled.get(u.pathname + u.search);
      const cells = [r.start, r.firstByte, r.end, server ?? NaN].map((n) =>
        (Number.isNaN(n) ? '—' : String(Math.round(n))).padStart(6),
      );
      log(`  ${cells.join('  ')}  ${String(r.bytes).padStart(6)}  ${u.pathname}${u.search.slice(0, 60)}`);
    }
    log(`  the page's marks: ${userMarks.map(([name, at]) => `${name} ${ms(at)}`).join(', ')}`);
    log(`  long tasks (start+duration): ${longTasks.map(([at, d]) => `${ms(at)}+${ms(d)}`).join(', ')}`);
    // Long animation frames: the script part, then rendering (style and layout, then paint) of each.
    log(
      `  long frames (start+duration: rendering from, layout from): ${frames.map(([at, d, render, layout]) => `${ms(at)}+${ms(d)}: ${ms(render)}, ${ms(layout)}`).join('; ')}`,
    );
  }
  if (PROFILE) {
    // The stats route alone, in process: its handler with every bucket, with one bucket per group, and
    // with totals only (buckets=false, what the overview asks for).
    const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - 86_400_000);
    for (const interval of ['hour', 'day', 'hour&buckets=false']) {
      // Five times each, and the median: one answer on a loaded machine is noise.
      const took: number[] = [];
      let body = '';
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const res = await pipeline.app.request(
          `/v1/stats?from=${from.toISOString()}&to=${to.toISOString()}&interval=${interval}&groupBy=session&limit=1000`,
          { headers: { authorization: `Bearer ${KEY}` } },
        );
        body = await res.text();
        took.push(performance.now() - t);
      }
      const p0 = performance.now();
      JSON.parse(body);
      log(
        `  GET /v1/stats by session, interval=${interval}: median ${ms(median(took))} (${took.map(ms).join(', ')}), ${body.length} bytes, parsed in ${ms(performance.now() - p0)}`,
      );
    }
  }
  const b = median(baseline);
  log(`empty static page (baseline): median ${ms(b)}`);
  log(
    `overview, ${SESSIONS} sessions listed with health: median ${ms(median(listed))} (${(median(listed) / b).toFixed(1)}× the baseline)`,
  );
  if (WITH_RATES)
    log(
      `overview, every rate filled in:              median ${ms(median(loaded))} (${(median(loaded) / b).toFixed(1)}× the baseline)`,
    );
  for (const [name, runs] of Object.entries(clock)) {
    if (runs.length === 0) continue;
    const who = name === 'this' ? "this tree's" : `${COMPARE}'s`;
    const listedMedian = median(runs.map((r) => r[0]));
    const loadedMedian = median(runs.map((r) => r[1]));
    log(
      `${who} overview, page's clock: listed median ${ms(listedMedian)}, loaded median ${ms(loadedMedian)} (runs: ${runs.map((r) => r.map(ms).join('/')).join(', ')})`,
    );
  }
  for (const [path, runs] of pages)
    log(
      `${path.padEnd(40)} first load, page's clock: median ${ms(median(runs))} (runs: ${runs.map(ms).join(', ')})`,
    );
  if (COMPARE) {
    log(
      `${COMPARE}'s overview, listed with health:  median ${ms(median(comparedListed))} (runs: ${comparedListed.map(ms).join(', ')})`,
    );
    log(
      `this tree's overview, listed with health:   median ${ms(median(listed))} (runs: ${listed.map(ms).join(', ')})`,
    );
    if (WITH_RATES) {
      log(
        `${COMPARE}'s overview, every rate:          median ${ms(median(comparedLoaded))} (runs: ${comparedLoaded.map(ms).join(', ')})`,
      );
      log(
        `this tree's overview, every rate:           median ${ms(median(loaded))} (runs: ${loaded.map(ms).join(', ')})`,
      );
    }
  }
} finally {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await pipeline.stop();
  await broker.stop();
  await rm(dataDir, { recursive: true, force: true });
}
