// Reads a (compacted) topic from the start and keeps following it, like a replicated table. Each follower
// has its own throwaway group and never commits: every process rebuilds its view from the topic.
import { randomUUID } from 'node:crypto';
import type { KafkaConnection } from './client.ts';
import type { ConsumedRecord } from './batch-consumer.ts';
import { errorMessage } from './errors.ts';

export interface TopicFollower {
  /** Resolves once every record that existed at start has been seen. */
  caughtUp: Promise<void>;
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
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) {
        const first = Array.isArray(v) ? v[0] : v;
        if (first !== undefined) headers[k] = first.toString();
      }
      options.onRecord({
        topic,
        partition,
        offset: message.offset,
        key: message.key ? message.key.toString() : null,
        value: message.value,
        headers,
        timestamp: new Date(Number(message.timestamp)).toISOString(),
      });
      const end = ends.get(partition);
      if (end !== undefined && BigInt(message.offset) + 1n >= end && remaining.delete(partition)) {
        if (remaining.size === 0) markCaughtUp();
      }
    },
  });

  return {
    caughtUp,
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
