// SIGKILL the archive consumer mid-stream (its embedded ClickHouse dies with it), twice, and restart it:
// every raw record is kept exactly once, byte for byte, counted against what was produced.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { backendOptions, randomDatabaseName } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { startChild } from '../../../test/support/child-process.ts';
import { testConsumerEnv } from '../../../test/support/consumer-env.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';

// ARCHIVE_TEST_KEEP=1 keeps the data directory and the consumer's log (consumer.log) for a post-mortem.
const dirs: string[] = [];
afterAll(async () => {
  if (!process.env['ARCHIVE_TEST_KEEP'])
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('keeps every raw record exactly once through SIGKILLs mid-stream', { timeout: 300_000 }, async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('archive-kill');
  const topics = topicCatalog(prefix);
  const dataPath = await mkdtemp(join(tmpdir(), 'wapipe-archive-kill-'));
  dirs.push(dataPath);
  const database = randomDatabaseName();
  const chOptions = process.env['CLICKHOUSE_URL']
    ? { ...backendOptions(), database }
    : { database, dataPath };
  const env = { ...testConsumerEnv(brokers, prefix, chOptions), CONSUMER_SESSION_TIMEOUT_MS: '6000' };
  const entry = new URL('../../../test/support/consumer-process.ts', import.meta.url).pathname;
  const logFile = join(dataPath, 'consumer.log');
  const { records } = generateDeliveryStream({
    sessions: ['kill-a', 'kill-b', 'kill-c'],
    messages: 4000,
    seed: 8,
  });

  const kafka = await connectKafka({ brokers, clientId: 'archive-kill-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  const group = `${prefix}.archive`;
  try {
    const committed = async () =>
      [...(await kafka.committedOffsets(group, topics.raw)).values()].reduce(
        (n, o) => n + (o > 0n ? o : 0n),
        0n,
      );
    // The stream keeps arriving, in small sends, while the consumer is killed and restarted.
    const produce = (async () => {
      for (let i = 0; i < records.length; i += 100)
        await producer.sendMany(topics.raw, records.slice(i, i + 100));
    })();
    const leftAtKill: bigint[] = [];
    for (let kill = 0; kill < 2; kill++) {
      const child = await startChild(entry, ['archive'], env, logFile);
      const before = await committed();
      // Kill as soon as this run has committed a unit: the next is being stored behind it.
      await waitFor(
        'a unit committed by this run',
        async () => {
          const now = await committed();
          return now > before || now >= BigInt(records.length);
        },
        { timeoutMs: 120_000, pollMs: 5 },
      );
      await child.kill('SIGKILL');
      leftAtKill.push(BigInt(records.length) - (await committed()));
    }
    await produce;
    console.log(`records still to commit at each kill: ${leftAtKill.join(', ')} of ${records.length}`);
    expect(leftAtKill[0]).toBeGreaterThan(0n);
    const last = await startChild(entry, ['archive'], env, logFile);
    await waitFor(
      'the whole stream committed',
      async () => (await kafka.groupLag(group, topics.raw)) === 0n,
      {
        timeoutMs: 180_000,
        pollMs: 250,
      },
    );
    await last.kill('SIGTERM');
  } finally {
    await producer.close();
    await kafka.close();
  }

  const ch = createClickHouse(chOptions);
  try {
    const [stored] = await ch.query({
      query: `SELECT count() AS n, uniqExact(kafka_partition, kafka_offset) AS u
              FROM ${ch.table('archive_raw_requests_v2')}`,
      schema: z.object({ n: z.coerce.number(), u: z.coerce.number() }),
    });
    expect(stored).toEqual({ n: records.length, u: records.length });
    const hashes = await ch.query({
      query: `SELECT sha256 FROM ${ch.table('archive_raw_requests_v2')} ORDER BY sha256`,
      schema: z.object({ sha256: z.string() }),
    });
    const sha = (v: string | Buffer) => createHash('sha256').update(v).digest('hex');
    expect(hashes.map((h) => h.sha256)).toEqual(records.map((r) => sha(r.value!)).sort());
  } finally {
    await ch.close();
  }
});
