// The read API's contract, route by route, against the real engine and the consumers' real migrations.
// Rows are inserted directly: the unit under test is the read side. (Stats, lists and injection have their
// own files.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp, createApiMetrics } from '@wapipe/api';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { chDateTime } from '@wapipe/pipeline';
import { startApiTestApp } from '../../../test/support/api-app.ts';
import type { ApiTestApp } from '../../../test/support/api-app.ts';
import { failureRow, inboundRow, registryRow, statusRow } from '../../../test/support/api-tables.ts';

const S = 'shop-main';
const t0 = Date.parse('2026-11-29T10:00:00.000Z');
const at = (seconds: number) => chDateTime(new Date(t0 + seconds * 1000));
const iso = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

let api: ApiTestApp;

const status = (
  pmid: string,
  s: string,
  seconds: number,
  extra: { participant?: string; eventId?: string } = {},
) =>
  statusRow({
    event_id: extra.eventId ?? `${pmid}:${s}:${extra.participant ?? ''}`,
    session_id: S,
    provider_message_id: pmid,
    recipient: '15550001111',
    status: s,
    group_participant: extra.participant ?? '',
    occurred_at: at(seconds),
  });

beforeAll(async () => {
  api = await startApiTestApp({ sessions: [S] });
  const { ch } = api;
  await ch.insert({
    table: 'delivery_outbound_messages',
    rows: [
      registryRow({
        message_id: 'order-1',
        provider_message_id: 'wamid.A',
        session_id: S,
        recipient: '15550001111',
        sent_at: at(0),
        registered_at: at(1),
      }),
      registryRow({
        message_id: 'order-2',
        provider_message_id: 'wamid.PENDING',
        session_id: S,
        recipient: '15550002222',
        registered_at: at(5),
      }),
      registryRow({
        message_id: 'order-3',
        provider_message_id: 'wamid.FAILDEL',
        session_id: S,
        recipient: '15550003333',
        registered_at: at(0),
      }),
    ],
  });
  // Out of order, in several inserts (unmerged parts), with repeats: the timeline must not care.
  await ch.insert({
    table: 'delivery_status_events',
    rows: [status('wamid.A', 'read', 30), status('wamid.A', 'delivered', 20)],
  });
  await ch.insert({
    table: 'delivery_status_events',
    rows: [
      status('wamid.A', 'sent', 10),
      status('wamid.A', 'delivered', 25, { eventId: 'wamid.A:delivered:late-copy' }),
    ],
  });
  await ch.insert({
    table: 'delivery_status_events',
    rows: [
      status('wamid.FAILDEL', 'sent', 10),
      status('wamid.FAILDEL', 'failed', 12),
      status('wamid.FAILDEL', 'delivered', 40),
      status('wamid.FAILONLY', 'sent', 10),
      status('wamid.FAILONLY', 'failed', 11),
      // A group message: one report per participant, still one timeline entry per status.
      status('wamid.GROUP', 'sent', 3),
      status('wamid.GROUP', 'delivered', 9, { participant: '1555000007' }),
      status('wamid.GROUP', 'delivered', 7, { participant: '1555000008' }),
      status('wamid.GROUP', 'read', 50, { participant: '1555000008' }),
    ],
  });
  await ch.insert({
    table: 'failures_events',
    rows: [
      failureRow({
        event_id: 'f2',
        session_id: S,
        provider_message_id: 'wamid.FAILDEL',
        code: '131049',
        title: 'Ecosystem limit',
        category: 'policy',
        retryable: 0,
        occurred_at: at(14),
      }),
      failureRow({
        event_id: 'f1',
        session_id: S,
        provider_message_id: 'wamid.FAILDEL',
        code: '131026',
        title: 'Message undeliverable',
        category: 'recipient',
        retryable: 0,
        occurred_at: at(12),
      }),
      failureRow({
        event_id: 'f3',
        session_id: S,
        provider_message_id: 'wamid.FAILONLY',
        code: '131000',
        title: 'Something went wrong',
        category: 'transient',
        retryable: 1,
        occurred_at: at(11),
      }),
    ],
  });
  await ch.insert({
    table: 'replies_inbound',
    rows: [
      inboundRow({
        session_id: S,
        provider_message_id: 'wamid.IN2',
        from_id: '15550001111',
        text: 'second',
        linked_provider_message_id: 'wamid.A',
        occurred_at: at(90),
      }),
      inboundRow({
        session_id: S,
        provider_message_id: 'wamid.IN1',
        from_id: '15550001111',
        text: 'thanks!',
        reply_to_provider_message_id: 'wamid.A',
        linked_provider_message_id: 'wamid.A',
        occurred_at: at(60),
      }),
      inboundRow({
        session_id: S,
        provider_message_id: 'wamid.IN3',
        from_id: '15550009999',
        text: 'unrelated',
        occurred_at: at(70),
      }),
    ],
  });
});

afterAll(async () => {
  await api?.cleanup();
});

