// kafkajs's idempotent producer keeps one request in flight per broker, so one awaited send() per webhook
// caps a process at one record per round trip. This producer queues what arrives while a send is in flight
// and ships it all in the next one, answering each caller when its own record is acked (acks=all).
import type { Message, Producer } from 'kafkajs';
import type { Logger } from '@wapipe/observability';
import type { KafkaConnection } from './client.ts';
import { KafkaError, errorMessage } from './errors.ts';

export interface ProducedRecord {
  key: string;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface ProducerOptions {
  /** A record not acked within this time is answered with a retryable KAFKA_TIMEOUT (default 5 s). */
  ackTimeoutMs?: number;
  /** How long the first queued record waits for company when nothing is in flight (default 0: next tick). */
  lingerMs?: number;
  maxBatchRecords?: number;
  maxBatchBytes?: number;
  onBatch?: (info: { records: number; bytes: number; seconds: number; ok: boolean }) => void;
}

export interface CoalescingProducer {
  send(topic: string, record: ProducedRecord): Promise<void>;
  sendMany(topic: string, records: ProducedRecord[]): Promise<void>;
  /** Records queued or in flight, for metrics. */
  pending(): number;
  /** Waits for queued records to be acked or timed out, then disconnects. */
  close(): Promise<void>;
}

interface Pending {
  topic: string;
  message: Message;
  bytes: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve(): void;
  reject(error: Error): void;
}

const sizeOf = (r: ProducedRecord) =>
  (r.value === null ? 0 : Buffer.byteLength(r.value)) + Buffer.byteLength(r.key) + 64;

export function createCoalescingProducer(
  connection: KafkaConnection,
  options: ProducerOptions = {},
): CoalescingProducer {
  const ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
  const lingerMs = options.lingerMs ?? 0;
  const maxBatchRecords = options.maxBatchRecords ?? 2_000;
  const maxBatchBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
  const log: Logger = connection.logger.child({ component: 'producer' });

  const producer: Producer = connection.client.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // A stuck broker must surface as KAFKA_TIMEOUT at ackTimeoutMs, not after kafkajs's long retry chain.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  let connected: Promise<void> | undefined;
  const ensureConnected = () => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };

  const queue: Pending[] = [];
  let inFlight = 0;
  let sending = false;
  let scheduled = false;
  let closed = false;
  let drained: (() => void) | undefined;

  const settle = (p: Pending, error?: Error) => {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve();
  };

  const takeBatch = (): Pending[] => {
    const batch: Pending[] = [];
    let bytes = 0;
    while (queue.length > 0 && batch.length < maxBatchRecords) {
      const next = queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > maxBatchBytes) break;
      queue.shift();
      if (next.settled) continue; // timed out while queued: never produced
      batch.push(next);
      bytes += next.bytes;
    }
    return batch;
  };

  const flush = async () => {
    scheduled = false;
    if (sending) return;
    const batch = takeBatch();
    if (batch.length === 0) {
      if (inFlight === 0 && queue.length === 0) drained?.();
      return;
    }
    sending = true;
    inFlight = batch.length;
    const started = performance.now();
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p.message);
      byTopic.set(p.topic, list);
    }
    let ok = true;
    try {
      await ensureConnected();
      await producer.sendBatch({
        acks: -1,
        timeout: ackTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const p of batch) settle(p);
    } catch (error) {
      ok = false;
      log.warn('produce failed', { records: batch.length, error: errorMessage(error) });
      const failure = new KafkaError('KAFKA_PRODUCE_FAILED', `produce failed: ${errorMessage(error)}`, {
        retry: true,
        cause: error,
      });
      for (const p of batch) settle(p, failure);
    } finally {
      sending = false;
      inFlight = 0;
      options.onBatch?.({
        records: batch.length,
        bytes: batch.reduce((n, p) => n + p.bytes, 0),
        seconds: (performance.now() - started) / 1000,
        ok,
      });
    }
    schedule();
  };

  function schedule() {
    if (scheduled || sending) return;
    if (queue.length === 0) {
      if (inFlight === 0) drained?.();
      return;
    }
    scheduled = true;
    if (lingerMs > 0) setTimeout(() => void flush(), lingerMs);
    else setImmediate(() => void flush());
  }

  const enqueue = (topic: string, record: ProducedRecord): Promise<void> => {
    if (closed) {
      return Promise.reject(new KafkaError('KAFKA_CLOSED', 'the producer is closed', { retry: true }));
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic,
        message: { key: record.key, value: record.value, headers: record.headers ?? {} },
        bytes: sizeOf(record),
        settled: false,
        resolve,
        reject,
        timer: setTimeout(() => {
          settle(
            pending,
            new KafkaError('KAFKA_TIMEOUT', `no ack from Kafka within ${ackTimeoutMs} ms`, { retry: true }),
          );
        }, ackTimeoutMs),
      };
      queue.push(pending);
      schedule();
    });
  };

  return {
    send: enqueue,
    sendMany: async (topic, records) => {
      await Promise.all(records.map((r) => enqueue(topic, r)));
    },
    pending: () => queue.length + inFlight,
    async close() {
      closed = true;
      if (queue.length > 0 || sending) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          schedule();
        });
      }
      await producer.disconnect().catch(() => {});
    },
  };
}
