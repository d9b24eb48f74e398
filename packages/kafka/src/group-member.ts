// The consumer-group side of kafkajs, reduced to what a consumer loop needs: fetched batches (one per
// partition, several at once), heartbeats, explicit commits and a count of group joins. Nothing is
// committed or resolved on its own: the loop says when a batch is done.
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { KafkaConnection } from './client.ts';
import { consumedRecord } from './consumed-record.ts';
import type { ConsumedRecord } from './consumed-record.ts';

/** One partition's records from one fetch. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The offset to commit once every record of the batch is done. */
  nextOffset: string;
  /** Records behind this batch in its partition when it was fetched. */
  lag: number;
  /** Keeps the group membership alive while the batch is held. */
  heartbeat(): Promise<void>;
}

export interface GroupMemberOptions {
  groupId: string;
  topics: string[];
  /** Where a new group starts; default true, so a new consumer processes what is already there. */
  fromBeginning?: boolean;
  fetch?: { minBytes?: number; maxWaitMs?: number; maxBytesPerPartition?: number; maxBytes?: number };
  /** How many partitions' batches may be handed over at once. */
  concurrency?: number;
  /** How long the group waits for a silent member (a crashed one) before giving its partitions away. */
  sessionTimeoutMs?: number;
  /**
   * Called per fetched batch; resolves true once the loop has taken the batch (committed it, or prepared
   * it and queued its store), so the fetch position may move past it, or false when stopping: the batch
   * stays uncommitted and is fetched again.
   */
  onBatch(batch: FetchedBatch): Promise<boolean>;
}

export interface GroupMember {
  start(): Promise<void>;
  stop(): Promise<void>;
  commit(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  /** Times this member joined its group (each join may move partitions); starts at 0. */
  joins(): number;
}

export function createGroupMember(connection: KafkaConnection, options: GroupMemberOptions): GroupMember {
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer: Consumer = connection.client.consumer({
    groupId: options.groupId,
    minBytes: options.fetch?.minBytes ?? 64 * 1024,
    maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 250,
    // The fetch size bounds one unit of work (all of it is journaled and inserted together): a few MB keeps
    // each commit around a second. A consumer built for volume asks for more (the delivery consumer).
    maxBytesPerPartition: options.fetch?.maxBytesPerPartition ?? 1024 * 1024,
    maxBytes: options.fetch?.maxBytes ?? 6 * 1024 * 1024,
    sessionTimeout,
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
    allowAutoTopicCreation: false,
  });
  let joins = 0;

  const eachBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    const done = await options.onBatch({
      topic: batch.topic,
      partition: batch.partition,
      records: batch.messages.map((m) => consumedRecord(batch.topic, batch.partition, m)),
      nextOffset: (BigInt(batch.lastOffset()) + 1n).toString(),
      lag: Number(BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n),
      heartbeat: () => payload.heartbeat(),
    });
    // Only now may the fetch position move past these records.
    if (done) payload.resolveOffset(batch.lastOffset());
  };

  return {
    async start() {
      await consumer.connect();
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joins++;
      });
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 32,
        eachBatch,
      });
    },
    stop: () => consumer.disconnect(),
    commit: (offsets) => consumer.commitOffsets(offsets),
    joins: () => joins,
  };
}
