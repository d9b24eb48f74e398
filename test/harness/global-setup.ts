// vitest globalSetup of the integration project: starts what the tests share, once per run, and provides
// its address to the tests. Each dependency is one `start…` below that returns its own `stop`.
import type { TestProject } from 'vitest/node';
import { startScratchBroker } from '@wapipe/local-kafka';
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

async function startLocalTestBroker(): Promise<RunningKafka> {
  const broker = await startScratchBroker('wapipe-kafka-test-');
  return {
    brokers: broker.brokers,
    description: `local Kafka ${broker.version} broker, pid ${broker.pid}, log ${broker.logFile}`,
    stop: () => broker.stop(),
  };
}
