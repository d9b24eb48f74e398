// The only door to kafkajs. Everything above this package sees KafkaConnection, so a maintained client
// can replace kafkajs here without touching a service.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import './negative-timer-warning.ts';
import type { Admin, KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
import type { Logger } from '@wapipe/observability';
import { KafkaError, errorMessage, isRetryable } from './errors.ts';
import type { TopicSpec } from './topics.ts';

/** The KAFKA_SASL_* and KAFKA_TLS* settings (@wapipe/config kafkaSecuritySettings), as parsed. */
export interface KafkaSecuritySettings {
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_TLS?: boolean | undefined;
  KAFKA_TLS_CA_FILE?: string | undefined;
  KAFKA_TLS_CERT_FILE?: string | undefined;
  KAFKA_TLS_KEY_FILE?: string | undefined;
}

const readPem = (variable: string, path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KafkaError(
      'KAFKA_CONFIG_INVALID',
      `${variable}=${path} could not be read: ${errorMessage(error)}`,
      {
        retry: false,
      },
    );
  }
};

/**
 * The client's `ssl` and `sasl` options from the settings; a missing half (a mechanism without a
 * password, a certificate without its key) is an error naming the variable, never showing a secret.
 */
export function kafkaClientSecurity(settings: KafkaSecuritySettings): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const invalid = (message: string) => new KafkaError('KAFKA_CONFIG_INVALID', message, { retry: false });
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  const mechanism = settings.KAFKA_SASL_MECHANISM;
  if (mechanism) {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = settings;
    if (!username) throw invalid(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (!password) throw invalid(`KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    // kafkajs types SASL as one object type per mechanism; all three take a username and a password.
    config.sasl = { mechanism, username, password } as SASLOptions;
  } else if (settings.KAFKA_SASL_USERNAME || settings.KAFKA_SASL_PASSWORD) {
    throw invalid('KAFKA_SASL_MECHANISM is required with KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD');
  }
  const { KAFKA_TLS_CA_FILE: caFile, KAFKA_TLS_CERT_FILE: certFile, KAFKA_TLS_KEY_FILE: keyFile } = settings;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw invalid('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (mutual TLS needs both)');
  }
  if (settings.KAFKA_TLS || caFile || certFile) {
    const ssl: { ca?: string[]; cert?: string; key?: string } = {};
    if (caFile) ssl.ca = [readPem('KAFKA_TLS_CA_FILE', caFile)];
    if (certFile && keyFile) {
      ssl.cert = readPem('KAFKA_TLS_CERT_FILE', certFile);
      ssl.key = readPem('KAFKA_TLS_KEY_FILE', keyFile);
    }
    // Certificates are always verified: there is deliberately no switch to turn that off.
    config.ssl = Object.keys(ssl).length > 0 ? { ...ssl, rejectUnauthorized: true } : true;
  }
  return config;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** SASL and TLS settings; omitted means plaintext without SASL. */
  security?: KafkaSecuritySettings;
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
  /** A group's committed offset and its metadata per partition of `topic` (ADR 15's claims). */
  committedClaims(
    groupId: string,
    topic: string,
  ): Promise<Map<number, { offset: bigint; metadata: string | null }>>;
  /** Records of `topic` the group has not committed yet. */
  groupLag(groupId: string, topic: string): Promise<bigint>;
  close(): Promise<void>;
}

type Level = 'error' | 'warn' | 'info' | 'debug';
const kafkaLevels: Record<number, Level> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The level a kafkajs line deserves here. Lines that say nothing is wrong go to debug, so a clean start
 * logs no error or warning:
 * - a connection logs every error response ("Response GroupCoordinator…": "The group coordinator is not
 *   available" while a fresh broker elects one) before kafkajs's retrier decides; when retries run out the
 *   error reaches wapipe's caller, which reports it with what to fix;
 * - "Limiting retries for the idempotent producer may invalidate EoS guarantees": wapipe bounds retries on
 *   purpose (a stuck broker must answer 503 within PRODUCE_TIMEOUT_MS) and takes no EoS from the
 *   producer: consumers dedup by event id (ADR 5);
 * - a consumer that meets a group coordinator still loading or not elected yet (a fresh broker) "crashes"
 *   and kafkajs restarts it by itself: that is a wait, not a failure (seen on a loaded 2-core machine).
 */
const coordinatorStartingUp =
  /^Crash: KafkaJS\w*Error: (The coordinator is loading|The group coordinator is not available|This is not the correct coordinator)/;

export function kafkaLogLevel(level: number, message: string): Level {
  if (/^Response \w+\(key: \d+/.test(message)) return 'debug';
  if (coordinatorStartingUp.test(message) || message.startsWith('Restarting the consumer in')) return 'info';
  if (message.startsWith('Limiting retries for the idempotent producer')) return 'debug';
  return kafkaLevels[level] ?? 'info';
}

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

/** Polls metadata until every partition of the topics has a leader; "unknown topic" while it spreads is retried. */
async function waitForLeaders(admin: Admin, topics: string[], deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    let pending: string;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const leaderless = found.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (found.length === topics.length && leaderless.length === 0) return;
      pending = `no leader yet for ${leaderless.map((t) => t.name).join(', ') || 'some topics'}`;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      pending = errorMessage(error);
    }
    if (Date.now() > deadline)
      throw new Error(`topics still without leaders after ${deadlineMs} ms: ${pending}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
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
    ...kafkaClientSecurity(options.security ?? {}),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        log[kafkaLogLevel(level, String(message))](String(message), { kafka: fields });
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
  const fetchCommitted = async (groupId: string, topic: string) => {
    const [entry] = await retryRetriable(
      async () => (await getAdmin()).fetchOffsets({ groupId, topics: [topic] }),
      10_000,
    );
    return entry?.partitions ?? [];
  };
  const committedOffsets = async (groupId: string, topic: string) =>
    new Map((await fetchCommitted(groupId, topic)).map((p) => [p.partition, BigInt(p.offset)]));
  const committedClaims = async (groupId: string, topic: string) =>
    new Map(
      (await fetchCommitted(groupId, topic)).map((p) => [
        p.partition,
        { offset: BigInt(p.offset), metadata: p.metadata ?? null },
      ]),
    );
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
        await retryRetriable(
          () =>
            a.createTopics({
              // Leaders are awaited below: kafkajs's own wait asks one broker, which on a cluster may not yet
              // know the new topic and answers UNKNOWN_TOPIC_OR_PARTITION, a retriable state it gives up on.
              waitForLeaders: false,
              topics: missing.map((s) => ({
                topic: s.name,
                numPartitions: s.partitions ?? 1,
                replicationFactor: replication,
                configEntries: Object.entries({ 'min.insync.replicas': minInSync, ...s.config }).map(
                  ([name, value]) => ({ name, value }),
                ),
              })),
            }),
          30_000,
        ).catch((error: unknown) => {
          // Two services creating the same topic at once is fine: the loser sees "already exists".
          if (!/already exists/i.test(errorMessage(error))) throw error;
        });
        await waitForLeaders(
          a,
          missing.map((s) => s.name),
          30_000,
        );
        log.info('created topics', { topics: missing.map((s) => s.name), replication });
      } catch (error) {
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
    committedClaims,
    groupLag,
    async close() {
      await admin?.disconnect().catch(() => {});
      admin = undefined;
    },
  };
}
