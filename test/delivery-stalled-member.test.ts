// Issue 19, point 2: a delivery member that stalls past its session timeout in the middle of storing a unit
// (SIGSTOP) loses its partitions to a successor, which stores the same records again; then the stalled
// member wakes up (SIGCONT) and finishes the store it had begun. Two members share one ClickHouse server
// (the chdb HTTP server in its own process). The journal and the dedup must make the race harmless: the
// stored result equals the ground truth, with nothing stored twice.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, followTopic, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { randomDatabaseName } from './harness/clickhouse.ts';
import { startChdbServerProcess } from './harness/clickhouse-server.ts';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';
import { startChild } from './support/child-process.ts';
import { testConsumerEnv } from './support/consumer-env.ts';
import { generateDeliveryStream } from './support/delivery-stream.ts';
import { expectDeliveryMatchesTruth } from './support/delivery-truth.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// The successor used to fail here before reaching the race: its reads by a few hundred message ids made
// URLs over Node's 16 KiB header limit, which the local ClickHouse server refused (it takes 1 MiB now).
// What a frozen member does when it wakes, and the race left, are in ADR 14.
it('a member stalled past its session timeout mid-store cannot store a batch twice when it wakes', async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('stall');
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-stall-'));
  dirs.push(dataDir);
  const server = await startChdbServerProcess({ dataDir });
  const database = randomDatabaseName();
  const chOptions = { url: server.url, username: 'default', password: server.password, database };
  const setup = createClickHouse(chOptions);
  await setup.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  const sessionTimeoutMs = 6000;
  const env = {
    ...testConsumerEnv(brokers, prefix, chOptions),
    CONSUMER_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
  };
  const stream = generateDeliveryStream({
    sessions: ['st-1', 'st-2', 'st-3', 'st-4'],
    messages: 4000,
    seed: 41,
  });
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'stall-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  const group = `${prefix}.delivery`;
  const logFile = join(dataDir, 'consumers.log');
  const entry = new URL('./support/consumer-process.ts', import.meta.url).pathname;
  const committed = async () =>
    [...(await kafka.committedOffsets(group, topics.raw)).values()].reduce(
      (n, o) => n + (o > 0n ? o : 0n),
      0n,
    );
  let transitionRecords = 0;
  const transitions = await followTopic(kafka, {
    topic: topics.statusTransitions,
    onRecord: () => transitionRecords++,
  });
  const stalled = await startChild(entry, ['delivery'], env, logFile);
  let successor: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    const produce = (async () => {
      for (let i = 0; i < stream.records.length; i += 500)
        await producer.sendMany(topics.raw, stream.records.slice(i, i + 500));
    })();
    // Transitions are published beside a unit's table inserts, after its journal and before its mark and
    // commit: stopping then freezes the member in the middle of storing a unit.
    await waitFor('the first member storing a unit', () => transitionRecords > 0, {
      timeoutMs: 90_000,
      pollMs: 2,
    });
    stalled.process.kill('SIGSTOP');
    const frozenAt = await committed();
    const stoppedAt = performance.now();
    successor = await startChild(entry, ['delivery'], env, logFile);
    await waitFor(
      'the successor committing past the stalled member',
      async () => (await committed()) > frozenAt,
      {
        timeoutMs: 200_000,
        pollMs: 100,
      },
    ).catch(async (error: unknown) => {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      console.log(`consumers' log (last lines):\n${log.split('\n').slice(-30).join('\n')}`);
      throw error;
    });
    const stalledMs = performance.now() - stoppedAt;
    expect(stalledMs).toBeGreaterThan(sessionTimeoutMs);
    stalled.process.kill('SIGCONT');
    await produce;
    await waitFor(
      'the whole stream committed',
      async () => (await kafka.groupLag(group, topics.raw)) === 0n,
      {
        timeoutMs: 180_000,
        pollMs: 250,
      },
    );
    await successor.kill('SIGTERM');
    successor = undefined;
    await stalled.kill('SIGTERM');
    console.log(`stalled for ${Math.round(stalledMs)} ms, past a ${sessionTimeoutMs} ms session timeout`);
    const log = await readFile(logFile, 'utf8').catch(() => '');
    console.log(`journal batches re-applied: ${log.split('re-applying a journaled batch').length - 1}`);
    await expectDeliveryMatchesTruth(setup, stream);
  } finally {
    stalled.process.kill('SIGCONT');
    await successor?.kill('SIGKILL');
    if (stalled.process.exitCode === null) await stalled.kill('SIGKILL');
    await transitions.stop();
    await producer.close();
    await kafka.close();
    await setup.close();
    await server.stop();
  }
}, 420_000);
