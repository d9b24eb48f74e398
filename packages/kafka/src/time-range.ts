// Reads the records a topic received in a time range, for replays: the broker finds each partition's
// first offset at or after a time, and a throwaway group whose committed offsets are set to those starts
// reads up to the ends, then is deleted. Nothing is committed to any real group.
import { randomUUID } from 'node:crypto';
import type { KafkaConnection } from './client.ts';
import { consumedRecord } from './consumed-record.ts';
import type { ConsumedRecord } from './consumed-record.ts';
import { errorMessage } from './errors.ts';

export interface OffsetRange {
  partition: number;
  /** First offset whose timestamp is at or after `from`. */
  start: bigint;
  /** First offset whose timestamp is at or after `to` (or the end of the partition): excluded. */
  end: bigint;
}

/** Per partition, the offsets of the records appended in [from, to). */
export async function offsetsForTimeRange(
  connection: KafkaConnection,
  topic: string,
  range: { from: Date; to: Date },
): Promise<OffsetRange[]> {
  const admin = connection.client.admin();
  await admin.connect();
  try {
    // kafkajs answers the partition's end where no record is that late.
    const [starts, ends] = await Promise.all([
      admin.fetchTopicOffsetsByTimestamp(topic, range.from.getTime()),
      admin.fetchTopicOffsetsByTimestamp(topic, range.to.getTime()),
    ]);
    const endOf = new Map(ends.map((o) => [o.partition, BigInt(o.offset)]));
    return starts
      .map((o) => ({ partition: o.partition, start: BigInt(o.offset), end: endOf.get(o.partition) ?? 0n }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Hands every record of `ranges` to `onBatch`, partition by partition in offset order, and resolves once
 * each range is read. A failing `onBatch` stops the read and rejects.
 */
export async function readOffsetRanges(
  connection: KafkaConnection,
  options: { topic: string; ranges: OffsetRange[]; onBatch(records: ConsumedRecord[]): Promise<void> },
): Promise<void> {
  const { topic } = options;
  const ranges = options.ranges.filter((r) => r.end > r.start);
  if (ranges.length === 0) return;
  const endOf = new Map(ranges.map((r) => [r.partition, r.end]));
  const groupId = `${topic}.range.${randomUUID()}`;
  const admin = connection.client.admin();
  await admin.connect();
  const consumer = connection.client.consumer({
    groupId,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  try {
    // Partitions outside the ranges start at their end, so the group reads nothing there.
    const all = await connection.endOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...all].map(([partition, end]) => {
        const range = ranges.find((r) => r.partition === partition);
        return { partition, offset: String(range ? range.start : end) };
      }),
    });
    const remaining = new Set(ranges.map((r) => r.partition));
    let finish!: (error?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = (error) => (error === undefined ? resolve() : reject(error as Error));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = endOf.get(batch.partition);
        if (end === undefined || !remaining.has(batch.partition)) return;
        const records: ConsumedRecord[] = [];
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= end) break;
          records.push(consumedRecord(topic, batch.partition, m));
        }
        try {
          if (records.length > 0) await options.onBatch(records);
        } catch (error) {
          finish(error);
          return;
        }
        const last = records.at(-1);
        const reached = last ? BigInt(last.offset) + 1n : 0n;
        if (reached >= end || BigInt(batch.lastOffset()) + 1n >= end) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect().catch(() => {});
    try {
      await admin.deleteGroups([groupId]);
    } catch (error) {
      connection.logger.debug('range group not deleted', { groupId, error: errorMessage(error) });
    }
    await admin.disconnect().catch(() => {});
  }
}
