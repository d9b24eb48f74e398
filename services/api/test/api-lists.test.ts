// The paged lists: replies and alerts. Paging through every page must give exactly the full list, newest
// first, whatever the page size, including rows that share a timestamp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chDateTime } from '@wapipe/pipeline';
import { startApiTestApp } from '../../../test/support/api-app.ts';
import type { ApiTestApp } from '../../../test/support/api-app.ts';
import { alertRow, inboundRow, registryRow } from '../../../test/support/api-tables.ts';

const S = 'shop-lists';
const now = new Date('2026-11-29T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

interface Reply {
  providerMessageId: string;
  at: string;
  from: string;
  type: string;
  text: string;
  replyTo: { messageId: string | null; providerMessageId: string } | null;
}

// 40 replies within the last day, some sharing a timestamp; three outside it.
const replies = Array.from({ length: 43 }, (_, i) => {
  const hours = i < 40 ? (i % 10 === 0 ? 5 : 0.25 + i * 0.5) : 30 + i;
  const link = i % 3 === 0 ? 'wamid.OUT-REGISTERED' : i % 3 === 1 ? 'wamid.OUT-UNKNOWN' : '';
  return {
    row: inboundRow({
      session_id: S,
      provider_message_id: `wamid.IN${String(i).padStart(3, '0')}`,
      from_id: `1555000${i}`,
      type: i % 4 === 0 ? 'image' : 'text',
      text: `reply ${i}`,
      reply_to_provider_message_id: i % 6 === 1 ? link : '',
      linked_provider_message_id: link,
      occurred_at: chDateTime(hoursAgo(hours)),
    }),
    hours,
  };
});

const expectedReplies = (maxHours: number): Reply[] =>
  replies
    .filter((r) => r.hours <= maxHours)
    .map(({ row }) => ({
      providerMessageId: row.provider_message_id,
      at: new Date(`${row.occurred_at.replace(' ', 'T')}Z`).toISOString(),
      from: row.from_id,
      type: row.type,
      text: row.text,
      replyTo: row.linked_provider_message_id
        ? {
            messageId:
              row.linked_provider_message_id === 'wamid.OUT-REGISTERED' ? 'campaign-7:contact-1' : null,
            providerMessageId: row.linked_provider_message_id,
          }
        : null,
    }))
    .sort((a, b) => b.at.localeCompare(a.at) || b.providerMessageId.localeCompare(a.providerMessageId));

let api: ApiTestApp;

beforeAll(async () => {
  api = await startApiTestApp({ now, sessions: [S, 'nobody'] });
  // Two batches so the table holds several parts.
  await api.ch.insert({ table: 'replies_inbound', rows: replies.slice(0, 20).map((r) => r.row) });
  await api.ch.insert({ table: 'replies_inbound', rows: replies.slice(20).map((r) => r.row) });
  await api.ch.insert({
    table: 'delivery_outbound_messages',
    rows: [
      registryRow({
        message_id: 'campaign-7:contact-1',
        provider_message_id: 'wamid.OUT-REGISTERED',
        session_id: S,
        recipient: '1555',
        registered_at: chDateTime(hoursAgo(40)),
      }),
    ],
  });
  // A reply's messageId comes from the replies service's own outbound index (replies_outbound_v1).
  await api.ch.insert({
    table: 'replies_outbound_index',
    rows: [
      {
        session_id: S,
        recipient: '1555',
        provider_message_id: 'wamid.OUT-REGISTERED',
        message_id: 'campaign-7:contact-1',
        registered_at: chDateTime(hoursAgo(40)),
        version: 1,
      },
    ],
  });
});

afterAll(async () => {
  await api?.cleanup();
});

async function allPages<T>(
  firstPath: string,
  key: 'replies' | 'alerts',
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = firstPath.includes('?') ? '&' : '?';
    const path: string = cursor ? `${firstPath}${sep}cursor=${cursor}` : firstPath;
    const body: Record<string, unknown> = await api.getJson(path);
    items.push(...(body[key] as T[]));
    cursor = body['nextCursor'] as string | null;
    pages += 1;
    if (pages > 100) throw new Error('paging does not end');
  } while (cursor !== null);
  return { items, pages };
}

