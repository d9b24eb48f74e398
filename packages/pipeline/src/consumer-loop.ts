// The consumer loop: a group member hands over fetched batches, the loop gathers those of one fetch into
// a unit, gets the unit through its handler (prepare, store; retry, hold, bisect: unit-retry.ts),
// dead-letters what the handler refused, and only then commits the unit's offsets. kafkajs delivers one
// partition's batch per call; with concurrency the batches of one fetch arrive together, so we gather them
// for a tick. A staged handler's units overlap (staged-units.ts).
import { createGroupMember, errorMessage } from '@wapipe/kafka';
import type { CoalescingProducer, ConsumedRecord, FetchedBatch, KafkaConnection } from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { deadLetterRecord } from './dead-letter.ts';
import type { RecordHandler, RefusedRecord } from './handler.ts';
import { loopMetrics } from './loop-metrics.ts';
import { stagedUnits } from './staged-units.ts';
import type { HeldBatch } from './staged-units.ts';
import { StoppedError, unitRetry } from './unit-retry.ts';

export interface ConsumerLoopOptions {
  /** The consumer's name, used in logs, metrics and dead letters (e.g. "delivery"). */
  name: string;
  groupId: string;
  topics: string[];
  deadLetterTopic: string;
  producer: CoalescingProducer;
  handler: RecordHandler;
  /** Default: the connection's logger. */
  logger?: Logger;
  /** Where a new group starts; default true, so a new consumer processes what is already there. */
  fromBeginning?: boolean;
  /** Attempts for a retryable failure before the batch is split to find the record at fault. */
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** When false, failures are an outage of a dependency: wait for it, never dead-letter. Only checks. */
  isHealthy?: () => Promise<boolean>;
  fetch?: { minBytes?: number; maxWaitMs?: number; maxBytesPerPartition?: number; maxBytes?: number };
  /** How many partitions' batches may be gathered into one unit of work. */
  concurrency?: number;
  /** How long the group waits for a silent member (a crashed one) before giving its partitions away. */
  sessionTimeoutMs?: number;
  registry?: Registry;
}

export interface ConsumerLoop {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Records committed since start, for tests and progress output. */
  committed(): number;
}

