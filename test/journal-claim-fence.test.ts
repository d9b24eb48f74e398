// Issue 19, point 2, the race ADR 14 left open: a delivery member frozen past its session timeout while
// its journal insert is on the wire. The successor's recovery finds nothing, so it stores the same records
// under its own batch; then the frozen insert lands and the member wakes. Before claims (ADR 15) the woken
// member applied its batch too, and everything in it was stored twice. A real HTTP proxy in front of the
// local ClickHouse server holds the frozen member's first journal insert, so the order is the same every run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { randomDatabaseName } from './harness/clickhouse.ts';
import { startChdbServerProcess } from './harness/clickhouse-server.ts';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';
import { startChild } from './support/child-process.ts';
import { testConsumerEnv } from './support/consumer-env.ts';
import { generateDeliveryStream } from './support/delivery-stream.ts';
import { expectDeliveryMatchesTruth } from './support/delivery-truth.ts';
import { startHoldingProxy } from './support/holding-proxy.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('a journal insert that lands after the successor stored the same records is never applied', async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('fence');
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-fence-'));
  dirs.push(dataDir);
  const server = await startChdbServerProcess({ dataDir });
  const database = randomDatabaseName();
  const chOptions = { url: server.url, username: 'default', password: server.password, database };
  const setup = createClickHouse(chOptions);
  await setup.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  const journalInsert = new RegExp(`INSERT INTO \\S*${database}\\S*\\.\\S*delivery_journal\\b\\S* SETTINGS`);
  const proxy = await startHoldingProxy(server.url, (query) => journalInsert.test(query));
  const sessionTimeoutMs = 6000;
  const env = (url: string) => ({
    ...testConsumerEnv(brokers, prefix, { ...chOptions, url }),
    CONSUMER_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
  });
  const stream = generateDeliveryStream({ sessions: ['fe-1', 'fe-2', 'fe-3'], messages: 1500, seed: 43 });
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'fence-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  const group = `${prefix}.delivery`;
  const logFile = join(dataDir, 'consumers.log');
  const entry = new URL('./support/consumer-process.ts', import.meta.url).pathname;
  const unmarked = async () => {
    const [row] = await setup.query({
      query: `SELECT count() AS n FROM ${setup.table('delivery_journal')}
              WHERE batch_id NOT IN (SELECT batch_id FROM ${setup.table('delivery_journal_applied')})`,
      schema: z.object({ n: z.coerce.number() }),
    });
    return row!.n;
  };
  const frozen = await startChild(entry, ['delivery'], env(proxy.url), logFile);
  let successor: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    for (let i = 0; i < stream.records.length; i += 500)
      await producer.sendMany(topics.raw, stream.records.slice(i, i + 500));
    await proxy.held;
    frozen.process.kill('SIGSTOP');
    const stoppedAt = performance.now();
    successor = await startChild(entry, ['delivery'], env(server.url), logFile);
    await waitFor(
      'the successor storing the whole stream',
      async () => (await kafka.groupLag(group, topics.raw)) === 0n,
      {
        timeoutMs: 180_000,
        pollMs: 250,
      },
    );
    // Lag 0 while the frozen member holds an uncommitted unit: the group dropped it, and the successor
    // stored those records too.
    console.log(`frozen for ${Math.round(performance.now() - stoppedAt)} ms before the successor was done`);
    // The frozen member's journal insert lands now, after the successor's recovery and store; then it wakes.
    await proxy.release();
    expect(await unmarked()).toBeGreaterThan(0);
    frozen.process.kill('SIGCONT');
    await waitFor(
      'every journaled batch marked (applied or abandoned)',
      async () => (await unmarked()) === 0,
      {
        timeoutMs: 120_000,
        pollMs: 250,
      },
    ).catch(async (error: unknown) => {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      console.log(`consumers' log (last lines):\n${log.split('\n').slice(-30).join('\n')}`);
      throw error;
    });
    await successor.kill('SIGTERM');
    successor = undefined;
    await frozen.kill('SIGTERM');
    await expectDeliveryMatchesTruth(setup, stream);
    const said = (await readFile(logFile, 'utf8')).split('\n').filter((l) => /claim|abandon/.test(l));
    console.log(`what the members said of claims:\n${said.join('\n')}`);
    // The woken member reads its insert's answer (well within the client's 30 s timeout), claims, and is
    // refused as a member the coordinator no longer knows: a refusal, not a claim to try again.
    expect(said.join('\n')).toMatch(/claim refused: the member left its generation/);
    expect(said.join('\n')).not.toMatch(/got no answer/);
  } finally {
    frozen.process.kill('SIGCONT');
    await successor?.kill('SIGKILL');
    if (frozen.process.exitCode === null) await frozen.kill('SIGKILL');
    await producer.close();
    await kafka.close();
    await setup.close();
    await proxy.stop();
    await server.stop();
  }
}, 420_000);
