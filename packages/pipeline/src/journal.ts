// Exactly-once writes from a consumer into several ClickHouse tables (and Kafka topics), without
// transactions. A batch's rows are first written to the consumer's journal in ONE insert: one block, one
// part, so it lands whole or not at all, even if the process is killed mid-way. Only then are they applied
// to their targets, each insert with a token derived from the batch, and the batch is marked applied.
// A crash between journal and mark leaves a batch that recover() re-applies. A token alone cannot tell
// which inserts had landed: MergeTree commits a part before it records the part's token, so a kill in
// between keeps rows whose token is forgotten (ADR 5). Every target therefore holds the token in its rows
// (column journal_batch), and recover() re-applies only the inserts whose rows it does not find.
// Kafka effects re-sent by recover() carry the same deterministic ids.
// In a consumer group the batch is claimed between its journal insert and its first apply (ADR 15): a
// fenced commit that only a member of the group's current generation can make. recover() re-applies a
// batch only if its claim is the one the group holds, so a member frozen past its session timeout, whose
// journal insert lands after its successor's recovery, cannot have its batch applied by anyone.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { encodeCompactRows, encodeTsvRows } from '@wapipe/clickhouse';
import type { ClickHouse, Migration } from '@wapipe/clickhouse';
import { isClaimRefused } from '@wapipe/kafka';
import type { PartitionOffset } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';
import { chDateTime } from './datetime.ts';
import type { UnitClaim } from './handler.ts';
import { journalMigrations, uncoveredByFanOuts } from './journal-schema.ts';
import type { JournalFeed, JournalViews } from './journal-schema.ts';

export interface TableWrite {
  /** Bare table name in the consumer's database. */
  table: string;
  rows: Record<string, unknown>[];
}

