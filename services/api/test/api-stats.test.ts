// Stats and failures against ground truth the test computes from its own generated data. Cohort rows go
// through delivery_rollup_feed, as the delivery consumer's journal writes them (a -1 for the old row, a +1
// for the new one), so the real materialized view fills the rollup, in many unmerged parts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chDateTime } from '@wapipe/pipeline';
import { startApiTestApp } from '../../../test/support/api-app.ts';
import type { ApiTestApp } from '../../../test/support/api-app.ts';
import { failureRow, inboundRow } from '../../../test/support/api-tables.ts';

const S = 'shop-stats';
const OTHER = 'shop-other';
const DAY = 86_400_000;
const start = Date.parse('2026-11-20T00:00:00.000Z');
const now = new Date('2026-11-23T12:00:00.000Z');

interface Cohort {
  minute: number;
  delivered: 0 | 1;
  read: 0 | 1;
  failed: 0 | 1;
}
interface Message {
  pmid: string;
  session: string;
  history: Cohort[];
}

// A small deterministic generator, so a failure can be reproduced.
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}
const random = rng(42);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const minuteAt = (ms: number) => Math.floor(ms / 60_000) * 60_000;

/** Each message's cohort rows over time: first seen, maybe moved by a late registration, maybe upgraded. */
function generateMessages(count: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const first = minuteAt(start + random() * 3 * DAY);
    const outcome = pick(['sent', 'delivered', 'read', 'failed', 'failed-then-delivered'] as const);
    const history: Cohort[] = [{ minute: first, delivered: 0, read: 0, failed: 0 }];
    const last = () => history.at(-1)!;
    if (random() < 0.3) history.push({ ...last(), minute: minuteAt(first - random() * 3 * 3_600_000) });
    if (outcome === 'failed' || outcome === 'failed-then-delivered') history.push({ ...last(), failed: 1 });
    if (outcome === 'failed-then-delivered') history.push({ ...last(), failed: 0, delivered: 1 });
    if (outcome === 'delivered' || outcome === 'read') history.push({ ...last(), delivered: 1 });
    if (outcome === 'read') history.push({ ...last(), read: 1 });
    return { pmid: `wamid.S${i}`, session: i % 7 === 0 ? OTHER : S, history };
  });
}

/** The rows the delivery consumer writes for one step of a message's history. */
function cohortChanges(m: Message, step: number) {
  const row = (c: Cohort, sign: 1 | -1) => ({
    session_id: m.session,
    provider_message_id: m.pmid,
    minute: chDateTime(c.minute).slice(0, 19),
    sign,
    delivered: c.delivered,
    read: c.read,
    failed: c.failed,
    changed_at: chDateTime(now),
  });
  const current = m.history[step]!;
  const previous = m.history[step - 1];
  return previous ? [row(previous, -1), row(current, 1)] : [row(current, 1)];
}

const messages = generateMessages(600);
const replyTimes = Array.from({ length: 300 }, () => start + Math.floor(random() * 3 * DAY));

type Interval = 'minute' | 'hour' | 'day';
const STEP: Record<Interval, number> = { minute: 60_000, hour: 3_600_000, day: DAY };

/** What the stats route must answer, computed from the generated data alone. */
function expectedStats(session: string, from: number, to: number, interval: Interval) {
  const step = STEP[interval];
  const first = Math.floor(from / step) * step;
  const buckets = new Map<
    number,
    { sent: number; delivered: number; read: number; failed: number; replies: number }
  >();
  for (let t = first; t < to; t += step)
    buckets.set(t, { sent: 0, delivered: 0, read: 0, failed: 0, replies: 0 });
  const bucketOf = (ms: number) => buckets.get(Math.floor(ms / step) * step);
  for (const m of messages.filter((x) => x.session === session)) {
    const final = m.history.at(-1)!;
    const b = bucketOf(final.minute);
    if (!b) continue;
    b.sent += 1;
    b.delivered += final.delivered;
    b.read += final.read;
    b.failed += final.failed;
  }
  if (session === S) for (const t of replyTimes) if (bucketOf(t)) bucketOf(t)!.replies += 1;
  const rows = [...buckets].map(([t, c]) => ({ start: new Date(t).toISOString(), ...c }));
  const sum = (k: 'sent' | 'delivered' | 'read' | 'failed' | 'replies') => rows.reduce((a, r) => a + r[k], 0);
  const sent = sum('sent');
  const rate = (n: number) => (sent > 0 ? n / sent : null);
  return {
    totals: {
      sent,
      delivered: sum('delivered'),
      read: sum('read'),
      failed: sum('failed'),
      replies: sum('replies'),
      deliveryRate: rate(sum('delivered')),
      readRate: rate(sum('read')),
      failureRate: rate(sum('failed')),
    },
    buckets: rows,
  };
}

