// The only door to kafkajs. Everything above this package sees KafkaConnection, so a maintained client
// can replace kafkajs here without touching a service.
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, LogEntry } from 'kafkajs';
import type { Logger } from '@wapipe/observability';
import { KafkaError, errorMessage, isRetryable } from './errors.ts';
import type { TopicSpec } from './topics.ts';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** How long to wait for the brokers before naming KAFKA_BROKERS in an error. */
  connectTimeoutMs?: number;
}

export interface KafkaConnection {
  readonly brokers: string[];
  /** kafkajs's client, for this package's own modules only (not exported from the package). */
  readonly client: Kafka;
  readonly logger: Logger;
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /** True when a broker answers a metadata request within `timeoutMs`. */
  isReachable(timeoutMs?: number): Promise<boolean>;
  /** Highest offset + 1 per partition. */
  endOffsets(topic: string): Promise<Map<number, bigint>>;
  /** A group's committed offset per partition of `topic` (-1 where it has none). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /** Records of `topic` the group has not committed yet. */
  groupLag(groupId: string, topic: string): Promise<bigint>;
  close(): Promise<void>;
}

const kafkaLevels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function unreachable(brokers: string[], detail: string): KafkaError {
  return new KafkaError(
    'KAFKA_UNREACHABLE',
    `Kafka did not answer at ${brokers.join(',')} (KAFKA_BROKERS): ${detail}. ` +
      'Check KAFKA_BROKERS, or unset it to let the all-in-one start a local broker.',
    { retry: true },
  );
}

export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function retryRetriable<T>(work: () => Promise<T>, deadlineMs: number): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
    }
  }
}

/** Creates the client and proves a broker answers, or fails within connectTimeoutMs naming KAFKA_BROKERS. */
export async function connectKafka(options: KafkaOptions): Promise<KafkaConnection> {
  const { brokers, logger } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 8_000;
  const log = logger.child({ component: 'kafka' });
  const client = new Kafka({
    clientId: options.clientId,
    brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        log[kafkaLevels[level] ?? 'info'](String(message), { kafka: fields });
      },
  });

  let admin: Admin | undefined;
  const getAdmin = async (): Promise<Admin> => {
    if (admin) return admin;
    const created = client.admin({ retry: { retries: 2, initialRetryTime: 200 } });
    await created.connect();
    admin = created;
    return created;
  };

  try {
    await withTimeout(
      getAdmin().then((a) => a.describeCluster()),
      connectTimeoutMs,
      () => unreachable(brokers, `no answer within ${Math.round(connectTimeoutMs / 1000)} s`),
    );
  } catch (error) {
    await admin?.disconnect().catch(() => {});
    if (error instanceof KafkaError) throw error;
    throw unreachable(brokers, errorMessage(error));
  }

  const endOffsets = async (topic: string) => {
    // Right after a topic is created, KRaft may still answer NOT_LEADER for a moment: retry briefly.
    const offsets = await retryRetriable(async () => (await getAdmin()).fetchTopicOffsets(topic), 10_000);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  };
  const committedOffsets = async (groupId: string, topic: string) => {
    const [entry] = await retryRetriable(
      async () => (await getAdmin()).fetchOffsets({ groupId, topics: [topic] }),
      10_000,
    );
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  };
  const groupLag = async (groupId: string, topic: string) => {
    const [ends, committed] = await Promise.all([endOffsets(topic), committedOffsets(groupId, topic)]);
    let lag = 0n;
    for (const [partition, end] of ends) {
      const at = committed.get(partition) ?? -1n;
      lag += end - (at < 0n ? 0n : at);
    }
    return lag;
  };

  return {
    brokers,
    client,
    logger: log,
    async ensureTopics(specs) {
      try {
        const a = await getAdmin();
        const existing = new Set(await a.listTopics());
        const missing = specs.filter((s) => !existing.has(s.name));
        if (missing.length === 0) return;
        // Three replicas with two in sync where the cluster has the brokers (acks=all survives one broker
        // down); one on a single broker.
        const replication = Math.min(3, (await a.describeCluster()).brokers.length);
        const minInSync = String(replication >= 3 ? 2 : 1);
        await a.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions ?? 1,
            replicationFactor: replication,
            configEntries: Object.entries({ 'min.insync.replicas': minInSync, ...s.config }).map(
              ([name, value]) => ({ name, value }),
            ),
          })),
        });
        log.info('created topics', { topics: missing.map((s) => s.name), replication });
      } catch (error) {
        // Two services creating the same topic at once is fine: the loser sees "already exists".
        if (/already exists/i.test(errorMessage(error))) return;
        throw new KafkaError('KAFKA_TOPIC_SETUP_FAILED', `creating topics failed: ${errorMessage(error)}`, {
          retry: true,
          cause: error,
        });
      }
    },
    async isReachable(timeoutMs = 2_000) {
      try {
        await withTimeout(
          getAdmin().then((a) => a.describeCluster()),
          timeoutMs,
          () => new Error('timeout'),
        );
        return true;
      } catch {
        return false;
      }
    },
    endOffsets,
    committedOffsets,
    groupLag,
    async close() {
      await admin?.disconnect().catch(() => {});
      admin = undefined;
    },
  };
}
