// Analytics across sessions, end to end through the real consumers: a generated set (three sessions,
// campaigns, categories from registrations and from Meta's pricing, six countries, templates, late
// registrations that move messages, retried bodies) against its ground truth, for every groupBy, several
// filters and every interval, CSV, paging of groups, latency quantiles, and the bad inputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { latencyQuery, parseQuery, readLatency } from '@wapipe/api';
import { generateAnalyticsSet } from './support/analytics-set.ts';
import type { TruthMessage } from './support/analytics-set.ts';
import { startTestPipeline } from './support/pipeline.ts';
import type { TestPipeline } from './support/pipeline.ts';

const NOW = Date.now();
const DAY = 86_400_000;
const set = generateAnalyticsSet({ seed: 15, messagesPerSession: 120, now: NOW });
const DIMENSION_OF = {
  session: (m: TruthMessage) => m.session,
  campaign: (m: TruthMessage) => m.campaign,
  category: (m: TruthMessage) => m.category,
  country: (m: TruthMessage) => m.country,
  template: (m: TruthMessage) => m.template,
} as const;
type Dimension = keyof typeof DIMENSION_OF;
const FILTER_PARAM: Record<Dimension, string> = {
  session: 'sessionId',
  campaign: 'campaignId',
  category: 'category',
  country: 'country',
  template: 'template',
};
type Interval = 'minute' | 'hour' | 'day' | 'week' | 'month';

// Bucket starts computed here independently of the API's code: UTC, weeks from Monday, months from the 1st.
function floorTo(t: number, interval: Interval): number {
  const d = new Date(t);
  if (interval === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (interval === 'week') {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return day - ((d.getUTCDay() + 6) % 7) * DAY;
  }
  const step = { minute: 60_000, hour: 3_600_000, day: DAY }[interval];
  return Math.floor(t / step) * step;
}
function starts(from: number, to: number, interval: Interval): number[] {
  const out: number[] = [];
  for (let t = floorTo(from, interval); t < to;) {
    out.push(t);
    const d = new Date(t);
    t =
      interval === 'month'
        ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
        : t + (interval === 'week' ? 7 * DAY : { minute: 60_000, hour: 3_600_000, day: DAY }[interval]);
  }
  return out;
}

interface Ask {
  from: number;
  to: number;
  interval: Interval;
  groupBy?: Dimension;
  filters?: Partial<Record<Dimension, string[]>>;
}

const counts = (list: TruthMessage[]) => ({
  sent: list.length,
  delivered: list.filter((m) => m.delivered).length,
  read: list.filter((m) => m.read).length,
  failed: list.filter((m) => m.failed).length,
  replied: list.filter((m) => m.replied).length,
});
const withRates = (c: ReturnType<typeof counts>) => ({
  ...c,
  deliveryRate: c.sent ? c.delivered / c.sent : null,
  readRate: c.sent ? c.read / c.sent : null,
  failureRate: c.sent ? c.failed / c.sent : null,
  replyRate: c.delivered ? c.replied / c.delivered : null,
});

function selected(ask: Pick<Ask, 'from' | 'to' | 'filters'>, lo: number, hi: number): TruthMessage[] {
  return set.truth.filter(
    (m) =>
      m.cohort >= lo &&
      m.cohort < hi &&
      Object.entries(ask.filters ?? {}).every(([d, values]) =>
        values.includes(DIMENSION_OF[d as Dimension](m)),
      ),
  );
}

/** The whole answer (every group, unpaged) the truth gives. */
function expectedStats(ask: Ask) {
  const bucketStarts = starts(ask.from, ask.to, ask.interval);
  const lastEnd = starts(bucketStarts.at(-1)!, bucketStarts.at(-1)! + 40 * DAY, ask.interval)[1]!;
  const messages = selected(ask, bucketStarts[0]!, lastEnd);
  const keyOf = ask.groupBy ? DIMENSION_OF[ask.groupBy] : () => '';
  const byKey = new Map<string, TruthMessage[]>();
  for (const m of messages) byKey.set(keyOf(m), [...(byKey.get(keyOf(m)) ?? []), m]);
  const groups = [...byKey.entries()]
    .map(([key, list]) => ({
      key: ask.groupBy ? key : null,
      totals: withRates(counts(list)),
      buckets: bucketStarts.map((s, i) => ({
        start: new Date(s).toISOString(),
        ...counts(list.filter((m) => m.cohort >= s && m.cohort < (bucketStarts[i + 1] ?? lastEnd))),
      })),
    }))
    .sort((a, b) => b.totals.sent - a.totals.sent || (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : 0));
  if (!ask.groupBy && groups.length === 0) {
    groups.push({
      key: null,
      totals: withRates(counts([])),
      buckets: bucketStarts.map((s) => ({ start: new Date(s).toISOString(), ...counts([]) })),
    });
  }
  return { totals: withRates(counts(messages)), groups };
}

function query(ask: Ask, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    from: new Date(ask.from).toISOString(),
    to: new Date(ask.to).toISOString(),
    interval: ask.interval,
    ...(ask.groupBy ? { groupBy: ask.groupBy } : {}),
    ...Object.fromEntries(
      Object.entries(ask.filters ?? {}).map(([d, v]) => [FILTER_PARAM[d as Dimension], v.join(',')]),
    ),
    ...extra,
  });
  return params.toString();
}