describe('GET /v1/messages/{id}', () => {
  it('finds a registered message by its message id and by its provider message id alike', async () => {
    const byMessageId = await api.getJson('/v1/messages/order-1');
    const byProviderId = await api.getJson('/v1/messages/wamid.A');
    expect(byProviderId).toEqual(byMessageId);
    expect(byMessageId).toEqual({
      messageId: 'order-1',
      providerMessageId: 'wamid.A',
      sessionId: S,
      recipient: '15550001111',
      status: 'read',
      updatedAt: iso(30),
      timeline: [
        { status: 'sent', at: iso(10), eventId: 'wamid.A:sent:' },
        { status: 'delivered', at: iso(20), eventId: 'wamid.A:delivered:' },
        { status: 'read', at: iso(30), eventId: 'wamid.A:read:' },
      ],
      failure: null,
      replies: [
        { providerMessageId: 'wamid.IN1', at: iso(60), type: 'text', text: 'thanks!' },
        { providerMessageId: 'wamid.IN2', at: iso(90), type: 'text', text: 'second' },
      ],
    });
  });

  it('answers a registered message with no status yet as pending, with an empty timeline', async () => {
    const body = await api.getJson('/v1/messages/order-2');
    expect(body).toMatchObject({
      messageId: 'order-2',
      providerMessageId: 'wamid.PENDING',
      status: 'pending',
      updatedAt: iso(5),
      timeline: [],
      failure: null,
      replies: [],
    });
  });

  it('keeps the failure of a message that a later delivery superseded, and calls it delivered', async () => {
    const body = await api.getJson('/v1/messages/wamid.FAILDEL');
    expect(body).toMatchObject({
      messageId: 'order-3',
      status: 'delivered',
      updatedAt: iso(40),
      failure: { code: '131026', title: 'Message undeliverable', category: 'recipient', retryable: false },
    });
    expect((body['timeline'] as { status: string }[]).map((s) => s.status)).toEqual([
      'sent',
      'failed',
      'delivered',
    ]);
  });

  it('answers a message that failed and was never delivered as failed, with messageId null when unregistered', async () => {
    const body = await api.getJson('/v1/messages/wamid.FAILONLY');
    expect(body).toMatchObject({
      messageId: null,
      providerMessageId: 'wamid.FAILONLY',
      sessionId: S,
      recipient: '15550001111',
      status: 'failed',
      failure: { code: '131000', category: 'transient', retryable: true },
    });
  });

  it('lists each status of a group message once, at its earliest report', async () => {
    const body = await api.getJson('/v1/messages/wamid.GROUP');
    expect(body['timeline']).toEqual([
      { status: 'sent', at: iso(3), eventId: 'wamid.GROUP:sent:' },
      { status: 'delivered', at: iso(7), eventId: 'wamid.GROUP:delivered:1555000008' },
      { status: 'read', at: iso(50), eventId: 'wamid.GROUP:read:1555000008' },
    ]);
    expect(body['status']).toBe('read');
  });

  it('answers 404 not_found for an id nothing knows', async () => {
    const res = await api.get('/v1/messages/wamid.NOPE');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers 400 naming id for an id longer than 256 characters', async () => {
    const res = await api.get(`/v1/messages/${'x'.repeat(257)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'bad_parameter', message: expect.stringMatching(/^id: /) },
    });
  });
});

describe('API keys', () => {
  const routes = [
    '/v1/messages/order-1',
    '/v1/sessions/shop-main/stats?from=2026-11-29T00:00:00Z&to=2026-11-30T00:00:00Z',
    '/v1/sessions/shop-main/failures',
    '/v1/sessions/shop-main/replies',
    '/v1/alerts',
  ];

  it('answers 401 on every /v1 route without a key, with a wrong key, or with another scheme', async () => {
    for (const path of routes) {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer wrong' },
        { authorization: `Basic ${btoa('a:b')}` },
      ]) {
        const res = await api.app.request(path, { headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
    }
  });

  it('accepts any of the configured keys', async () => {
    for (const path of routes) {
      expect((await api.get(path, { key: 'second-key' })).status, path).toBe(200);
    }
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await api.get('/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/console',
      '/console/',
      '/docs',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
      '/v1/alerts',
      '/v1/audit',
      '/v1/consumers',
      '/v1/failures',
      '/v1/messages/{id}',
      '/v1/messages/{id}/raw',
      '/v1/raw',
      '/v1/session-states',
      '/v1/sessions/{sessionId}/failures',
      '/v1/sessions/{sessionId}/replies',
      '/v1/sessions/{sessionId}/stats',
      '/v1/sessions/{sessionId}/stream',
      '/v1/stats',
      '/v1/stats/latency',
    ]);
  });
});

describe('metrics', () => {
  it('count requests by route and status, never by id', async () => {
    const registry = createRegistry();
    const app = createApiApp({
      ch: api.ch,
      apiKeys: ['k'],
      sessions: api.sessions,
      logger: silentLogger,
      metrics: createApiMetrics(registry),
    });
    const auth = { headers: { authorization: 'Bearer k' } };
    await app.request('/v1/messages/order-1', auth);
    await app.request('/v1/messages/wamid.NOPE', auth);
    await app.request('/v1/alerts');
    const text = await registry.metrics();
    expect(text).toContain('wapipe_api_requests_total{route="message",status="200"} 1');
    expect(text).toContain('wapipe_api_requests_total{route="message",status="404"} 1');
    expect(text).toContain('wapipe_api_requests_total{route="alerts",status="401"} 1');
    expect(text).not.toContain('order-1');
  });
});

describe('errors', () => {
  it('answers an unknown route 404 with the error shape', async () => {
    const res = await api.get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers 503 with Retry-After while the tables do not exist yet', async () => {
    const empty = await startApiTestApp({ tables: false });
    try {
      const res = await empty.get('/v1/messages/order-1');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    } finally {
      await empty.cleanup();
    }
  });
});
