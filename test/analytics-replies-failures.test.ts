// The replies consumer's replied cohorts (replies_replied_minute_v1 and replies_replied_hour_v1) through
// the real pipeline: one generated set over three sessions, each delivered in its own order (registrations
// first and events in order; every event reversed and every registration late; all shuffled), summed by
// every dimension and bucket, equals the ground truth computed from the set alone; and GET /v1/failures
// across those sessions, with filters and as CSV, equals the set's failures by code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DIMENSIONS } from '@wapipe/events';
import {
  arriveSession,
  failuresByCode,
  generateDimensionSet,
  repliedMessages,
} from './support/dimension-set.ts';
import type { DimensionArrival } from './support/dimension-set.ts';
import { EVENT_SET_T0 } from './support/event-set.ts';
import { startTestPipeline } from './support/pipeline.ts';
import type { TestPipeline } from './support/pipeline.ts';

const orders: Record<string, DimensionArrival> = {
  'replied-chrono': 'chronological',
  'replied-reverse': 'reverse',
  'replied-shuffled': 'shuffled',
};
const set = generateDimensionSet({ seed: 11, sessions: Object.keys(orders), messagesPerSession: 60 });
const HOUR = 3_600_000;
const bucketOf = (at: number, grain: number) => new Date(Math.floor(at / grain) * grain).toISOString();
const column = {
  session: 'session_id',
  campaign: 'campaign',
  category: 'category',
  country: 'country',
  template: 'template',
};

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
  for (const session of set.sessions) {
    const put = await p.request(`/v1/sessions/${session}`, {
      method: 'PUT',
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: 'analytics-meta-app-secret' }),
    });
    expect(put.status, `PUT /v1/sessions/${session}`).toBe(200);
  }
  // In two rounds, each consumed before the next: what the second teaches moves what the first stored.
  const records = Object.entries(orders).map(([session, order], i) =>
    arriveSession(set, session, order, 100 + i),
  );
  for (const half of [0, 1]) {
    for (const list of records) {
      const middle = Math.floor(list.length / 2);
      await p.produce(half === 0 ? list.slice(0, middle) : list.slice(middle));
    }
    await p.settled();
  }
}, 400_000);
afterAll(async () => p?.stop());

type Key = (typeof DIMENSIONS)[number] | 'all';

/** Sum of replied by the given key over a view, keys with a zero sum left out. */
async function viewSums(view: string, key: Key) {
  const keyColumns = key === 'all' ? [...Object.values(column), 'toString(bucket_start)'] : [column[key]];
  const rows = await p.ch().query({
    query: `SELECT [${keyColumns.join(', ')}] AS key, toInt64(sum(replied)) AS replied
            FROM ${p.ch().table(view)} WHERE session_id IN {sessions:Array(String)}
            GROUP BY key HAVING replied != 0`,
    params: { sessions: set.sessions },
    schema: z.object({ key: z.array(z.string()), replied: z.coerce.number() }),
  });
  return Object.fromEntries(rows.map((r) => [JSON.stringify(r.key), r.replied]));
}

/** The same sums from the ground truth. */
function truthSums(key: Key, grain: number) {
  const sums: Record<string, number> = {};
  for (const m of repliedMessages(set)) {
    const bucket = bucketOf(m.cohortAt, grain).slice(0, 19).replace('T', ' ');
    const k = JSON.stringify(key === 'all' ? [...DIMENSIONS.map((d) => m[d]), bucket] : [m[key]]);
    sums[k] = (sums[k] ?? 0) + 1;
  }
  return sums;
}

describe('replied cohorts by dimension', () => {
  it('the replied views equal the ground truth by every dimension and bucket, in every arrival order', async () => {
    const truth = truthSums('all', 60_000);
    // Not a comparison of empty answers: the set has replied messages under every dimension.
    expect(Object.keys(truth).length).toBeGreaterThan(20);
    expect(await viewSums('replies_replied_minute_v1', 'all')).toEqual(truth);
    expect(await viewSums('replies_replied_hour_v1', 'all')).toEqual(truthSums('all', HOUR));
    for (const dimension of DIMENSIONS) {
      expect(await viewSums('replies_replied_hour_v1', dimension), dimension).toEqual(
        truthSums(dimension, HOUR),
      );
    }
  });

  it('got there through late registrations that moved messages and links that moved', async () => {
    const count = async (sql: string) =>
      (
        await p.ch().query({
          query: sql,
          params: { sessions: set.sessions },
          schema: z.object({ n: z.coerce.number() }),
        })
      )[0]!.n;
    // Retractions: a replied message left a place (it moved, or lost its only reply).
    expect(
      await count(`SELECT count() AS n FROM ${p.ch().table('replies_replied_changes')}
                   WHERE session_id IN {sessions:Array(String)} AND sign = -1`),
    ).toBeGreaterThan(0);
    expect(
      await count(`SELECT count() AS n FROM ${p.ch().table('replies_links')}
                   WHERE session_id IN {sessions:Array(String)} AND previous_provider_message_id != ''`),
    ).toBeGreaterThan(0);
  });
});

