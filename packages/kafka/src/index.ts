// @wapipe/kafka: the thin client layer (the only product user of kafkajs): connect, produce, a consumer
// group member (fetch, heartbeat, commit), followers and range reads, and the topic catalog. The consumer
// loop built on it lives in @wapipe/pipeline.
export { connectKafka, kafkaClientSecurity, withTimeout } from './client.ts';
export type { KafkaConnection, KafkaOptions, KafkaSecuritySettings } from './client.ts';
export { KafkaError, errorMessage, isClaimRefused, isRetryable, kafkaErrorCodes } from './errors.ts';
export type { KafkaErrorCode } from './errors.ts';
export { DEFAULT_RAW_RETENTION_DAYS, consumerNames, topicCatalog } from './topics.ts';
export type { ConsumerName, TopicCatalog, TopicSpec } from './topics.ts';
export { createCoalescingProducer } from './coalescing-producer.ts';
export type { CoalescingProducer, ProducedRecord, ProducerOptions } from './coalescing-producer.ts';
export type { ConsumedRecord } from './consumed-record.ts';
export { createGroupMember } from './group-member.ts';
export type { FetchedBatch, GroupMember, GroupMemberOptions, PartitionOffset } from './group-member.ts';
export { followTopic } from './topic-follower.ts';
export type { TopicFollower } from './topic-follower.ts';
export { offsetsForTimeRange, readOffsetRanges } from './time-range.ts';
export type { OffsetRange } from './time-range.ts';
