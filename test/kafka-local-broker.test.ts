// The local broker that replaces Docker: it keeps its data across restarts, refuses clearly to start
// twice, and never outlives the process that started it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, LocalBrokerError, startLocalBroker } from '@wapipe/local-kafka';
import type { LocalBroker, LocalBrokerOptions } from '@wapipe/local-kafka';
// eslint-disable-next-line no-restricted-imports -- the Kafka package's test of its own broker and client
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, test } from 'vitest';
import { isProcessRunning, uniqueName, waitFor } from './harness/kafka.ts';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wapipe-kafka-broker-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function freePorts(): Promise<Pick<LocalBrokerOptions, 'port' | 'controllerPort'>> {
  return { port: await findFreePort(), controllerPort: await findFreePort() };
}

async function start(options: LocalBrokerOptions): Promise<LocalBroker> {
  const broker = await startLocalBroker({ onProgress: () => undefined, ...options });
  cleanups.push(() => broker.stop());
  return broker;
}

describe('the local Kafka broker', () => {
  test('keeps its records across a stop and a start on the same data dir', async () => {
    const dataDir = await tempDataDir();
    const ports = await freePorts();
    const topic = uniqueName('restart');

    const first = await start({ dataDir, ...ports });
    const writer = new Kafka({
      clientId: 'restart-writer',
      brokers: first.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = writer.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = writer.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'kept across restarts' }] });
    await producer.disconnect();
    await first.stop();
    expect(isProcessRunning(first.pid)).toBe(false);

    const second = await start({ dataDir, ...ports });
    const reader = new Kafka({
      clientId: 'restart-reader',
      brokers: second.brokers,
      logLevel: logLevel.NOTHING,
    });
    const consumer = reader.consumer({ groupId: uniqueName('restart'), maxWaitTimeInMs: 200 });
    cleanups.push(() => consumer.disconnect());
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? ''),
    });
    await waitFor('the record written before the restart', () => values.length > 0);
    expect(values).toEqual(['kept across restarts']);
  });

  test('refuses to start a second broker on a port or a data dir that is in use, and says why', async () => {
    const dataDir = await tempDataDir();
    const ports = await freePorts();
    const running = await start({ dataDir, ...ports });

    const samePort = startLocalBroker({
      dataDir: await tempDataDir(),
      ...ports,
      onProgress: () => undefined,
    });
    await expect(samePort).rejects.toThrow(LocalBrokerError);
    await expect(samePort).rejects.toMatchObject({
      code: 'LOCAL_BROKER_PORT_IN_USE',
      message: expect.stringContaining(`127.0.0.1:${ports.port} (port) is already in use`),
    });

    const sameDir = startLocalBroker({ dataDir, ...(await freePorts()), onProgress: () => undefined });
    await expect(sameDir).rejects.toMatchObject({
      code: 'LOCAL_BROKER_DATA_DIR_IN_USE',
      message: expect.stringContaining(`another broker (broker pid ${running.pid}, port ${ports.port})`),
    });
    expect(isProcessRunning(running.pid)).toBe(true);
  });

  test('stops by itself when the process that started it is killed with SIGKILL', async () => {
    const dataDir = await tempDataDir();
    const ports = await freePorts();
    const script = [
      "import { startLocalBroker } from '@wapipe/local-kafka';",
      `const broker = await startLocalBroker(${JSON.stringify({ dataDir, ...ports })});`,
      'console.log(`pid=${broker.pid}`);',
      'setInterval(() => undefined, 60_000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => void parent.kill('SIGKILL'));
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    parent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const reported = () => {
      if (parent.exitCode !== null)
        throw new Error(`the parent exited early (${parent.exitCode}):\n${output}`);
      return /pid=\d+/.test(output);
    };
    await waitFor('the parent to report the broker pid', reported, { timeoutMs: 90_000 });
    const brokerPid = Number(/pid=(\d+)/.exec(output)?.[1]);
    expect(isProcessRunning(brokerPid)).toBe(true);

    parent.kill('SIGKILL');
    await waitFor('the orphaned broker to exit', () => !isProcessRunning(brokerPid), { timeoutMs: 30_000 });
  });
});
