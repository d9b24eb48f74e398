// @wapipe/pipeline: the consumer runtime, end to end. A service supplies a ConsumerHandler; the loop
// fetches, prepares, stores (through the journal), retries, bisects, dead-letters, recovers and commits.
export { createJournal } from './journal.ts';
export type {
  EffectRecord,
  Journal,
  JournalBatch,
  JournalOptions,
  TableWrite,
  TopicEffect,
} from './journal.ts';
export { journalMigrations, uncoveredByFanOuts } from './journal-schema.ts';
export type { JournalFanOut, JournalFeed, JournalReplay, JournalViews } from './journal-schema.ts';
export { handleRecords } from './handler.ts';
export type {
  ConsumerHandler,
  PreparedUnit,
  RecordHandler,
  RefusedRecord,
  SourcedEvent,
  UnitClaim,
  UnitContext,
} from './handler.ts';
export { refusalCodes } from './refusal-codes.ts';
export type { RefusalCode } from './refusal-codes.ts';
export { createConsumerLoop } from './consumer-loop.ts';
export type { ConsumerLoop, ConsumerLoopOptions } from './consumer-loop.ts';
export { DLQ_HEADER_PREFIX, deadLetterRecord, readDeadLetter } from './dead-letter.ts';
export type { DeadLetterInfo } from './dead-letter.ts';
export { REDRIVE_HEADER } from './raw-events.ts';
export { createJournaledConsumer } from './journaled-consumer.ts';
export type { JournaledConsumer, JournaledConsumerOptions } from './journaled-consumer.ts';
export { chDateTime } from './datetime.ts';
export { loadStoredPairs, pairKey } from './stored-pairs.ts';
export type { StoredPairsQuery } from './stored-pairs.ts';
export { consumerEnv, startConsumerService } from './service-start.ts';
export type { ConsumerDeps, ConsumerEnv, RunningConsumer } from './service-start.ts';
export { runConsumerMain } from './service-main.ts';
