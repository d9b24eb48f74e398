// Shared pieces of the ingress tests: a running ingress on the test broker, signed requests, and a reader
// of the raw topic to compare with what was answered.
import { randomBytes, randomUUID } from 'node:crypto';
import { metaEnvelope } from '@wapipe/events';
import { connectKafka, followTopic, topicCatalog } from '@wapipe/kafka';
import type { ConsumedRecord, TopicFollower } from '@wapipe/kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
import type { Logger } from '@wapipe/observability';
import { ingressEnv, signMetaBody, signStandardWebhook, startIngress } from '@wapipe/ingress';

export const API_KEY = 'test-key-0123456789';
/** One key per test process, like one per deployment; instances of one test share it. */
export const SESSIONS_KEY = randomBytes(32).toString('base64');
export const META_SECRET = 'meta-app-secret-for-tests';
export const CHATSEND_SECRET = 'whsec_' + Buffer.from('chatsend-signing-key-for-tests').toString('base64');

export async function startTestIngress(
  brokers: string[],
  prefix: string,
  overrides: Record<string, string> = {},
  logger: Logger = silentLogger,
) {
  const env = ingressEnv.parse({
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '3',
    API_KEYS: API_KEY,
    SESSIONS_ENCRYPTION_KEY: SESSIONS_KEY,
    ...overrides,
  });
  const ingress = await startIngress(
    { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
    { logger, registry: createRegistry() },
  );
  const request = (path: string, init: RequestInit = {}) => ingress.app.request(path, init);
  const putSession = (sessionId: string, body: object, headers: Record<string, string> = auth) =>
    request(`/v1/sessions/${sessionId}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    ...ingress,
    env,
    request,
    putSession,
    /** Stores each session (id → PUT body); throws with the answer unless each is answered 200. */
    async registerSessions(sessions: Record<string, object>) {
      for (const [id, body] of Object.entries(sessions)) {
        const res = await putSession(id, body);
        if (res.status !== 200) throw new Error(`PUT /v1/sessions/${id}: ${res.status} ${await res.text()}`);
      }
    },
    postMeta: (
      sessionId: string,
      body: string | Buffer,
      headers: Record<string, string> = metaHeaders(body),
    ) => request(`/webhooks/meta/${sessionId}`, { method: 'POST', headers, body }),
    postChatsend: (
      sessionId: string,
      body: string,
      headers: Record<string, string> = chatsendHeaders(body),
    ) => request(`/webhooks/chatsend/${sessionId}`, { method: 'POST', headers, body }),
  };
}

export const auth = { Authorization: `Bearer ${API_KEY}` };

export function metaStatusBody(statuses: { id: string; status: string; recipient?: string; ts?: number }[]) {
  return JSON.stringify(
    metaEnvelope({
      statuses: statuses.map((s) => ({
        id: s.id,
        status: s.status,
        timestamp: String(s.ts ?? Math.floor(Date.now() / 1000)),
        recipient_id: s.recipient ?? '16505551234',
      })),
    }),
  );
}

export const metaHeaders = (body: string | Buffer, secret = META_SECRET) => ({
  'content-type': 'application/json',
  'x-hub-signature-256': signMetaBody(body, secret),
});

export function chatsendBody(sessionId: string, type = 'message.status', data: object = {}) {
  return JSON.stringify({
    id: `evt_${randomUUID()}`,
    type,
    sessionId,
    timestamp: new Date().toISOString(),
    data: { messageId: `cs-${randomUUID()}`, recipient: '16505551234', status: 'delivered', ...data },
  });
}

export function chatsendHeaders(
  body: string,
  options: { secret?: string; timestamp?: number; id?: string } = {},
) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(id, timestamp, body, options.secret ?? CHATSEND_SECRET),
  };
}

/** Follows the raw topic from its start and keeps every record, for byte-level comparisons. */
export async function readRawTopic(brokers: string[], prefix: string) {
  const kafka = await connectKafka({
    brokers,
    clientId: `reader-${randomUUID().slice(0, 6)}`,
    logger: silentLogger,
  });
  const records: ConsumedRecord[] = [];
  const follower: TopicFollower = await followTopic(kafka, {
    topic: topicCatalog(prefix).raw,
    onRecord: (r) => records.push(r),
  });
  return {
    records,
    async close() {
      await follower.stop();
      await kafka.close();
    },
  };
}
