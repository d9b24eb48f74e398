// ClickHouse (a real engine behind its HTTP interface, in its own process) goes away for 10 s in the
// middle of the stream: the delivery consumer holds its batch, commits nothing meanwhile, and resumes with
// nothing lost and nothing stored twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { randomDatabaseName } from '../../../test/harness/clickhouse.ts';
import { startChdbServerProcess } from '../../../test/harness/clickhouse-server.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { startTestDelivery } from '../../../test/support/delivery-consumer.ts';
import { generateDeliveryStream } from '../../../test/support/delivery-stream.ts';
import {
  expectDeliveryMatchesTruth,
  expectTransitionsMatchTruth,
  storedStatusEventCount,
} from '../../../test/support/delivery-truth.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** ClickHouse in its own process, a delivery consumer on it, and a generated stream to send. */
async function outageRig(name: string, sessions: string[], messages: number, seed: number) {
  const brokers = testBrokers();
  const prefix = uniqueName(name);
  const dataDir = await mkdtemp(join(tmpdir(), `wapipe-ch-${name}-`));
  dirs.push(dataDir);
  const server = await startChdbServerProcess({ dataDir });
  const database = randomDatabaseName();
  const chOptions = { url: server.url, username: 'default', password: server.password, database };
  const stream = generateDeliveryStream({ sessions, messages, seed });
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: `${name}-test`, logger: silentLogger });
  await kafka.ensureTopics(topics.specs(3));
  const producer = createCoalescingProducer(kafka);
  const setup = createClickHouse(chOptions);
  await setup.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await setup.close();
  const consumer = await startTestDelivery(brokers, prefix, chOptions);
  return {
    server,
    chOptions,
    stream,
    topics,
    kafka,
    producer,
    lag: () => kafka.groupLag(`${prefix}.delivery`, topics.raw),
    async close() {
      await consumer.stop();
      await producer.close();
      await kafka.close();
      await server.stop();
    },
  };
}

it('holds its batch through a 10 s ClickHouse outage and resumes with nothing lost or doubled', async () => {
  const rig = await outageRig('outage', ['o1', 'o2', 'o3'], 2000, 5);
  const { server, stream, topics, producer } = rig;
  try {
    const half = Math.floor(stream.records.length / 2);
    await producer.sendMany(topics.raw, stream.records.slice(0, half));
    await waitFor('the first half committed', async () => (await rig.lag()) === 0n, {
      timeoutMs: 90_000,
      pollMs: 200,
    });

    await server.kill();
    const down = performance.now();
    await producer.sendMany(topics.raw, stream.records.slice(half));
    const lagDuringOutage = await rig.lag();
    // Ten seconds without ClickHouse: polled, so a commit during the outage would be seen.
    while (performance.now() - down < 10_000) {
      expect(await rig.lag()).toBe(lagDuringOutage);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(lagDuringOutage).toBeGreaterThan(0n);

    await server.restart();
    await waitFor('the rest committed', async () => (await rig.lag()) === 0n, {
      timeoutMs: 120_000,
      pollMs: 250,
    });
    const ch = createClickHouse(rig.chOptions);
    try {
      expect(await storedStatusEventCount(ch)).toBe(stream.statusEvents);
      await expectDeliveryMatchesTruth(ch, stream);
    } finally {
      await ch.close();
    }
  } finally {
    await rig.close();
  }
});

// Short outages over and over: stores fail at every point of a unit, prepared units go stale, retries
// hold and resume. The in-flight state of units never stored must not survive into their retries.
it('loses nothing and doubles nothing while ClickHouse goes away and back again and again', async () => {
  const rig = await outageRig('flapping', ['f1', 'f2', 'f3'], 3000, 9);
  const { server, stream, topics, producer } = rig;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const flaps = 6;
    const chunk = Math.ceil(stream.records.length / flaps);
    for (let i = 0; i < flaps; i++) {
      await producer.sendMany(topics.raw, stream.records.slice(i * chunk, (i + 1) * chunk));
      await pause(300 + 200 * i); // lands at a different point of a unit each time
      await server.kill();
      await pause(1_000);
      await server.restart();
    }
    await waitFor('everything committed', async () => (await rig.lag()) === 0n, {
      timeoutMs: 120_000,
      pollMs: 250,
    });
    const ch = createClickHouse(rig.chOptions);
    try {
      await expectDeliveryMatchesTruth(ch, stream);
    } finally {
      await ch.close();
    }
    await expectTransitionsMatchTruth(rig.kafka, topics.statusTransitions, stream);
  } finally {
    await rig.close();
  }
});
