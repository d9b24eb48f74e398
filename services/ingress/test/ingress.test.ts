// The ingress against the real broker: every answer in CONTRACT.md, and proof that each 200 is in the raw
// topic byte for byte while no rejected request is.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
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
const prefix = uniqueName('ingress');
let ingress: Awaited<ReturnType<typeof startTestIngress>>;
const accepted: string[] = [];
const rejected: string[] = [];

async function postMeta(
  sessionId: string,
  body: string,
  headers: Record<string, string> = metaHeaders(body),
) {
  const res = await ingress.postMeta(sessionId, body, headers);
  (res.status === 200 ? accepted : rejected).push(body);
  return res;
}

beforeAll(async () => {
  ingress = await startTestIngress(brokers, prefix, {
    MAX_BODY_BYTES: String(64 * 1024),
    BODY_TIMEOUT_MS: '1000',
  });
  await ingress.registerSessions({
    'meta-1': { provider: 'meta', enableWebhook: true, secret: META_SECRET, verifyToken: 'vt-1' },
    'meta-off': { provider: 'meta', enableWebhook: false, secret: META_SECRET },
    'cs-1': { provider: 'chatsend', enableWebhook: true, secret: CHATSEND_SECRET },
  });
});
afterAll(async () => {
  await ingress?.stop();
});

