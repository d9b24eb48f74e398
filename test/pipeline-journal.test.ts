// The journal is the commit point: a batch whose apply stopped half-way is completed by recover(), with
// the targets it had already reached not written twice.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '@wapipe/clickhouse';
import { silentLogger } from '@wapipe/observability';
import { createJournal } from '@wapipe/pipeline';
import type { EffectRecord } from '@wapipe/pipeline';
import { suiteClickHouse } from './harness/clickhouse.ts';

const db = suiteClickHouse();

const count = async (table: string) => {
  const [row] = await db.ch.query({
    query: `SELECT count() AS n FROM ${db.ch.table(table)}`,
    schema: z.object({ n: z.coerce.number() }),
  });
  return row!.n;
};

it('a batch interrupted between targets is completed once by recover()', async () => {
  const published: EffectRecord[] = [];
  const journal = createJournal({
    ch: db.ch,
    consumer: 'jtest',
    logger: silentLogger,
    publish: async (_topic, records) => {
      published.push(...records);
    },
  });
  await migrate(db.ch, { owner: 'jtest-journal', migrations: journal.migrations });
  await db.ch.command({
    query: `CREATE TABLE IF NOT EXISTS ${db.ch.table('first_target')} (id String) ENGINE = MergeTree ORDER BY id
            SETTINGS non_replicated_deduplication_window = 1000`,
  });
  const batch = {
    writes: [
      { table: 'first_target', rows: [{ id: 'a' }, { id: 'b' }] },
      { table: 'second_target', rows: [{ id: 'c' }] },
    ],
    effects: [{ topic: 'commands', records: [{ key: 's', value: '{"commandId":"x"}' }] }],
  };

  // second_target does not exist yet: the apply fails after first_target got its rows.
  await expect(journal.commit(batch)).rejects.toMatchObject({ retry: expect.any(Boolean) });
  expect(await count('first_target')).toBe(2);

  await db.ch.command({
    query: `CREATE TABLE IF NOT EXISTS ${db.ch.table('second_target')} (id String) ENGINE = MergeTree ORDER BY id
            SETTINGS non_replicated_deduplication_window = 1000`,
  });
  expect(await journal.recover()).toBe(1);
  expect(await count('first_target')).toBe(2);
  expect(await count('second_target')).toBe(1);
  // Effects are at-least-once across a failed apply (ADR 5): the same record, never a different one.
  expect(published.length).toBeGreaterThanOrEqual(1);
  expect(new Set(published.map((r) => JSON.stringify(r)))).toEqual(
    new Set([JSON.stringify({ key: 's', value: '{"commandId":"x"}' })]),
  );

  // Nothing is left to recover, and committing the same batch again journals nothing new.
  expect(await journal.recover()).toBe(0);
  await journal.commit(batch);
  expect(await count('first_target')).toBe(2);
  expect(await count('second_target')).toBe(1);
});
