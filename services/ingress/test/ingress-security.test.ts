// Issue 13 against the real ingress and broker: each test performs the attack or sends the bad input and
// checks the answer and the raw topic (nothing stored that was refused, nothing stored twice).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRoutes } from '@wapipe/http';
import { createRegistry } from '@wapipe/observability';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  API_KEY,
  CHATSEND_SECRET,
  META_SECRET,
  auth,
  chatsendBody,
  chatsendHeaders,
  metaHeaders,
  metaStatusBody,
  readRawTopic,
  startTestIngress,
} from '../../../test/support/ingress.ts';

const brokers = testBrokers();
const prefix = uniqueName('ingress-security');
const READ_KEY = 'read-only-key-0123456789';
let ingress: Awaited<ReturnType<typeof startTestIngress>>;
let raw: Awaited<ReturnType<typeof readRawTopic>>;

const bodiesInTopic = () => raw.records.map((r) => r.value!.toString('utf8'));

/**
 * Posts a fresh signed Meta body and waits for it in the raw topic. Records of one session share a
 * partition and the producer keeps their order, so once it is there, every earlier request of the
 * session that was produced is there too.
 */
async function settle(sessionId = 'meta-s') {
  const sentinel = metaStatusBody([{ id: `wamid.sentinel.${randomUUID()}`, status: 'sent' }]);
  expect((await ingress.postMeta(sessionId, sentinel, metaHeaders(sentinel))).status).toBe(200);
  await waitFor('the sentinel in the raw topic', () => bodiesInTopic().includes(sentinel), {
    timeoutMs: 15_000,
  });
}

beforeAll(async () => {
  ingress = await startTestIngress(brokers, prefix, { API_KEYS: `${API_KEY},read:${READ_KEY}` });
  raw = await readRawTopic(brokers, prefix);
  await ingress.registerSessions({
    'meta-s': { provider: 'meta', enableWebhook: true, secret: META_SECRET },
    'cs-s': { provider: 'chatsend', enableWebhook: true, secret: CHATSEND_SECRET },
  });
});
afterAll(async () => {
  await raw?.close();
  await ingress?.stop();
});

describe('a body that is not valid UTF-8 (issue 12)', () => {
  it('is answered 400 bad_json inside a well-formed, correctly signed Meta envelope, and not stored', async () => {
    const marker = `wamid.utf8.${randomUUID()}`;
    const body = Buffer.concat([
      Buffer.from(
        `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",` +
          `"value":{"statuses":[{"id":"${marker}`,
      ),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`","status":"sent","timestamp":"1750857384","recipient_id":"1"}]}}]}]}`),
    ]);
    const res = await ingress.postMeta('meta-s', body, metaHeaders(body));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'bad_json', message: expect.stringContaining('UTF-8') },
    });
    await settle();
    expect(bodiesInTopic().some((b) => b.includes(marker))).toBe(false);
  });
});

describe('weak session secrets', () => {
  it('refuse a chatsend key of 0 bytes (whsec_A), so a signature made with an empty key never passes', async () => {
    const res = await ingress.putSession('cs-weak', {
      provider: 'chatsend',
      enableWebhook: true,
      secret: 'whsec_A',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringMatching(/^secret: .*24 bytes/) },
    });
    const body = chatsendBody('cs-weak');
    const forged = await ingress.postChatsend('cs-weak', body, chatsendHeaders(body, { secret: 'whsec_' }));
    expect(forged.status).toBe(404);
  });

  it('refuse a chatsend key under 24 bytes and a Meta app secret under 16 characters, naming the field', async () => {
    const short = 'whsec_' + Buffer.alloc(23, 7).toString('base64');
    for (const session of [
      { provider: 'chatsend', enableWebhook: true, secret: short },
      { provider: 'meta', enableWebhook: true, secret: 'x' },
      { provider: 'meta', enableWebhook: true, secret: '0123456789abcde' },
    ]) {
      const res = await ingress.putSession('weak', session);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: 'bad_shape', message: expect.stringMatching(/^secret: /) },
      });
    }
    expect((await ingress.request('/v1/sessions/weak', { headers: auth })).status).toBe(404);
    const enough = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
    expect(
      (await ingress.putSession('strong', { provider: 'chatsend', enableWebhook: true, secret: enough }))
        .status,
    ).toBe(200);
  });
});

describe('read-only API keys', () => {
  it('may read but every write answers 403 and changes nothing', async () => {
    const read = { Authorization: `Bearer ${READ_KEY}` };
    expect((await ingress.request('/v1/sessions/meta-s', { headers: read })).status).toBe(200);
    const res = await ingress.putSession(
      'by-reader',
      { provider: 'meta', enableWebhook: true, secret: META_SECRET },
      read,
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('only read') },
    });
    expect((await ingress.request('/v1/sessions/by-reader', { headers: auth })).status).toBe(404);
    const registration = {
      messageId: `m-${randomUUID()}`,
      sessionId: 'meta-s',
      recipient: '16505551234',
      providerMessageId: `wamid.reader.${randomUUID()}`,
    };
    const reg = await ingress.request('/v1/messages', {
      method: 'POST',
      headers: { ...read, 'content-type': 'application/json' },
      body: JSON.stringify(registration),
    });
    expect(reg.status).toBe(403);
    await settle();
    expect(bodiesInTopic().some((b) => b.includes(registration.providerMessageId))).toBe(false);
  });
});

