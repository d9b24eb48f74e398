// The consumer-group side of kafkajs, reduced to what a consumer loop needs: fetched batches (one per
// partition, several at once), heartbeats, explicit commits and a count of group joins. Nothing is
// committed or resolved on its own: the loop says when a batch is done.
import { createRequire } from 'node:module';
import { PartitionAssigners } from 'kafkajs';
import type { Consumer, EachBatchPayload, PartitionAssigner } from 'kafkajs';
import type { KafkaConnection } from './client.ts';
import { consumedRecord } from './consumed-record.ts';
import type { ConsumedRecord } from './consumed-record.ts';
import { KafkaError } from './errors.ts';

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

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
   * Runs every group join (`join`) of this member: the member may first store what it still holds of the
   * batches it took, so the next owner of its partitions reads those records as stored.
   */
  aroundJoin?: (join: () => Promise<void>) => Promise<void>;
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
  commit(offsets: PartitionOffset[]): Promise<void>;
  /**
   * Commits `starts` (where the member's unit begins, so nothing moves) with `token` as their metadata, as a
   * member of its current generation (ADR 15). Throws KAFKA_CLAIM_REFUSED when the coordinator refuses the
   * member (it left or lost its generation: its partitions may be someone else's now) or the commit was not
   * sent; KAFKA_COMMIT_FAILED (retry) when it could not tell.
   */
  claim(starts: PartitionOffset[], token: string): Promise<void>;
  /** Times this member joined its group (each join may move partitions); starts at 0. */
  joins(): number;
}

export function createGroupMember(connection: KafkaConnection, options: GroupMemberOptions): GroupMember {
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const assigner: PartitionAssigner = (config) =>
    Object.assign(PartitionAssigners.roundRobin(config), { [AROUND_JOIN]: options.aroundJoin });
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
    partitionAssigners: [assigner],
    // How long the group waits for its live members to join again, each after storing what it holds
    // (aroundJoin): Java's default (max.poll.interval.ms), so a ClickHouse outage of a few minutes does not
    // push a member holding a batch out of the group while its successor reads the same records.
    rebalanceTimeout: 300_000,
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
    claim: async (starts, token) => {
      // kafkajs answers a commit it never sent (its runner is stopped or restarting) as done: only the
      // instrumentation event, emitted when the coordinator accepted it, says it landed.
      let accepted = false;
      const stopListening = consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
        const topics = (event.payload as { topics?: { partitions: { metadata?: string | null }[] }[] })
          .topics;
        if (topics?.some((t) => t.partitions.some((p) => p.metadata === token))) accepted = true;
      });
      try {
        await consumer.commitOffsets(starts.map((s) => ({ ...s, metadata: token })));
      } catch (error) {
        const type = protocolErrorType(error);
        if (type !== undefined && FENCED.has(type)) {
          throw new KafkaError('KAFKA_CLAIM_REFUSED', `the group coordinator refused the claim: ${type}`, {
            retry: false,
            cause: error,
          });
        }
        throw new KafkaError(
          'KAFKA_COMMIT_FAILED',
          `the claim's commit failed: ${(error as Error).message}`,
          {
            retry: true,
            cause: error,
          },
        );
      } finally {
        stopListening();
      }
      if (!accepted) {
        throw new KafkaError('KAFKA_CLAIM_REFUSED', 'the consumer is not running: the claim was not sent', {
          retry: false,
        });
      }
    },
    joins: () => joins,
  };
}

/** The broker's error type (e.g. ILLEGAL_GENERATION), which kafkajs's retrier wraps in errors of its own. */
function protocolErrorType(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { type, cause } = e as { type?: unknown; cause?: unknown };
    if (typeof type === 'string') return type;
    e = cause;
  }
  return undefined;
}

/** What the coordinator answers a member that is no longer in the group's current generation. */
const FENCED = new Set([
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'FENCED_INSTANCE_ID',
]);

// kafkajs has no hook before a member joins its group again (Java's onPartitionsRevoked), and a staged
// consumer (ADR 7) releases kafkajs while a unit is still being stored: joined at once, the member would hand
// its partitions to a successor that reads records whose store has not landed, and both would store them.
// So the one method that joins is wrapped, once per process, in the member's aroundJoin. The member is found
// through its assigner (kafkajs makes one assigner instance per consumer group). kafkajs is pinned (2.2.4,
// its last release); if this internal changes, every consumer start fails with an error naming it.
const AROUND_JOIN = Symbol.for('wapipe.kafka.aroundJoin');
const HEARTBEAT_WHILE_WAITING_MS = 1_000;

type AroundJoin = (join: () => Promise<void>) => Promise<void>;
interface JoiningGroup {
  assigners?: { [AROUND_JOIN]?: AroundJoin | undefined }[];
  heartbeat(options: { interval: number }): Promise<void>;
  joinAndSync(): Promise<unknown>;
}

function wrapJoin(): void {
  const require = createRequire(import.meta.url);
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as
    { prototype?: Partial<JoiningGroup> & { [AROUND_JOIN]?: true } } | undefined;
  const proto = ConsumerGroup?.prototype;
  if (!proto || typeof proto.joinAndSync !== 'function' || typeof proto.heartbeat !== 'function') {
    throw new Error(
      'kafkajs changed: ConsumerGroup.joinAndSync is gone, so members cannot finish their stores before a ' +
        'rebalance; pin kafkajs to 2.2.4 in package.json (see packages/kafka/src/group-member.ts)',
    );
  }
  if (proto[AROUND_JOIN]) return;
  const join = proto.joinAndSync;
  proto[AROUND_JOIN] = true;
  proto.joinAndSync = function (this: JoiningGroup) {
    const around = this.assigners?.find((a) => a[AROUND_JOIN])?.[AROUND_JOIN];
    if (!around) return join.call(this);
    // While the member stores before joining, heartbeats keep it in the group (during a rebalance the
    // coordinator answers them with REBALANCE_IN_PROGRESS, but counts them).
    const beat = setInterval(
      () => void this.heartbeat({ interval: 0 }).catch(() => {}),
      HEARTBEAT_WHILE_WAITING_MS,
    );
    let result: unknown;
    return around(async () => {
      clearInterval(beat);
      result = await join.call(this);
    })
      .then(() => result)
      .finally(() => clearInterval(beat));
  };
}
wrapJoin();
