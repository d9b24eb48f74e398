// Regression for issue 12 (replies_follow_ups once held 243 rows for 201 ids after a SIGKILL): MergeTree
// commits a part before it records the part's dedup token, so a kill in between keeps rows whose token is
// forgotten, and a recovery that trusted the token inserted them again. Each case journals a batch that
// was never applied, leaves in the delivery tables exactly what such a kill leaves (the rows of some of
// its inserts, made with their tokens, but no record of those tokens), then recovers.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '@wapipe/clickhouse';
import { archiveMigrations } from '@wapipe/archive';
import { deliveryJournalViews, deliveryMigrations } from '@wapipe/delivery';
import { failuresMigrations } from '@wapipe/failures';
import { repliesMigrations } from '@wapipe/replies';
import { silentLogger } from '@wapipe/observability';
import { createJournal } from '@wapipe/pipeline';
import type { EffectRecord, Journal, JournalBatch } from '@wapipe/pipeline';
import { suiteClickHouse } from './harness/clickhouse.ts';

const db = suiteClickHouse();
const at = '2026-11-30 10:00:00.000';
const minute = '2026-11-30 10:00:00';

const statusRows = (session: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `${session}.e${i}`,
    session_id: session,
    provider: 'meta',
    provider_message_id: `${session}.m${i}`,
    recipient: '1555',
    status: i % 2 === 0 ? 'delivered' : 'sent',
    occurred_at: at,
    received_at: at,
  }));
const registryRows = (session: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    message_id: `${session}.op${i}`,
    provider_message_id: `${session}.m${i}`,
    session_id: session,
    recipient: '1555',
    sent_at: at,
    registered_at: at,
    event_id: `${session}.r${i}`,
  }));