let api: ApiTestApp;

beforeAll(async () => {
  api = await startApiTestApp({ now, sessions: [S, 'shop-failures', OTHER, 'quiet-session'] });
  // One insert per history step across all messages: several batches, as the consumer would write them.
  const steps = Math.max(...messages.map((m) => m.history.length));
  for (let step = 0; step < steps; step++) {
    const rows = messages.filter((m) => m.history.length > step).flatMap((m) => cohortChanges(m, step));
    await api.ch.insert({ table: 'delivery_rollup_feed', rows });
  }
  await api.ch.insert({
    table: 'replies_inbound',
    rows: replyTimes.map((t, i) =>
      inboundRow({
        session_id: S,
        provider_message_id: `wamid.R${i}`,
        from_id: '1555',
        occurred_at: chDateTime(t),
      }),
    ),
  });
});

afterAll(async () => {
  await api?.cleanup();
});

const statsPath = (session: string, from: number, to: number, interval?: Interval) =>
  `/v1/sessions/${session}/stats?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}` +
  (interval ? `&interval=${interval}` : '');

describe('GET /v1/sessions/{sessionId}/stats', () => {
  it('equals the ground truth by day, by hour and by minute, whole range or a slice', async () => {
    const cases: [number, number, Interval][] = [
      [start - DAY, start + 4 * DAY, 'day'],
      [start, start + 3 * DAY, 'hour'],
      [start + 30 * 60_000 + 17_000, start + 26 * 3_600_000 + 5, 'hour'],
      [start + DAY + 3_600_000, start + DAY + 9 * 3_600_000, 'minute'],
    ];
    for (const [from, to, interval] of cases) {
      const body = await api.getJson(statsPath(S, from, to, interval));
      expect(body, `${interval} ${new Date(from).toISOString()}`).toEqual(
        expectedStats(S, from, to, interval),
      );
    }
  });

  it('counts only the session asked for', async () => {
    const body = await api.getJson(statsPath(OTHER, start, start + 3 * DAY, 'day'));
    expect(body).toEqual(expectedStats(OTHER, start, start + 3 * DAY, 'day'));
    expect((body['totals'] as { replies: number }).replies).toBe(0);
  });

  it('buckets by the hour when no interval is given', async () => {
    const body = await api.getJson<{ buckets: unknown[] }>(statsPath(S, start, start + DAY));
    expect(body.buckets).toHaveLength(24);
  });

  it('answers every bucket with zeros and null rates for a session with no traffic', async () => {
    const body = await api.getJson(statsPath('quiet-session', start, start + 3 * 3_600_000, 'hour'));
    expect(body).toEqual({
      totals: {
        sent: 0,
        delivered: 0,
        read: 0,
        failed: 0,
        replies: 0,
        deliveryRate: null,
        readRate: null,
        failureRate: null,
      },
      buckets: [0, 1, 2].map((h) => ({
        start: new Date(start + h * 3_600_000).toISOString(),
        sent: 0,
        delivered: 0,
        read: 0,
        failed: 0,
        replies: 0,
      })),
    });
  });

  it('answers 400 naming the parameter for a missing, malformed or reversed range, a bad interval, or too many buckets', async () => {
    const base = `/v1/sessions/${S}/stats`;
    const cases: [string, string][] = [
      [`${base}?to=2026-11-21T00:00:00Z`, 'from'],
      [`${base}?from=2026-11-21T00:00:00Z`, 'to'],
      [`${base}?from=yesterday&to=2026-11-21T00:00:00Z`, 'from'],
      [`${base}?from=2026-11-21&to=2026-11-22T00:00:00Z`, 'from'],
      [`${base}?from=2026-11-21T00:00:00Z&to=2026-13-01T00:00:00Z`, 'to'],
      [`${base}?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z`, 'from'],
      [`${base}?from=2026-11-22T00:00:00Z&to=2026-11-22T00:00:00Z`, 'from'],
      [`${base}?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z&interval=week`, 'interval'],
      [`${base}?from=2000-01-01T00:00:00Z&to=2026-11-22T00:00:00Z&interval=hour`, 'interval'],
      [`/v1/sessions/bad%20session/stats?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z`, 'sessionId'],
    ];
    for (const [path, name] of cases) {
      const res = await api.get(path);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe('bad_parameter');
      expect(body.error.message, path).toMatch(new RegExp(`^${name}: `));
    }
  });
});

