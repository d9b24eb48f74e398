// The loop every consumer service shares: raw records in, normalized events to the service's own logic,
// its writes journaled exactly once, offsets committed after. A service supplies only `process`.
import type { ClickHouse } from '@wapipe/clickhouse';
import { RAW_RECORD_HEADERS, normalizeRecord, readRawRecord } from '@wapipe/events';
import type { NormalizedEvent } from '@wapipe/events';
import { createBatchConsumer } from '@wapipe/kafka';
import type {
  BatchConsumer,
  CoalescingProducer,
  ConsumedRecord,
  ConsumerName,
  KafkaConnection,
  RefusedRecord,
  StagedBatch,
  TopicCatalog,
} from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { createJournal } from './journal.ts';
import type { Journal, JournalBatch, JournalViews } from './journal.ts';

/** Header of a redriven record: the one consumer that should process it again. */
export const REDRIVE_HEADER = 'wapipe-redrive-for';

export interface ProcessContext {
  /** Records of this batch, for lag and provenance (partition/offset) columns. */
  records: ConsumedRecord[];
  logger: Logger;
}

export interface EventConsumerOptions {
  name: ConsumerName;
  kafka: KafkaConnection;
  topics: TopicCatalog;
  groupId: string;
  ch: ClickHouse;
  producer: CoalescingProducer;
  logger: Logger;
  registry?: Registry;
  /** Turns this batch's events (all kinds, deduplicated by eventId within the batch) into writes. */
  process(events: SourcedEvent[], context: ProcessContext): Promise<JournalBatch>;
  /**
   * Set when `process` keeps what batches it returned will write until their `onStored`, and answers later
   * batches from that state: then the next batch is prepared while this one is stored (ADR 7). reset()
   * drops the state: those batches will not be stored as they were prepared.
   */
  pipelined?: { reset(): void };
  /**
   * Connections for the journal's writes when pipelined, so they do not queue behind the next batch's
   * reads: the first journals and applies, the others apply tables beside it.
   */
  storeChs?: ClickHouse[];
  /** The service's materialized views as the journal must write them (ADR 5). */
  journalViews?: JournalViews;
  maxAttempts?: number;
  sessionTimeoutMs?: number;
  fetch?: { minBytes?: number; maxWaitMs?: number; maxBytesPerPartition?: number; maxBytes?: number };
}

/** An event with where it came from, for provenance columns. */
export type SourcedEvent = NormalizedEvent & { origin: { partition: number; offset: string } };

export interface EventConsumer {
  journal: Journal;
  start(): Promise<void>;
  stop(): Promise<void>;
  committed(): number;
}

export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { ch, name } = options;
  const log = options.logger.child({ consumer: name });
  const journal = createJournal({
    ch: options.storeChs?.[0] ?? ch,
    applyChs: options.storeChs?.slice(1) ?? [],
    consumer: name,
    logger: log,
    publish: (topic, records) => options.producer.sendMany(topic, records),
    ...(options.journalViews === undefined ? {} : { views: options.journalViews }),
  });
  // After a failed commit the journal may hold a batch that was not applied; apply it before new work.
  // A batch that cannot be applied (a target table gone, say) stops the consumer like an outage: it holds
  // its records until an operator fixes the cause, rather than dead-lettering everything behind it.
  let mustRecover = true;
  const recoverIfNeeded = async (): Promise<boolean> => {
    if (!mustRecover) return true;
    try {
      await journal.recover();
      mustRecover = false;
      return true;
    } catch (error) {
      log.error('a journaled batch cannot be applied; holding until it can', {
        error: (error as Error).message,
      });
      return false;
    }
  };

  const decode = (records: ConsumedRecord[]) => {
    const refused: RefusedRecord[] = [];
    const seen = new Set<string>();
    const events: SourcedEvent[] = [];
    for (const record of records) {
      // A redriven dead letter travels in the raw topic (so its session keeps one owner) but is for one consumer.
      const redriveFor = record.headers[REDRIVE_HEADER];
      if (redriveFor !== undefined && redriveFor !== name) continue;
      let normalized: ReturnType<typeof normalizeRecord>;
      try {
        normalized = normalizeRecord(readRawRecord({ headers: record.headers, value: record.value }));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        refused.push({
          record,
          code: typeof code === 'string' ? code : 'RAW_RECORD_INVALID',
          message: (error as Error).message,
        });
        continue;
      }
      if (normalized.events.length === 0 && normalized.problems.length > 0) {
        refused.push({
          record,
          code: 'NORMALIZE_FAILED',
          message: normalized.problems.slice(0, 3).join('; '),
        });
        continue;
      }
      if (normalized.problems.length > 0) {
        log.warn('record partly understood', {
          partition: record.partition,
          offset: record.offset,
          requestId: record.headers[RAW_RECORD_HEADERS.requestId],
          problems: normalized.problems.slice(0, 3),
        });
      }
      const origin = { partition: record.partition, offset: record.offset };
      for (const event of normalized.events) {
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        // The events are fresh objects: tag them in place rather than copying each one.
        events.push(Object.assign(event, { origin }));
      }
    }
    return { events, refused };
  };

  const prepare = async (records: ConsumedRecord[]): Promise<StagedBatch> => {
    const t0 = performance.now();
    const { events, refused } = decode(records);
    if (mustRecover) {
      await journal.recover();
      mustRecover = false;
    }
    const t1 = performance.now();
    const batch = await options.process(events, { records, logger: log });
    const t2 = performance.now();
    return {
      refused,
      store: async () => {
        const t3 = performance.now();
        try {
          await journal.commit(batch);
        } catch (error) {
          // Whatever the journal holds is applied by recovery before new work; whatever it does not was
          // never written, so the process must forget it kept this batch (a retry prepares it again).
          mustRecover = true;
          options.pipelined?.reset();
          throw error;
        }
        batch.onStored?.();
        log.debug('batch stored', {
          records: records.length,
          events: events.length,
          rows: batch.writes.reduce((n, w) => n + w.rows.length, 0),
          normalizeMs: Math.round(t1 - t0),
          processMs: Math.round(t2 - t1),
          commitMs: Math.round(performance.now() - t3),
          requestIds: requestIdsOf(records),
        });
      },
    };
  };

  // The ingress's request id of each record, so `grep <X-Request-Id>` at debug level finds the batch that
  // stored a webhook; capped so a 5000-record batch does not write a 200 kB line.
  const requestIdsOf = (records: ConsumedRecord[]) => {
    const ids = new Set<string>();
    for (const record of records) {
      const id = record.headers[RAW_RECORD_HEADERS.requestId];
      if (id !== undefined) ids.add(id);
      if (ids.size >= 500) break;
    }
    return [...ids];
  };

  const handle = async (records: ConsumedRecord[]) => {
    const staged = await prepare(records);
    await staged.store();
    return { refused: staged.refused };
  };

  const consumer: BatchConsumer = createBatchConsumer(options.kafka, {
    name,
    groupId: options.groupId,
    topics: [options.topics.raw],
    deadLetterTopic: options.topics.deadLetter(name),
    producer: options.producer,
    handle,
    ...(options.pipelined === undefined ? {} : { staged: { prepare, reset: options.pipelined.reset } }),
    isHealthy: async () => (await ch.ping()) && (await recoverIfNeeded()),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });

  return {
    journal,
    start: () => consumer.start(),
    stop: () => consumer.stop(),
    committed: () => consumer.committed(),
  };
}
