// Hostile values in every parameter of every route: each answer is a 400, a 404, or a 200 with an empty
// result, never a 500, and every table still holds exactly its rows afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chDateTime } from '@wapipe/pipeline';
import { startApiTestApp } from '../../../test/support/api-app.ts';
import type { ApiTestApp } from '../../../test/support/api-app.ts';
import {
  alertRow,
  apiTables,
  failureRow,
  inboundRow,
  registryRow,
  statusRow,
} from '../../../test/support/api-tables.ts';

const S = 'victim';
const now = new Date('2026-11-29T12:00:00.000Z');
const at = chDateTime(new Date(now.getTime() - 3_600_000));

const hostile = [
  "'; DROP TABLE delivery_status_events; --",
  "' OR 1=1 --",
  "' OR '1'='1",
  '" OR ""="',
  "victim' --",
  "victim') OR ('1'='1",
  "1' UNION ALL SELECT name, '', '', '', '', '' FROM system.tables --",
  '1; SELECT * FROM system.users',
  '{id:String}',
  '{session:String}',
  "{x:Identifier}') --",
  '\\',
  "\\' OR 1=1 --",
  'victim\\',
  '\u0000',
  "\u0000' OR 1=1",
  '%27%20OR%201%3D1',
  '😀 ñ 中文 עברית',
  '\u202e\u0301',
  'x'.repeat(5000),
  "'".repeat(300),
  '../../etc/passwd',
  '\n\r\t',
  '*',
  '%',
  'NULL',
  '-1',
  '0x7FFFFFFF',
  '1e309',
  '2026-11-29T10:00:00Z; DROP TABLE x',
  "2026-11-29T10:00:00Z' OR '1'='1",
];

let api: ApiTestApp;
let before: Record<string, number>;

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of apiTables) {
    const [row] = await api.ch.query({
      query: `SELECT count() AS n FROM ${api.ch.table(table)}`,
      schema: z.object({ n: z.coerce.number() }),
    });
    counts[table] = row!.n;
  }
  return counts;
}

beforeAll(async () => {
  api = await startApiTestApp({ now, sessions: [S] });
  const { ch } = api;
  await ch.insert({
    table: 'delivery_outbound_messages',
    rows: [
      registryRow({
        message_id: 'm1',
        provider_message_id: 'wamid.V1',
        session_id: S,
        recipient: '1',
        registered_at: at,
      }),
    ],
  });
  await ch.insert({
    table: 'delivery_status_events',
    rows: [
      statusRow({
        event_id: 'e1',
        session_id: S,
        provider_message_id: 'wamid.V1',
        recipient: '1',
        status: 'sent',
        occurred_at: at,
      }),
    ],
  });
  // The rollup's view hangs off its feed, which the delivery journal writes with the cohort changes.
  await ch.insert({
    table: 'delivery_rollup_feed',
    rows: [
      {
        session_id: S,
        provider_message_id: 'wamid.V1',
        minute: at.slice(0, 16) + ':00',
        sign: 1,
        delivered: 0,
        read: 0,
        failed: 0,
        changed_at: at,
      },
    ],
  });
  await ch.insert({
    table: 'replies_inbound',
    rows: [inboundRow({ session_id: S, provider_message_id: 'wamid.R1', from_id: '1', occurred_at: at })],
  });
  await ch.insert({
    table: 'failures_events',
    rows: [
      failureRow({
        event_id: 'f1',
        session_id: S,
        provider_message_id: 'wamid.V1',
        code: '131026',
        title: 't',
        category: 'recipient',
        retryable: 0,
        occurred_at: at,
      }),
    ],
  });
  await ch.insert({
    table: 'failures_alerts',
    rows: [
      alertRow({
        id: 'a1',
        session_id: S,
        kind: 'k',
        severity: 'warning',
        status: 'open',
        opened_at: at,
        resolved_at: null,
        detail: '{}',
        version: 1,
      }),
    ],
  });
  before = await rowCounts();
  for (const table of apiTables) expect(before[table], table).toBeGreaterThan(0);
});

afterAll(async () => {
  await api?.cleanup();
});

const q = encodeURIComponent;
const range = 'from=2026-11-29T00:00:00Z&to=2026-11-30T00:00:00Z';