export function createConsumerLoop(connection: KafkaConnection, options: ConsumerLoopOptions): ConsumerLoop {
  const log = (options.logger ?? connection.logger).child({ component: 'consumer', consumer: options.name });
  const metrics = loopMetrics(options.registry, options.name);
  let running = false;
  let committedCount = 0;
  let gathering: HeldBatch[] = [];
  let scheduled = false;
  const retry = unitRetry({
    handler: options.handler,
    isHealthy: options.isHealthy,
    maxAttempts: options.maxAttempts ?? 5,
    backoff: options.backoff ?? { initialMs: 200, maxMs: 15_000 },
    isRunning: () => running,
    // A unit's claim commits where each of its partitions starts, so a refused or abandoned claim moves
    // nothing (ADR 15).
    claimOf: (held) => {
      const starts = held
        .filter((b) => b.records.length > 0)
        .map((b) => ({ topic: b.topic, partition: b.partition, offset: b.records[0]!.offset }));
      return { groupId: options.groupId, starts, claim: (token) => member.claim(starts, token) };
    },
    log,
    metrics,
  });

  const deadLetter = async (refused: RefusedRecord[], held: FetchedBatch[]) => {
    for (let attempt = 1; refused.length > 0; attempt++) {
      try {
        await options.producer.sendMany(
          options.deadLetterTopic,
          refused.map((r) => deadLetterRecord(options.name, r, retry.failureOf(r.record))),
        );
        metrics.deadLetters.inc(refused.length);
        log.warn('records dead-lettered', {
          count: refused.length,
          codes: [...new Set(refused.map((r) => r.code))],
        });
        return;
      } catch (error) {
        log.warn('dead-letter produce failed; retrying', { error: errorMessage(error) });
        await retry.sleep(retry.delay(attempt), held);
      }
    }
  };

  /** Dead-letters what was refused, then commits the unit's offsets: the records are done. */
  const finishUnit = async (
    held: FetchedBatch[],
    records: ConsumedRecord[],
    refused: RefusedRecord[],
    started: number,
  ) => {
    await deadLetter(refused, held);
    await member.commit(held.map((b) => ({ topic: b.topic, partition: b.partition, offset: b.nextOffset })));
    await options.handler.committed?.();
    retry.forget(records);
    committedCount += records.length;
    metrics.records.inc(records.length);
    metrics.batchRecords.observe(records.length);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    for (const b of held) metrics.lag.set({ topic: b.topic, partition: String(b.partition) }, b.lag);
  };

  /** Settles the held batches of a unit that failed or was stopped before its commit. */
  const notCommitted = (slots: HeldBatch[], error: unknown) => {
    if (!(error instanceof StoppedError)) log.warn('batch not committed', { error: errorMessage(error) });
    for (const s of slots) s.done.reject(error);
  };

  const staged = options.handler.reset
    ? stagedUnits({
        handler: options.handler,
        reset: options.handler.reset.bind(options.handler),
        retry,
        finishUnit,
        isRunning: () => running,
        joins: () => member.joins(),
        log,
      })
    : undefined;

  let seenJoins = 0;
  const processGathered = async () => {
    scheduled = false;
    const slots = gathering;
    gathering = [];
    if (member.joins() !== seenJoins) {
      seenJoins = member.joins();
      options.handler.rebalanced?.();
    }
    const held = slots.map((s) => s.batch);
    const records = held.flatMap((b) => b.records);
    if (staged) return staged.process(slots, records);
    const started = performance.now();
    try {
      const refused = await retry.storeOneAtATime(records, held);
      await finishUnit(held, records, refused, started);
      for (const s of slots) s.done.resolve(true);
    } catch (error) {
      notCommitted(slots, error);
    }
  };
  // Gathered units on their way through the staged or the one-at-a-time path: a one-at-a-time unit stays
  // here until it is stored, a staged one until it is queued (then staged.unstored() counts it). kafkajs can
  // join again from one fetcher while another fetcher's unit is stored (a fetch that finds stale metadata
  // joins from inside the fetch).
  const gathered = new Set<Promise<void>>();
  const holding = () => gathering.length + gathered.size + (staged?.unstored() ?? 0);
  /** Until every batch taken so far is stored (or failed): batches gathered just before count too. */
  const storeWhatIsHeld = async () => {
    while (holding() > 0) {
      if (gathering.length > 0) await new Promise((resolve) => setImmediate(resolve));
      await Promise.allSettled([...gathered]);
      await staged?.settled();
    }
  };
  // While this member stores before a join, batches that other fetchers hand over wait and are not taken:
  // the join may move their partitions, and kafkajs fetches them again afterwards if they stay here.
  let joined: Promise<void> | undefined;
  /** Every group join: what this member took is stored first, so the next owner of its partitions sees it. */
  const aroundJoin = async (join: () => Promise<void>) => {
    let release = () => {};
    joined = new Promise((resolve) => (release = resolve));
    try {
      const units = holding();
      if (units > 0) {
        const started = performance.now();
        log.info('the group is rebalancing: storing what this member holds first', { units });
        await storeWhatIsHeld();
        log.info('stored; joining the group', { ms: Math.round(performance.now() - started) });
      }
      await join();
    } finally {
      joined = undefined;
      release();
    }
  };

  const member = createGroupMember(connection, {
    groupId: options.groupId,
    topics: options.topics,
    ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    aroundJoin,
    onBatch: async (batch) => {
      if (joined) {
        await joined;
        return false;
      }
      try {
        return await new Promise<boolean>((resolve, reject) => {
          gathering.push({ batch, done: { resolve, reject } });
          if (!scheduled) {
            scheduled = true;
            setImmediate(() => {
              const processing = processGathered();
              gathered.add(processing);
              void processing.finally(() => gathered.delete(processing));
            });
          }
        });
      } catch (error) {
        // Stopping: the records stay uncommitted and are read again at the next start. Thrown on, kafkajs
        // would log it as an error while the process stops cleanly.
        if (error instanceof StoppedError) return false;
        throw error;
      }
    },
  });

  return {
    async start() {
      running = true;
      await member.start();
      log.info('consuming', { topics: options.topics, groupId: options.groupId });
    },
    async stop() {
      running = false;
      await staged?.settled();
      await member.stop().catch((error: unknown) => {
        log.warn('consumer disconnect failed', { error: errorMessage(error) });
      });
    },
    committed: () => committedCount,
  };
}
