// Reads a (compacted) topic from the start and keeps following it, like a replicated table. Each follower
// has its own throwaway group and never commits: every process rebuilds its view from the topic.
import { randomUUID } from 'node:crypto';
import type { KafkaConnection } from './client.ts';
import { consumedRecord } from './consumed-record.ts';
import type { ConsumedRecord } from './consumed-record.ts';
import { errorMessage } from './errors.ts';

export interface TopicFollower {
  /** Resolves once every record that existed at start has been seen. */
  caughtUp: Promise<void>;
  /**
   * Resolves once every record in the topic now has been seen (read-your-writes for a record another
   * process just produced), or after `timeoutMs`, whichever is first; true when caught up.
   */
  sync(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function followTopic(
  connection: KafkaConnection,
  options: { topic: string; onRecord(record: ConsumedRecord): void },
): Promise<TopicFollower> {
  const { topic } = options;
  const groupId = `${topic}.follower.${randomUUID()}`;
  const ends = await connection.endOffsets(topic);
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (remaining.size === 0) markCaughtUp();
  // Next offset to see, per partition, and the sync() calls waiting for a partition to get that far.
  const seen = new Map<number, bigint>();
  let waiters: Array<{ ends: Map<number, bigint>; done(): void }> = [];
  const reached = (target: Map<number, bigint>) =>
    [...target].every(([p, end]) => end === 0n || (seen.get(p) ?? 0n) >= end);

  const consumer = connection.client.consumer({
    groupId,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      options.onRecord(consumedRecord(topic, partition, message));
      seen.set(partition, BigInt(message.offset) + 1n);
      if (waiters.length > 0) {
        const ready = waiters.filter((w) => reached(w.ends));
        waiters = waiters.filter((w) => !ready.includes(w));
        for (const w of ready) w.done();
      }
      const end = ends.get(partition);
      if (end !== undefined && BigInt(message.offset) + 1n >= end && remaining.delete(partition)) {
        if (remaining.size === 0) markCaughtUp();
      }
    },
  });

  return {
    caughtUp,
    async sync(timeoutMs = 2_000) {
      const target = await connection.endOffsets(topic);
      if (reached(target)) return true;
      return await new Promise<boolean>((resolve) => {
        const waiter = {
          ends: target,
          done: () => {
            clearTimeout(timer);
            resolve(true);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async stop() {
      await consumer.disconnect().catch(() => {});
      try {
        await connection.client.admin().deleteGroups([groupId]);
      } catch (error) {
        connection.logger.debug('follower group not deleted', { groupId, error: errorMessage(error) });
      }
    },
  };
}
