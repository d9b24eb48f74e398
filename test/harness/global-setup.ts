// vitest globalSetup of the integration project: starts what the tests share, once per run, and provides
// its address to the tests. Each dependency is one `start…` below that returns its own `stop`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findFreePort, startLocalBroker } from '@wapipe/kafka';
import { dockerAnswers, startKafkaContainer } from './docker.ts';
import type { RunningKafka } from './docker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port list of the Kafka every integration test shares (each with its own topics and groups). */
    kafkaBrokers: string[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const teardown = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const kafka = await startKafka();
    stops.push(kafka.stop);
    project.provide('kafkaBrokers', kafka.brokers);
    console.log(`integration tests use Kafka at ${kafka.brokers.join(',')} (${kafka.description})`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

/** KAFKA_BROKERS when given, else a container when Docker answers, else a local broker of its own. */
async function startKafka(): Promise<RunningKafka> {
  const given = process.env['KAFKA_BROKERS'];
  if (given !== undefined && given.trim() !== '') {
    const brokers = given
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    return { brokers, description: 'KAFKA_BROKERS', stop: async () => undefined };
  }
  if (await dockerAnswers()) return startKafkaContainer();
  return startLocalTestBroker();
}

// Free ports and a temporary data dir: never 9092 or .data/kafka, which a running all-in-one may hold.
async function startLocalTestBroker(): Promise<RunningKafka> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-kafka-test-'));
  try {
    const broker = await startLocalBroker({
      dataDir,
      port: await findFreePort(),
      controllerPort: await findFreePort(),
    });
    return {
      brokers: broker.brokers,
      description: `local Kafka ${broker.version} broker, pid ${broker.pid}, log ${broker.logFile}`,
      stop: async () => {
        await broker.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
