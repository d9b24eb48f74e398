// bench/delivery: status events per second from the raw topic into ClickHouse, end to end (decode,
// normalize, dedup against what is stored, journal, timeline + registry + rollups, commit), against a
// baseline in the same run that only parses and inserts the statuses (at-least-once, no dedup, no rollups).
// Run: `npx tsx bench/delivery.ts` (BENCH_EVENTS, BENCH_ROUNDS).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import { rawKafkaRecord } from '@wapipe/events';
import { connectKafka, createBatchConsumer, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { KafkaConnection, ProducedRecord } from '@wapipe/kafka';
import { createLogger, createRegistry, silentLogger } from '@wapipe/observability';
import { chDateTime } from '@wapipe/pipeline';
import { benchBroker } from './support/local-kafka.ts';
import { median } from './support/load.ts';

const totalEvents = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const perBody = 50;
// BENCH_LOG_LEVEL=debug shows each batch's stage timings.
const consumerLogger = process.env['BENCH_LOG_LEVEL']
  ? createLogger({
      level: process.env['BENCH_LOG_LEVEL'] as 'debug',
      write: (line) => process.stderr.write(line + '\n'),
    })
  : silentLogger;

function records(): ProducedRecord[] {
  const out: ProducedRecord[] = [];
  const base = Math.floor(Date.now() / 1000) - 3600;
  for (let i = 0; i < totalEvents / perBody; i++) {
    const sessionId = `bench-${i % 12}`;
    const statuses = Array.from({ length: perBody }, (_, j) => ({
      id: `wamid.${randomUUID()}`,
      status: j % 4 === 0 ? 'sent' : j % 4 === 1 ? 'delivered' : j % 4 === 2 ? 'read' : 'failed',
      timestamp: String(base + ((i * perBody + j) % 3600)),
      recipient_id: `1555${String(j).padStart(7, '0')}`,
      ...(j % 4 === 3 ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}),
    }));
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1', phone_number_id: '1' },
                statuses,
              },
            },
          ],
        },
      ],
    });
    out.push(rawKafkaRecord({ kind: 'webhook', provider: 'meta', sessionId, ingressVersion: 'bench' }, body));
  }
  return out;
}

async function drain(kafka: KafkaConnection, group: string, topic: string, label: string): Promise<number> {
  const started = performance.now();
  let last = performance.now();
  for (;;) {
    const lag = await kafka.groupLag(group, topic).catch(() => -1n);
    if (lag === 0n) return (performance.now() - started) / 1000;
    if (performance.now() - last > 2000) {
      process.stdout.write(`  ${label}: consumer lag ${lag} records\n`);
      last = performance.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const broker = await benchBroker();
  const kafka = await connectKafka({ brokers: broker.brokers, clientId: 'bench', logger: silentLogger });
  const dataPath = await mkdtemp(join(tmpdir(), 'wapipe-bench-chdb-'));
  const producer = createCoalescingProducer(kafka);
  const results: { wapipe: number[]; baseline: number[] } = { wapipe: [], baseline: [] };
  try {
    for (let round = 1; round <= rounds; round++) {
      const prefix = `bench-${randomUUID().slice(0, 6)}`;
      const topics = topicCatalog(prefix);
      await kafka.ensureTopics(topics.specs(6));
      process.stdout.write(
        `round ${round}/${rounds}: producing ${totalEvents} status events in bodies of ${perBody}…\n`,
      );
      await producer.sendMany(topics.raw, records());

      const database = `bench_${randomUUID().slice(0, 8).replace(/-/g, '')}`;
      const env = deliveryEnv.parse({
        KAFKA_BROKERS: broker.brokers.join(','),
        TOPIC_PREFIX: prefix,
        CLICKHOUSE_DATABASE: database,
        CHDB_PATH: dataPath,
      });
      const delivery = await startDelivery(
        { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
        { logger: consumerLogger, registry: createRegistry() },
      );
      const seconds = await drain(kafka, `${prefix}.delivery`, topics.raw, 'wapipe');
      await delivery.stop();
      results.wapipe.push(totalEvents / seconds);
      process.stdout.write(`  wapipe: ${Math.round(totalEvents / seconds)} events/s\n`);

      // Baseline: parse and insert the statuses, nothing else.
      const ch = createClickHouse({ database, dataPath });
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
      const naive = createBatchConsumer(kafka, {
        name: 'naive',
        groupId: `${prefix}.naive`,
        topics: [topics.raw],
        deadLetterTopic: topics.deadLetter('delivery'),
        producer,
        handle: async (batch) => {
          const rows = batch.flatMap((r) =>
            Body.parse(JSON.parse(r.value!.toString())).entry.flatMap((e) =>
              e.changes.flatMap((c) =>
                c.value.statuses.map((s) => ({
                  id: s.id,
                  status: s.status,
                  at: chDateTime(Number(s.timestamp) * 1000),
                })),
              ),
            ),
          );
          await ch.insert({ table: 'naive_statuses', rows });
        },
      });
      await naive.start();
      const baseSeconds = await drain(kafka, `${prefix}.naive`, topics.raw, 'baseline');
      await naive.stop();
      await ch.close();
      results.baseline.push(totalEvents / baseSeconds);
      process.stdout.write(`  baseline: ${Math.round(totalEvents / baseSeconds)} events/s\n`);
    }
  } finally {
    await producer.close();
    await kafka.close();
    await broker.stop();
    await rm(dataPath, { recursive: true, force: true });
  }
  const w = median(results.wapipe);
  const b = median(results.baseline);
  console.log(
    `\nmedians of ${rounds} rounds, ${totalEvents} status events each, embedded ClickHouse, broker on this machine`,
  );
  console.log(`wapipe delivery (exactly-once, timeline + state + rollups): ${Math.round(w)} events/s`);
  console.log(`baseline (parse + insert, at-least-once):                  ${Math.round(b)} events/s`);
  console.log(`ratio wapipe/baseline: ${(w / b).toFixed(2)}×`);
}

await main();
