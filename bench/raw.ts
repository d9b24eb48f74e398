// bench/raw (issue 16): the archive with 10M requests kept. In one run, printing progress as it goes:
// 1. loads N requests (default 10M) into archive_raw_requests_v2 and archive_message_requests, created by the
//    archive's real migrations and retention views, with INSERT … SELECT from numbers(): Meta status
//    webhooks (one status, or several of one session's messages), Meta inbound texts and ChatSend events,
//    a few hundred bytes to a few KB each, 10k sessions, each message's sent/delivered/read in three
//    requests minutes apart; request ids and sha256s random-looking as in real rows, so compression is real;
// 2. times the lookup behind GET /v1/messages/{id}/raw (readMessageRaw, the API's own query) for random
//    messages, median and p95, against the same lookups over the first 100k requests (a database of its
//    own, loaded the same way): goal < 50 ms median at N;
// 3. bytes on disk per request (system.parts, system.columns) against the raw body bytes;
// 4. the archive consumer's sustained records/s against the delivery consumer's over the same generated
//    stream on a local broker (bench/delivery.ts's traffic and drain), one after the other.
//
//   npx tsx bench/raw.ts [--requests N] [--lookups 200] [--stream-events 200000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { archiveEnv, archiveMigrations, startArchive } from '@wapipe/archive';
import { createClickHouse, migrate } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { readMessageRaw } from '../services/api/src/queries/raw.ts';
import { applyRawRetention } from '../services/archive/src/retention.ts';
import { drain, sustainedRate } from './support/drain.ts';
import { benchBroker } from './support/local-kafka.ts';
import { statusTraffic } from './support/status-traffic.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000000' },
    lookups: { type: 'string', default: '200' },
    'stream-events': { type: 'string', default: '200000' },
  },
});
const REQUESTS = Number(args.requests);
const LOOKUPS = Number(args.lookups);
const STREAM_EVENTS = Number(args['stream-events']);
const BASELINE_REQUESTS = Math.min(100_000, REQUESTS);
const SESSIONS = 10_000;
const CHUNK = 1_000_000;
/** A message's delivered and read arrive this many requests after its sent (and twice as many). */
const STEP_GAP = 3_000;
const SPAN_MS = 30 * 86_400_000;

const log = (line: string) => process.stdout.write(`${line}\n`);
const secondsSince = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

// Request n carries status n % 3 (sent, delivered, read) of message m; m's session is m % 10000, so
// messages m + 10000·j share it (a batched webhook carries some of them). Meta or ChatSend by session.
const requestColumns = (endMs: number, total: number) => `
  number AS n,
  n % 3 AS step,
  intDiv(n, 3) + ${2 * STEP_GAP} - step * ${STEP_GAP} AS m,
  m % ${SESSIONS} AS s,
  concat('sess-', toString(s)) AS session_id,
  if(s % 5 = 0, 'chatsend', 'meta') AS provider,
  fromUnixTimestamp64Milli(toInt64(${endMs - SPAN_MS} + intDiv(n * ${SPAN_MS}, ${total})), 'UTC') AS received_at,
  toUInt32(s % 6) AS kafka_partition,
  toUInt64(n) AS kafka_offset,
  sipHash64(n, 'shape') AS h,
  -- 15% of Meta status webhooks carry 2-8 statuses, 5% of Meta requests are inbound texts
  if(provider = 'meta' AND h % 100 < 15, 1 + intDiv(h, 100) % 7, 0) AS extra,
  provider = 'meta' AND h % 100 >= 95 AS inbound`;

const pmid = (m: string) =>
  `concat('wamid.HBgM', base64Encode(concat(toString(4915100000000 + ${m}), 'FQIAERgS', hex(sipHash64(${m})))))`;
const recipient = (m: string) => `toString(4915100000000 + (${m} * 7919) % 100000000)`;

const metaStatus = (m: string) => `concat(
  '{"id":"', ${pmid(m)}, '","status":"', ['sent','delivered','read'][step + 1],
  '","timestamp":"', toString(toUnixTimestamp(received_at) - 2), '","recipient_id":"', ${recipient(m)}, '"',
  if(step = 2, '', concat(',"conversation":{"id":"', lower(hex(sipHash128(${m}))),
    '","expiration_timestamp":"', toString(toUnixTimestamp(received_at) + 86400),
    '","origin":{"type":"marketing"}},"pricing":{"billable":true,"pricing_model":"PMP","category":"marketing"}')),
  '}')`;

