// bench/delivery: status events per second from the raw topic into ClickHouse, end to end (decode,
// normalize, dedup against what is stored, journal, timeline + registry + rollups + transitions, commit),
// against a baseline in the same run that only parses and inserts the statuses (at-least-once, no dedup,
// no rollups). The traffic is shaped like an operator's (bench/support/status-traffic.ts): messages with
// their statuses following them, 10% of bodies retried, half the messages registered. It is produced up
// front; the consumer then drains it while the bench samples its committed offsets.
// "sustained" is the rate from the first commit to the last (start-up excluded); "overall" includes it.
// Run: `npm run bench:delivery` (the consumers' runtime flags; BENCH_EVENTS, BENCH_ROUNDS, BENCH_LOG_LEVEL=debug
// for stage timings).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { createLogger, createRegistry, silentLogger } from '@wapipe/observability';
import { chDateTime, createConsumerLoop, handleRecords } from '@wapipe/pipeline';
import { drain, everyFewSeconds, sustainedRate } from './support/drain.ts';
import { benchBroker } from './support/local-kafka.ts';
import { median } from './support/load.ts';
import { statusTraffic } from './support/status-traffic.ts';

const totalEvents = Number(process.env['BENCH_EVENTS'] ?? 300_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const consumerLogger = process.env['BENCH_LOG_LEVEL']
  ? createLogger({
      level: process.env['BENCH_LOG_LEVEL'] as 'debug',
      write: (line) => process.stderr.write(line + '\n'),
    })
  : silentLogger;

async function main() {
  const broker = await benchBroker();
  const kafka = await connectKafka({ brokers: broker.brokers, clientId: 'bench', logger: silentLogger });
  const dataPath = await mkdtemp(join(tmpdir(), 'wapipe-bench-chdb-'));
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 60_000 });
  const results = {
    sustained: [] as number[],
    overall: [] as number[],
    baseline: [] as number[],
    cpu: [] as number[],
    baselineCpu: [] as number[],
  };
  try {
    for (let round = 1; round <= rounds; round++) {
      const prefix = `bench-${randomUUID().slice(0, 6)}`;
      const topics = topicCatalog(prefix);
      await kafka.ensureTopics(topics.specs(6));
      const traffic = statusTraffic({ statusEvents: totalEvents, seed: round });
      process.stdout.write(
        `round ${round}/${rounds}: producing ${traffic.statusEvents} status events (${traffic.messages} messages, ` +
          `${traffic.records.length} records)…\n`,
      );
      await producer.sendMany(topics.raw, traffic.records);

      const database = `bench_${randomUUID().slice(0, 8).replace(/-/g, '')}`;
      const env = deliveryEnv.parse({
        KAFKA_BROKERS: broker.brokers.join(','),
        TOPIC_PREFIX: prefix,
        CLICKHOUSE_DATABASE: database,
        CHDB_PATH: dataPath,
      });
      const cpuSince = process.cpuUsage();
      const delivery = await startDelivery(
        { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
        { logger: consumerLogger, registry: createRegistry() },
      );
      const run = await drain(kafka, `${prefix}.delivery`, topics.raw, 'wapipe', cpuSince);
      await delivery.stop();
      const sustained = sustainedRate(traffic.statusEvents, run);
      results.sustained.push(sustained);
      results.overall.push(Math.round(traffic.statusEvents / run.seconds));
      results.cpu.push(run.cpuMicros / traffic.statusEvents);

      const ch = createClickHouse({ database, dataPath });
      const [stored] = await ch.query({
        query: `SELECT toUInt64(count()) AS n FROM ${ch.table('delivery_status_events')}`,
        schema: z.object({ n: z.coerce.number() }),
      });
      process.stdout.write(
        `  wapipe: sustained ${sustained} events/s, overall ${Math.round(traffic.statusEvents / run.seconds)} events/s ` +
          `(${run.seconds.toFixed(1)} s, CPU ${(run.cpuMicros / traffic.statusEvents).toFixed(1)} µs/event); ` +
          `timeline rows ${stored?.n} of ${traffic.distinctStatusEvents} expected\n`,
      );
      process.stdout.write(
        `  consumer lag (records at seconds since start): ${everyFewSeconds(run.lagSamples)}\n`,
      );
      if (stored?.n !== traffic.distinctStatusEvents)
        throw new Error('the timeline does not match the traffic');

      // Baseline: parse and insert the statuses, nothing else.
      await ch.command({
        query: `CREATE TABLE IF NOT EXISTS ${ch.table('naive_statuses')} (id String, status String, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id`,
      });
      const Body = z.object({
        entry: z.array(
          z.object({
            changes: z.array(
              z.object({
                value: z.object({
                  statuses: z.array(z.object({ id: z.string(), status: z.string(), timestamp: z.string() })),
                }),
              }),
            ),
          }),
        ),
      });
      const naive = createConsumerLoop(kafka, {
        name: 'naive',
        groupId: `${prefix}.naive`,
        topics: [topics.raw],
        deadLetterTopic: topics.deadLetter('delivery'),
        producer,
        handler: handleRecords(async (batch) => {
          const rows = batch.flatMap((r) => {
            const body = Body.safeParse(JSON.parse(r.value!.toString()));
            if (!body.success) return []; // a registration
            return body.data.entry.flatMap((e) =>
              e.changes.flatMap((c) =>
                c.value.statuses.map((s) => ({
                  id: s.id,
                  status: s.status,
                  at: chDateTime(Number(s.timestamp) * 1000),
                })),
              ),
            );
          });
          await ch.insert({ table: 'naive_statuses', rows });
        }),
      });
      const baselineCpuSince = process.cpuUsage();
      await naive.start();
      const base = await drain(kafka, `${prefix}.naive`, topics.raw, 'baseline', baselineCpuSince);
      await naive.stop();
      await ch.close();
      const baseline = sustainedRate(traffic.statusEvents, base);
      results.baseline.push(baseline);
      results.baselineCpu.push(base.cpuMicros / traffic.statusEvents);
      process.stdout.write(
        `  baseline: sustained ${baseline} events/s (CPU ${(base.cpuMicros / traffic.statusEvents).toFixed(1)} µs/event)\n`,
      );
    }
  } finally {
    await producer.close();
    await kafka.close();
    await broker.stop();
    await rm(dataPath, { recursive: true, force: true });
  }
  const [sustained, overall, baseline] = [results.sustained, results.overall, results.baseline].map(median);
  console.log(
    `\nmedians of ${rounds} rounds, ${totalEvents} status events each, embedded ClickHouse, broker on this machine`,
  );
  console.log(`wapipe delivery, sustained (first commit to lag 0): ${sustained} events/s`);
  console.log(`wapipe delivery, overall (start-up included):       ${overall} events/s`);
  console.log(`baseline (parse + insert, at-least-once), sustained: ${baseline} events/s`);
  console.log(`ratio wapipe/baseline (sustained): ${(sustained! / baseline!).toFixed(2)}×`);
  // On a shared machine wall-clock rates swing with the neighbours' load; CPU per event much less.
  const [cpu, baselineCpu] = [median(results.cpu)!, median(results.baselineCpu)!];
  console.log(
    `CPU per event (this process, engine included): wapipe ${cpu.toFixed(1)} µs, baseline ${baselineCpu.toFixed(1)} µs ` +
      `(ratio baseline/wapipe ${(baselineCpu / cpu).toFixed(2)}×)`,
  );
  console.log(`target: 20000 events/s sustained — ${sustained! >= 20_000 ? 'met' : 'NOT met'}`);
}

await main();
