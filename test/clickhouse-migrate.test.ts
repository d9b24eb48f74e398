import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse, loadMigrations, migrate } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { randomDatabaseName, testClickHouse } from './harness/clickhouse.ts';
import type { TestClickHouse } from './harness/clickhouse.ts';

const createEvents = `-- two statements in one file
CREATE TABLE IF NOT EXISTS {db}.events (
  id String,
  note String DEFAULT 'a;b'
) ENGINE = MergeTree ORDER BY id;

CREATE TABLE IF NOT EXISTS {db}.events_daily (day Date, n UInt64) ENGINE = SummingMergeTree ORDER BY day;
`;
const addColumn = `ALTER TABLE {db}.events ADD COLUMN IF NOT EXISTS at DateTime64(3, 'UTC');\n`;

let t: TestClickHouse;
let ch: ClickHouse;
let dir: string;

beforeEach(async () => {
  t = await testClickHouse();
  ch = t.ch;
  dir = await mkdtemp(join(tmpdir(), 'wapipe-migrations-'));
  await writeFile(join(dir, '0001_create_events.sql'), createEvents);
  await writeFile(join(dir, '0002_add_event_time.sql'), addColumn);
  await writeFile(join(dir, 'README.md'), 'not a migration');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await t.cleanup();
});

const tables = async (target: ClickHouse) =>
  (
    await target.query({
      query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
      params: { db: target.database },
      schema: z.object({ name: z.string() }),
    })
  ).map((row) => row.name);

const records = (target: ClickHouse, owner: string) =>
  target.query({
    query: `SELECT version, name, checksum FROM ${target.table('schema_migrations')} FINAL
            WHERE owner = {owner:String} ORDER BY version`,
    params: { owner },
    schema: z.object({ version: z.number(), name: z.string(), checksum: z.string() }),
  });

describe('migrate', () => {
  it('applies each migration once, in order, and records it', async () => {
    const migrations = await loadMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1, 'create_events'],
      [2, 'add_event_time'],
    ]);

    expect(await migrate(ch, { owner: 'delivery', migrations })).toEqual({ applied: [1, 2], skipped: [] });
    expect(await tables(ch)).toEqual(['events', 'events_daily', 'schema_migrations']);
    const recorded = await records(ch, 'delivery');
    expect(recorded.map((r) => [r.version, r.name])).toEqual([
      [1, 'create_events'],
      [2, 'add_event_time'],
    ]);
    await ch.insert({ table: 'events', rows: [{ id: 'e1', at: new Date() }] });
  });

  it('does nothing when run again', async () => {
    const migrations = await loadMigrations(dir);
    await migrate(ch, { owner: 'delivery', migrations });
    expect(await migrate(ch, { owner: 'delivery', migrations })).toEqual({ applied: [], skipped: [1, 2] });
    expect(await records(ch, 'delivery')).toHaveLength(2);
  });

  it('applies a migration added later without touching the applied ones', async () => {
    await migrate(ch, { owner: 'delivery', migrations: (await loadMigrations(dir)).slice(0, 1) });
    expect(await migrate(ch, { owner: 'delivery', migrations: await loadMigrations(dir) })).toEqual({
      applied: [2],
      skipped: [1],
    });
  });

  it('refuses to run when an applied migration was edited', async () => {
    await migrate(ch, { owner: 'delivery', migrations: (await loadMigrations(dir)).slice(0, 1) });
    await writeFile(join(dir, '0001_create_events.sql'), createEvents.replace('a;b', 'c'));

    await expect(
      migrate(ch, { owner: 'delivery', migrations: await loadMigrations(dir) }),
    ).rejects.toMatchObject({
      code: 'CLICKHOUSE_MIGRATION_CONFLICT',
      retry: false,
      message: expect.stringContaining('0001_create_events'),
    });
    expect((await records(ch, 'delivery')).map((r) => r.version)).toEqual([1]);
  });

  it('keeps the history of each owner apart', async () => {
    const migrations = await loadMigrations(dir);
    await migrate(ch, { owner: 'delivery', migrations });
    expect(await migrate(ch, { owner: 'replies', migrations })).toEqual({ applied: [1, 2], skipped: [] });
    expect(await records(ch, 'replies')).toHaveLength(2);
  });

  it('creates the database when it does not exist yet', async () => {
    const fresh = createClickHouse({ ...t.options, database: randomDatabaseName() });
    try {
      await migrate(fresh, { owner: 'api', migrations: await loadMigrations(dir) });
      expect(await tables(fresh)).toContain('events');
    } finally {
      await fresh.command({ query: `DROP DATABASE IF EXISTS ${fresh.database} SYNC` });
      await fresh.close();
    }
  });

  it('converges when several processes migrate at once', async () => {
    const others = [createClickHouse(t.options), createClickHouse(t.options)];
    try {
      const migrations = await loadMigrations(dir);
      const results = await Promise.all(
        [ch, ...others].map((target) => migrate(target, { owner: 'delivery', migrations })),
      );
      for (const result of results) expect([...result.applied, ...result.skipped].sort()).toEqual([1, 2]);
      expect((await records(ch, 'delivery')).map((r) => r.version)).toEqual([1, 2]);
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });

  it('refuses a statement that could not run twice, before running anything', async () => {
    await writeFile(join(dir, '0003_plain_create.sql'), 'CREATE TABLE {db}.x (a UInt8) ENGINE = Memory;');
    await expect(
      migrate(ch, { owner: 'delivery', migrations: await loadMigrations(dir) }),
    ).rejects.toMatchObject({
      code: 'CLICKHOUSE_BAD_INPUT',
      message: expect.stringContaining('IF NOT EXISTS'),
    });
    expect(await tables(ch)).toEqual([]);
  });

  it('refuses a misnamed migration file', async () => {
    await writeFile(join(dir, '3_oops.sql'), 'SELECT 1');
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'CLICKHOUSE_BAD_INPUT' });
  });
});