/** A record to publish once the batch is durable; values are text so the journal can hold them. */
export interface EffectRecord {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface TopicEffect {
  topic: string;
  records: EffectRecord[];
}

/** A table's rows as the journal holds them (see encodeCompactRows). */
interface EncodedTable {
  table: string;
  encoded: string;
}

export interface JournalBatch {
  writes: TableWrite[];
  effects?: TopicEffect[];
  /** Called once the batch is durable (a pipelined process releases what it kept for it). */
  onStored?: () => void;
}

export interface Journal {
  /** Journal tables for the consumer; run with migrate() under owner `<consumer>-journal`. */
  readonly migrations: Migration[];
  /** Re-applies batches journaled but not marked applied (and claimed, if claimed). Returns how many. */
  recover(): Promise<number>;
  /** Marks the batches recovery left unclaimed that another batch has since committed past (ADR 15). */
  settle(): Promise<void>;
  /**
   * Journals the batch, claims it (when `claim` is given), applies it and marks it applied. Returns the
   * batch id, or null if it was empty. A refused claim (KAFKA_CLAIM_REFUSED) abandons the batch: it is
   * marked and never applied, and its records, never committed past, are read again by their owner.
   */
  commit(batch: JournalBatch, claim?: UnitClaim): Promise<string | null>;
}

export interface JournalOptions {
  ch: ClickHouse;
  /** More connections to apply a batch's tables side by side (the embedded engine runs one query per connection). */
  applyChs?: ClickHouse[];
  consumer: string;
  publish(topic: string, records: EffectRecord[]): Promise<void>;
  logger: Logger;
  /** How the consumer's materialized views are written (see JournalFeed, JournalReplay). */
  views?: JournalViews;
  /** A group's committed offsets with their metadata, by partition: what recovery checks claims against. */
  committedClaims?(
    groupId: string,
    topic: string,
  ): Promise<Map<number, { offset: bigint; metadata: string | null }>>;
}

/** What a claimed batch's journal holds of its claim (target `claim:<group>`). */
const ClaimStarts = z.array(z.object({ topic: z.string(), partition: z.number(), offset: z.string() }));
const CLAIM_PREFIX = 'claim:';
/** A pending batch's claim as recovery judges it. */
interface JournaledClaim {
  batchId: string;
  groupId: string;
  starts: PartitionOffset[];
}

/** One insert of a batch: a table's rows into that table, or into one of its feeds. */
interface TargetInsert {
  table: string;
  encoded: string;
  token: string;
  /** Where rows carrying `token` in journal_batch show that this insert landed. */
  landedIn: string;
  /** A replay table to write instead when recovery finds the insert landed. */
  replay?: string;
  /** For a fan-out insert: the separate inserts it stands for, which recovery checks and re-applies. */
  covers?: TargetInsert[];
  /** What the insert costs the engine, to spread inserts over connections: bytes parsed × tables written. */
  cost: number;
}

/**
 * ClickHouse parses an insert in blocks of max_insert_block_size rows (1,048,449 by default), each its own
 * part: a larger write could land in part, which the presence check cannot tell from whole.
 */
const maxRowsPerWrite = 1_000_000;

const JournalRow = z.object({ target: z.string(), row: z.string() });
const ClaimRow = z.object({ batch_id: z.string(), target: z.string(), row: z.string() });
const PendingBatch = z.object({ batch_id: z.string() });
const Count = z.object({ n: z.coerce.number() });
const TableName = z.object({ table: z.string() });

export function createJournal(options: JournalOptions): Journal {
  const { ch, consumer, logger } = options;
  const journalTable = `${consumer}_journal`;
  const appliedTable = `${consumer}_journal_applied`;
  const log = logger.child({ component: 'journal' });

  const feedsOf = new Map<string, JournalFeed[]>();
  for (const f of options.views?.feeds ?? []) feedsOf.set(f.source, [...(feedsOf.get(f.source) ?? []), f]);
  const replayOf = new Map((options.views?.replays ?? []).map((r) => [r.source, r.replay]));
  const fanOutOf = new Map((options.views?.fanOuts ?? []).map((f) => [f.source, f.fanOut]));

  /**
   * The inserts that apply a batch's tables: each table, then each of its feeds, with the same rows; or, for a
   * table with a fan-out, one insert that covers those (recovery checks and re-applies them one by one).
   */
  const insertsOf = (batchId: string, tables: EncodedTable[]): TargetInsert[] =>
    tables.flatMap(({ table, encoded }) => {
      const replay = replayOf.get(table);
      const inserts: TargetInsert[] = [
        {
          table,
          encoded,
          token: `${batchId}.${table}`,
          landedIn: table,
          ...(replay === undefined ? {} : { replay }),
          cost: encoded.length,
        },
        ...(feedsOf.get(table) ?? []).map((f) => ({
          table: f.feed,
          encoded,
          token: `${batchId}.${f.feed}`,
          landedIn: f.target,
          cost: encoded.length,
        })),
      ];
      const fanOut = fanOutOf.get(table);
      if (fanOut === undefined) return inserts;
      return [
        {
          table: fanOut,
          encoded,
          token: `${batchId}.${fanOut}`,
          landedIn: fanOut,
          covers: inserts,
          cost: encoded.length * inserts.length,
        },
      ];
    });

  // Table inserts (one connection, one at a time) and Kafka effects are independent: run them side by
  // side. The batch is marked applied only when both are done. Table rows arrive encoded as the journal
  // holds them, so each row is encoded once, for the journal, its table and the table's feeds.
  const apply = async (batchId: string, tables: TargetInsert[], effects: TopicEffect[]) => {
    // Costliest insert first, each onto the connection with the least cost queued so far.
    const lanes = [ch, ...(options.applyChs ?? [])].map((lane) => ({
      lane,
      cost: 0,
      tables: [] as TargetInsert[],
    }));
    for (const t of [...tables].sort((a, b) => b.cost - a.cost)) {
      const lane = lanes.reduce((min, l) => (l.cost < min.cost ? l : min));
      lane.tables.push(t);
      lane.cost += t.cost;
    }
    const insertLane = async ({ lane, tables: laneTables }: (typeof lanes)[number]) => {
      for (const t of laneTables) {
        const started = performance.now();
        await lane.insert({
          table: t.table,
          encoded: t.encoded,
          // Journals written before compact rows hold JSON objects, one per line.
          format: t.encoded.startsWith('{') ? 'JSONEachRow' : 'JSONCompactEachRowWithNames',
          dedupToken: t.token,
          dedupDependentViews: true,
        });
        log.debug('applied', {
          table: t.table,
          bytes: t.encoded.length,
          ms: Math.round(performance.now() - started),
        });
      }
    };
    const insertAll = async () => {
      const results = await Promise.allSettled(lanes.map(insertLane));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    };
    const publishAll = async () => {
      for (const effect of effects) {
        if (effect.records.length === 0) continue;
        const started = performance.now();
        await options.publish(effect.topic, effect.records);
        log.debug('published', {
          topic: effect.topic,
          records: effect.records.length,
          ms: Math.round(performance.now() - started),
        });
      }
    };
    const [inserted, published] = await Promise.allSettled([insertAll(), publishAll()]);
    if (inserted.status === 'rejected') throw inserted.reason;
    if (published.status === 'rejected') throw published.reason;
    await mark(batchId);
  };
  /** Marks a batch done: applied, or abandoned unapplied (recovery skips both alike). */
  const mark = (batchId: string) =>
    ch.insert({
      table: appliedTable,
      rows: [{ batch_id: batchId, applied_at: chDateTime(new Date()) }],
      dedupToken: `${batchId}.applied`,
    });

  const abandon = async (batchId: string) => {
    log.warn('abandoning a journaled batch never claimed: another batch stored its records', { batchId });
    await mark(batchId);
    left.delete(batchId);
  };
  /**
   * Batches recovery left unclaimed. One whose member died before its claim stays so until its partition is
   * committed past, so they are judged again after this member's commits (settle), and marked then.
   */
  const left = new Map<string, JournaledClaim>();

  /**
   * Of pending batches' claims, whether each may be re-applied: yes when the group holds its token on one
   * of its partitions (it was claimed, and nothing was committed since); abandoned when a partition's
   * commit has moved past the batch's start (another batch took its records, and its own member, stale,
   * can no longer claim it); otherwise left alone (its member may be claiming it right now).
   */
  const judgeClaims = async (claims: JournaledClaim[]) => {
    const verdicts = new Map<string, 'apply' | 'abandon' | 'leave'>();
    const committed = new Map<string, Map<number, { offset: bigint; metadata: string | null }>>();
    for (const { batchId, groupId, starts } of claims) {
      let verdict: 'apply' | 'abandon' | 'leave' = 'leave';
      for (const start of starts) {
        const key = `${groupId}\u0000${start.topic}`;
        let offsets = committed.get(key);
        if (!offsets) {
          if (!options.committedClaims)
            throw new Error('the journal was given no committedClaims to check claims');
          offsets = await options.committedClaims(groupId, start.topic);
          committed.set(key, offsets);
        }
        const at = offsets.get(start.partition);
        if (at?.metadata === batchId) {
          verdict = 'apply';
          break;
        }
        if (at !== undefined && at.offset > BigInt(start.offset)) verdict = 'abandon';
      }
      verdicts.set(batchId, verdict);
    }
    return verdicts;
  };

  let fanOutsChecked = false;
  const warnedUnmarked = new Set<string>();
  /**
   * Of a journaled batch's inserts, those recovery must make again: each whose rows (or view marker) it does
   * not find. One it finds is replaced by its replay, if it has one. Recovery only: the hot path never reads.
   */
  const notLanded = async (
    batchId: string,
    inserts: TargetInsert[],
    marked: Set<string>,
    /** Tokens of a fan-out insert that these inserts' rows may carry instead of their own. */
    fanOutTokens: string[] = [],
  ): Promise<TargetInsert[]> => {
    const again: TargetInsert[] = [];
    for (const t of inserts) {
      if (t.covers !== undefined) {
        again.push(...(await notLanded(batchId, t.covers, marked, [...fanOutTokens, t.token])));
        continue;
      }
      if (!marked.has(t.landedIn)) {
        if (!warnedUnmarked.has(t.landedIn)) {
          warnedUnmarked.add(t.landedIn);
          log.warn('table has no journal_batch column: re-applying relies on its dedup token alone', {
            table: t.landedIn,
            fix: 'add journal_batch to the table in a migration (ADR 5)',
          });
        }
        again.push(t);
        continue;
      }
      const [landed] = await ch.query({
        query: `SELECT count() AS n FROM ${ch.table(t.landedIn)} WHERE journal_batch IN {tokens:Array(String)}`,
        params: { tokens: [t.token, ...fanOutTokens] },
        schema: Count,
      });
      if (landed!.n === 0) again.push(t);
      else if (t.replay !== undefined) {
        again.push({
          table: t.replay,
          encoded: t.encoded,
          token: `${batchId}.${t.replay}`,
          landedIn: t.replay,
          cost: t.cost,
        });
      }
    }
    return again;
  };

  return {
    migrations: journalMigrations(consumer),

    async recover() {
      if (!fanOutsChecked) {
        const materialized = await ch.query({
          // Not "engine = '…'": the local ClickHouse server refuses text that reads as a table engine.
          query: `SELECT create_table_query FROM system.tables
                  WHERE database = {db:String} AND startsWith(engine, 'MaterializedView')`,
          params: { db: ch.database },
          schema: z.object({ create_table_query: z.string() }),
        });
        const missing = uncoveredByFanOuts(options.views ?? {}, ch.database, materialized);
        if (missing.length > 0) {
          const list = missing.map((m) => `${m.fanOut} → ${m.target}`).join(', ');
          throw new Error(
            `the journal's fan-out inserts would not reach ${list}: add a migration with CREATE MATERIALIZED VIEW … TO <target> AS SELECT * FROM <fan-out> for each`,
          );
        }
        fanOutsChecked = true;
      }
      const pending = await ch.query({
        query: `SELECT DISTINCT batch_id FROM ${ch.table(journalTable)}
                WHERE batch_id NOT IN (SELECT batch_id FROM ${ch.table(appliedTable)})`,
        schema: PendingBatch,
      });
      if (pending.length === 0) return 0;
      const claimRows = await ch.query({
        query: `SELECT batch_id, target, row FROM ${ch.table(journalTable)}
                WHERE batch_id IN {batches:Array(String)} AND startsWith(target, {prefix:String})`,
        params: { batches: pending.map((p) => p.batch_id), prefix: CLAIM_PREFIX },
        schema: ClaimRow,
      });
      const claims = claimRows.map((r) => ({
        batchId: r.batch_id,
        groupId: r.target.slice(CLAIM_PREFIX.length),
        starts: ClaimStarts.parse(JSON.parse(r.row)),
      }));
      const verdicts = await judgeClaims(claims);
      for (const claim of claims) {
        const verdict = verdicts.get(claim.batchId);
        if (verdict === 'abandon') await abandon(claim.batchId);
        else if (verdict === 'leave') {
          log.debug('a journaled batch is not claimed yet: left to its member', { batchId: claim.batchId });
          left.set(claim.batchId, claim);
        }
      }
      // Batches journaled without a claim (by a loop outside a group, or before claims) are re-applied.
      const toApply = pending.filter((p) => (verdicts.get(p.batch_id) ?? 'apply') === 'apply');
      if (toApply.length === 0) return 0;
      const marked = new Set(
        (
          await ch.query({
            query: `SELECT table FROM system.columns WHERE database = {db:String} AND name = 'journal_batch'`,
            params: { db: ch.database },
            schema: TableName,
          })
        ).map((r) => r.table),
      );
      for (const { batch_id: batchId } of toApply) {
        const rows = await ch.query({
          query: `SELECT target, row FROM ${ch.table(journalTable)} WHERE batch_id = {batchId:String} ORDER BY seq`,
          params: { batchId },
          schema: JournalRow,
        });
        const { tables, effects } = splitTargets(rows);
        const missing = await notLanded(batchId, insertsOf(batchId, tables), marked);
        log.warn('re-applying a journaled batch', {
          batchId,
          targets: rows.length,
          reapplied: missing.map((t) => t.table),
        });
        await apply(batchId, missing, effects);
      }
      return toApply.length;
    },

    async settle() {
      if (left.size === 0) return;
      const verdicts = await judgeClaims([...left.values()]);
      for (const [batchId, verdict] of verdicts) {
        if (verdict === 'abandon') await abandon(batchId);
        // Claimed now: its member applies it, or whoever recovers it after that member dies.
        else if (verdict === 'apply') left.delete(batchId);
      }
    },

    async commit(batch, claim) {
      const effects = batch.effects ?? [];
      // One journal row per target: its rows as compact JSON (a table) or a JSON array (a topic). Few, large
      // rows keep the journal insert cheap; they are enough to re-apply the batch exactly.
      const entries: { target: string; body: string }[] = [];
      const tables: EncodedTable[] = [];
      for (const w of batch.writes) {
        if (w.rows.length === 0) continue;
        if (w.rows.length > maxRowsPerWrite) {
          throw new Error(
            `a batch writes ${w.rows.length} rows into ${w.table}; the journal takes at most ${maxRowsPerWrite} per table (make batches smaller)`,
          );
        }
        const encoded = encodeCompactRows(w.rows);
        entries.push({ target: `table:${w.table}`, body: encoded });
        tables.push({ table: w.table, encoded });
      }
      for (const e of effects) {
        if (e.records.length > 0)
          entries.push({ target: `topic:${e.topic}`, body: JSON.stringify(e.records) });
      }
      if (entries.length === 0) return null;
      if (claim)
        entries.push({ target: `${CLAIM_PREFIX}${claim.groupId}`, body: JSON.stringify(claim.starts) });

      const hash = createHash('sha256');
      for (const e of entries) hash.update(e.target).update('\u0000').update(e.body).update('\u0001');
      const batchId = hash.digest('hex').slice(0, 32);
      const journaledAt = chDateTime(new Date());
      const started = performance.now();
      await ch.insert({
        table: journalTable,
        encoded: encodeTsvRows(
          entries.map((e, seq) => ({
            batch_id: batchId,
            seq,
            target: e.target,
            row: e.body,
            journaled_at: journaledAt,
          })),
        ),
        format: 'TabSeparatedWithNames',
        dedupToken: `${batchId}.journal`,
      });
      log.debug('journaled', {
        batchId,
        targets: entries.length,
        bytes: entries.reduce((n, e) => n + e.body.length, 0),
        ms: Math.round(performance.now() - started),
      });
      if (claim) {
        try {
          await claim.claim(batchId);
        } catch (error) {
          if (isClaimRefused(error)) {
            // Never applied, and its records were never committed past: abandoning it loses nothing.
            log.warn('claim refused: the member left its generation; abandoning the batch', {
              batchId,
              error: error.message,
            });
            await mark(batchId).catch(() => {});
          }
          throw error;
        }
        log.debug('claimed', { batchId });
      }
      await apply(batchId, insertsOf(batchId, tables), effects);
      return batchId;
    },
  };
}

function splitTargets(entries: { target: string; row: string }[]): {
  tables: EncodedTable[];
  effects: TopicEffect[];
} {
  const tables: EncodedTable[] = [];
  const effects: TopicEffect[] = [];
  for (const { target, row } of entries) {
    const colon = target.indexOf(':');
    const [kind, name] = [target.slice(0, colon), target.slice(colon + 1)];
    if (kind === 'table') tables.push({ table: name, encoded: row });
    else if (`${kind}:` === CLAIM_PREFIX) continue;
    else effects.push({ topic: name, records: JSON.parse(row) as EffectRecord[] });
  }
  return { tables, effects };
}
