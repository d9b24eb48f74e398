export { connectKafka, kafkaClientSecurity, withTimeout } from './client.ts';
export type { KafkaConnection, KafkaOptions, KafkaSecuritySettings } from './client.ts';
export { KafkaError, errorMessage, isRetryable, kafkaErrorCodes } from './errors.ts';
export type { KafkaErrorCode } from './errors.ts';
export { DEFAULT_RAW_RETENTION_DAYS, consumerNames, topicCatalog } from './topics.ts';
export type { ConsumerName, TopicCatalog, TopicSpec } from './topics.ts';
export { createCoalescingProducer } from './coalescing-producer.ts';
export type { CoalescingProducer, ProducedRecord, ProducerOptions } from './coalescing-producer.ts';
export { createBatchConsumer } from './batch-consumer.ts';
export type {
  BatchConsumer,
  BatchConsumerOptions,
  BatchHandler,
  ConsumedRecord,
  RefusedRecord,
  StagedBatch,
  StagedHandler,
} from './batch-consumer.ts';
export { DLQ_HEADER_PREFIX, deadLetterRecord, readDeadLetter } from './dead-letter.ts';
export type { DeadLetterInfo } from './dead-letter.ts';
export { followTopic } from './topic-follower.ts';
export type { TopicFollower } from './topic-follower.ts';
export { offsetsForTimeRange, readOffsetRanges } from './time-range.ts';
export type { OffsetRange } from './time-range.ts';