let p: TestPipeline;
/** The answers are compared whole, `replied` and `replyRate` (the replies team's views) included. */
const comparable = (value: unknown): unknown => value;

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await p.request(path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every page of groups, with `limit` groups a page (and `extra` parameters on every page). */
async function allPages(ask: Ask, limit: number, extra: Record<string, string> = {}) {
  const groups: unknown[] = [];
  let cursor: string | null = null;
  let first: Record<string, unknown> | undefined;
  for (let page = 0; page < 50; page++) {
    const { status, body } = await getJson(
      `/v1/stats?${query(ask, { ...extra, limit: String(limit), ...(cursor ? { cursor } : {}) })}`,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    first ??= body;
    groups.push(...(body['groups'] as unknown[]));
    expect((body['groups'] as unknown[]).length).toBeLessThanOrEqual(limit);
    cursor = body['nextCursor'] as string | null;
    if (!cursor) break;
  }
  return { totals: first!['totals'], groups };
}

beforeAll(async () => {
  p = await startTestPipeline();
  // The -1 rows of moved messages stay unmerged, as in a live table between merges: the latency route
  // must net them (it takes a second read for the groups that hold one).
  for (const table of ['delivery_latency_hist_minute', 'delivery_latency_hist_hour']) {
    await p.ch().command({ query: `SYSTEM STOP MERGES ${p.ch().table(table)}` });
  }
  for (const id of set.sessions) {
    const put = await p.request(`/v1/sessions/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: 'analytics-meta-app-secret' }),
    });
    expect(put.status).toBe(200);
  }
  await p.produce(set.records);
  await p.settled();
}, 400_000);

afterAll(async () => {
  await p?.stop();
});

const newest = Math.max(...set.truth.map((m) => m.cohort));
const RANGES: Record<Interval, { from: number; to: number }> = {
  // Six hours around the newest messages: minute buckets listed one by one.
  minute: { from: newest - 6 * 3_600_000 + 17_000, to: newest + 60_000 },
  hour: { from: NOW - 30 * DAY, to: NOW },
  day: { from: NOW - 25 * DAY + 5_000, to: NOW },
  week: { from: NOW - 60 * DAY, to: NOW },
  month: { from: NOW - 399 * DAY, to: NOW },
};
const GROUP_BYS: (Dimension | undefined)[] = [
  undefined,
  'session',
  'campaign',
  'category',
  'country',
  'template',
];

describe('GET /v1/stats', () => {
  it('the generated set covers every dimension with several values', () => {
    for (const d of Object.keys(DIMENSION_OF) as Dimension[]) {
      expect(new Set(set.truth.map(DIMENSION_OF[d])).size, d).toBeGreaterThanOrEqual(3);
    }
  });

  for (const interval of Object.keys(RANGES) as Interval[]) {
    it(`every groupBy at ${interval} answers the ground truth, all groups on one page`, async () => {
      for (const groupBy of GROUP_BYS) {
        const ask: Ask = { ...RANGES[interval], interval, ...(groupBy ? { groupBy } : {}) };
        const { status, body } = await getJson(`/v1/stats?${query(ask, { limit: '1000' })}`);
        expect(status, JSON.stringify(body)).toBe(200);
        expect(
          comparable({ totals: body['totals'], groups: body['groups'] }),
          `${interval} ${groupBy}`,
        ).toEqual(comparable(expectedStats(ask)));
        expect(body['nextCursor']).toBeNull();
      }
    });
  }

  it('filters take one value or a comma list, the unknown value included', async () => {
    const asks: Ask[] = [
      { ...RANGES.day, interval: 'day', groupBy: 'country', filters: { campaign: ['spring'] } },
      {
        ...RANGES.hour,
        interval: 'hour',
        groupBy: 'session',
        filters: { country: ['BR', 'IN'], category: ['marketing', ''] },
      },
      {
        ...RANGES.week,
        interval: 'week',
        groupBy: 'template',
        filters: { session: ['an-meta-b'], template: ['', 'promo'] },
      },
      { ...RANGES.month, interval: 'month', filters: { category: ['authentication'] } },
      { ...RANGES.day, interval: 'day', groupBy: 'campaign', filters: { country: ['ZZ'] } },
    ];
    for (const ask of asks) {
      const { status, body } = await getJson(`/v1/stats?${query(ask)}`);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(comparable({ totals: body['totals'], groups: body['groups'] })).toEqual(
        comparable(expectedStats(ask)),
      );
    }
  });

  it('pages of groups follow sent descending then key, and together are the whole answer', async () => {
    for (const [groupBy, limit] of [
      ['session', 1],
      ['country', 2],
      ['campaign', 3],
    ] as const) {
      const ask: Ask = { ...RANGES.day, interval: 'day', groupBy };
      const expected = expectedStats(ask);
      expect(expected.groups.length).toBeGreaterThan(limit);
      expect(comparable(await allPages(ask, limit))).toEqual(comparable(expected));
    }
  });

  it('answers CSV with a header row and one row per group and bucket', async () => {
    const ask: Ask = { ...RANGES.week, interval: 'week', groupBy: 'country' };
    const res = await p.request(`/v1/stats?${query(ask)}`, { headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('key,start,sent,delivered,read,failed,replied');
    expect(lines.slice(1)).toEqual(
      expectedStats(ask).groups.flatMap((g) =>
        g.buckets.map((b) => [g.key, b.start, b.sent, b.delivered, b.read, b.failed, b.replied].join(',')),
      ),
    );
  });

  it('buckets=false gives each group its totals only: the same totals, groups, order and pages', async () => {
    const totalsOnly = (ask: Ask) => {
      const { totals, groups } = expectedStats(ask);
      return { totals, groups: groups.map(({ key, totals }) => ({ key, totals })) };
    };
    const asks: Ask[] = [
      { ...RANGES.hour, interval: 'hour', groupBy: 'session', filters: { country: ['BR', 'IN'] } },
      { ...RANGES.day, interval: 'day', groupBy: 'campaign' },
      { ...RANGES.week, interval: 'week', groupBy: 'country', filters: { campaign: ['spring'] } },
      { ...RANGES.month, interval: 'month', filters: { category: ['authentication'] } },
    ];
    for (const ask of asks) {
      const label = `${ask.interval} ${ask.groupBy}`;
      const bucketed = await getJson(`/v1/stats?${query(ask, { limit: '1000' })}`);
      const { status, body } = await getJson(`/v1/stats?${query(ask, { limit: '1000', buckets: 'false' })}`);
      expect(status, JSON.stringify(body)).toBe(200);
      const groups = body['groups'] as Record<string, unknown>[];
      expect(groups.filter((g) => 'buckets' in g).length, label).toBe(0);
      expect({ totals: body['totals'], groups }, label).toEqual(totalsOnly(ask));
      expect(groups, label).toEqual(
        (bucketed.body['groups'] as Record<string, unknown>[]).map(({ key, totals }) => ({ key, totals })),
      );
      expect(body['totals'], label).toEqual(bucketed.body['totals']);
    }
    for (const [groupBy, limit] of [
      ['session', 1],
      ['campaign', 3],
    ] as const) {
      const ask: Ask = { ...RANGES.day, interval: 'day', groupBy };
      expect(await allPages(ask, limit, { buckets: 'false' })).toEqual(totalsOnly(ask));
    }
    const ask: Ask = { ...RANGES.week, interval: 'week', groupBy: 'country' };
    const res = await p.request(`/v1/stats?${query(ask, { buckets: 'false' })}`, {
      headers: { accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('key,sent,delivered,read,failed,replied');
    expect(lines.slice(1)).toEqual(
      totalsOnly(ask).groups.map(({ key, totals: t }) =>
        [key, t.sent, t.delivered, t.read, t.failed, t.replied].join(','),
      ),
    );
    for (const bad of ['no', '0', 'FALSE', '', 'false,true']) {
      const refused = await getJson(`/v1/stats?${query(ask, { buckets: bad })}`);
      const error = refused.body['error'] as { code: string; message: string } | undefined;
      expect([refused.status, error?.code, error?.message.split(':')[0]], `buckets=${bad}`).toEqual([
        400,
        'bad_parameter',
        'buckets',
      ]);
    }
  });

  it('the session stats route answers CSV too, the same counts as its JSON', async () => {
    const range = `from=${new Date(RANGES.day.from).toISOString()}&to=${new Date(NOW).toISOString()}&interval=day`;
    const json = (await (await p.request(`/v1/sessions/an-meta-a/stats?${range}`)).json()) as {
      buckets: {
        start: string;
        sent: number;
        delivered: number;
        read: number;
        failed: number;
        replies: number;
      }[];
    };
    const res = await p.request(`/v1/sessions/an-meta-a/stats?${range}`, { headers: { accept: 'text/csv' } });
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('start,sent,delivered,read,failed,replies');
    expect(lines.slice(1)).toEqual(
      json.buckets.map((b) => [b.start, b.sent, b.delivered, b.read, b.failed, b.replies].join(',')),
    );
    const sent = json.buckets.reduce((n, b) => n + b.sent, 0);
    expect(sent).toBe(
      selected(
        { ...RANGES.day, filters: { session: ['an-meta-a'] } },
        floorTo(RANGES.day.from, 'day'),
        NOW + DAY,
      ).length,
    );
  });

  it('refuses bad inputs with a 400 naming the parameter', async () => {
    const iso = (t: number) => new Date(t).toISOString();
    const cases: [string, string][] = [
      [`from=${iso(NOW - DAY)}&to=${iso(NOW)}&groupBy=provider`, 'groupBy:'],
      [`from=${iso(NOW - 32 * DAY)}&to=${iso(NOW)}&interval=hour`, 'interval:'],
      [`from=${iso(NOW - 32 * DAY)}&to=${iso(NOW)}&interval=minute`, 'interval:'],
      [`from=${iso(NOW - 401 * DAY)}&to=${iso(NOW)}&interval=month`, 'interval:'],
      [`from=${iso(NOW)}&to=${iso(NOW - DAY)}&interval=day`, 'from:'],
      [`from=${iso(NOW - DAY)}&to=${iso(NOW)}&interval=year`, 'interval:'],
      [`from=${iso(NOW - DAY)}&to=${iso(NOW)}&cursor=bm90LWEtY3Vyc29y`, 'cursor:'],
      // The same filter lists as /v1/failures: a country is an ISO code, a session id has its own letters.
      [`from=${iso(NOW - DAY)}&to=${iso(NOW)}&country=Brazil`, 'country:'],
      [`from=${iso(NOW - DAY)}&to=${iso(NOW)}&sessionId=bad%20id`, 'sessionId:'],
    ];
    for (const [params, name] of cases) {
      for (const path of ['/v1/stats', '/v1/stats/latency']) {
        if (path.endsWith('latency') && (params.includes('interval=') || params.includes('cursor=')))
          continue;
        const { status, body } = await getJson(`${path}?${params}`);
        expect(status, `${path}?${params}`).toBe(400);
        const error = body['error'] as { code: string; message: string };
        expect(error.code).toBe('bad_parameter');
        expect(error.message.startsWith(name), error.message).toBe(true);
      }
    }
    const tooLong = await getJson(`/v1/stats/latency?from=${iso(NOW - 401 * DAY)}&to=${iso(NOW)}`);
    expect([tooLong.status, (tooLong.body['error'] as { message: string }).message.split(':')[0]]).toEqual([
      400,
      'to',
    ]);
  });
});

/** The value a quantile answer may take: within 1% of rank of q, less the histogram's < 1% rounding. */
function expectQuantile(values: number[], q: number, got: number | null, label: string) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const lo = sorted[Math.max(0, Math.ceil((q - 0.01) * n) - 1)]!;
  const hi = sorted[Math.min(n - 1, Math.ceil((q + 0.01) * n) - 1)]!;
  expect(got, label).not.toBeNull();
  expect(got!, `${label}: ${got} not in [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo * 0.99 - 1e-6);
  expect(got!, `${label}: ${got} not in [${lo}, ${hi}]`).toBeLessThanOrEqual(hi + 1e-6);
}

describe('GET /v1/stats/latency', () => {
  const cases: { name: string; from: number; to: number; filters?: Partial<Record<Dimension, string[]>> }[] =
    [
      {
        name: 'hour-aligned 30 days (hour histograms)',
        from: floorTo(NOW, 'hour') - 30 * DAY,
        to: floorTo(NOW, 'hour') + 3_600_000,
      },
      { name: 'unaligned 10 days (minute histograms)', from: NOW - 10 * DAY + 7_000, to: NOW },
      {
        name: 'filtered by two countries',
        from: floorTo(NOW, 'hour') - 30 * DAY,
        to: floorTo(NOW, 'hour') + 3_600_000,
        filters: { country: ['BR', 'DE'] },
      },
    ];
  const latencyParams = (c: (typeof cases)[number], groupBy: Dimension | undefined) =>
    new URLSearchParams({
      from: new Date(c.from).toISOString(),
      to: new Date(c.to).toISOString(),
      ...(groupBy ? { groupBy } : {}),
      ...Object.fromEntries(
        Object.entries(c.filters ?? {}).map(([d, v]) => [FILTER_PARAM[d as Dimension], v.join(',')]),
      ),
    });
  const LATENCY_VIEWS = ['delivery_latency_minute_v1', 'delivery_latency_hour_v1'];
  const movedRows = async () => {
    const counts: number[] = [];
    for (const view of LATENCY_VIEWS) {
      const rows = await p.ch().query({
        query: `SELECT countIf(messages < 0) AS moved FROM ${p.ch().table(view)}`,
        schema: z.object({ moved: z.coerce.number() }),
      });
      counts.push(rows[0]!.moved);
    }
    return counts;
  };
  let unmerged: number[] = [];

  it('the histograms hold the -1 rows of moved messages, unmerged', async () => {
    unmerged = await movedRows();
    for (const [i, view] of LATENCY_VIEWS.entries()) expect(unmerged[i], view).toBeGreaterThan(0);
  });

  async function expectLatencyCase(c: (typeof cases)[number]) {
    const grain = c.from % 3_600_000 === 0 && c.to % 3_600_000 === 0 ? 3_600_000 : 60_000;
    const messages = selected(c, Math.floor(c.from / grain) * grain, Math.ceil(c.to / grain) * grain);
    for (const groupBy of GROUP_BYS) {
      const { status, body } = await getJson(`/v1/stats/latency?${latencyParams(c, groupBy)}`);
      expect(status, JSON.stringify(body)).toBe(200);
      type Summary = { count: number; p50: number | null; p90: number | null; p99: number | null };
      const groups = body['groups'] as {
        key: string | null;
        timeToDeliver: Summary;
        timeToRead: Summary;
      }[];
      const keyOf = groupBy ? DIMENSION_OF[groupBy] : () => '';
      const keys = [...new Set(messages.filter((m) => m.deliverSeconds !== null).map(keyOf))].sort();
      expect(groups.map((g) => g.key ?? '')).toEqual(keys.length ? keys : ['']);
      for (const g of groups) {
        const own = messages.filter((m) => keyOf(m) === (g.key ?? ''));
        for (const [metric, of] of [
          ['timeToDeliver', (m: TruthMessage) => m.deliverSeconds],
          ['timeToRead', (m: TruthMessage) => m.readSeconds],
        ] as const) {
          const values = own.map(of).filter((v): v is number => v !== null);
          expect(g[metric].count, `${groupBy} ${g.key} ${metric}`).toBe(values.length);
          if (values.length === 0) continue;
          for (const [q, got] of [
            [0.5, g[metric].p50],
            [0.9, g[metric].p90],
            [0.99, g[metric].p99],
          ] as const) {
            expectQuantile(values, q, got, `${groupBy} ${g.key} ${metric} p${q * 100}`);
          }
        }
      }
    }
  }
  for (const c of cases) {
    it(`count exact and p50/p90/p99 within 1% of rank for every groupBy: ${c.name}`, () =>
      expectLatencyCase(c));
  }

  it('past maxNettedKeys every group is netted, and the answers are the same', async () => {
    for (const c of cases) {
      for (const groupBy of GROUP_BYS) {
        const q = parseQuery(latencyQuery, `http://test/v1/stats/latency?${latencyParams(c, groupBy)}`);
        const now = new Date();
        const some = await readLatency(p.ch(), q, now);
        expect(await readLatency(p.ch(), q, now, { maxNettedKeys: 0 }), `${c.name} ${groupBy}`).toEqual(some);
      }
    }
  });

  it('after merges fold most -1 rows in, every case still answers the truth', async () => {
    for (const table of ['delivery_latency_hist_minute', 'delivery_latency_hist_hour']) {
      await p.ch().command({ query: `SYSTEM START MERGES ${p.ch().table(table)}` });
      await p.ch().command({ query: `OPTIMIZE TABLE ${p.ch().table(table)} FINAL` });
    }
    const merged = await movedRows();
    for (const [i, view] of LATENCY_VIEWS.entries()) expect(merged[i], view).toBeLessThan(unmerged[i]!);
    for (const c of cases) await expectLatencyCase(c);
  });

  it('answers CSV, one row per group and metric', async () => {
    const params = `from=${new Date(NOW - 30 * DAY).toISOString()}&to=${new Date(NOW).toISOString()}&groupBy=session`;
    const json = (await getJson(`/v1/stats/latency?${params}`)).body['groups'] as {
      key: string;
      timeToDeliver: Record<string, number>;
      timeToRead: Record<string, number>;
    }[];
    const res = await p.request(`/v1/stats/latency?${params}`, { headers: { accept: 'text/csv' } });
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('key,metric,count,p50,p90,p99');
    expect(lines.slice(1)).toEqual(
      json.flatMap((g) =>
        (['timeToDeliver', 'timeToRead'] as const).map((m) =>
          [g.key, m, g[m]['count'], g[m]['p50'], g[m]['p90'], g[m]['p99']].join(','),
        ),
      ),
    );
    expect(json.length).toBe(3);
  });
});
