// bench/scale-stored (issue 19): does the delivery consumer slow down as its tables fill? Its hot path reads
// what is stored for each batch's messages (the timeline and the registry, by provider message id), so a
// full table costs index lookups and granules that an empty one does not. One database is filled once with
// BENCH_STORED status events (default 50M: a third each sent, delivered, read, over 10k sessions and 13
// months, half the messages registered), by INSERT … SELECT FROM numbers() through the delivery's real
// migrations; then each round drains the same shape of new traffic (bench/support/status-traffic.ts) into a
// fresh empty database and into the full one, with the same consumer code. Goal: full/empty ≥ 0.8×.
//
//   npm run bench:scale-stored   (BENCH_STORED=50000000 BENCH_EVENTS=300000 BENCH_ROUNDS=3)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createClickHouse, migrate } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { deliveryEnv, deliveryMigrations, startDelivery } from '@wapipe/delivery';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { CoalescingProducer, KafkaConnection } from '@wapipe/kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { drain, sustainedRate } from './support/drain.ts';
import { benchBroker } from './support/local-kafka.ts';
import { median } from './support/load.ts';
import { statusTraffic } from './support/status-traffic.ts';

const STORED = Number(process.env['BENCH_STORED'] ?? 50_000_000);
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 300_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CHUNK = 5_000_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Status events n ∈ [from, from+count): message ⌊n/3⌋, its sent, delivered and read a few minutes apart. */
async function fillStatuses(ch: ClickHouse, from: number, count: number) {
  await ch.command({
    query: `INSERT INTO ${ch.table('delivery_status_events')}
              (event_id, session_id, provider, provider_message_id, recipient, status, group_participant,
               occurred_at, received_at, pricing_category, conversation_category, kafka_partition, kafka_offset)
            SELECT hex(sipHash128(number)) AS event_id,
                   concat('sess-', toString(sipHash64(intDiv(number, 3)) % 10000)) AS session_id,
                   'meta', concat('wamid.', hex(sipHash64(intDiv(number, 3)))) AS pmid,
                   concat('1555', toString(1000000 + sipHash64(intDiv(number, 3), 1) % 9000000)),
                   ['sent', 'delivered', 'read'][number % 3 + 1], '',
                   toDateTime64(now() - 400 * 86400, 3, 'UTC') + toIntervalSecond(intDiv(number, 3) % (395 * 86400))
                     + toIntervalSecond((number % 3) * 90) AS at,
                   at + toIntervalSecond(1), 'marketing', 'marketing', toUInt32(number % 6), number
            FROM numbers({from:UInt64}, {count:UInt64})`,
    params: { from, count },
  });
}

/** Half of the messages of [from, from+count) status events, registered. */
async function fillRegistry(ch: ClickHouse, from: number, count: number) {
  await ch.command({
    query: `INSERT INTO ${ch.table('delivery_outbound_messages')}
              (message_id, provider_message_id, session_id, recipient, sent_at, campaign_id, category,
               registered_at, event_id)
            SELECT concat('msg-', toString(m)), concat('wamid.', hex(sipHash64(m))),
                   concat('sess-', toString(sipHash64(m) % 10000)),
                   concat('1555', toString(1000000 + sipHash64(m, 1) % 9000000)),
                   toDateTime64(now() - 400 * 86400, 3, 'UTC') + toIntervalSecond(m % (395 * 86400)),
                   concat('campaign-', toString(m % 400)), 'marketing',
                   toDateTime64(now() - 400 * 86400, 3, 'UTC') + toIntervalSecond(m % (395 * 86400)),
                   hex(sipHash128(m, 'registration'))
            FROM (SELECT intDiv(number, 3) AS m FROM numbers({from:UInt64}, {count:UInt64})
                  WHERE number % 3 = 0 AND m % 2 = 0)`,
    params: { from, count },
  });
}

