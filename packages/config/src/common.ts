// Settings that several services share, so every service spells and documents them the same way.
import { z } from 'zod';
import { bool, list, positiveInt } from './env.ts';

const brokerList = z
  .string({
    error:
      'required: host:port[,host:port…] of the Kafka brokers (only the all-in-one, npm start, runs without)',
  })
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'expected host:port[,host:port…]',
  });

/** How every Kafka client authenticates and encrypts; unset means plaintext without SASL (local broker). */
export const kafkaSecuritySettings = {
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'], {
      message: 'expected plain, scram-sha-256 or scram-sha-512',
    })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** TLS to the brokers; implied by any KAFKA_TLS_* file. */
  KAFKA_TLS: bool(false),
  /** PEM file of the CA that signed the brokers' certificates (else the system's CAs). */
  KAFKA_TLS_CA_FILE: z.string().optional(),
  /** PEM client certificate and key, for brokers that require mutual TLS. */
  KAFKA_TLS_CERT_FILE: z.string().optional(),
  KAFKA_TLS_KEY_FILE: z.string().optional(),
};

export const kafkaSettings = {
  /** host:port list; required by every service that runs alone (the all-in-one: localBrokerSettings). */
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().default('wapipe'),
  /** Prefix of every topic name, so several pipelines (or tests) can share one broker. */
  TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default('wapipe'),
  ...kafkaSecuritySettings,
  TOPIC_PARTITIONS: positiveInt(6),
  /** retention.ms of the raw topic when wapipe creates it; longer than the consumers' 7-day journal. */
  RAW_TOPIC_RETENTION_DAYS: positiveInt(14).refine((days) => days > 7, {
    message: 'must be more than 7 (days): the raw topic has to outlive the 7-day journal',
  }),
};

/** The all-in-one's override: KAFKA_BROKERS unset means "start the local broker". */
export const localBrokerSettings = {
  KAFKA_BROKERS: brokerList.optional(),
};

export const clickhouseSettings = {
  /** http(s)://host:port of a ClickHouse server. Unset means embedded ClickHouse (chdb) in CHDB_PATH. */
  CLICKHOUSE_URL: z.url({ message: 'expected an http(s) URL' }).optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and "_" only')
    .default('wapipe'),
  CHDB_PATH: z.string().default('.data/chdb'),
  /** A cluster in the servers' remote_servers: migrations run ON CLUSTER on Replicated tables (docs/scale.md). */
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and "_" only')
    .optional(),
};

/** Shortest API key accepted: shorter ones can be guessed. */
export const MIN_API_KEY_CHARS = 16;
export const READ_ONLY_KEY_PREFIX = 'read:';

export const apiKeySettings = {
  /** Comma-separated keys accepted as `Authorization: Bearer <key>` on /v1/*; `read:<key>` may only read. */
  API_KEYS: list
    .refine(
      (entries) =>
        entries.every(
          (e) =>
            (e.startsWith(READ_ONLY_KEY_PREFIX) ? e.slice(READ_ONLY_KEY_PREFIX.length) : e).length >=
            MIN_API_KEY_CHARS,
        ),
      // Never the key itself in the message: it goes to the terminal and the log.
      {
        message: `every key needs at least ${MIN_API_KEY_CHARS} characters (after "read:" for a read-only key)`,
      },
    )
    .optional(),
};

/** Limits of the Node HTTP server, so slow or idle clients cannot hold sockets and memory forever. */
export const httpServerSettings = {
  /** All request headers must arrive within this time (Node's headersTimeout). */
  HEADERS_TIMEOUT_MS: positiveInt(10_000),
  /** A whole request, body included, must arrive within this time (Node's requestTimeout). */
  REQUEST_TIMEOUT_MS: positiveInt(30_000),
  /** Open connections at most; beyond it new connections are closed at once (Node's maxConnections). */
  MAX_CONNECTIONS: positiveInt(4096),
};

export const logSettings = {
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};