// A message that moved cohort minute (-1 old, +1 new) and a new one: sums that doubling would change.
const cohortRows = (session: string) => [
  {
    session_id: session,
    provider_message_id: 'a',
    minute,
    sign: -1,
    delivered: 0,
    read: 0,
    failed: 1,
    changed_at: at,
  },
  {
    session_id: session,
    provider_message_id: 'a',
    minute,
    sign: 1,
    delivered: 1,
    read: 0,
    failed: 0,
    changed_at: at,
  },
  {
    session_id: session,
    provider_message_id: 'b',
    minute,
    sign: 1,
    delivered: 1,
    read: 1,
    failed: 0,
    changed_at: at,
  },
];
const followUpRows = (session: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${session}.f${i}`,
    session_id: session,
    rule: 'human',
    reply_at: at,
    trigger: 'reply',
  }));
const failureRows = (session: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `${session}.x${i}`,
    session_id: session,
    code: '131026',
    occurred_at: at,
    received_at: at,
  }));
const latencyRows = (session: string) =>
  [100, 200, 300].map((ms, i) => ({
    session_id: session,
    provider_message_id: `m${i}`,
    metric: 'deliver',
    minute,
    ms,
  }));

const num = z.coerce.number();
const one = async <T extends z.ZodRawShape>(query: string, shape: T) => {
  const [row] = await db.ch.query({ query, schema: z.object(shape) });
  return row!;
};
const countIn = async (table: string, session: string) =>
  (await one(`SELECT count() AS n FROM ${db.ch.table(table)} WHERE session_id = '${session}'`, { n: num })).n;
const rollupOf = (session: string) =>
  one(
    `SELECT sum(sent) AS sent, sum(delivered) AS delivered, sum(read) AS read, sum(failed) AS failed
     FROM ${db.ch.table('delivery_rollup_minute')} WHERE session_id = '${session}'`,
    { sent: num, delivered: num, read: num, failed: num },
  );
const latencySamplesOf = async (session: string) =>
  (
    await one(
      `SELECT sum(samples) AS n FROM ${db.ch.table('delivery_latency_minute')} WHERE session_id = '${session}'`,
      { n: num },
    )
  ).n;

/**
 * What a kill right after MergeTree's commitPart leaves: the insert's rows (its views' rows too), holding
 * the insert's token where a column reads it, but no record of the token. The insert runs while the
 * consumers' tables keep no deduplication log (a window of 0), as if the process died before writing it.
 */
const leaveRowsWithLostToken = async (table: string, token: string, rows: object[]) => {
  const logged = await db.ch.query({
    query: `SELECT name FROM system.tables
            WHERE database = {db:String} AND engine LIKE '%MergeTree'
              AND match(name, '^(delivery|replies|failures)_') AND NOT match(name, '_journal(_applied)?$')`,
    params: { db: db.ch.database },
    schema: z.object({ name: z.string() }),
  });
  const keepLog = async (window: number) => {
    for (const { name } of logged) {
      await db.ch.command({
        query: `ALTER TABLE ${db.ch.table(name)} MODIFY SETTING non_replicated_deduplication_window = ${window}`,
      });
    }
  };
  await keepLog(0);
  try {
    await db.ch.insert({ table, rows, dedupToken: token });
  } finally {
    await keepLog(1000);
  }
};

interface Case {
  journal: Journal;
  batchId: string;
  published: EffectRecord[];
}

/**
 * Journals `batch` while its tables do not exist yet, so nothing is applied and it stays unmarked: the
 * state a kill during apply leaves in the journal. Call before the delivery migrations run.
 */
const journalUnapplied = async (consumer: string, batch: JournalBatch): Promise<Case> => {
  const published: EffectRecord[] = [];
  const journal = createJournal({
    ch: db.ch,
    consumer,
    logger: silentLogger,
    publish: async (_topic, records) => {
      published.push(...records);
    },
    views: deliveryJournalViews,
  });
  await migrate(db.ch, { owner: `${consumer}-journal`, migrations: journal.migrations });
  await expect(journal.commit(batch)).rejects.toThrow();
  const [row] = await db.ch.query({
    query: `SELECT DISTINCT batch_id FROM ${db.ch.table(`${consumer}_journal`)}`,
    schema: z.object({ batch_id: z.string() }),
  });
  return { journal, batchId: row!.batch_id, published };
};

const cases: Record<string, Case> = {};

beforeAll(async () => {
  cases['plain'] = await journalUnapplied('lt_plain', {
    writes: [{ table: 'delivery_outbound_messages', rows: registryRows('plain', 5) }],
  });
  cases['partial'] = await journalUnapplied('lt_partial', {
    writes: [
      { table: 'delivery_outbound_messages', rows: registryRows('partial', 4) },
      { table: 'delivery_status_events', rows: statusRows('partial', 6) },
      { table: 'delivery_cohort_changes', rows: cohortRows('partial') },
    ],
    effects: [{ topic: 'transitions', records: [{ key: 'partial', value: '{"transitionId":"t1"}' }] }],
  });
  for (const at of ['source', 'view', 'both']) {
    cases[`rollup-${at}`] = await journalUnapplied(`lt_rollup_${at}`, {
      writes: [{ table: 'delivery_cohort_changes', rows: cohortRows(`rollup-${at}`) }],
    });
  }
  cases['fan-out'] = await journalUnapplied('lt_fan_out', {
    writes: [{ table: 'delivery_cohort_changes', rows: cohortRows('fan-out') }],
  });
  cases['latency'] = await journalUnapplied('lt_latency', {
    writes: [{ table: 'delivery_latency_samples', rows: latencyRows('latency') }],
  });
  cases['state'] = await journalUnapplied('lt_state', {
    writes: [{ table: 'delivery_status_events', rows: statusRows('state', 4) }],
  });
  cases['others'] = await journalUnapplied('lt_others', {
    writes: [
      { table: 'replies_follow_ups', rows: followUpRows('others', 3) },
      { table: 'failures_events', rows: failureRows('others', 2) },
    ],
  });
  await migrate(db.ch, { owner: 'delivery', migrations: await deliveryMigrations() });
  await migrate(db.ch, { owner: 'replies', migrations: await repliesMigrations() });
  await migrate(db.ch, { owner: 'failures', migrations: await failuresMigrations() });
  await migrate(db.ch, { owner: 'archive', migrations: await archiveMigrations() });
});

describe('recovery after a kill that kept rows but lost their dedup token', () => {
  it('a plain table gets the batch once, not twice', async () => {
    const { journal, batchId } = cases['plain']!;
    const token = `${batchId}.delivery_outbound_messages`;
    await leaveRowsWithLostToken('delivery_outbound_messages', token, registryRows('plain', 5));

    expect(await journal.recover()).toBe(1);
    expect(await countIn('delivery_outbound_messages', 'plain')).toBe(5);
    expect(await journal.recover()).toBe(0);
  });

  it('a batch that reached some tables is completed in the others, and the reached ones are not doubled', async () => {
    const { journal, batchId, published } = cases['partial']!;
    await leaveRowsWithLostToken(
      'delivery_outbound_messages',
      `${batchId}.delivery_outbound_messages`,
      registryRows('partial', 4),
    );

    expect(await journal.recover()).toBe(1);
    expect(await countIn('delivery_outbound_messages', 'partial')).toBe(4);
    expect(await countIn('delivery_status_events', 'partial')).toBe(6);
    expect(await countIn('delivery_cohort_changes', 'partial')).toBe(3);
    expect(await rollupOf('partial')).toEqual({ sent: 1, delivered: 2, read: 1, failed: -1 });
    expect(
      await one(
        `SELECT count() AS n, max(top_rank) AS rank FROM ${db.ch.table('delivery_message_state')}
         WHERE session_id = 'partial'`,
        { n: num, rank: num },
      ),
    ).toMatchObject({ rank: 2 });
    // Effects are at-least-once across a crash (ADR 5): the same record, never a different one.
    expect(new Set(published.map((r) => r.value))).toEqual(new Set(['{"transitionId":"t1"}']));
  });

  // The rollup sums: a kill can leave the source's rows, the view's rows, or both, each without its token.
  it.each([
    ['the source table', 'source'],
    ['the rollup view', 'view'],
    ['both', 'both'],
  ])('a summing rollup is exact when the kill kept %s', async (_what, keptIn) => {
    const session = `rollup-${keptIn}`;
    const { journal, batchId } = cases[session]!;
    if (keptIn !== 'view') {
      await leaveRowsWithLostToken(
        'delivery_cohort_changes',
        `${batchId}.delivery_cohort_changes`,
        cohortRows(session),
      );
    }
    if (keptIn !== 'source') {
      await leaveRowsWithLostToken(
        'delivery_rollup_feed',
        `${batchId}.delivery_rollup_feed`,
        cohortRows(session),
      );
    }

    expect(await journal.recover()).toBe(1);
    expect(await countIn('delivery_cohort_changes', session)).toBe(3);
    expect(await rollupOf(session)).toEqual({ sent: 1, delivered: 2, read: 1, failed: -1 });
  });

  // The cohort rows go in as one insert that views copy into the table and its five feeds (migration 0013
  // of delivery): a kill can keep some of those copies and not others, all with the fan-out's token.
  it('a fan-out that reached some of its tables is completed in the others, and none is doubled', async () => {
    const { journal, batchId } = cases['fan-out']!;
    const token = `${batchId}.delivery_cohort_fan_out`;
    await leaveRowsWithLostToken('delivery_cohort_changes', token, cohortRows('fan-out'));
    await leaveRowsWithLostToken('delivery_rollup_feed', token, cohortRows('fan-out'));
    await leaveRowsWithLostToken('delivery_cohort_hour_feed', token, cohortRows('fan-out'));

    expect(await journal.recover()).toBe(1);
    expect(await countIn('delivery_cohort_changes', 'fan-out')).toBe(3);
    expect(await rollupOf('fan-out')).toEqual({ sent: 1, delivered: 2, read: 1, failed: -1 });
    for (const grain of ['minute', 'hour']) {
      expect(
        await one(
          `SELECT sum(sent) AS sent, sum(delivered) AS delivered, sum(read) AS read, sum(failed) AS failed
           FROM ${db.ch.table(`delivery_cohort_${grain}`)} WHERE session_id = 'fan-out'`,
          { sent: num, delivered: num, read: num, failed: num },
        ),
      ).toEqual({ sent: 1, delivered: 2, read: 1, failed: -1 });
    }
  });

  // The table of issue 12, and a failures table: every consumer's tables carry the column.
  it('the replies and failures tables get the batch once, not twice', async () => {
    const { journal, batchId } = cases['others']!;
    await leaveRowsWithLostToken(
      'replies_follow_ups',
      `${batchId}.replies_follow_ups`,
      followUpRows('others', 3),
    );
    await leaveRowsWithLostToken('failures_events', `${batchId}.failures_events`, failureRows('others', 2));

    expect(await journal.recover()).toBe(1);
    expect(await countIn('replies_follow_ups', 'others')).toBe(3);
    expect(await countIn('failures_events', 'others')).toBe(2);
  });

  it('a t-digest view counts each sample once', async () => {
    const { journal, batchId } = cases['latency']!;
    await leaveRowsWithLostToken(
      'delivery_latency_samples',
      `${batchId}.delivery_latency_samples`,
      latencyRows('latency'),
    );
    await leaveRowsWithLostToken(
      'delivery_latency_feed',
      `${batchId}.delivery_latency_feed`,
      latencyRows('latency'),
    );

    expect(await journal.recover()).toBe(1);
    expect(await countIn('delivery_latency_samples', 'latency')).toBe(3);
    expect(await latencySamplesOf('latency')).toBe(3);
  });

  it('a timeline that kept its rows but not its state view gets the state back, and no second timeline row', async () => {
    const { journal, batchId } = cases['state']!;
    await leaveRowsWithLostToken(
      'delivery_status_events',
      `${batchId}.delivery_status_events`,
      statusRows('state', 4),
    );
    // The view's part is a separate part: the kill came before it.
    await db.ch.command({
      query: `ALTER TABLE ${db.ch.table('delivery_message_state')} DELETE WHERE session_id = 'state'
              SETTINGS mutations_sync = 2`,
    });

    expect(await journal.recover()).toBe(1);
    expect(await countIn('delivery_status_events', 'state')).toBe(4);
    expect(
      await one(
        `SELECT uniqExact(provider_message_id) AS messages, max(top_rank) AS rank
         FROM ${db.ch.table('delivery_message_state')} WHERE session_id = 'state'`,
        { messages: num, rank: num },
      ),
    ).toEqual({ messages: 4, rank: 2 });
  });
});

it('every table a consumer journal writes carries journal_batch', async () => {
  // Tables only views fill, with idempotent states, need no column (migration 0010 of delivery); the audit
  // log is not journaled: its rows collapse by entry id.
  const viewOnly = new Set(['delivery_message_state', 'archive_audit_log']);
  const rows = await db.ch.query({
    query: `SELECT name, has(groupArray(c.name), 'journal_batch') AS marked
            FROM system.tables AS t LEFT JOIN system.columns AS c ON c.database = t.database AND c.table = t.name
            WHERE t.database = {db:String} AND t.engine LIKE '%MergeTree' AND match(t.name, '^(delivery|replies|failures|archive)_')
              AND NOT match(t.name, '_journal(_applied)?$')
            GROUP BY name`,
    params: { db: db.ch.database },
    schema: z.object({ name: z.string(), marked: z.coerce.boolean() }),
  });
  expect(rows.length).toBeGreaterThan(12);
  expect(rows.filter((r) => !r.marked && !viewOnly.has(r.name)).map((r) => r.name)).toEqual([]);
});
