export { createJournal, journalMigrations } from './journal.ts';
export type {
  EffectRecord,
  Journal,
  JournalBatch,
  JournalFeed,
  JournalOptions,
  JournalReplay,
  JournalViews,
  TableWrite,
  TopicEffect,
} from './journal.ts';
export { REDRIVE_HEADER, createEventConsumer } from './event-consumer.ts';
export type { EventConsumer, EventConsumerOptions, ProcessContext, SourcedEvent } from './event-consumer.ts';
export { chDateTime } from './datetime.ts';
export { consumerEnv, startConsumerService } from './consumer-service.ts';
export type { ConsumerDeps, ConsumerEnv, ProcessSpec, RunningConsumer } from './consumer-service.ts';
export { runConsumerMain } from './consumer-main.ts';