describe('GET /v1/sessions/{sessionId}/failures', () => {
  const F = 'shop-failures';
  const at = (hoursBeforeNow: number) => chDateTime(now.getTime() - hoursBeforeNow * 3_600_000);
  const row = (id: string, pmid: string, code: string, hours: number, session = F) =>
    failureRow({
      event_id: id,
      session_id: session,
      provider_message_id: pmid,
      code,
      title:
        code === '131026' ? 'Message undeliverable' : code === '130429' ? 'Rate limit hit' : 'Re-engagement',
      category: code === '131026' ? 'recipient' : code === '130429' ? 'rate_limit' : 'policy',
      retryable: code === '130429' ? 1 : 0,
      occurred_at: at(hours),
    });

  beforeAll(async () => {
    await api.ch.insert({
      table: 'failures_events',
      rows: [
        // One message failing with one code, reported by a status and by a message error: one failure.
        row('e1', 'wamid.F1', '131026', 2),
        row('e2', 'wamid.F1', '131026', 1),
        row('e3', 'wamid.F2', '131026', 3),
        row('e4', 'wamid.F2', '131047', 3),
        // Envelope errors carry no message: each event counts.
        row('e5', '', '130429', 5),
        row('e6', '', '130429', 6),
        row('e7', 'wamid.F3', '130429', 4),
        // Outside the default 24 hours, and another session.
        row('e8', 'wamid.F4', '131026', 30),
        row('e9', 'wamid.F5', '131026', 1, 'someone-else'),
      ],
    });
  });

  it('counts one failure per message and code, plus each failure without a message, in the last 24 hours by default', async () => {
    const body = await api.getJson(`/v1/sessions/${F}/failures`);
    expect(body).toEqual({
      byCode: [
        { code: '130429', title: 'Rate limit hit', category: 'rate_limit', retryable: true, count: 3 },
        { code: '131026', title: 'Message undeliverable', category: 'recipient', retryable: false, count: 2 },
        { code: '131047', title: 'Re-engagement', category: 'policy', retryable: false, count: 1 },
      ],
      byCategory: {
        transient: 0,
        rate_limit: 3,
        recipient: 2,
        policy: 1,
        configuration: 0,
        session: 0,
        unknown: 0,
      },
    });
  });

  it('honours an explicit range, start inclusive and end exclusive', async () => {
    const from = new Date(now.getTime() - 31 * 3_600_000).toISOString();
    const to = new Date(now.getTime() - 3 * 3_600_000).toISOString();
    const body = await api.getJson<{ byCode: { code: string; count: number }[] }>(
      `/v1/sessions/${F}/failures?from=${from}&to=${to}`,
    );
    // e8 (30 h), e7 (4 h), e5 (5 h), e6 (6 h); e3 and e4 at exactly `to` are out.
    expect(body.byCode.map((c) => [c.code, c.count])).toEqual([
      ['130429', 3],
      ['131026', 1],
    ]);
  });

  it('answers 400 naming from or to for a bad or reversed range', async () => {
    for (const [query, name] of [
      ['from=nope', 'from'],
      ['to=2026-11-23T12:00:00', 'to'],
      ['from=2026-11-23T12:00:00Z&to=2026-11-23T11:00:00Z', 'from'],
      ['from=1969-12-31T23:59:59Z', 'from'],
    ] as const) {
      const res = await api.get(`/v1/sessions/${F}/failures?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, query).toMatch(
        new RegExp(`^${name}: `),
      );
    }
  });
});
