// Sessions live in a compacted topic: every ingress instance replays it at start and follows it after, so
// a PUT answered by one instance reaches the others within seconds, and a restart loses nothing.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CoalescingProducer, KafkaConnection, TopicFollower } from '@wapipe/kafka';
import { followTopic } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';
import { SessionConfig, StoredSessionRecord } from './session-config.ts';
import type { StoredSession } from './session-config.ts';

export interface SessionStore {
  get(sessionId: string): StoredSession | undefined;
  /** Every session, in sessionId order. */
  list(): StoredSession[];
  put(sessionId: string, config: SessionConfig): Promise<StoredSession>;
  size(): number;
  close(): Promise<void>;
}

const sortedSessions = (sessions: Map<string, StoredSession>) =>
  [...sessions.values()].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));

/** A store held in memory only; for tests and SESSIONS_FILE-only development. */
export function createMemorySessionStore(initial: StoredSession[] = []): SessionStore {
  const sessions = new Map(initial.map((s) => [s.sessionId, s]));
  return {
    get: (id) => sessions.get(id),
    list: () => sortedSessions(sessions),
    async put(sessionId, config) {
      const stored = { ...config, sessionId, updatedAt: new Date().toISOString() };
      sessions.set(sessionId, stored);
      return stored;
    },
    size: () => sessions.size,
    async close() {},
  };
}

export async function createKafkaSessionStore(options: {
  connection: KafkaConnection;
  producer: CoalescingProducer;
  topic: string;
  logger: Logger;
  seed?: StoredSession[];
}): Promise<SessionStore> {
  const sessions = new Map<string, StoredSession>();
  for (const s of options.seed ?? []) sessions.set(s.sessionId, s);
  const follower: TopicFollower = await followTopic(options.connection, {
    topic: options.topic,
    onRecord(record) {
      if (!record.key) return;
      if (record.value === null) {
        sessions.delete(record.key);
        return;
      }
      try {
        const parsed = StoredSessionRecord.parse(JSON.parse(record.value.toString('utf8')));
        sessions.set(parsed.sessionId, parsed);
      } catch {
        options.logger.warn('ignoring an unreadable session record', {
          sessionId: record.key,
          offset: record.offset,
        });
      }
    },
  });
  await follower.caughtUp;
  options.logger.info('sessions loaded', { sessions: sessions.size });
  return {
    get: (id) => sessions.get(id),
    list: () => sortedSessions(sessions),
    async put(sessionId, config) {
      const stored: StoredSession = { ...config, sessionId, updatedAt: new Date().toISOString() };
      await options.producer.send(options.topic, { key: sessionId, value: JSON.stringify(stored) });
      sessions.set(sessionId, stored);
      return stored;
    },
    size: () => sessions.size,
    close: () => follower.stop(),
  };
}

const SessionsFile = z.object({
  sessions: z.array(SessionConfig.and(z.object({ sessionId: z.string() }))),
});

/** Reads SESSIONS_FILE: `{ "sessions": [{ "sessionId", "provider", "enableWebhook", "secret", "verifyToken" }] }`. */
export async function readSessionsFile(path: string): Promise<StoredSession[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`SESSIONS_FILE ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  const parsed = SessionsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`SESSIONS_FILE ${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const now = new Date().toISOString();
  return parsed.data.sessions.map((s) => ({ ...s, updatedAt: now }));
}
