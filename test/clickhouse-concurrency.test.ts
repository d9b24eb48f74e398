import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { testClickHouse } from './harness/clickhouse.ts';
import type { TestClickHouse } from './harness/clickhouse.ts';

let t: TestClickHouse;
let second: ClickHouse;

beforeEach(async () => {
  t = await testClickHouse();
  second = createClickHouse(t.options);
});

afterEach(async () => {
  await second.close();
  await t.cleanup();
});

const Count = z.object({ n: z.coerce.number() });

describe('two connections to the same data', () => {
  it('run queries at the same time, both succeed, and see each other’s writes', async () => {
    const { ch } = t;
    await ch.command({ query: `CREATE TABLE ${ch.table('nums')} (n UInt64) ENGINE = MergeTree ORDER BY n` });

    // No query_params here: chdb runs parameterised queries one at a time across the whole process.
    const heavy = (target: ClickHouse, modulo: number) =>
      target.query({
        query: `SELECT count() AS n FROM numbers(5000000) WHERE sipHash64(number) % ${modulo} = 0`,
        schema: Count,
      });
    const [a, b] = await Promise.all([
      heavy(ch, 7),
      heavy(second, 11),
      ch.insert({ table: 'nums', rows: Array.from({ length: 1000 }, (_, n) => ({ n })) }),
      second.command({ query: `INSERT INTO ${second.table('nums')} SELECT number + 1000 FROM numbers(500)` }),
    ]);
    expect(a?.[0]?.n).toBeGreaterThan(0);
    expect(b?.[0]?.n).toBeGreaterThan(0);

    for (const target of [ch, second]) {
      const rows = await target.query({
        query: `SELECT count() AS n FROM ${target.table('nums')}`,
        schema: Count,
      });
      expect(rows).toEqual([{ n: 1500 }]);
    }
  });

  it('queues many calls on one connection without losing any', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        t.ch.query({ query: 'SELECT {i:UInt32} AS n', params: { i }, schema: Count }),
      ),
    );
    expect(results.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });
});