/** Every parameter of every route, each as a function of the hostile value. */
const targets: Record<string, (v: string) => string> = {
  'messages id': (v) => `/v1/messages/${q(v)}`,
  'stats sessionId': (v) => `/v1/sessions/${q(v)}/stats?${range}`,
  'stats from': (v) => `/v1/sessions/${S}/stats?from=${q(v)}&to=2026-11-30T00:00:00Z`,
  'stats to': (v) => `/v1/sessions/${S}/stats?from=2026-11-29T00:00:00Z&to=${q(v)}`,
  'stats interval': (v) => `/v1/sessions/${S}/stats?${range}&interval=${q(v)}`,
  'failures sessionId': (v) => `/v1/sessions/${q(v)}/failures`,
  'failures from': (v) => `/v1/sessions/${S}/failures?from=${q(v)}`,
  'failures to': (v) => `/v1/sessions/${S}/failures?to=${q(v)}`,
  'replies sessionId': (v) => `/v1/sessions/${q(v)}/replies`,
  'replies from': (v) => `/v1/sessions/${S}/replies?from=${q(v)}`,
  'replies to': (v) => `/v1/sessions/${S}/replies?to=${q(v)}`,
  'replies limit': (v) => `/v1/sessions/${S}/replies?limit=${q(v)}`,
  'replies cursor': (v) => `/v1/sessions/${S}/replies?cursor=${q(v)}`,
  'alerts sessionId': (v) => `/v1/alerts?sessionId=${q(v)}`,
  'alerts status': (v) => `/v1/alerts?status=${q(v)}`,
  'alerts limit': (v) => `/v1/alerts?limit=${q(v)}`,
  'alerts cursor': (v) => `/v1/alerts?cursor=${q(v)}`,
};

/** True when a 200 body carries nothing: no rows, no counts. */
function isEmptyResult(body: Record<string, unknown>): boolean {
  if ('replies' in body && 'nextCursor' in body) return (body['replies'] as unknown[]).length === 0;
  if ('alerts' in body) return (body['alerts'] as unknown[]).length === 0;
  if ('byCode' in body) return (body['byCode'] as unknown[]).length === 0;
  if ('totals' in body) {
    const totals = body['totals'] as Record<string, number | null>;
    return ['sent', 'delivered', 'read', 'failed', 'replies'].every((k) => totals[k] === 0);
  }
  return false;
}

describe('hostile parameter values', () => {
  it('are refused or find nothing, on every parameter of every route, and never reach the SQL', async () => {
    const outcomes: string[] = [];
    for (const [target, path] of Object.entries(targets)) {
      for (const value of hostile) {
        const res = await api.get(path(value));
        const label = `${target} = ${JSON.stringify(value.slice(0, 40))}`;
        const body = (await res.json()) as Record<string, unknown>;
        if (res.status === 200) {
          expect(isEmptyResult(body), `${label}: ${JSON.stringify(body).slice(0, 200)}`).toBe(true);
        } else {
          expect([400, 404], `${label}: ${JSON.stringify(body)}`).toContain(res.status);
          expect(body['error'], label).toMatchObject({
            code: expect.stringMatching(/^(bad_parameter|not_found|unknown_session)$/),
          });
        }
        outcomes.push(`${target}:${res.status}`);
      }
    }
    expect(outcomes).toHaveLength(Object.keys(targets).length * hostile.length);
    expect(await rowCounts()).toEqual(before);
  });

  it('in a well-formed cursor are only compared, as values', async () => {
    const cursor = (id: string) =>
      Buffer.from(JSON.stringify([1, '1970-01-01T00:00:00.000Z', id])).toString('base64url');
    for (const value of hostile.filter((v) => v.length <= 256)) {
      for (const path of [
        `/v1/sessions/${S}/replies?cursor=${cursor(value)}`,
        `/v1/alerts?cursor=${cursor(value)}`,
      ]) {
        const res = await api.get(path);
        const body = (await res.json()) as Record<string, unknown>;
        expect(res.status, path).toBe(200);
        expect(isEmptyResult(body), `${path}: ${JSON.stringify(body)}`).toBe(true);
      }
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('still let the same routes find the rows with honest values', async () => {
    expect((await api.getJson('/v1/messages/m1'))['status']).toBe('sent');
    expect(((await api.getJson(`/v1/sessions/${S}/replies`))['replies'] as unknown[]).length).toBe(1);
    expect(((await api.getJson(`/v1/alerts?sessionId=${S}`))['alerts'] as unknown[]).length).toBe(1);
    expect(((await api.getJson(`/v1/sessions/${S}/failures`))['byCode'] as unknown[]).length).toBe(1);
    expect((await api.getJson(`/v1/sessions/${S}/stats?${range}`))['totals']).toMatchObject({
      sent: 1,
      replies: 1,
    });
  });
});
