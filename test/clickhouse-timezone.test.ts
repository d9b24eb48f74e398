// The engine must run in a non-UTC zone to prove anything, so TZ is set before chdb is first loaded:
// this file imports the harness dynamically, after the assignment (each test file is its own process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestClickHouse } from './harness/clickhouse.ts';

process.env['TZ'] = 'America/New_York';
const { testClickHouse } = await import('./harness/clickhouse.ts');

let t: TestClickHouse;

beforeAll(async () => {
  t = await testClickHouse();
});

afterAll(async () => {
  await t.cleanup();
});

describe("DateTime64(3, 'UTC')", () => {
  it('round-trips as UTC even when the host timezone is not UTC', async () => {
    const { ch } = t;
    const [zone] = await ch.query({ query: 'SELECT timezone() AS tz', schema: z.object({ tz: z.string() }) });
    if (ch.backend === 'embedded') expect(zone?.tz).toBe('America/New_York');

    await ch.command({
      query: `CREATE TABLE ${ch.table('ticks')} (id String, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id`,
    });
    // 06:59:59.123 UTC is 01:59:59 in New York, minutes before its clocks jump an hour.
    const at = new Date('2024-03-10T06:59:59.123Z');
    await ch.insert({
      table: 'ticks',
      rows: [
        { id: 'from-date', at },
        { id: 'from-iso-string', at: '2024-03-10T06:59:59.123Z' },
        { id: 'from-plain-string', at: '2024-03-10 06:59:59.123' },
      ],
    });

    const rows = await ch.query({
      query: `SELECT id, at, toString(at) AS wall, toUnixTimestamp64Milli(at) AS ms FROM ${ch.table('ticks')}
              WHERE at = {at:DateTime64(3, 'UTC')} ORDER BY id`,
      params: { at },
      schema: z.object({ id: z.string(), at: z.coerce.date(), wall: z.string(), ms: z.coerce.number() }),
    });
    const expected = { at, wall: '2024-03-10 06:59:59.123', ms: at.getTime() };
    expect(rows).toEqual([
      { id: 'from-date', ...expected },
      { id: 'from-iso-string', ...expected },
      { id: 'from-plain-string', ...expected },
    ]);
  });
});