describe('session admin', () => {
  it('a stored session comes back with its secret and verify token redacted', async () => {
    const res = await ingress.request('/v1/sessions/meta-1', { headers: auth });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(META_SECRET);
    expect(text).not.toContain('vt-1');
    expect(JSON.parse(text)).toMatchObject({
      sessionId: 'meta-1',
      provider: 'meta',
      enableWebhook: true,
      secret: '[redacted]',
    });
  });

  it('the session routes need an API key', async () => {
    const res = await ingress.request('/v1/sessions/meta-1');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(
      (await ingress.request('/v1/sessions/meta-1', { headers: { Authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
  });

  it('a chatsend secret that is not whsec_<base64> is refused naming the field', async () => {
    const res = await ingress.putSession('cs-bad', {
      provider: 'chatsend',
      enableWebhook: true,
      secret: 'plain',
    });
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('secret') },
    });
  });

  it('a session stored on one instance reaches another instance within seconds', async () => {
    const other = await startTestIngress(brokers, prefix);
    try {
      expect(other.app).toBeDefined();
      const id = `late-${randomUUID().slice(0, 6)}`;
      expect(
        (
          await ingress.putSession(id, {
            provider: 'meta',
            enableWebhook: true,
            secret: 'later-secret-0123456',
          })
        ).status,
      ).toBe(200);
      await waitFor(
        'the other instance to see the session',
        async () => (await other.request(`/v1/sessions/${id}`, { headers: auth })).status === 200,
        { timeoutMs: 10_000 },
      );
    } finally {
      await other.stop();
    }
  });
});

describe('Meta verification handshake', () => {
  it('echoes hub.challenge when the verify token matches', async () => {
    const res = await ingress.request(
      '/webhooks/meta/meta-1?hub.mode=subscribe&hub.verify_token=vt-1&hub.challenge=12345',
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('12345');
  });

  it('answers 403 to a wrong token or an unknown session', async () => {
    expect(
      (
        await ingress.request(
          '/webhooks/meta/meta-1?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1',
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await ingress.request(
          '/webhooks/meta/nobody?hub.mode=subscribe&hub.verify_token=vt-1&hub.challenge=1',
        )
      ).status,
    ).toBe(403);
  });
});

describe('webhook answers', () => {
  it('a signed Meta batch is answered 200 with its number of events', async () => {
    const body = metaStatusBody([
      { id: `wamid.${randomUUID()}`, status: 'sent' },
      { id: `wamid.${randomUUID()}`, status: 'delivered' },
      { id: `wamid.${randomUUID()}`, status: 'read' },
    ]);
    const res = await postMeta('meta-1', body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 3 });
  });

  it('a signed ChatSend event is answered 200', async () => {
    const body = chatsendBody('cs-1');
    const res = await ingress.request('/webhooks/chatsend/cs-1', {
      method: 'POST',
      headers: chatsendHeaders(body),
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 1 });
    accepted.push(body);
  });

  it('an event type this version does not know is accepted and kept', async () => {
    const body = chatsendBody('cs-1', 'contact.updated', { name: 'x' });
    const res = await ingress.request('/webhooks/chatsend/cs-1', {
      method: 'POST',
      headers: chatsendHeaders(body),
      body,
    });
    expect(res.status).toBe(200);
    accepted.push(body);
  });

  it('rejects a bad, missing or stale signature with 401', async () => {
    const body = metaStatusBody([{ id: `wamid.${randomUUID()}`, status: 'sent' }]);
    const wrong = await postMeta('meta-1', body, metaHeaders(body, 'another-secret'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'bad_signature' } });
    const missing = await postMeta('meta-1', body, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'missing_signature' } });

    const cs = chatsendBody('cs-1');
    const stale = chatsendHeaders(cs, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const staleRes = await ingress.request('/webhooks/chatsend/cs-1', {
      method: 'POST',
      headers: stale,
      body: cs,
    });
    expect(staleRes.status).toBe(401);
    expect(await staleRes.json()).toMatchObject({ error: { code: 'stale_timestamp' } });
    const future = chatsendHeaders(cs, { timestamp: Math.floor(Date.now() / 1000) + 301 });
    expect(
      (await ingress.request('/webhooks/chatsend/cs-1', { method: 'POST', headers: future, body: cs }))
        .status,
    ).toBe(401);
    rejected.push(cs);
  });

  it('answers 400 to malformed JSON and to a body that is not the provider shape', async () => {
    const broken = '{"object": "whatsapp_business_account", "entry": [';
    const res = await postMeta('meta-1', broken);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_json' } });
    const wrongShape = JSON.stringify({ object: 'page', entry: [], marker: randomUUID() });
    const shape = await postMeta('meta-1', wrongShape);
    expect(shape.status).toBe(400);
    expect(await shape.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('object') },
    });
  });

  it('answers 404 to an unknown session, a disabled one, or the wrong provider', async () => {
    const body = metaStatusBody([{ id: `wamid.${randomUUID()}`, status: 'sent' }]);
    for (const session of ['nobody', 'meta-off']) {
      const res = await postMeta(session, body);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_session' } });
    }
    const cs = await ingress.request('/webhooks/chatsend/meta-1', {
      method: 'POST',
      headers: chatsendHeaders(body),
      body,
    });
    expect(cs.status).toBe(404);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const body = metaStatusBody([{ id: `wamid.${randomUUID()}`, status: 'sent' }]);
    const res = await postMeta('meta-1', body, { ...metaHeaders(body), 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('answers 413 to a declared body over the limit without reading it', async () => {
    const body = metaStatusBody(
      Array.from({ length: 800 }, () => ({ id: `wamid.${randomUUID()}`, status: 'sent' })),
    );
    expect(body.length).toBeGreaterThan(64 * 1024);
    const res = await postMeta('meta-1', body);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});

describe('over a real socket', () => {
  let port = 0;
  let server: ReturnType<typeof serve>;
  beforeAll(async () => {
    server = serve({ fetch: ingress.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends a chunked body (no Content-Length) and reports the status and error code. */
  const streamed = (chunks: AsyncIterable<string>, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/webhooks/meta/meta-1', headers },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      void (async () => {
        for await (const chunk of chunks)
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(() => {});
    });

  it('answers 413 to a chunked body streamed past the limit', async () => {
    async function* chunks() {
      for (let i = 0; i < 200; i++) yield 'x'.repeat(1024);
    }
    const res = await streamed(chunks(), {
      'content-type': 'application/json',
      'x-hub-signature-256': 'sha256=' + '0'.repeat(64),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('answers 408 to a body that stops arriving', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    async function* chunks() {
      yield '{"object":';
      await stalled;
    }
    const started = performance.now();
    const res = await streamed(chunks(), {
      'content-type': 'application/json',
      'x-hub-signature-256': 'sha256=' + '0'.repeat(64),
    });
    release();
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'body_timeout' } });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('the raw topic', () => {
  it('holds every accepted body exactly once, byte for byte, and no rejected one', async () => {
    const reader = await readRawTopic(brokers, prefix);
    try {
      await waitFor('accepted bodies in the raw topic', () => reader.records.length >= accepted.length, {
        timeoutMs: 15_000,
      });
      const bodies = reader.records.map((r) => r.value!.toString('utf8'));
      for (const body of accepted) expect(bodies.filter((b) => b === body)).toHaveLength(1);
      for (const body of rejected) expect(bodies).not.toContain(body);
      const sample = reader.records[0]!;
      expect(sample.headers['wapipe-version']).toBe('raw.v1');
      expect(['meta-1', 'cs-1']).toContain(sample.key);
    } finally {
      await reader.close();
    }
  });
});

describe('the outbound registry', () => {
  it('accepts one registration or a list, once durable, as typed records keyed by session', async () => {
    const one = {
      messageId: `m-${randomUUID()}`,
      sessionId: 'meta-1',
      recipient: '16505551234',
      providerMessageId: `wamid.${randomUUID()}`,
    };
    const res = await ingress.request('/v1/messages', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(one),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    const many = {
      messages: [1, 2].map((i) => ({
        ...one,
        messageId: `m-${i}-${randomUUID()}`,
        providerMessageId: `wamid.${randomUUID()}`,
        campaignId: 'spring',
      })),
    };
    const res2 = await ingress.request('/v1/messages', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(many),
    });
    expect(await res2.json()).toEqual({ accepted: 2 });
    const bad = await ingress.request('/v1/messages', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ messageId: 'x' }] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'bad_shape', message: expect.stringContaining('messages') },
    });

    const reader = await readRawTopic(brokers, prefix);
    try {
      const ids = [one.messageId, ...many.messages.map((m) => m.messageId)];
      await waitFor('registrations in the raw topic', () =>
        ids.every((id) =>
          reader.records.some(
            (r) => r.headers['wapipe-kind'] === 'registration' && r.value!.toString().includes(id),
          ),
        ),
      );
      const registration = reader.records.find((r) => r.headers['wapipe-kind'] === 'registration')!;
      expect(registration.key).toBe('meta-1');
      expect(registration.headers['wapipe-provider']).toBe('registry');
    } finally {
      await reader.close();
    }
  });
});
