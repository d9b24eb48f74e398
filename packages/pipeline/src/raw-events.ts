// Raw records into the events of one consumer: redriven records meant for another consumer skipped,
// unreadable ones refused (to be dead-lettered), events deduplicated by id within the unit.
import { RAW_RECORD_HEADERS, normalizeRecord, readRawRecord } from '@wapipe/events';
import type { ConsumedRecord } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';
import type { RefusedRecord, SourcedEvent } from './handler.ts';
import { failureCode } from './refusal-codes.ts';

/** Header of a redriven record: the one consumer that should process it again. */
export const REDRIVE_HEADER = 'wapipe-redrive-for';

export function decodeRawRecords(
  consumer: string,
  records: ConsumedRecord[],
  log: Logger,
): { events: SourcedEvent[]; refused: RefusedRecord[] } {
  const refused: RefusedRecord[] = [];
  const seen = new Set<string>();
  const events: SourcedEvent[] = [];
  for (const record of records) {
    // A redriven dead letter travels in the raw topic (so its session keeps one owner) but is for one consumer.
    const redriveFor = record.headers[REDRIVE_HEADER];
    if (redriveFor !== undefined && redriveFor !== consumer) continue;
    let normalized: ReturnType<typeof normalizeRecord>;
    try {
      normalized = normalizeRecord(readRawRecord({ headers: record.headers, value: record.value }));
    } catch (error) {
      refused.push({
        record,
        code: failureCode(error, 'RAW_RECORD_INVALID'),
        message: (error as Error).message,
      });
      continue;
    }
    if (normalized.events.length === 0 && normalized.problems.length > 0) {
      refused.push({
        record,
        code: 'NORMALIZE_FAILED',
        message: normalized.problems.slice(0, 3).join('; '),
      });
      continue;
    }
    if (normalized.problems.length > 0) {
      log.warn('record partly understood', {
        partition: record.partition,
        offset: record.offset,
        requestId: record.headers[RAW_RECORD_HEADERS.requestId],
        problems: normalized.problems.slice(0, 3),
      });
    }
    const origin = { partition: record.partition, offset: record.offset };
    for (const event of normalized.events) {
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      // The events are fresh objects: tag them in place rather than copying each one.
      events.push(Object.assign(event, { origin }));
    }
  }
  return { events, refused };
}

// The ingress's request id of each record, so `grep <X-Request-Id>` at debug level finds the batch that
// stored a webhook; capped so a 5000-record batch does not write a 200 kB line.
export function requestIdsOf(records: ConsumedRecord[]): string[] {
  const ids = new Set<string>();
  for (const record of records) {
    const id = record.headers[RAW_RECORD_HEADERS.requestId];
    if (id !== undefined) ids.add(id);
    if (ids.size >= 500) break;
  }
  return [...ids];
}
