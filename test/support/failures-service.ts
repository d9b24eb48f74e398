// The failures service on the test broker and database, and what its tests need around it: webhook bodies
// as providers send them (raw.v1 records), a producer, readers of its output topics, and a real HTTP
// receiver for the alert webhook.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import { parseEnv } from '@wapipe/config';
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import { failuresEnv, startFailures } from '@wapipe/failures';
import {
  connectKafka,
  createCoalescingProducer,
  followTopic,
  isRetryable,
  topicCatalog,
} from '@wapipe/kafka';
import type { ConsumedRecord, KafkaConnection, ProducedRecord, TopicCatalog } from '@wapipe/kafka';
import { createLogger, createRegistry, silentLogger } from '@wapipe/observability';
import type { Logger, Registry } from '@wapipe/observability';
import { uniqueName } from '../harness/kafka.ts';
import { testConsumerEnv } from './delivery-consumer.ts';

const logger = process.env['TEST_LOG_LEVEL']
  ? createLogger({
      level: process.env['TEST_LOG_LEVEL'] as 'debug' | 'info' | 'warn' | 'error',
      write: (l) => process.stderr.write(l + '\n'),
    })
  : silentLogger;

export interface FailuresUnderTest {
  prefix: string;
  topics: TopicCatalog;
  registry: Registry;
  kafka: KafkaConnection;
  /** Records of the raw topic (and the redrive topic) the consumer has committed. */
  committed(): number;
  produce(records: ProducedRecord[]): Promise<void>;
  /** Reads a topic from its start for the rest of the test. */
  follow(topic: string): Promise<ConsumedRecord[]>;
  /** Sum of the topic's end offsets: exactly how many records were ever written to it. */
  endOffset(topic: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the failures service with its own topic prefix on the shared broker and the given database. */
export async function startFailuresUnderTest(
  brokers: string[],
  ch: ClickHouseOptions,
  env: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<FailuresUnderTest> {
  const prefix = uniqueName('failures');
  const topics = topicCatalog(prefix);
  const registry = createRegistry();
  const parsed = parseEnv(failuresEnv, {
    ...testConsumerEnv(brokers, prefix, ch),
    CONSUMER_MAX_ATTEMPTS: '2',
    ...env,
  });
  const service = await startFailures(parsed, { logger: options.logger ?? logger, registry });
  const kafka = await connectKafka({ brokers, clientId: 'failures-test', logger: silentLogger });
  const producer = createCoalescingProducer(kafka);
  const followers: { stop(): Promise<void> }[] = [];
  return {
    prefix,
    topics,
    registry,
    kafka,
    committed: () => service.consumer.committed(),
    produce: (records) => produceRetrying(() => producer.sendMany(topics.raw, records)),
    async follow(topic) {
      const records: ConsumedRecord[] = [];
      followers.push(await followTopic(kafka, { topic, onRecord: (r) => records.push(r) }));
      return records;
    },
    async endOffset(topic) {
      return Number([...(await kafka.endOffsets(topic)).values()].reduce((a, b) => a + b, 0n));
    },
    async stop() {
      for (const f of followers) await f.stop();
      await service.stop();
      await producer.close();
      await kafka.close();
    },
  };
}

/**
 * Right after the raw topic is created, the broker can still answer NOT_LEADER past the client's own
 * retries. A retryable failure is sent again, as a provider retries after the ingress's 503; the records
 * may then land twice, which every consumer must take anyway.
 */
async function produceRetrying(send: () => Promise<void>, deadlineMs = 15_000): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await send();
    } catch (error) {
      if (!isRetryable(error) || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A raw.v1 record exactly as the ingress writes it: the body bytes, metadata in headers. */
export function rawRecord(provider: 'meta' | 'chatsend', sessionId: string, body: unknown): ProducedRecord {
  return rawKafkaRecord(
    { kind: 'webhook', provider, sessionId, ingressVersion: 'test' },
    Buffer.from(JSON.stringify(body)),
  );
}

const unix = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

export interface MetaStatusInput {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: string;
  recipient: string;
  /** Error codes of a failed status. */
  codes?: number[];
}

export function metaStatus(s: MetaStatusInput): Record<string, unknown> {
  return {
    id: s.id,
    status: s.status,
    timestamp: unix(s.at),
    recipient_id: s.recipient,
    ...(s.codes
      ? {
          errors: s.codes.map((code) => ({
            code,
            title: `error ${code}`,
            message: `error ${code}`,
            error_data: { details: `details of ${code}` },
          })),
        }
      : {}),
  };
}

/** A Meta webhook body with one `messages` change holding these statuses, messages and errors. */
export const metaBody = metaEnvelope;

export function chatsendEvent(sessionId: string, type: string, at: string, data: Record<string, unknown>) {
  return { id: uniqueName('evt'), type, sessionId, timestamp: at, data };
}

/** Same logical report, new delivery: ChatSend retries keep the timestamp and data. */
export const sessionStatus = (sessionId: string, status: string, at: string, reason?: string) =>
  rawRecord(
    'chatsend',
    sessionId,
    chatsendEvent(sessionId, 'session.status', at, { status, ...(reason ? { reason } : {}) }),
  );

export const isoAt = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 10, 29, 10, minute, second)).toISOString();

// --- reading what the service stored --------------------------------------------------------------------

const Count = z.object({ n: z.coerce.number() });

export async function count(
  ch: ClickHouse,
  query: string,
  params: Record<string, unknown> = {},
): Promise<number> {
  const [row] = await ch.query({ query, params, schema: Count });
  return row?.n ?? 0;
}

export const AlertRow = z.object({
  id: z.string(),
  session_id: z.string(),
  kind: z.string(),
  severity: z.string(),
  status: z.string(),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  detail: z.string(),
  version: z.coerce.number(),
});

export async function alertsOf(ch: ClickHouse, sessionId: string) {
  return ch.query({
    query: `SELECT id, session_id, kind, severity, status, opened_at, resolved_at, detail, version
            FROM ${ch.table('failures_alerts')} FINAL WHERE session_id = {s:String} ORDER BY opened_at, kind`,
    params: { s: sessionId },
    schema: AlertRow,
  });
}

export const json = (r: ConsumedRecord) =>
  JSON.parse(r.value?.toString('utf8') ?? 'null') as Record<string, unknown>;

/** The value of one sample of a metric in the registry's exposition text, or undefined. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const text = await registry.metrics();
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const prefix = want === '' ? `${name} ` : `${name}{${want}}`;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

// --- a real HTTP receiver for the alert webhook ---------------------------------------------------------

export interface ReceivedPost {
  body: string;
  headers: IncomingHttpHeaders;
  status: number;
}

/**
 * A webhook receiver on 127.0.0.1; `answer` picks the status of each request (the n-th, from 0, and the
 * request itself). A 3xx answer points elsewhere, as a moved receiver would.
 */
export async function startReceiver(
  answer: (n: number, request: { body: string; headers: IncomingHttpHeaders }) => number = () => 200,
) {
  const posts: ReceivedPost[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const status = answer(posts.length, { body, headers: req.headers });
      posts.push({ body, headers: req.headers, status });
      const moved = status >= 300 && status < 400 ? { location: '/alerts-moved' } : {};
      res
        .writeHead(status, { 'content-type': 'text/plain', ...moved })
        .end(status < 300 ? 'ok' : status < 400 ? 'moved' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    posts,
    /** Bodies of the POSTs answered 2xx, one per idempotency key if the notifier never repeats itself. */
    delivered: () => posts.filter((p) => p.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
