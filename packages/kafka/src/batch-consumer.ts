// A consumer-group member that hands its service large batches and commits only what the service made
// durable. kafkajs delivers one partition's batch per eachBatch call; with partitionsConsumedConcurrently
// the batches of one fetch arrive together, so we gather them for a tick and process them as one unit.
// The broker's fetch.min.bytes / max.wait bound how long a fetch waits for company.
import type { Consumer, EachBatchPayload, IHeaders } from 'kafkajs';
import type { Logger, Registry } from '@wapipe/observability';
import type { KafkaConnection } from './client.ts';
import type { CoalescingProducer } from './coalescing-producer.ts';
import { errorMessage, isRetryable } from './errors.ts';
import { consumerMetrics } from './consumer-metrics.ts';
import { deadLetterRecord } from './dead-letter.ts';
import type { FailureNote } from './dead-letter.ts';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker append time, ISO. */
  timestamp: string;
}

/** A record the handler refuses for good (it will never process), with the reason. */
export interface RefusedRecord {
  record: ConsumedRecord;
  code: string;
  message: string;
}

export type BatchHandler = (records: ConsumedRecord[]) => Promise<{ refused?: RefusedRecord[] } | void>;

/** A unit's first half done (decoding, reads, computing its writes); store() makes it durable. */
export interface StagedBatch {
  refused: RefusedRecord[];
  store(): Promise<void>;
}

/**
 * A handler split in two, so the next unit is prepared while this one is stored. prepare() must write
 * nothing and must see the writes of units prepared before it even when they are not stored yet (the
 * service keeps that state itself). reset() drops that state: prepared units will not be stored as they were.
 */
export interface StagedHandler {
  prepare(records: ConsumedRecord[]): Promise<StagedBatch>;
  reset(): void;
}

export interface BatchConsumerOptions {
  /** The consumer's name, used in logs, metrics and dead letters (e.g. "delivery"). */
  name: string;
  groupId: string;
  topics: string[];
  deadLetterTopic: string;
  producer: CoalescingProducer;
  handle: BatchHandler;
  /** When given, a unit is prepared while the one before it is stored; `handle` is the fallback. */
  staged?: StagedHandler;
  /** Where a new group starts; default true, so a new consumer processes what is already there. */
  fromBeginning?: boolean;
  /** Attempts for a retryable failure before the batch is split to find the record at fault. */
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** When false, failures are an outage of a dependency: wait for it, never dead-letter. */
  isHealthy?: () => Promise<boolean>;
  fetch?: { minBytes?: number; maxWaitMs?: number; maxBytesPerPartition?: number; maxBytes?: number };
  /** How many partitions' batches may be gathered into one unit of work. */
  concurrency?: number;
  /** How long the group waits for a silent member (a crashed one) before giving its partitions away. */
  sessionTimeoutMs?: number;
  registry?: Registry;
}

export interface BatchConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Records committed since start, for tests and progress output. */
  committed(): number;
}

interface Slot {
  payload: EachBatchPayload;
  records: ConsumedRecord[];
  done: { resolve(): void; reject(error: unknown): void };
}

class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

const headerText = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
};

