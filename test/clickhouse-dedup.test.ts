import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeCompactRows } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { testClickHouse } from './harness/clickhouse.ts';
import type { TestClickHouse } from './harness/clickhouse.ts';

// Token dedup on non-replicated MergeTree needs a deduplication window on every table in the path.
const dedupTable = (ch: ClickHouse, name: string) =>
  ch.command({
    query: `CREATE TABLE ${ch.table(name)} (id String, n UInt32) ENGINE = MergeTree ORDER BY id
            SETTINGS non_replicated_deduplication_window = 100`,
  });

const countRows = async (ch: ClickHouse, table: string) => {
  const [row] = await ch.query({
    query: `SELECT count() AS n FROM ${ch.table(table)}`,
    schema: z.object({ n: z.coerce.number() }),
  });
  return row?.n;
};

let t: TestClickHouse;
let ch: ClickHouse;

beforeEach(async () => {
  t = await testClickHouse();
  ch = t.ch;
  await dedupTable(ch, 'events');
});

afterEach(async () => {
  await t.cleanup();
});

describe('insert deduplication', () => {
  // Regression: on chdb, a token passed as a per-call setting stayed on the connection and the next
  // plain insert reused it, so its rows were silently dropped.
  it('a token insert followed by a plain insert keeps both rows', async () => {
    await ch.insert({ table: 'events', rows: [{ id: 'a', n: 1 }], dedupToken: 'batch:1' });
    await ch.insert({ table: 'events', rows: [{ id: 'b', n: 2 }] });
    await ch.insert({ table: 'events', rows: [{ id: 'c', n: 3 }] });
    expect(await countRows(ch, 'events')).toBe(3);
  });

  it('the same dedup token twice stores the rows once', async () => {
    const rows = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ];
    await ch.insert({ table: 'events', rows, dedupToken: 'topic:0:100-101' });
    await ch.insert({ table: 'events', rows, dedupToken: 'topic:0:100-101' });
    expect(await countRows(ch, 'events')).toBe(2);
  });

  it('the same token deduplicates pre-encoded rows, and a plain encoded insert after it keeps its rows', async () => {
    const encoded = encodeCompactRows([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    await ch.insert({ table: 'events', encoded, format: 'JSONCompactEachRowWithNames', dedupToken: 'enc:1' });
    await ch.insert({ table: 'events', encoded, format: 'JSONCompactEachRowWithNames', dedupToken: 'enc:1' });
    await ch.insert({ table: 'events', encoded, format: 'JSONCompactEachRowWithNames' });
    expect(await countRows(ch, 'events')).toBe(4);
  });

  it('the same rows under different tokens are stored each time', async () => {
    const rows = [{ id: 'a', n: 1 }];
    await ch.insert({ table: 'events', rows, dedupToken: 'topic:0:1' });
    await ch.insert({ table: 'events', rows, dedupToken: 'topic:0:2' });
    expect(await countRows(ch, 'events')).toBe(2);
  });

  it('a materialized view target whose table sets the window deduplicates too', async () => {
    await dedupTable(ch, 'events_copy');
    await ch.command({
      query: `CREATE MATERIALIZED VIEW ${ch.table('events_mv')} TO ${ch.table('events_copy')}
              AS SELECT id, n * 10 AS n FROM ${ch.table('events')}`,
    });
    const rows = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ];
    await ch.insert({ table: 'events', rows, dedupToken: 'retry-me' });
    await ch.insert({ table: 'events', rows, dedupToken: 'retry-me' });
    expect(await countRows(ch, 'events')).toBe(2);
    expect(await countRows(ch, 'events_copy')).toBe(2);
  });
});