const bodyExpression = `multiIf(
  provider = 'chatsend',
  concat('{"id":"evt_', lower(hex(sipHash128(n, 'evt'))), '","type":"message.status","sessionId":"', session_id,
    '","timestamp":"', formatDateTime(received_at, '%Y-%m-%dT%H:%i:%S.000Z'), '","data":{"messageId":"',
    ${pmid('m')}, '","recipient":"', ${recipient('m')}, '","status":"', ['sent','delivered','read'][step + 1],
    '","ack":', toString(step + 1), ',"device":"web","fromMe":true}}'),
  concat('{"object":"whatsapp_business_account","entry":[{"id":"1022901', toString(100000000 + s),
    '","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1555',
    toString(1000000 + s), '","phone_number_id":"1065403', toString(100000000 + s), '"},',
    if(inbound,
      concat('"contacts":[{"profile":{"name":"Contact ', toString(h % 100000), '"},"wa_id":"', ${recipient('m')},
        '"}],"messages":[{"from":"', ${recipient('m')}, '","id":"wamid.in.', lower(hex(sipHash128(n, 'in'))),
        '","timestamp":"', toString(toUnixTimestamp(received_at)), '","type":"text","text":{"body":"',
        substring(repeat('Hello, is my order on its way? I paid yesterday and still have no tracking number. ', 20),
          1 + h % 50, 40 + h % 1500), '"}}]'),
      concat('"statuses":[',
        arrayStringConcat(arrayMap(j -> ${metaStatus(`(m + ${SESSIONS} * j)`)}, range(extra + 1)), ','), ']')),
    '},"field":"messages"}]}]}'))`;

async function loadRequests(ch: ClickHouse, total: number): Promise<void> {
  const endMs = Date.now();
  for (let start = 0; start < total; start += CHUNK) {
    const count = Math.min(CHUNK, total - start);
    const started = performance.now();
    const source = `(SELECT ${requestColumns(endMs, total)} FROM numbers(${start}, ${count}))`;
    await ch.command({
      query: `INSERT INTO ${ch.table('archive_raw_requests_v2')}
        (session_id, received_at, kafka_partition, kafka_offset, provider, kind, content_type, request_id, body, sha256, archived_at)
        SELECT session_id, received_at, kafka_partition, kafka_offset, provider, 'webhook', 'application/json',
          toString(generateUUIDv4(n)), body, lower(hex(SHA256(body))), received_at + toIntervalMillisecond(40 + h % 900)
        FROM (SELECT *, ${bodyExpression} AS body FROM ${source})`,
    });
    // The link rows as the archive writes them: one per message a request carried (inbound: its own id).
    await ch.command({
      query: `INSERT INTO ${ch.table('archive_message_requests')}
        (session_id, provider_message_id, received_at, kafka_partition, kafka_offset)
        SELECT session_id,
          if(inbound, concat('wamid.in.', lower(hex(sipHash128(n, 'in')))), ${pmid(`(m + ${SESSIONS} * j)`)}),
          received_at, kafka_partition, kafka_offset
        FROM ${source} ARRAY JOIN range(if(inbound, 1, extra + 1)) AS j`,
    });
    log(`  ${start + count} of ${total} requests (${secondsSince(started)} for this chunk)`);
  }
}

async function archiveDatabase(dataPath: string, name: string): Promise<ClickHouse> {
  const ch = createClickHouse({ database: `${name}_${randomUUID().slice(0, 8)}`, dataPath });
  await migrate(ch, { owner: 'archive', migrations: await archiveMigrations() });
  await applyRawRetention(ch, 90 * 86_400_000);
  return ch;
}

const Target = z.object({ session_id: z.string(), provider_message_id: z.string() });

/** Random status messages (not inbound, not the first few whose sent is outside the load). */
async function lookupTargets(ch: ClickHouse, count: number, requests: number) {
  // A hash sample of about 10× the lookups first, so the sort stays small at 10M requests.
  const sample = Math.max(1, Math.floor(requests / (count * 10)));
  return ch.query({
    query: `SELECT session_id, provider_message_id FROM ${ch.table('archive_message_requests')}
      WHERE sipHash64(provider_message_id) % ${sample} = 0
        AND provider_message_id LIKE 'wamid.HBgM%' AND kafka_offset > ${3 * STEP_GAP * 2}
      ORDER BY sipHash64(provider_message_id) LIMIT 1 BY provider_message_id LIMIT {count:UInt32}`,
    params: { count },
    schema: Target,
  });
}

