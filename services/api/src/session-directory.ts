// Which sessions exist, so a read under /v1/sessions/{sessionId}/… can answer 404 for a session nobody
// configured instead of 200 with zeros. The source of truth is the compacted sessions topic the ingress
// writes (ClickHouse only knows sessions that have sent something): the API follows it like every ingress
// instance does, keeping only the ids (never a secret). A miss re-reads the topic to its current end
// first, so a session PUT a moment ago is already known here.
import type { KafkaConnection, TopicFollower } from '@wapipe/kafka';
import { followTopic } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';

export interface SessionDirectory {
  has(sessionId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A directory of fixed ids; for tests of the read routes and for tools without Kafka. */
export function memorySessionDirectory(ids: Iterable<string>): SessionDirectory & { add(id: string): void } {
  const known = new Set(ids);
  return {
    has: async (id) => known.has(id),
    add: (id) => void known.add(id),
    async close() {},
  };
}

export async function followSessionDirectory(options: {
  connection: KafkaConnection;
  topic: string;
  logger: Logger;
}): Promise<SessionDirectory> {
  const known = new Set<string>();
  const follower: TopicFollower = await followTopic(options.connection, {
    topic: options.topic,
    onRecord(record) {
      if (!record.key) return;
      if (record.value === null) known.delete(record.key);
      else known.add(record.key);
    },
  });
  await follower.caughtUp;
  options.logger.info('sessions followed', { sessions: known.size });
  return {
    async has(sessionId) {
      if (known.has(sessionId)) return true;
      if (!(await follower.sync())) options.logger.warn('the sessions topic did not catch up within 2 s');
      return known.has(sessionId);
    },
    close: () => follower.stop(),
  };
}
