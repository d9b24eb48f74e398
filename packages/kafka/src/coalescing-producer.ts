// kafkajs's idempotent producer keeps one request in flight per broker, so one awaited send() per webhook
// caps a process at one record per round trip. This producer queues what arrives while a send is in flight
// and ships it all in the next one, answering each caller when its own record is acked (acks=all).
import { Partitioners } from 'kafkajs';
import type { Message, PartitionMetadata, Producer } from 'kafkajs';
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
  /**
   * How long a topic's partition count is trusted before it is read again (default 5 min, Java's
   * metadata.max.age.ms), so partitions added to a topic get records without a restart.
   */
  metadataMaxAgeMs?: number;
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

/** One caller's records for one topic, answered together: a single send() or a slice of a sendMany(). */
interface Pending {
  topic: string;
  messages: Message[];
  bytes: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve(): void;
  reject(error: Error): void;
}

const sizeOf = (r: ProducedRecord) =>
  (r.value === null ? 0 : Buffer.byteLength(r.value)) + Buffer.byteLength(r.key) + 64;

// kafkajs groups a send's records by partition by copying the partition's array for every record, which
// is quadratic: 20,000 records per send spent 18 s of CPU per 200k records in bench/delivery.ts. Sends are
// therefore capped at a couple of thousand records, and a sendMany() is queued as slices of this size.
const sliceRecords = 500;