/** Median of a trivial query: the engine's floor on this machine now (it is shared; lookups scale with it). */
async function engineFloor(ch: ClickHouse): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    await ch.query({ query: 'SELECT 1 AS n', schema: z.object({ n: z.coerce.number() }) });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[25]!;
}

async function timeLookups(ch: ClickHouse, requests: number) {
  const label = `lookup at ${requests}`;
  const targets = await lookupTargets(ch, LOOKUPS, requests);
  const times: number[] = [];
  let found = 0;
  for (const t of targets) {
    const started = performance.now();
    const view = await readMessageRaw(ch, {
      sessionId: t.session_id,
      providerMessageId: t.provider_message_id,
      replies: [],
    });
    times.push(performance.now() - started);
    if (view.requests.length === 0)
      throw new Error(`${label}: no request found for ${t.provider_message_id}`);
    found += view.requests.length;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  const result = { median: at(0.5), p95: at(0.95), perMessage: found / targets.length };
  log(
    `  ${label}: median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms over ${targets.length} ` +
      `lookups (${result.perMessage.toFixed(1)} requests per message)`,
  );
  return result;
}

const Size = z.object({
  table: z.string(),
  parts: z.coerce.number(),
  rows: z.coerce.number(),
  on_disk: z.coerce.number(),
  compressed: z.coerce.number(),
  uncompressed: z.coerce.number(),
});
const ColumnSize = z.object({ compressed: z.coerce.number(), uncompressed: z.coerce.number() });
const BodyBytes = z.object({ bytes: z.coerce.number(), rows: z.coerce.number() });

async function reportSizes(ch: ClickHouse) {
  const sizes = await ch.query({
    query: `SELECT table, count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS on_disk,
        sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
      FROM system.parts WHERE database = {db:String} AND active AND table LIKE 'archive_%'
      GROUP BY table ORDER BY table`,
    params: { db: ch.database },
    schema: Size,
  });
  const [body] = await ch.query({
    query: `SELECT sum(length(body)) AS bytes, count() AS rows FROM ${ch.table('archive_raw_requests_v2')}`,
    schema: BodyBytes,
  });
  const [bodyColumn] = await ch.query({
    query: `SELECT data_compressed_bytes AS compressed, data_uncompressed_bytes AS uncompressed
      FROM system.columns WHERE database = {db:String} AND table = 'archive_raw_requests_v2' AND name = 'body'`,
    params: { db: ch.database },
    schema: ColumnSize,
  });
  const perRequest = (bytes: number) => (bytes / body!.rows).toFixed(0);
  for (const s of sizes) {
    log(
      `  ${s.table}: ${s.rows} rows in ${s.parts} parts, ${perRequest(s.on_disk)} B on disk per request ` +
        `(compressed ${perRequest(s.compressed)} B, uncompressed ${perRequest(s.uncompressed)} B)`,
    );
  }
  const onDisk = sizes.reduce((n, s) => n + s.on_disk, 0);
  log(
    `  raw bodies: ${perRequest(body!.bytes)} B per request; body column ${perRequest(bodyColumn!.compressed)} B ` +
      `compressed (${(bodyColumn!.uncompressed / bodyColumn!.compressed).toFixed(1)}×)`,
  );
  log(
    `  both tables: ${perRequest(onDisk)} B on disk per request, ${(body!.bytes / onDisk).toFixed(1)}× smaller ` +
      `than the raw bodies`,
  );
  return { onDiskPerRequest: onDisk / body!.rows, bodyPerRequest: body!.bytes / body!.rows };
}

/** The archive and the delivery consumer over one generated stream, one after the other. */
async function consumerRates(dataPath: string) {
  const broker = await benchBroker();
  const kafka = await connectKafka({ brokers: broker.brokers, clientId: 'bench', logger: silentLogger });
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 60_000 });
  try {
    const prefix = `bench-${randomUUID().slice(0, 6)}`;
    const topics = topicCatalog(prefix);
    await kafka.ensureTopics(topics.specs(6));
    const traffic = statusTraffic({ statusEvents: STREAM_EVENTS, seed: 16 });
    log(`  producing ${traffic.records.length} records (${traffic.statusEvents} status events)…`);
    await producer.sendMany(topics.raw, traffic.records);
    const shared = {
      KAFKA_BROKERS: broker.brokers.join(','),
      TOPIC_PREFIX: prefix,
      CLICKHOUSE_DATABASE: `bench_stream_${randomUUID().slice(0, 8)}`,
      CHDB_PATH: dataPath,
    };
    const context = () => ({ logger: silentLogger, registry: createRegistry() });
    const archiveSettings = archiveEnv.parse(shared);
    const archiveCpu = process.cpuUsage();
    const archive = await startArchive(
      { ...archiveSettings, KAFKA_BROKERS: archiveSettings.KAFKA_BROKERS! },
      context(),
    );
    const archived = await drain(kafka, `${prefix}.archive`, topics.raw, 'archive', archiveCpu);
    await archive.stop();
    const deliverySettings = deliveryEnv.parse(shared);
    const deliveryCpu = process.cpuUsage();
    const delivery = await startDelivery(
      { ...deliverySettings, KAFKA_BROKERS: deliverySettings.KAFKA_BROKERS! },
      context(),
    );
    const delivered = await drain(kafka, `${prefix}.delivery`, topics.raw, 'delivery', deliveryCpu);
    await delivery.stop();
    const records = traffic.records.length;
    const result = {
      archiveRecords: sustainedRate(records, archived),
      deliveryRecords: sustainedRate(records, delivered),
      deliveryEvents: sustainedRate(traffic.statusEvents, delivered),
      archiveCpu: archived.cpuMicros / records,
      deliveryCpu: delivered.cpuMicros / records,
    };
    log(
      `  archive: sustained ${result.archiveRecords} records/s (CPU ${result.archiveCpu.toFixed(0)} µs/record)`,
    );
    log(
      `  delivery: sustained ${result.deliveryRecords} records/s = ${result.deliveryEvents} events/s ` +
        `(CPU ${result.deliveryCpu.toFixed(0)} µs/record)`,
    );
    return result;
  } finally {
    await producer.close();
    await kafka.close();
    await broker.stop();
  }
}

