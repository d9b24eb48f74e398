// How the consumer loop gets a unit through: hold it while a dependency is out (heartbeating), retry a
// retryable failure with backoff, and once attempts are spent split the unit in halves until the records
// at fault stand alone, refused with the code of their last failure (then dead-lettered).
import { KafkaError, isClaimRefused as isKafkaClaimRefused } from '@wapipe/kafka';
import type { ConsumedRecord, FetchedBatch } from '@wapipe/kafka';
import { errorMessage, isRetryable } from '@wapipe/errors';
import type { Logger } from '@wapipe/observability';
import type { FailureNote } from './dead-letter.ts';
import type { RecordHandler, RefusedRecord, UnitClaim } from './handler.ts';
import type { LoopMetrics } from './loop-metrics.ts';
import { failureCode } from './refusal-codes.ts';

/** Thrown out of a wait when the loop stops: the unit stays uncommitted and is fetched again later. */
export class StoppedError extends Error {
  override readonly name: string = 'StoppedError';
}

/**
 * The coordinator refused the unit's claim (ADR 15): this member left its generation, and the unit's
 * partitions may be another member's. The unit is dropped uncommitted, neither retried nor dead-lettered;
 * what the member still owns after it joins again is fetched again from the committed offsets.
 */
export class ClaimRefusedError extends StoppedError {
  override readonly name = 'ClaimRefusedError';
}

/** A refused claim, as the member threw it or as this loop rethrew it. */
export function isClaimRefused(error: unknown): boolean {
  return error instanceof ClaimRefusedError || isKafkaClaimRefused(error);
}
/** A claim that could not tell (the coordinator did not answer): not the records' fault, so never bisected. */
const isClaimUncertain = (error: unknown) =>
  error instanceof KafkaError && error.code === 'KAFKA_COMMIT_FAILED';

export interface UnitRetryOptions {
  handler: RecordHandler;
  /** When false, failures are an outage of a dependency: wait for it, never dead-letter. Checks only. */
  isHealthy: (() => Promise<boolean>) | undefined;
  maxAttempts: number;
  backoff: { initialMs: number; maxMs: number };
  isRunning(): boolean;
  /** The claim of a unit made of these held batches (a loop in a consumer group). */
  claimOf?(held: FetchedBatch[]): UnitClaim;
  log: Logger;
  metrics: LoopMetrics;
}

export function unitRetry(options: UnitRetryOptions) {
  const { handler, log, metrics } = options;
  const failures = new Map<string, FailureNote>();
  const recordId = (r: ConsumedRecord) => `${r.topic}:${r.partition}:${r.offset}`;

  /** Waits ms (heartbeating the held batches), or throws StoppedError once the loop stops. */
  const sleep = (ms: number, held: FetchedBatch[]) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = setInterval(
        () => {
          if (!options.isRunning()) {
            clearInterval(tick);
            reject(new StoppedError('stopping'));
          } else if (Date.now() - started >= ms) {
            clearInterval(tick);
            resolve();
          }
        },
        Math.min(ms, 100),
      );
      // Keep the group membership alive while we wait out a dependency.
      for (const b of held) void b.heartbeat().catch(() => {});
    });

  const delay = (attempt: number) =>
    Math.min(options.backoff.maxMs, options.backoff.initialMs * 2 ** Math.max(0, attempt - 1));

  /** Healthy dependencies, then the handler's recovery (if any): what new work needs first. */
  const ready = async () =>
    (!options.isHealthy || (await options.isHealthy())) && (!handler.recover || (await handler.recover()));

  const waitUntilReady = async (held: FetchedBatch[]) => {
    let waits = 0;
    while (!(await ready())) {
      waits++;
      metrics.outageWaits.inc();
      if (waits === 1 || waits % 10 === 0) log.warn('dependency unavailable; holding the batch', { waits });
      await sleep(delay(waits), held);
    }
  };

  const note = (records: ConsumedRecord[], error: unknown) => {
    const now = new Date().toISOString();
    for (const r of records) {
      const prev = failures.get(recordId(r));
      failures.set(recordId(r), {
        attempts: (prev?.attempts ?? 0) + 1,
        firstFailureAt: prev?.firstFailureAt ?? now,
        lastFailureAt: now,
        code: failureCode(error, 'PROCESSING_FAILED'),
        message: errorMessage(error),
      });
    }
  };

  /** A unit whose claim was refused: counted, and dropped by whoever catches this. */
  const claimRefused = (error: unknown) => {
    metrics.claimsRefused.inc();
    return new ClaimRefusedError(errorMessage(error));
  };

  /** Prepares and stores until it succeeds; isolates records it cannot process. Returns those refused. */
  const storeOneAtATime = async (
    records: ConsumedRecord[],
    held: FetchedBatch[],
  ): Promise<RefusedRecord[]> => {
    let claimWaits = 0;
    for (let attempt = 1; ; attempt++) {
      await waitUntilReady(held);
      try {
        const unit = await handler.prepare(records, options.claimOf?.(held));
        await unit.store();
        return unit.refused;
      } catch (error) {
        if (!options.isRunning()) throw new StoppedError('stopping');
        if (isClaimRefused(error)) throw claimRefused(error);
        if (isClaimUncertain(error)) {
          log.warn('the claim of a unit got no answer; trying again', { error: errorMessage(error) });
          await sleep(delay(++claimWaits), held);
          attempt = 0;
          continue;
        }
        note(records, error);
        const retry = isRetryable(error);
        log.warn('batch failed', { records: records.length, attempt, retry, error: errorMessage(error) });
        if (retry && attempt < options.maxAttempts) {
          metrics.retries.inc();
          await sleep(delay(attempt), held);
          continue;
        }
        if (retry && !(await ready())) {
          attempt = 0; // an outage, not this batch: wait for it without spending attempts
          continue;
        }
        if (records.length === 1) {
          const failure = failures.get(recordId(records[0]!))!;
          return [{ record: records[0]!, code: failure.code, message: failure.message }];
        }
        const mid = Math.ceil(records.length / 2);
        return [
          ...(await storeOneAtATime(records.slice(0, mid), held)),
          ...(await storeOneAtATime(records.slice(mid), held)),
        ];
      }
    }
  };

  return {
    claimOf: options.claimOf,
    claimRefused,
    sleep,
    delay,
    ready,
    note,
    storeOneAtATime,
    failureOf: (record: ConsumedRecord) => failures.get(recordId(record)),
    forget: (records: ConsumedRecord[]) => {
      for (const r of records) failures.delete(recordId(r));
    },
  };
}

export type UnitRetry = ReturnType<typeof unitRetry>;
