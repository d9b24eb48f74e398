// Issue 13, finding 9: session secrets are sealed in the sessions topic with SESSIONS_ENCRYPTION_KEY.
// Reads the raw topic as any client with read access would, and starts instances with the right key,
// another key, and a record planted by someone who can write the topic but has no key.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectKafka, createCoalescingProducer, followTopic, topicCatalog } from '@wapipe/kafka';
import type { ConsumedRecord } from '@wapipe/kafka';
import { createLogger, silentLogger } from '@wapipe/observability';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  META_SECRET,
  auth,
  metaHeaders,
  metaStatusBody,
  startTestIngress,
} from '../../../test/support/ingress.ts';

const brokers = testBrokers();
const prefix = uniqueName('sessions-sealed');
const VERIFY_TOKEN = `verify-token-${randomUUID()}`;
let ingress: Awaited<ReturnType<typeof startTestIngress>>;

/** Every record of the sessions topic so far, read from its start. */
async function sessionsTopic(): Promise<ConsumedRecord[]> {
  const kafka = await connectKafka({ brokers, clientId: 'sessions-reader', logger: silentLogger });
  const records: ConsumedRecord[] = [];
  const follower = await followTopic(kafka, {
    topic: topicCatalog(prefix).sessions,
    onRecord: (r) => records.push(r),
  });
  await follower.caughtUp;
  await follower.stop();
  await kafka.close();
  return records;
}

const knows = async (instance: typeof ingress, sessionId: string) =>
  (await instance.request(`/v1/sessions/${sessionId}`, { headers: auth })).status === 200;

const capturingLogger = () => {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
};

beforeAll(async () => {
  ingress = await startTestIngress(brokers, prefix);
  const put = await ingress.request('/v1/sessions/sealed', {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      provider: 'meta',
      enableWebhook: true,
      secret: META_SECRET,
      verifyToken: VERIFY_TOKEN,
    }),
  });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await ingress?.stop();
});

it('the sessions topic holds no secret and no verify token, in any encoding', async () => {
  const records = await sessionsTopic();
  const sealed = records.filter((r) => r.key === 'sealed');
  expect(sealed).toHaveLength(1);
  const bytes = sealed[0]!.value!;
  for (const secret of [META_SECRET, VERIFY_TOKEN]) {
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.toString('utf8')).not.toContain(Buffer.from(secret).toString('base64').slice(0, 16));
    expect(bytes.toString('utf8')).not.toContain(Buffer.from(secret).toString('hex').slice(0, 16));
  }
  expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ sessionId: 'sealed', provider: 'meta' });
});

it('an instance with the same key opens the session and takes its signed webhooks', async () => {
  const other = await startTestIngress(brokers, prefix);
  try {
    const body = metaStatusBody([{ id: `wamid.sealed.${randomUUID()}`, status: 'sent' }]);
    const res = await other.request('/webhooks/meta/sealed', {
      method: 'POST',
      headers: metaHeaders(body),
      body,
    });
    expect(res.status).toBe(200);
    const verify = await other.request(
      `/webhooks/meta/sealed?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`,
    );
    expect(await verify.text()).toBe('42');
  } finally {
    await other.stop();
  }
});

it('an instance with another key refuses the record with a log line naming SESSIONS_ENCRYPTION_KEY, never the secret', async () => {
  const { lines, logger } = capturingLogger();
  const wrongKey = await startTestIngress(
    brokers,
    prefix,
    { SESSIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    logger,
  );
  try {
    expect(await knows(wrongKey, 'sealed')).toBe(false);
    const body = metaStatusBody([{ id: `wamid.wrongkey.${randomUUID()}`, status: 'sent' }]);
    const res = await wrongKey.request('/webhooks/meta/sealed', {
      method: 'POST',
      headers: metaHeaders(body),
      body,
    });
    expect(res.status).toBe(404);
    const refusal = lines.find((l) => l.includes('refusing a session record'));
    expect(refusal).toContain('SESSIONS_ENCRYPTION_KEY');
    expect(refusal).toContain('"sessionId":"sealed"');
    for (const line of lines) {
      expect(line).not.toContain(META_SECRET);
      expect(line).not.toContain(VERIFY_TOKEN);
    }
  } finally {
    await wrongKey.stop();
  }
});

it('a session planted in clear by someone who can write the topic but has no key is refused', async () => {
  const kafka = await connectKafka({ brokers, clientId: 'planter', logger: silentLogger });
  const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 10_000 });
  const planted = 'planted-secret-0123456789';
  await producer.send(topicCatalog(prefix).sessions, {
    key: 'planted',
    value: JSON.stringify({
      sessionId: 'planted',
      provider: 'meta',
      enableWebhook: true,
      secret: planted,
      updatedAt: new Date().toISOString(),
    }),
  });
  await producer.close();
  await kafka.close();
  const { lines, logger } = capturingLogger();
  const fresh = await startTestIngress(brokers, prefix, {}, logger);
  try {
    expect(await knows(fresh, 'sealed')).toBe(true);
    expect(await knows(fresh, 'planted')).toBe(false);
    const body = metaStatusBody([{ id: `wamid.planted.${randomUUID()}`, status: 'sent' }]);
    const res = await fresh.request('/webhooks/meta/planted', {
      method: 'POST',
      headers: metaHeaders(body, planted),
      body,
    });
    expect(res.status).toBe(404);
    await waitFor('the refusal in the log', () =>
      lines.some((l) => l.includes('refusing a session record') && l.includes('"sessionId":"planted"')),
    );
    expect(lines.join('\n')).not.toContain(planted);
  } finally {
    await fresh.stop();
  }
});
