// A Kafka container for machines with a Docker engine. Only imported when an engine answers, so the
// common path (no Docker) never loads testcontainers.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { findFreePort, pinnedKafkaVersion, waitForKafkaReady } from '@wapipe/local-kafka';

export interface RunningKafka {
  brokers: string[];
  description: string;
  stop(): Promise<void>;
}

/** True when a Docker engine answers a ping within timeoutMs on DOCKER_HOST or the default socket. */
export function dockerAnswers(timeoutMs = 1_000): Promise<boolean> {
  const target = dockerEndpoint();
  if (target === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

function dockerEndpoint(): { socketPath: string } | { host: string; port: number } | undefined {
  const dockerHost = process.env['DOCKER_HOST'];
  if (dockerHost === undefined || dockerHost === '') {
    return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock' } : undefined;
  }
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (!dockerHost.startsWith('tcp://')) return undefined; // e.g. npipe:// or ssh://: not probed here
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/** The official apache/kafka image of the pinned version, single-node KRaft, on a free host port. */
export async function startKafkaContainer(): Promise<RunningKafka> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const version = pinnedKafkaVersion();
  const hostPort = await findFreePort();
  // The image drops its default config as soon as one KAFKA_* variable is set, so all of it is here.
  const container = await new GenericContainer(`apache/kafka:${version}`)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_NUM_PARTITIONS: '3',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  const brokers = [`127.0.0.1:${hostPort}`];
  await waitForKafkaReady(brokers, { timeoutMs: 60_000 });
  return {
    brokers,
    description: `apache/kafka:${version} container`,
    stop: async () => {
      await container.stop();
    },
  };
}
