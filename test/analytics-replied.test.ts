// The replies consumer's replied cohorts (replies_replied_minute_v1 and replies_replied_hour_v1) through
// the real pipeline: one generated set over three sessions, each delivered in its own order (registrations
// first and events in order; every event reversed and every registration late; all shuffled), summed by
// every dimension and bucket, equals the ground truth computed from the set alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DIMENSIONS } from '@wapipe/events';
import { arriveSession, generateDimensionSet, repliedMessages } from './support/dimension-set.ts';
import type { DimensionArrival } from './support/dimension-set.ts';
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