export function createCoalescingProducer(
  connection: KafkaConnection,
  options: ProducerOptions = {},
): CoalescingProducer {
  const ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
  const lingerMs = options.lingerMs ?? 0;
  const maxBatchRecords = options.maxBatchRecords ?? 2_000;
  const maxBatchBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
  const metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
  const log: Logger = connection.logger.child({ component: 'producer' });

  const newProducer = (): Producer =>
    connection.client.producer({
      // Named explicitly (it is kafkajs 2's default, Java-compatible murmur2) so kafkajs does not log its
      // "switched default partitioner" notice at every start.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // A stuck broker must surface as KAFKA_TIMEOUT at ackTimeoutMs, not after kafkajs's long retry chain.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  let producer = newProducer();
  let connected: Promise<void> | undefined;
  const ensureConnected = () => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };
  // After a failed send the broker may still hold the batch (a leader that wrote and replicated it died
  // before answering), while kafkajs did not advance the producer's sequence numbers. The next batch would
  // reuse them, and the new leader would take it for a retry of the first: answered as written, dropped
  // (test/kafka-leader-kill.test.ts lost 8 acknowledged webhooks that way). A new producer id starts a new
  // sequence, so a failed batch is only ever stored once or not at all, and its callers got an error.
  const replaceProducer = () => {
    const failed = producer;
    producer = newProducer();
    connected = undefined;
    void failed.disconnect().catch(() => {});
  };

  // kafkajs 2.2.4 can acknowledge a send that it never delivered. It retries a send per broker, not per
  // partition: when a partition's leader dies and the partition moves to a broker that has already
  // answered for its own partitions in the same send, the retry skips that broker, and the moved
  // partition's records are resolved as sent (test/kafka-leader-kill.test.ts: 8 webhooks answered 200
  // and not in the topic, with no failed send). So each record's partition is chosen here, with the
  // same partitioner kafkajs uses, and a caller is answered only when every partition of its records is
  // in the send's answer; the others get a retryable error, and the producer is replaced as after a
  // failure.
  const partitioner = Partitioners.DefaultPartitioner();
  /** Per topic, what the partitioner reads: with a key, only the count (murmur2 of the key modulo it). */
  const partitionsByTopic = new Map<string, { partitionMetadata: PartitionMetadata[]; countedAt: number }>();
  /** Sets each message's partition; true when the topic has more partitions than it was counted with. */
  const assignPartitions = async (topic: string, messages: Message[]): Promise<boolean> => {
    let counted = partitionsByTopic.get(topic);
    let grown = false;
    if (counted === undefined || Date.now() - counted.countedAt > metadataMaxAgeMs) {
      const count = (await connection.endOffsets(topic)).size;
      grown = counted !== undefined && count > counted.partitionMetadata.length;
      counted = {
        partitionMetadata: Array.from({ length: count }, (_, partitionId) => ({
          partitionId,
          leader: 0,
          partitionErrorCode: 0,
          replicas: [],
          isr: [],
        })),
        countedAt: Date.now(),
      };
      partitionsByTopic.set(topic, counted);
    }
    const { partitionMetadata } = counted;
    for (const message of messages) message.partition ??= partitioner({ topic, partitionMetadata, message });
    return grown;
  };
  /** Callers answered with `failure`; the producer is replaced (new sequence numbers), partitions recounted. */
  const fail = (callers: Pending[], failure: KafkaError) => {
    for (const p of callers) settle(p, failure);
    partitionsByTopic.clear(); // a topic given more partitions is counted again
    replaceProducer();
  };

  // A FIFO read from `head`: Array#shift on a queue of tens of thousands of entries costs a copy each time.
  let queue: Pending[] = [];
  let head = 0;
  let queuedRecords = 0;
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
    let [records, bytes] = [0, 0];
    while (head < queue.length) {
      const next = queue[head]!;
      if (
        batch.length > 0 &&
        (records + next.messages.length > maxBatchRecords || bytes + next.bytes > maxBatchBytes)
      )
        break;
      head++;
      queuedRecords -= next.messages.length;
      if (next.settled) continue; // timed out while queued: never produced
      batch.push(next);
      records += next.messages.length;
      bytes += next.bytes;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    return batch;
  };

  const flush = async () => {
    scheduled = false;
    if (sending) return;
    const batch = takeBatch();
    if (batch.length === 0) {
      if (inFlight === 0 && queuedRecords === 0) drained?.();
      return;
    }
    sending = true;
    inFlight = batch.reduce((n, p) => n + p.messages.length, 0);
    const started = performance.now();
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic);
      if (list) for (const m of p.messages) list.push(m);
      else byTopic.set(p.topic, [...p.messages]);
    }
    let ok = true;
    try {
      let grown = false;
      for (const [topic, messages] of byTopic) grown = (await assignPartitions(topic, messages)) || grown;
      // kafkajs's own metadata still lacks the new partitions and would leave their records out of the
      // send (test/kafka-producer-partitions.test.ts): a new producer reads the topic afresh.
      if (grown) replaceProducer();
      await ensureConnected();
      const answers = await producer.sendBatch({
        acks: -1,
        timeout: ackTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      // The message objects in byTopic are the callers' own, so each caller's records carry their partition.
      const answered = new Set(answers.map((a) => `${a.topicName}/${a.partition}`));
      const unanswered = (p: Pending) =>
        p.messages.map((m) => `${p.topic}/${m.partition}`).filter((at) => !answered.has(at));
      const missing = batch.filter((p) => unanswered(p).length > 0);
      for (const p of batch) if (!missing.includes(p)) settle(p);
      if (missing.length > 0) {
        ok = false;
        const partitions = [...new Set(missing.flatMap(unanswered))];
        log.warn('produce not confirmed for some partitions: their callers get a retryable error', {
          partitions,
          records: missing.reduce((n, p) => n + p.messages.length, 0),
        });
        const failure = new KafkaError(
          'KAFKA_PRODUCE_FAILED',
          `Kafka did not confirm partition ${partitions.join(', ')} (its leader changed during the send)`,
          { retry: true },
        );
        fail(missing, failure);
      }
    } catch (error) {
      ok = false;
      log.warn('produce failed', { records: inFlight, error: errorMessage(error) });
      const failure = new KafkaError('KAFKA_PRODUCE_FAILED', `produce failed: ${errorMessage(error)}`, {
        retry: true,
        cause: error,
      });
      fail(batch, failure);
    } finally {
      options.onBatch?.({
        records: inFlight,
        bytes: batch.reduce((n, p) => n + p.bytes, 0),
        seconds: (performance.now() - started) / 1000,
        ok,
      });
      sending = false;
      inFlight = 0;
    }
    schedule();
  };

  function schedule() {
    if (scheduled || sending) return;
    if (head >= queue.length) {
      if (inFlight === 0) drained?.();
      return;
    }
    scheduled = true;
    if (lingerMs > 0) setTimeout(() => void flush(), lingerMs);
    else setImmediate(() => void flush());
  }

  const enqueue = (topic: string, records: ProducedRecord[]): Promise<void> => {
    if (closed) {
      return Promise.reject(new KafkaError('KAFKA_CLOSED', 'the producer is closed', { retry: true }));
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers ?? {} })),
        bytes: records.reduce((n, r) => n + sizeOf(r), 0),
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
      queuedRecords += records.length;
      schedule();
    });
  };

  return {
    send: (topic, record) => enqueue(topic, [record]),
    sendMany: async (topic, records) => {
      const slices: Promise<void>[] = [];
      for (let i = 0; i < records.length; i += sliceRecords) {
        slices.push(enqueue(topic, records.slice(i, i + sliceRecords)));
      }
      await Promise.all(slices);
    },
    pending: () => queuedRecords + inFlight,
    async close() {
      closed = true;
      if (head < queue.length || sending) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          schedule();
        });
      }
      await producer.disconnect().catch(() => {});
    },
  };
}
