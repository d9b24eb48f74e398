// How fast does a console page first load with 1,000 sessions? The whole pipeline (all-in-one, embedded
// ClickHouse, a local broker unless KAFKA_BROKERS) gets 1,000 sessions, each with a few delivered and
// read messages, then a headless Chromium opens the overview in a fresh context each run (empty cache,
// the key put in sessionStorage before the page runs) and times, from navigation to:
//   listed  — every session's row with its health drawn (three requests);
//   loaded  — every row's rates too (one GET /v1/stats, or one stats request per session until that
//             route is served);
// against the baseline: an empty static page from the same server, in a fresh context as well.
//
//   npx tsx bench/console.ts   (BENCH_SESSIONS=1000 BENCH_RUNS=7 BENCH_RATES=1 to time the rates too;
//                              goal: listed median < 1 s)
import { randomBytes } from 'node:crypto';
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
  root.get('/bench/empty', (c) =>
    c.html('<!doctype html><title>empty</title><main data-loaded="true"></main>'),
  );
  root.route('/', pipeline.app);
  server = await new Promise<ReturnType<typeof serveHttp>>((resolve) => {
    const s = serveHttp({ fetch: root.fetch, port: 0, hostname: '127.0.0.1', onListening: () => resolve(s) });
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });

  const load = async (path: string, marks: string[]) => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript({
      content: `sessionStorage.setItem('wapipe.apiKey', ${JSON.stringify(KEY)})`,
    });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${base}${path}`);
    const times: number[] = [];
    for (const mark of marks) {
      await page.waitForSelector(mark, { timeout: 120_000, state: 'attached' });
      times.push(performance.now() - t0);
    }
    const rows = await page.locator('tr[data-session]').count();
    await context.close();
    return { times, rows };
  };
  const baseline: number[] = [];
  const listed: number[] = [];
  const loaded: number[] = [];
  await load('/console#/overview', ['[data-page="overview"][data-listed="true"]']); // warm-up
  for (let run = 0; run < RUNS; run++) {
    baseline.push((await load('/bench/empty', ['main[data-loaded="true"]'])).times[0]!);
    const { times, rows } = await load('/console#/overview', [
      '[data-page="overview"][data-listed="true"]',
      ...(WITH_RATES ? ['main[data-loaded="true"]'] : []),
    ]);
    if (rows !== SESSIONS) throw new Error(`the overview listed ${rows} sessions, not ${SESSIONS}`);
    listed.push(times[0]!);
    if (WITH_RATES) loaded.push(times[1]!);
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
} finally {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await pipeline.stop();
  await broker.stop();
  await rm(dataDir, { recursive: true, force: true });
}
