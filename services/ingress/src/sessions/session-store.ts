// Sessions live in a compacted topic: every ingress instance replays it at start and follows it after, so
// a PUT answered by one instance reaches the others within seconds, and a restart loses nothing.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CoalescingProducer, KafkaConnection, TopicFollower } from '@wapipe/kafka';
import { followTopic } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';
import { SealedSessionRecord, SessionConfig, secretWeakness } from './session-config.ts';
import type { StoredSession } from './session-config.ts';
import { openSessionSecrets, sealSessionSecrets } from './session-crypto.ts';

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
  /** SESSIONS_ENCRYPTION_KEY, decoded: seals secrets on the way in, opens them on the way out. */
  encryptionKey: Buffer;
  seed?: StoredSession[];
}): Promise<SessionStore> {
  const { encryptionKey, logger } = options;
  const sessions = new Map<string, StoredSession>();
  for (const s of options.seed ?? []) sessions.set(s.sessionId, s);
  // Logs name the session, the offset and the variable to check, never a secret.
  const refuse = (key: string, offset: string, why: string) => {
    sessions.delete(key);
    logger.warn(`refusing a session record: ${why}`, { sessionId: key, offset });
  };
  const follower: TopicFollower = await followTopic(options.connection, {
    topic: options.topic,
    onRecord(record) {
      if (!record.key) return;
      if (record.value === null) {
        sessions.delete(record.key);
        return;
      }
      const offset = String(record.offset);
      let parsed: SealedSessionRecord;
      try {
        parsed = SealedSessionRecord.parse(JSON.parse(record.value.toString('utf8')));
      } catch {
        refuse(
          record.key,
          offset,
          'not a sealed session (written by an older version? PUT the session again)',
        );
        return;
      }
      const secrets = openSessionSecrets(encryptionKey, parsed.sessionId, parsed.sealed);
      if (!secrets || parsed.sessionId !== record.key) {
        refuse(
          record.key,
          offset,
          'its secret cannot be decrypted with SESSIONS_ENCRYPTION_KEY (another key?)',
        );
        return;
      }
      const weakness = secretWeakness(parsed.provider, secrets.secret);
      if (weakness) {
        refuse(record.key, offset, `its secret is too weak (${weakness}); PUT the session again`);
        return;
      }
      const { sealed: _sealed, ...rest } = parsed;
      sessions.set(parsed.sessionId, { ...rest, ...secrets });
    },
  });
  await follower.caughtUp;
  logger.info('sessions loaded', { sessions: sessions.size });
  return {
    get: (id) => sessions.get(id),
    list: () => sortedSessions(sessions),
    async put(sessionId, config) {
      const stored: StoredSession = { ...config, sessionId, updatedAt: new Date().toISOString() };
      const record: SealedSessionRecord = {
        sessionId,
        provider: stored.provider,
        enableWebhook: stored.enableWebhook,
        sealed: sealSessionSecrets(encryptionKey, sessionId, {
          secret: stored.secret,
          ...(stored.verifyToken === undefined ? {} : { verifyToken: stored.verifyToken }),
        }),
        updatedAt: stored.updatedAt,
      };
      await options.producer.send(options.topic, { key: sessionId, value: JSON.stringify(record) });
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