describe('bounds on one body', () => {
  it('refuses more than 1000 events in one Meta body with 400, and stores nothing of it', async () => {
    const marker = `wamid.many.${randomUUID()}`;
    const body = metaStatusBody(
      Array.from({ length: 1001 }, (_, i) => ({ id: `${marker}.${i}`, status: 'sent' })),
    );
    const res = await ingress.postMeta('meta-s', body, metaHeaders(body));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('at most 1000') },
    });
    const thousand = metaStatusBody(
      Array.from({ length: 1000 }, (_, i) => ({ id: `${marker}.ok.${i}`, status: 'sent' })),
    );
    const ok = await ingress.postMeta('meta-s', thousand, metaHeaders(thousand));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: 1000 });
    await settle();
    expect(bodiesInTopic().some((b) => b.includes(`${marker}.0"`))).toBe(false);
  });

  it('refuses an id longer than 256 characters with 400 naming where it is', async () => {
    const longId = `wamid.${'x'.repeat(251)}`;
    expect(longId.length).toBe(257);
    const meta = metaStatusBody([{ id: longId, status: 'sent' }]);
    const res = await ingress.postMeta('meta-s', meta, metaHeaders(meta));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('statuses[0].id') },
    });
    const cs = chatsendBody('cs-s', 'message.status', { messageId: 'y'.repeat(257) });
    const csRes = await ingress.postChatsend('cs-s', cs, chatsendHeaders(cs));
    expect(csRes.status).toBe(400);
    expect(await csRes.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('data.messageId') },
    });
    const at256 = metaStatusBody([{ id: longId.slice(1), status: 'sent' }]);
    expect((await ingress.postMeta('meta-s', at256, metaHeaders(at256))).status).toBe(200);
    await settle();
    expect(bodiesInTopic().some((b) => b.includes(longId))).toBe(false);
  });

  it('refuses a registration whose sessionId breaks the session-id rule of the routes', async () => {
    const providerMessageId = `wamid.badsession.${randomUUID()}`;
    const res = await ingress.request('/v1/messages', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        messageId: `m-${randomUUID()}`,
        sessionId: 'not a session/id',
        recipient: '16505551234',
        providerMessageId,
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('sessionId') },
    });
    await settle();
    expect(bodiesInTopic().some((b) => b.includes(providerMessageId))).toBe(false);
  });
});

describe('webhook-id', () => {
  it('an empty webhook-id on a signed Meta post is ignored (Meta does not sign it): 200, stored once', async () => {
    const body = metaStatusBody([{ id: `wamid.emptyid.${randomUUID()}`, status: 'sent' }]);
    const res = await ingress.postMeta('meta-s', body, { ...metaHeaders(body), 'webhook-id': '' });
    expect(res.status).toBe(200);
    await waitFor('the body in the raw topic', () => bodiesInTopic().includes(body));
    const record = raw.records.find((r) => r.value!.toString('utf8') === body)!;
    expect(record.headers['wapipe-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a webhook-id on a Meta post does not make two different bodies one', async () => {
    const a = metaStatusBody([{ id: `wamid.sameid.a.${randomUUID()}`, status: 'sent' }]);
    const b = metaStatusBody([{ id: `wamid.sameid.b.${randomUUID()}`, status: 'sent' }]);
    for (const body of [a, b]) {
      expect(
        (await ingress.postMeta('meta-s', body, { ...metaHeaders(body), 'webhook-id': 'chosen' })).status,
      ).toBe(200);
    }
    await waitFor('both bodies in the raw topic', () => [a, b].every((x) => bodiesInTopic().includes(x)));
  });

  it('a Standard Webhooks request replayed within its window answers 200 and is not produced again', async () => {
    const body = chatsendBody('cs-s');
    const headers = chatsendHeaders(body);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await ingress.postChatsend('cs-s', body, headers));
    const concurrent = await Promise.all(
      Array.from({ length: 3 }, () => ingress.postChatsend('cs-s', body, headers)),
    );
    for (const res of [...answers, ...concurrent]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: 1 });
    }
    const fresh = chatsendBody('cs-s');
    expect((await ingress.postChatsend('cs-s', fresh, chatsendHeaders(fresh))).status).toBe(200);
    await waitFor('the later request in the raw topic', () => bodiesInTopic().includes(fresh));
    expect(bodiesInTopic().filter((b) => b === body)).toHaveLength(1);
  });
});

describe('/readyz', () => {
  it('runs its checks at most once per second however often it is called', async () => {
    let kafkaChecks = 0;
    const health = healthRoutes({
      registry: createRegistry(),
      checks: {
        kafka: () => {
          kafkaChecks++;
          return ingress.kafka.isReachable();
        },
      },
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => health.request('/readyz')));
    for (let i = 0; i < 30; i++) answers.push(await health.request('/readyz'));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(kafkaChecks).toBe(1);
    await waitFor('a fresh check once the cached answer is old', async () => {
      await health.request('/readyz');
      return kafkaChecks === 2;
    });
  });
});

describe('the raw topic', () => {
  it('has its own retention, longer than the 7-day journal, from RAW_TOPIC_RETENTION_DAYS', async () => {
    const admin = ingress.kafka.client.admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* TOPIC */, name: `${prefix}.raw.v1`, configNames: ['retention.ms'] }],
      });
      const entry = described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms');
      expect(Number(entry?.configValue)).toBe(14 * 24 * 60 * 60 * 1000);
      expect(entry?.isDefault).toBe(false);
    } finally {
      await admin.disconnect();
    }
  });
});
