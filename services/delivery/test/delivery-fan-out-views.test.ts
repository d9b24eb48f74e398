// The journal writes the cohort rows and latency samples once, into fan-out tables whose views copy them
// into the table and every feed (migration 0013). A feed added later without its fan-out view got no rows:
// the by-day rollup (0014) did, until 0015. The journal checks every fan-out against the real views.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '@wapipe/clickhouse';
import { deliveryJournalViews, deliveryMigrations } from '@wapipe/delivery';
import { uncoveredByFanOuts } from '@wapipe/pipeline';
import { testClickHouse } from '../../../test/harness/clickhouse.ts';
import type { TestClickHouse } from '../../../test/harness/clickhouse.ts';

let db: TestClickHouse;
beforeAll(async () => {
  db = await testClickHouse();
  await migrate(db.ch, { owner: 'delivery', migrations: await deliveryMigrations() });
}, 120_000);
afterAll(() => db.cleanup());

const uncovered = async () =>
  uncoveredByFanOuts(
    deliveryJournalViews,
    db.ch.database,
    await db.ch.query({
      query: `SELECT create_table_query FROM system.tables WHERE database = {db:String} AND startsWith(engine, 'MaterializedView')`,
      params: { db: db.ch.database },
      schema: z.object({ create_table_query: z.string() }),
    }),
  );

it('every feed of a fanned-out table has its view from the fan-out, and a missing one is named', async () => {
  expect(await uncovered()).toEqual([]);
  await db.ch.command({ query: `DROP VIEW ${db.ch.table('delivery_cohort_fan_out_cohort_by_day_mv')}` });
  expect(await uncovered()).toEqual([
    { fanOut: 'delivery_cohort_fan_out', target: 'delivery_cohort_by_day_feed' },
  ]);
});