describe('GET /v1/sessions/{sessionId}/replies', () => {
  it('lists the last 24 hours newest first, with the replied-to message when known', async () => {
    const body = await api.getJson<{ replies: Reply[]; nextCursor: string | null }>(
      `/v1/sessions/${S}/replies`,
    );
    expect(body).toEqual({ replies: expectedReplies(24), nextCursor: null });
  });

  it('gives exactly the full list page by page, for any page size, ties included', async () => {
    const full = expectedReplies(1000);
    const from = hoursAgo(1000).toISOString();
    for (const limit of [1, 2, 7, 42, 43, 1000]) {
      const { items, pages } = await allPages<Reply>(
        `/v1/sessions/${S}/replies?from=${from}&limit=${limit}`,
        'replies',
      );
      expect(items, `limit ${limit}`).toEqual(full);
      expect(pages, `limit ${limit}`).toBe(Math.max(1, Math.ceil(full.length / limit)));
    }
  });

  it('answers an empty page for a session or range with no replies', async () => {
    expect(await api.getJson('/v1/sessions/nobody/replies')).toEqual({ replies: [], nextCursor: null });
    const from = hoursAgo(200).toISOString();
    const to = hoursAgo(100).toISOString();
    expect(await api.getJson(`/v1/sessions/${S}/replies?from=${from}&to=${to}`)).toEqual({
      replies: [],
      nextCursor: null,
    });
  });

  it('answers 400 naming the parameter for a bad limit, cursor or range', async () => {
    const valid = ((await api.getJson(`/v1/sessions/${S}/replies?limit=1`)) as { nextCursor: string })
      .nextCursor;
    // The same instant written another way is still not a cursor we issued.
    const [version, at, id] = JSON.parse(Buffer.from(valid, 'base64url').toString()) as [
      number,
      string,
      string,
    ];
    const tampered = Buffer.from(JSON.stringify([version, at.replace('Z', '+00:00'), id])).toString(
      'base64url',
    );
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=', 'limit'],
      ['cursor=', 'cursor'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${valid}x`, 'cursor'],
      [`cursor=${tampered}`, 'cursor'],
      [`cursor=${Buffer.from('[1,"2026-11-29T00:00:00.000Z",""]').toString('base64url')}`, 'cursor'],
      ['from=2026-11-29T10:00:00Z&to=2026-11-29T09:00:00Z', 'from'],
      ['to=later', 'to'],
      ['limit=5&limit=6', 'limit'],
    ];
    for (const [query, name] of cases) {
      const res = await api.get(`/v1/sessions/${S}/replies?${query}`);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, query).toBe('bad_parameter');
      expect(body.error.message, query).toMatch(new RegExp(`^${name}: `));
    }
  });
});

describe('GET /v1/alerts', () => {
  interface Alert {
    id: string;
    sessionId: string;
    status: string;
    openedAt: string;
    resolvedAt: string | null;
    detail: unknown;
  }
  const alert = (id: string, session: string, hours: number, version: number, resolvedHours: number | null) =>
    alertRow({
      id,
      session_id: session,
      kind: 'failure_rate',
      severity: id.endsWith('c') ? 'critical' : 'warning',
      status: resolvedHours === null ? 'open' : 'resolved',
      opened_at: chDateTime(hoursAgo(hours)),
      resolved_at: resolvedHours === null ? null : chDateTime(hoursAgo(resolvedHours)),
      detail: JSON.stringify({ rate: 0.25, window: '5m', id }),
      version,
    });

  beforeAll(async () => {
    await api.ch.insert({
      table: 'failures_alerts',
      rows: [
        alert('a1c', 'shop-a', 72, 1, null),
        alert('a2', 'shop-a', 10, 1, null),
        alert('a3', 'shop-b', 5, 1, null),
        alert('a4c', 'shop-b', 1, 1, null),
        alert('a5', 'shop-a', 10, 1, null),
      ],
    });
    // a later version resolves a2: FINAL must show only that one.
    await api.ch.insert({ table: 'failures_alerts', rows: [alert('a2', 'shop-a', 10, 2, 8)] });
  });

  it('lists every alert once, at its latest version, newest first, however old', async () => {
    const body = await api.getJson<{ alerts: Alert[]; nextCursor: null }>('/v1/alerts');
    expect(body.alerts.map((a) => [a.id, a.status])).toEqual([
      ['a4c', 'open'],
      ['a3', 'open'],
      ['a5', 'open'],
      ['a2', 'resolved'],
      ['a1c', 'open'],
    ]);
    expect(body.nextCursor).toBeNull();
    expect(body.alerts[3]).toEqual({
      id: 'a2',
      sessionId: 'shop-a',
      kind: 'failure_rate',
      severity: 'warning',
      status: 'resolved',
      openedAt: hoursAgo(10).toISOString(),
      resolvedAt: hoursAgo(8).toISOString(),
      detail: { rate: 0.25, window: '5m', id: 'a2' },
    });
  });

  it('filters by session and by status', async () => {
    const ids = async (query: string) =>
      ((await api.getJson(`/v1/alerts?${query}`)) as { alerts: Alert[] }).alerts.map((a) => a.id);
    expect(await ids('sessionId=shop-a')).toEqual(['a5', 'a2', 'a1c']);
    expect(await ids('status=open')).toEqual(['a4c', 'a3', 'a5', 'a1c']);
    expect(await ids('status=resolved')).toEqual(['a2']);
    expect(await ids('sessionId=shop-a&status=open')).toEqual(['a5', 'a1c']);
    expect(await ids('sessionId=nobody')).toEqual([]);
  });

  it('gives exactly the full list page by page', async () => {
    const full = ((await api.getJson('/v1/alerts')) as { alerts: Alert[] }).alerts;
    for (const limit of [1, 2, 4, 5]) {
      const { items } = await allPages<Alert>(`/v1/alerts?limit=${limit}`, 'alerts');
      expect(items, `limit ${limit}`).toEqual(full);
    }
  });

  it('answers 400 naming the parameter for a bad status, session, limit or cursor', async () => {
    for (const [query, name] of [
      ['status=closed', 'status'],
      ['status=', 'status'],
      ['sessionId=a b', 'sessionId'],
      ['sessionId=', 'sessionId'],
      ['limit=0', 'limit'],
      ['cursor=%%%', 'cursor'],
    ] as const) {
      const res = await api.get(`/v1/alerts?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, query).toMatch(
        new RegExp(`^${name}: `),
      );
    }
  });
});
