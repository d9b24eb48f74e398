// The one handler type of a consumer, at its two levels: what a service writes (events in, journaled
// writes out) and what the consumer loop runs (records in, a prepared unit out). Both come in two halves,
// prepare and store, so a staged handler's next unit is prepared while this one is stored (ADR 7).
import type { ConsumedRecord, PartitionOffset } from '@wapipe/kafka';
import type { NormalizedEvent } from '@wapipe/events';
import type { Logger } from '@wapipe/observability';
import type { JournalBatch } from './journal.ts';

/** An event with where it came from, for provenance columns. */
export type SourcedEvent = NormalizedEvent & { origin: { partition: number; offset: string } };

export interface UnitContext {
  /** Records of this unit, for lag and provenance (partition/offset) columns. */
  records: ConsumedRecord[];
  logger: Logger;
}

/**
 * What a consumer service supplies: a unit's events (all kinds, deduplicated by eventId within the unit)
 * turned into writes, which the journal stores exactly once. prepare() reads but writes nothing.
 *
 * A handler with reset() is staged: prepare() keeps what the units it returned will write until their
 * `onStored`, and answers later units from that state, so the next unit is prepared while this one is
 * stored. reset() drops that state: those units will not be stored as they were prepared.
 */
export interface ConsumerHandler {
  prepare(events: SourcedEvent[], context: UnitContext): Promise<JournalBatch>;
  reset?(): void;
}

/** A record the handler refuses for good (it will never process), with the reason. */
export interface RefusedRecord {
  record: ConsumedRecord;
  /** One of refusalCodes, or the code of the error the record failed with. */
  code: string;
  message: string;
}

/** A unit's first half done (decoding, reads, computing its writes); store() makes it durable. */
export interface PreparedUnit {
  refused: RefusedRecord[];
  store(): Promise<void>;
}

/**
 * A unit's partitions as its member may claim them (ADR 15): a commit of where they start, carrying a token,
 * that the group coordinator takes only from a member of its current generation. The journal claims a
 * batch between its journal insert and its first apply, and recovery re-applies only claimed batches.
 */
export interface UnitClaim {
  groupId: string;
  /** The first offset of each partition of the unit (of the whole unit when it is split): none moves. */
  starts: PartitionOffset[];
  claim(token: string): Promise<void>;
}

/** The same two halves over raw records, as the consumer loop runs them (see ConsumerHandler for reset). */
export interface RecordHandler {
  /** `claim` is given by a loop in a consumer group; a handler that stores through a journal passes it on. */
  prepare(records: ConsumedRecord[], claim?: UnitClaim): Promise<PreparedUnit>;
  reset?(): void;
  /**
   * Puts what an earlier unit left half stored right before new work (the journal's recovery); false holds
   * the unit like an outage. Called before every attempt; cheap when there is nothing to do.
   */
  recover?(): Promise<boolean>;
  /**
   * The member joined its group again, so partitions may have moved: what a member that died left half
   * stored must be put right before its records are read again here (the next recover does it).
   */
  rebalanced?(): void;
  /** A unit's offsets were committed: what waited for records to be committed past may be settled now. */
  committed?(): Promise<void>;
}

/** A record handler that does all its work at once (no staging): the work runs in prepare. */
export function handleRecords(
  handle: (records: ConsumedRecord[]) => Promise<{ refused?: RefusedRecord[] } | void>,
): RecordHandler {
  return {
    async prepare(records) {
      const result = await handle(records);
      return { refused: result?.refused ?? [], store: async () => {} };
    },
  };
}
