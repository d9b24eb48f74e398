// Settings that several services share, so every service spells and documents them the same way.
import { z } from 'zod';
import { list, positiveInt } from './env.ts';

const brokerList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'expected host:port[,host:port…]',
  });

export const kafkaSettings = {
  /** host:port list. Unset means "start the local broker" in the all-in-one, and is an error elsewhere. */
  KAFKA_BROKERS: brokerList.optional(),
  KAFKA_CLIENT_ID: z.string().default('wapipe'),
  /** Prefix of every topic name, so several pipelines (or tests) can share one broker. */
  TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default('wapipe'),
  TOPIC_PARTITIONS: positiveInt(6),
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
};

export const apiKeySettings = {
  /** Comma-separated keys accepted as `Authorization: Bearer <key>` on /v1/*. */
  API_KEYS: list.optional(),
};

export const logSettings = {
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};
