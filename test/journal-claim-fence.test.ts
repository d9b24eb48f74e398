// Issue 19, point 2, the race ADR 14 left open, and ADR 15's claims that close it. A real HTTP proxy in
// front of the local ClickHouse server holds a delivery member's first journal insert, so each order below
// is the same every run:
// 1. the member freezes (SIGSTOP) past its session timeout while its insert is held; its successor's
//    recovery finds nothing and stores the same records; then the insert lands and the member wakes. Before
//    claims the woken member applied its batch too: everything in it was stored twice (351 statuses);
// 2. the member is SIGKILLed while its insert is held, and the insert lands after: a batch nobody claimed.
//    The member started next must not apply it, and must mark it once it has committed past its records.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { randomDatabaseName } from './harness/clickhouse.ts';
import { startChdbServerProcess } from './harness/clickhouse-server.ts';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';
import { startChild } from './support/child-process.ts';
import type { Child } from './support/child-process.ts';
import { testConsumerEnv } from './support/consumer-env.ts';
import { generateDeliveryStream } from './support/delivery-stream.ts';
import { expectDeliveryMatchesTruth } from './support/delivery-truth.ts';
import { startHoldingProxy } from './support/holding-proxy.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const SESSION_TIMEOUT_MS = 6000;

/**
 * A delivery stream produced to a fresh topic, a ClickHouse server, and a first member whose first journal
 * insert the proxy holds (`held` resolves once it does).
 */
async function scenario(name: string) {
  const brokers = testBrokers();
  const prefix = uniqueName(name);
  const dataDir = await mkdtemp(join(tmpdir(), `wapipe-${name}-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startChdbServerProcess({ dataDir });
  cleanups.push(() => server.stop());
  const database = randomDatabaseName();
  const chOptions = { url: server.url, username: 'default', password: server.password, database };
  const ch = createClickHouse(chOptions);
  cleanups.push(() => ch.close());
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  const journalInsert = new RegExp(`INSERT INTO \\S*${database}\\S*\\.\\S*delivery_journal\\b\\S* SETTINGS`);
  const proxy = await startHoldingProxy(server.url, (query) => journalInsert.test(query));
  cleanups.push(() => proxy.stop());
  const kafka = await connectKafka({ brokers, clientId: `${name}-test`, logger: silentLogger });
  cleanups.push(() => kafka.close());
  const topics = topicCatalog(prefix);
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 30_000 });
  cleanups.push(() => producer.close());
  const logFile = join(dataDir, 'consumers.log');
  const entry = new URL('./support/consumer-process.ts', import.meta.url).pathname;
  const members: Child[] = [];
  cleanups.push(async () => {
    for (const m of members) {
      m.process.kill('SIGCONT');
      if (m.process.exitCode === null && m.process.signalCode === null) await m.kill('SIGKILL');
    }
  });
  const member = async (url: string) => {
    const env = {
      ...testConsumerEnv(brokers, prefix, { ...chOptions, url }),
      CONSUMER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    };
    const child = await startChild(entry, ['delivery'], env, logFile);
    members.push(child);
    return child;
  };
  const stream = generateDeliveryStream({ sessions: ['fe-1', 'fe-2', 'fe-3'], messages: 1500, seed: 43 });
  const first = await member(proxy.url);
  for (let i = 0; i < stream.records.length; i += 500)
    await producer.sendMany(topics.raw, stream.records.slice(i, i + 500));
  return {
    ch,
    stream,
    proxy,
    first,
    /** Another member, straight to the server. */
    successor: () => member(server.url),
    drained: () =>
      waitFor(
        'the whole stream committed',
        async () => (await kafka.groupLag(`${prefix}.delivery`, topics.raw)) === 0n,
        { timeoutMs: 180_000, pollMs: 250 },
      ),
    unmarked: async () => {
      const [row] = await ch.query({
        query: `SELECT uniqExact(batch_id) AS n FROM ${ch.table('delivery_journal')}
                WHERE batch_id NOT IN (SELECT batch_id FROM ${ch.table('delivery_journal_applied')})`,
        schema: z.object({ n: z.coerce.number() }),
      });
      return row!.n;
    },
    /** What the members logged about claims. */
    said: async () =>
      (await readFile(logFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => /claim|abandon/.test(l))
        .join('\n'),
  };
}

it('a journal insert that lands after the successor stored the same records is never applied', async () => {
  const s = await scenario('fence');
  await s.proxy.held;
  s.first.process.kill('SIGSTOP');
  const stoppedAt = performance.now();
  await s.successor();
  // Lag 0 while the frozen member holds an uncommitted unit: the group dropped it, and the successor
  // stored those records too.
  await s.drained();
  console.log(`frozen for ${Math.round(performance.now() - stoppedAt)} ms before the successor was done`);
  // The frozen member's journal insert lands now, after the successor's recovery and store; then it wakes.
  await s.proxy.release();
  expect(await s.unmarked()).toBe(1);
  s.first.process.kill('SIGCONT');
  await waitFor(
    'every journaled batch marked (applied or abandoned)',
    async () => (await s.unmarked()) === 0,
    {
      timeoutMs: 120_000,
      pollMs: 250,
    },
  ).catch(async (error: unknown) => {
    console.log(`what the members said of claims:\n${await s.said()}`);
    throw error;
  });
  await expectDeliveryMatchesTruth(s.ch, s.stream);
  const said = await s.said();
  console.log(`what the members said of claims:\n${said}`);
  // The woken member reads its insert's answer (well within the client's 30 s timeout), claims, and is
  // refused as a member the coordinator no longer knows: a refusal, not a claim to try again.
  expect(said).toMatch(/claim refused: the member left its generation/);
  expect(said).not.toMatch(/got no answer/);
}, 420_000);

it('a batch whose member died before claiming it is never applied, and is marked once committed past', async () => {
  const s = await scenario('unclaimed');
  await s.proxy.held;
  await s.first.kill('SIGKILL');
  // The dead member's journal insert lands: a journaled batch no member will claim.
  await s.proxy.release();
  expect(await s.unmarked()).toBe(1);
  const [{ batch_id: unclaimed } = { batch_id: '' }] = await s.ch.query({
    query: `SELECT DISTINCT batch_id FROM ${s.ch.table('delivery_journal')}`,
    schema: z.object({ batch_id: z.string() }),
  });
  await s.successor();
  await s.drained();
  // The successor's recovery left the batch (nothing had committed past its records yet); its own
  // commits then moved past them, and the next judgement abandons it.
  await waitFor('the unclaimed batch marked', async () => (await s.unmarked()) === 0, {
    timeoutMs: 60_000,
    pollMs: 250,
  }).catch(async (error: unknown) => {
    console.log(`what the members said of claims:\n${await s.said()}`);
    throw error;
  });
  await expectDeliveryMatchesTruth(s.ch, s.stream);
  expect(await s.said()).toMatch(/abandoning a journaled batch never claimed/);
  // Its records were stored under the successor's batches, none under its own.
  const [applied] = await s.ch.query({
    query: `SELECT count() AS n FROM ${s.ch.table('delivery_status_events')}
            WHERE startsWith(journal_batch, {batch:String})`,
    params: { batch: unclaimed },
    schema: z.object({ n: z.coerce.number() }),
  });
  expect(unclaimed).not.toBe('');
  expect(applied!.n, `rows stored under the unclaimed batch ${unclaimed}`).toBe(0);
}, 420_000);
