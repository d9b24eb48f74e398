// A consumer of the raw topic: records decoded into events, the service's handler turns them into writes,
// the journal stores those exactly once (ADR 5), the loop commits after. A service supplies only its
// ConsumerHandler.
import type { ClickHouse } from '@wapipe/clickhouse';
import type {
  CoalescingProducer,
  ConsumedRecord,
  ConsumerName,
  KafkaConnection,
  TopicCatalog,
} from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { createConsumerLoop } from './consumer-loop.ts';
import type { ConsumerLoopOptions } from './consumer-loop.ts';
import type { ConsumerHandler, PreparedUnit, RecordHandler, UnitClaim } from './handler.ts';
import { createJournal } from './journal.ts';
import type { Journal } from './journal.ts';
import type { JournalViews } from './journal-schema.ts';
import { decodeRawRecords, requestIdsOf } from './raw-events.ts';

export interface JournaledConsumerOptions {
  name: ConsumerName;
  kafka: KafkaConnection;
  topics: TopicCatalog;
  groupId: string;
  /** Reads and health checks. */
  ch: ClickHouse;
  /**
   * Connections for the journal's writes of a staged handler, so they do not queue behind the next unit's
   * reads: the first journals and applies, the others apply tables beside it.
   */
  storeChs?: ClickHouse[];
  producer: CoalescingProducer;
  logger: Logger;
  registry?: Registry;
  handler: ConsumerHandler;
  /** The service's materialized views as the journal must write them (ADR 5). */
  journalViews?: JournalViews;
  maxAttempts?: number;
  sessionTimeoutMs?: number;
  fetch?: ConsumerLoopOptions['fetch'];
}

export interface JournaledConsumer {
  journal: Journal;
  start(): Promise<void>;
  stop(): Promise<void>;
  committed(): number;
}

/** The record handler over a journal: decode, the service's prepare, then the journal's commit as store. */
export function journaledRecordHandler(options: {
  name: string;
  handler: ConsumerHandler;
  journal: Journal;
  logger: Logger;
}): RecordHandler {
  const { handler, journal, name } = options;
  const log = options.logger;
  // After a failed commit the journal may hold a batch that was not applied; apply it before new work.
  // A batch that cannot be applied (a target table gone, say) holds the consumer like an outage: it keeps
  // its records until an operator fixes the cause, rather than dead-lettering everything behind it.
  let mustRecover = true;

  const prepare = async (records: ConsumedRecord[], claim?: UnitClaim): Promise<PreparedUnit> => {
    const t0 = performance.now();
    const { events, refused } = decodeRawRecords(name, records, log);
    if (mustRecover) {
      await journal.recover();
      mustRecover = false;
    }
    const t1 = performance.now();
    const batch = await handler.prepare(events, { records, logger: log });
    const t2 = performance.now();
    return {
      refused,
      store: async () => {
        const t3 = performance.now();
        try {
          await journal.commit(batch, claim);
        } catch (error) {
          // Whatever the journal holds is applied by recovery before new work; whatever it does not was
          // never written, so the handler must forget it kept this batch (a retry prepares it again).
          mustRecover = true;
          handler.reset?.();
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

  const recover = async (): Promise<boolean> => {
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

  return {
    prepare,
    recover,
    // A member killed between its journal and its mark leaves a batch only recovery applies. Whoever takes
    // its partitions must apply it before reading those records again: applied later, after they were
    // stored anew under another batch, it would store them twice.
    rebalanced: () => {
      mustRecover = true;
    },
    committed: async () => {
      await journal.settle().catch((error: unknown) => {
        log.debug('settling unclaimed journal batches failed; the next commit tries again', {
          error: (error as Error).message,
        });
      });
    },
    ...(handler.reset ? { reset: () => handler.reset!() } : {}),
  };
}

export function createJournaledConsumer(options: JournaledConsumerOptions): JournaledConsumer {
  const { ch, name } = options;
  const log = options.logger.child({ consumer: name });
  const journal = createJournal({
    ch: options.storeChs?.[0] ?? ch,
    applyChs: options.storeChs?.slice(1) ?? [],
    consumer: name,
    logger: log,
    publish: (topic, records) => options.producer.sendMany(topic, records),
    committedClaims: (groupId, topic) => options.kafka.committedClaims(groupId, topic),
    ...(options.journalViews === undefined ? {} : { views: options.journalViews }),
  });
  const loop = createConsumerLoop(options.kafka, {
    name,
    groupId: options.groupId,
    topics: [options.topics.raw],
    deadLetterTopic: options.topics.deadLetter(name),
    producer: options.producer,
    handler: journaledRecordHandler({ name, handler: options.handler, journal, logger: log }),
    isHealthy: () => ch.ping(),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  return {
    journal,
    start: () => loop.start(),
    stop: () => loop.stop(),
    committed: () => loop.committed(),
  };
}