export function createBatchConsumer(
  connection: KafkaConnection,
  options: BatchConsumerOptions,
): BatchConsumer {
  const log: Logger = connection.logger.child({ component: 'consumer', consumer: options.name });
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 200, maxMs: 15_000 };
  const metrics = consumerMetrics(options.registry, options.name);
  const consumer: Consumer = connection.client.consumer({
    groupId: options.groupId,
    minBytes: options.fetch?.minBytes ?? 64 * 1024,
    maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 250,
    // The fetch size bounds one unit of work (all of it is journaled and inserted together): a few MB keeps
    // each commit around a second. A consumer built for volume asks for more (the delivery consumer).
    maxBytesPerPartition: options.fetch?.maxBytesPerPartition ?? 1024 * 1024,
    maxBytes: options.fetch?.maxBytes ?? 6 * 1024 * 1024,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    allowAutoTopicCreation: false,
  });

  let running = false;
  let committedCount = 0;
  let gathering: Slot[] = [];
  let scheduled = false;
  const failures = new Map<string, FailureNote>();
  const recordId = (r: ConsumedRecord) => `${r.topic}:${r.partition}:${r.offset}`;

  const sleep = (ms: number, slots: Slot[]) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = setInterval(
        () => {
          if (!running) {
            clearInterval(tick);
            reject(new StoppedError('stopping'));
          } else if (Date.now() - started >= ms) {
            clearInterval(tick);
            resolve();
          }
        },
        Math.min(ms, 100),
      );
      // Keep the group membership alive while we wait out a dependency.
      for (const s of slots) void s.payload.heartbeat().catch(() => {});
    });

  const delay = (attempt: number) =>
    Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));

  const waitUntilHealthy = async (slots: Slot[]) => {
    if (!options.isHealthy) return;
    let waits = 0;
    while (!(await options.isHealthy())) {
      waits++;
      metrics.outageWaits.inc();
      if (waits === 1 || waits % 10 === 0) log.warn('dependency unavailable; holding the batch', { waits });
      await sleep(delay(waits), slots);
    }
  };

  const note = (records: ConsumedRecord[], error: unknown) => {
    const now = new Date().toISOString();
    const code = (error as { code?: unknown }).code;
    for (const r of records) {
      const prev = failures.get(recordId(r));
      failures.set(recordId(r), {
        attempts: (prev?.attempts ?? 0) + 1,
        firstFailureAt: prev?.firstFailureAt ?? now,
        lastFailureAt: now,
        code: typeof code === 'string' ? code : 'PROCESSING_FAILED',
        message: errorMessage(error),
      });
    }
  };

  /** Runs the handler until it succeeds; isolates records it cannot process. Returns records to dead-letter. */
  const processRecords = async (records: ConsumedRecord[], slots: Slot[]): Promise<RefusedRecord[]> => {
    for (let attempt = 1; ; attempt++) {
      await waitUntilHealthy(slots);
      try {
        const result = await options.handle(records);
        return result?.refused ?? [];
      } catch (error) {
        if (!running) throw new StoppedError('stopping');
        note(records, error);
        const retry = isRetryable(error);
        log.warn('batch failed', { records: records.length, attempt, retry, error: errorMessage(error) });
        if (retry && attempt < maxAttempts) {
          metrics.retries.inc();
          await sleep(delay(attempt), slots);
          continue;
        }
        if (retry && options.isHealthy && !(await options.isHealthy())) {
          attempt = 0; // an outage, not this batch: wait for it without spending attempts
          continue;
        }
        if (records.length === 1) {
          const failure = failures.get(recordId(records[0]!))!;
          return [{ record: records[0]!, code: failure.code, message: failure.message }];
        }
        const mid = Math.ceil(records.length / 2);
        return [
          ...(await processRecords(records.slice(0, mid), slots)),
          ...(await processRecords(records.slice(mid), slots)),
        ];
      }
    }
  };

  const deadLetter = async (refused: RefusedRecord[], slots: Slot[]) => {
    for (let attempt = 1; refused.length > 0; attempt++) {
      try {
        await options.producer.sendMany(
          options.deadLetterTopic,
          refused.map((r) => deadLetterRecord(options.name, r, failures.get(recordId(r.record)))),
        );
        metrics.deadLetters.inc(refused.length);
        log.warn('records dead-lettered', {
          count: refused.length,
          codes: [...new Set(refused.map((r) => r.code))],
        });
        return;
      } catch (error) {
        log.warn('dead-letter produce failed; retrying', { error: errorMessage(error) });
        await sleep(delay(attempt), slots);
      }
    }
  };

  /** Dead-letters what was refused, then commits the unit's offsets: the records are done. */
  const finishUnit = async (
    slots: Slot[],
    records: ConsumedRecord[],
    refused: RefusedRecord[],
    started: number,
  ) => {
    await deadLetter(refused, slots);
    const offsets = slots.map((s) => ({
      topic: s.payload.batch.topic,
      partition: s.payload.batch.partition,
      offset: (BigInt(s.payload.batch.lastOffset()) + 1n).toString(),
    }));
    await consumer.commitOffsets(offsets);
    for (const r of records) failures.delete(recordId(r));
    committedCount += records.length;
    metrics.records.inc(records.length);
    metrics.batchRecords.observe(records.length);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    for (const s of slots) {
      const lag = BigInt(s.payload.batch.highWatermark) - BigInt(s.payload.batch.lastOffset()) - 1n;
      metrics.lag.set(
        { topic: s.payload.batch.topic, partition: String(s.payload.batch.partition) },
        Number(lag),
      );
    }
  };

  const processGathered = async () => {
    scheduled = false;
    const slots = gathering;
    gathering = [];
    const records = slots.flatMap((s) => s.records);
    if (options.staged) return processStaged(options.staged, slots, records);
    const started = performance.now();
    try {
      const refused = await processRecords(records, slots);
      await finishUnit(slots, records, refused, started);
      for (const s of slots) s.done.resolve();
    } catch (error) {
      if (!(error instanceof StoppedError)) log.warn('batch not committed', { error: errorMessage(error) });
      for (const s of slots) s.done.reject(error);
    }
  };

  // Staged units (ADR 7): unit N+1 is prepared while unit N is stored, and kafkajs is released to fetch as
  // soon as a unit is prepared; its records stay in memory until they are stored and committed. Stores run
  // in order. A failed store makes every unit prepared after it stale (`failureEpoch`): those, and the failed
  // one, go through the one-at-a-time path (retries, holding, bisecting). A rebalance (`generation`) drops
  // prepared units outright: kafkajs fetches them again from the committed offsets.
  const unstored: Promise<void>[] = [];
  let failureEpoch = 0;
  let generation = 0;
  let seenGeneration = 0;

  const waitFor = async (promise: Promise<void>, slots: Slot[]) => {
    let settled = false;
    void promise.finally(() => (settled = true)).catch(() => {});
    while (!settled) {
      await Promise.race([promise.catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
      // This unit's records are held while an earlier one is stored: keep the membership alive meanwhile.
      if (!settled) for (const s of slots) void s.payload.heartbeat().catch(() => {});
    }
  };

  const processStaged = async (staged: StagedHandler, slots: Slot[], records: ConsumedRecord[]) => {
    const started = performance.now();
    try {
      // At most one unit prepared ahead of the one being stored.
      while (unstored.length > 1) await waitFor(unstored[0]!, slots);
      if (seenGeneration !== generation) {
        while (unstored.length > 0) await waitFor(unstored[0]!, slots);
        staged.reset();
        seenGeneration = generation;
      }
      if (!running) throw new StoppedError('stopping');
      const [myEpoch, myGeneration] = [failureEpoch, generation];
      let prepared: StagedBatch | undefined;
      if (!options.isHealthy || (await options.isHealthy())) {
        prepared = await staged.prepare(records).catch((error: unknown) => {
          note(records, error);
          return undefined;
        });
      }
      const previous = unstored.at(-1) ?? Promise.resolve();
      const storing = (async () => {
        await previous.catch(() => {});
        if (generation !== myGeneration) return; // fetched again after the rebalance
        // Stopping: the unit before may not be stored, and committing this one would skip it.
        if (!running) throw new StoppedError('stopping');
        let refused: RefusedRecord[];
        try {
          if (!prepared || failureEpoch !== myEpoch) throw new Error('prepared state is stale');
          await prepared.store();
          refused = prepared.refused;
        } catch (error) {
          if (prepared && failureEpoch === myEpoch) {
            note(records, error);
            log.warn('staged batch failed; storing it one unit at a time', { error: errorMessage(error) });
          }
          failureEpoch++;
          staged.reset();
          refused = await processRecords(records, slots);
        }
        await finishUnit(slots, records, refused, started);
      })();
      unstored.push(storing);
      void storing
        .catch((error: unknown) => {
          if (!(error instanceof StoppedError))
            log.warn('batch not committed', { error: errorMessage(error) });
          failureEpoch++;
          staged.reset();
        })
        .finally(() => unstored.splice(unstored.indexOf(storing), 1));
      for (const s of slots) s.done.resolve();
    } catch (error) {
      if (!(error instanceof StoppedError)) log.warn('batch not committed', { error: errorMessage(error) });
      for (const s of slots) s.done.reject(error);
    }
  };

  const eachBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    const records: ConsumedRecord[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key ? m.key.toString() : null,
      value: m.value,
      headers: headerText(m.headers),
      timestamp: new Date(Number(m.timestamp)).toISOString(),
    }));
    try {
      await new Promise<void>((resolve, reject) => {
        gathering.push({ payload, records, done: { resolve, reject } });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void processGathered());
        }
      });
    } catch (error) {
      // Stopping: the records stay uncommitted and are read again at the next start. Thrown on, kafkajs
      // would log it as an error while the process stops cleanly.
      if (error instanceof StoppedError) return;
      throw error;
    }
    // Only now may the fetch position move past these records: they are durable and committed.
    payload.resolveOffset(batch.lastOffset());
  };

  return {
    async start() {
      running = true;
      await consumer.connect();
      consumer.on(consumer.events.GROUP_JOIN, () => {
        generation++;
      });
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 32,
        eachBatch,
      });
      log.info('consuming', { topics: options.topics, groupId: options.groupId });
    },
    async stop() {
      running = false;
      await Promise.allSettled([...unstored]);
      await consumer.disconnect().catch((error: unknown) => {
        log.warn('consumer disconnect failed', { error: errorMessage(error) });
      });
    },
    committed: () => committedCount,
  };
}