async function fillStored(dataPath: string, database: string) {
  const ch = createClickHouse({ database, dataPath });
  try {
    await migrate(ch, { owner: 'delivery', migrations: await deliveryMigrations() });
    const started = performance.now();
    for (let from = 0; from < STORED; from += CHUNK) {
      const count = Math.min(CHUNK, STORED - from);
      await fillStatuses(ch, from, count);
      await fillRegistry(ch, from, count);
      log(
        `  stored ${(from + count).toLocaleString()} of ${STORED.toLocaleString()} status events ` +
          `(${Math.round((performance.now() - started) / 1000)} s)`,
      );
    }
    const [parts] = await ch.query({
      query: `SELECT count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
              WHERE database = {db:String} AND table = 'delivery_status_events' AND active`,
      params: { db: database },
      schema: z.object({ parts: z.coerce.number(), rows: z.coerce.number(), bytes: z.coerce.number() }),
    });
    log(
      `  timeline: ${parts!.rows.toLocaleString()} rows in ${parts!.parts} parts, ` +
        `${(parts!.bytes / 1e6).toFixed(0)} MB on disk`,
    );
  } finally {
    await ch.close();
  }
}

/** Produces fresh traffic and drains it with the real delivery consumer into `database`; events/s. */
async function drainInto(
  kafka: KafkaConnection,
  producer: CoalescingProducer,
  brokers: string[],
  dataPath: string,
  database: string,
  seed: number,
) {
  const prefix = `scale-${randomUUID().slice(0, 6)}`;
  const topics = topicCatalog(prefix);
  await kafka.ensureTopics(topics.specs(6));
  const traffic = statusTraffic({ statusEvents: EVENTS, seed });
  await producer.sendMany(topics.raw, traffic.records);
  const env = deliveryEnv.parse({
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_PREFIX: prefix,
    CLICKHOUSE_DATABASE: database,
    CHDB_PATH: dataPath,
  });
  const delivery = await startDelivery(
    { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
    { logger: silentLogger, registry: createRegistry() },
  );
  const run = await drain(kafka, `${prefix}.delivery`, topics.raw, database, process.cpuUsage());
  await delivery.stop();
  return sustainedRate(traffic.statusEvents, run);
}

async function main() {
  const broker = await benchBroker();
  const kafka = await connectKafka({ brokers: broker.brokers, clientId: 'bench', logger: silentLogger });
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 60_000 });
  const dataPath = await mkdtemp(join(tmpdir(), 'wapipe-bench-scale-'));
  const full = 'bench_full';
  const rates = { empty: [] as number[], full: [] as number[] };
  try {
    log(`filling ${full} with ${STORED.toLocaleString()} stored status events…`);
    await fillStored(dataPath, full);
    for (let round = 1; round <= ROUNDS; round++) {
      const empty = `bench_empty_${round}`;
      const emptyRate = await drainInto(kafka, producer, broker.brokers, dataPath, empty, round);
      const fullRate = await drainInto(kafka, producer, broker.brokers, dataPath, full, round);
      rates.empty.push(emptyRate);
      rates.full.push(fullRate);
      log(
        `round ${round}/${ROUNDS}: ${EVENTS.toLocaleString()} new status events, sustained ` +
          `${emptyRate} events/s into empty tables, ${fullRate} events/s beside ${STORED.toLocaleString()} stored`,
      );
    }
  } finally {
    await producer.close();
    await kafka.close();
    await broker.stop();
    await rm(dataPath, { recursive: true, force: true });
  }
  const [empty, fullRate] = [median(rates.empty)!, median(rates.full)!];
  log(`\nmedians of ${ROUNDS} rounds, embedded ClickHouse, broker on this machine`);
  log(`delivery into empty tables (baseline): ${empty} events/s`);
  log(`delivery beside ${STORED.toLocaleString()} stored status events: ${fullRate} events/s`);
  log(
    `ratio full/empty: ${(fullRate / empty).toFixed(2)}× (goal ≥ 0.8×: ${fullRate / empty >= 0.8 ? 'met' : 'NOT met'})`,
  );
}

await main();