async function main() {
  const dataPath = await mkdtemp(join(tmpdir(), 'wapipe-bench-raw-'));
  const started = performance.now();
  try {
    log(`baseline: ${BASELINE_REQUESTS} requests…`);
    const small = await archiveDatabase(dataPath, 'bench_raw_small');
    await loadRequests(small, BASELINE_REQUESTS);
    const floor = await engineFloor(small);
    log(`  engine floor (SELECT 1): median ${floor.toFixed(1)} ms`);
    const baseline = await timeLookups(small, BASELINE_REQUESTS);
    await small.close();

    log(`loading ${REQUESTS} requests in chunks of ${CHUNK}…`);
    const ch = await archiveDatabase(dataPath, 'bench_raw');
    const loadStarted = performance.now();
    await loadRequests(ch, REQUESTS);
    log(`  loaded in ${secondsSince(loadStarted)}`);
    const full = await timeLookups(ch, REQUESTS);
    log('bytes on disk:');
    const sizes = await reportSizes(ch);
    await ch.close();

    log('consumers over one generated stream:');
    const rates = await consumerRates(dataPath);

    log(`\nsummary (${secondsSince(started)} in all, embedded ClickHouse, broker on this machine)`);
    log(
      `GET /v1/messages/{id}/raw lookup at ${REQUESTS} requests: median ${full.median.toFixed(1)} ms, ` +
        `p95 ${full.p95.toFixed(1)} ms — goal < 50 ms median: ${full.median < 50 ? 'met' : 'NOT met'}`,
    );
    log(
      `  against ${BASELINE_REQUESTS} requests: median ${baseline.median.toFixed(1)} ms ` +
        `(ratio ${(full.median / baseline.median).toFixed(2)}×)`,
    );
    log(
      `bytes on disk per request: ${sizes.onDiskPerRequest.toFixed(0)} B against ${sizes.bodyPerRequest.toFixed(0)} B ` +
        `of raw body (compression ${(sizes.bodyPerRequest / sizes.onDiskPerRequest).toFixed(1)}×)`,
    );
    log(
      `archive ${rates.archiveRecords} records/s against delivery ${rates.deliveryRecords} records/s ` +
        `(${rates.deliveryEvents} events/s): ratio ${(rates.archiveRecords / rates.deliveryRecords).toFixed(2)}×`,
    );
  } finally {
    await rm(dataPath, { recursive: true, force: true });
  }
}

await main();
