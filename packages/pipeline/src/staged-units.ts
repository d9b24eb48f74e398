// Staged units (ADR 7): unit N+1 is prepared while unit N is stored, and kafkajs is released to fetch as
// soon as a unit is prepared; its records stay in memory until they are stored and committed. Stores run
// in order. A failed store makes every unit prepared after it stale (`failureEpoch`): those, and the failed
// one, go through the one-at-a-time path (retries, holding, bisecting), and no unit is prepared while one
// is on that path. Before a group join the member stores every unit it prepared (ADR 14); a unit still
// unstored when a join has happened is dropped, and kafkajs fetches it again from the committed offsets.
import { errorMessage } from '@wapipe/kafka';
import type { ConsumedRecord, FetchedBatch } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';
import type { PreparedUnit, RecordHandler, RefusedRecord } from './handler.ts';
import { StoppedError, isClaimRefused } from './unit-retry.ts';
import type { UnitRetry } from './unit-retry.ts';

/** One fetched batch waiting for its unit: resolved true once taken (see GroupMemberOptions.onBatch). */
export interface HeldBatch {
  batch: FetchedBatch;
  done: { resolve(committed: boolean): void; reject(error: unknown): void };
}

export interface StagedUnitsOptions {
  handler: RecordHandler;
  reset(): void;
  retry: UnitRetry;
  finishUnit(
    held: FetchedBatch[],
    records: ConsumedRecord[],
    refused: RefusedRecord[],
    started: number,
  ): Promise<void>;
  isRunning(): boolean;
  /** Group joins so far: a change means partitions may have moved. */
  joins(): number;
  log: Logger;
}

export function stagedUnits(options: StagedUnitsOptions) {
  const { handler, retry, log } = options;
  const unstored: Promise<void>[] = [];
  let failureEpoch = 0;
  let seenJoins = 0;
  // Units being stored one at a time after a failure. Their state is not in flight (reset dropped it) and
  // not stored yet, so no unit may be prepared meanwhile: it would read their records as new.
  let alone = 0;

  const waitFor = async (promise: Promise<void>, held: FetchedBatch[]) => {
    let settled = false;
    void promise.finally(() => (settled = true)).catch(() => {});
    while (!settled) {
      await Promise.race([promise.catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
      // This unit's records are held while an earlier one is stored: keep the membership alive meanwhile.
      if (!settled) for (const b of held) void b.heartbeat().catch(() => {});
    }
  };

  const process = async (slots: HeldBatch[], records: ConsumedRecord[]) => {
    const started = performance.now();
    const held = slots.map((s) => s.batch);
    try {
      // At most one unit prepared ahead of the one being stored.
      while (unstored.length > 1) await waitFor(unstored[0]!, held);
      if (seenJoins !== options.joins()) {
        while (unstored.length > 0) await waitFor(unstored[0]!, held);
        options.reset();
        seenJoins = options.joins();
      }
      if (alone > 0) log.debug('a failed unit is being stored on its own; the next waits for it');
      while (alone > 0 && unstored.length > 0) await waitFor(unstored[0]!, held);
      if (!options.isRunning()) throw new StoppedError('stopping');
      const [myEpoch, myJoins] = [failureEpoch, options.joins()];
      let prepared: PreparedUnit | undefined;
      if (await retry.ready()) {
        prepared = await handler.prepare(records, retry.claimOf?.(held)).catch((error: unknown) => {
          retry.note(records, error);
          return undefined;
        });
      }
      const previous = unstored.at(-1) ?? Promise.resolve();
      const storing = (async () => {
        await previous.catch(() => {});
        if (options.joins() !== myJoins) return; // fetched again after the rebalance
        // Stopping: the unit before may not be stored, and committing this one would skip it.
        if (!options.isRunning()) throw new StoppedError('stopping');
        let refused: RefusedRecord[];
        try {
          if (!prepared || failureEpoch !== myEpoch) throw new Error('prepared state is stale');
          await prepared.store();
          refused = prepared.refused;
        } catch (error) {
          // Out of its generation, this member may no longer own the unit's partitions: drop it (ADR 15).
          if (isClaimRefused(error)) throw retry.claimRefused(error);
          if (prepared && failureEpoch === myEpoch) {
            retry.note(records, error);
            log.warn('staged batch failed; storing it one unit at a time', { error: errorMessage(error) });
          }
          failureEpoch++;
          options.reset();
          alone++;
          try {
            refused = await retry.storeOneAtATime(records, held);
          } finally {
            alone--;
          }
        }
        await options.finishUnit(held, records, refused, started);
      })();
      unstored.push(storing);
      void storing
        .catch((error: unknown) => {
          if (!(error instanceof StoppedError))
            log.warn('batch not committed', { error: errorMessage(error) });
          failureEpoch++;
          options.reset();
        })
        .finally(() => unstored.splice(unstored.indexOf(storing), 1));
      for (const s of slots) s.done.resolve(true);
    } catch (error) {
      if (!(error instanceof StoppedError)) log.warn('batch not committed', { error: errorMessage(error) });
      for (const s of slots) s.done.reject(error);
    }
  };

  return {
    process,
    /** Units prepared and not yet stored (or being stored). */
    unstored: () => unstored.length,
    /** Resolves once every unit being stored has settled, including units queued meanwhile. */
    settled: async () => {
      while (unstored.length > 0) await Promise.allSettled([...unstored]);
    },
  };
}