describe('GET /v1/failures across sessions', () => {
  // Up to an hour from now: the envelope errors' failure time is their receive time.
  const range = { from: EVENT_SET_T0 - HOUR, to: Date.now() + HOUR };
  const iso = (ms: number) => new Date(ms).toISOString();
  const base = `/v1/failures?from=${iso(range.from)}&to=${iso(range.to)}`;
  const countsOf = async (path: string) => {
    const res = await p.request(path);
    expect(res.status, path).toBe(200);
    const body = (await res.json()) as {
      byCode: { code: string; count: number }[];
      byCategory: Record<string, number>;
    };
    return { codes: Object.fromEntries(body.byCode.map((c) => [c.code, c.count])), body };
  };
  const truth = (keep: Parameters<typeof failuresByCode>[2]) =>
    Object.fromEntries(failuresByCode(set, range, keep));

  it('equals the ground truth for each filter, one value or a list', async () => {
    const cases: [string, Parameters<typeof failuresByCode>[2]][] = [
      ['', (d) => set.sessions.includes(d.session)],
      [
        `&sessionId=${set.sessions[0]},${set.sessions[2]}`,
        (d) => [set.sessions[0], set.sessions[2]].includes(d.session),
      ],
      ['&campaignId=spring', (d) => d.campaign === 'spring'],
      ['&category=marketing,utility', (d) => ['marketing', 'utility'].includes(d.category)],
      ['&country=BR', (d) => d.country === 'BR'],
      ['&country=', (d) => d.country === ''],
      [
        '&template=welcome_v2&country=DE,US',
        (d) => d.template === 'welcome_v2' && ['DE', 'US'].includes(d.country),
      ],
    ];
    for (const [filter, keep] of cases) {
      const sessions = filter.includes('sessionId') ? '' : `&sessionId=${set.sessions.join(',')}`;
      const expected = truth(keep);
      expect(Object.keys(expected).length, filter).toBeGreaterThan(0);
      expect((await countsOf(base + sessions + filter)).codes, filter).toEqual(expected);
    }
  });

  it('across one session answers what the session failures route answers, and both answer CSV', async () => {
    const session = set.sessions[1]!;
    const across = await countsOf(`${base}&sessionId=${session}`);
    const single = await p.request(
      `/v1/sessions/${session}/failures?from=${iso(range.from)}&to=${iso(range.to)}`,
    );
    expect(await single.json()).toEqual(across.body);
    for (const path of [
      `${base}&sessionId=${session}`,
      `/v1/sessions/${session}/failures?from=${iso(range.from)}&to=${iso(range.to)}`,
    ]) {
      const csv = await p.request(path, { headers: { accept: 'text/csv' } });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const [header, ...lines] = (await csv.text()).trim().split('\r\n');
      expect(header).toBe('code,title,category,retryable,count');
      expect(Object.fromEntries(lines.map((l) => [l.split(',')[0], Number(l.split(',').at(-1))]))).toEqual(
        across.codes,
      );
    }
  });

  it('answers 400 naming the parameter for a bad filter or range', async () => {
    for (const [query, name] of [
      ['&country=Brazil', 'country'],
      ['&sessionId=bad%20id', 'sessionId'],
      [`&campaignId=${Array.from({ length: 101 }, (_, i) => `c${i}`).join(',')}`, 'campaignId'],
    ] as const) {
      const res = await p.request(base + query);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_parameter');
      expect(body.error.message.startsWith(`${name}:`), body.error.message).toBe(true);
    }
    const reversed = await p.request(`/v1/failures?from=${iso(range.to)}&to=${iso(range.from)}`);
    expect(reversed.status).toBe(400);
    expect(((await reversed.json()) as { error: { message: string } }).error.message).toMatch(/^from:/);
  });
});
