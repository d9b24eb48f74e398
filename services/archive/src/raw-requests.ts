// Raw records into archive rows: the exact bytes as text, their sha256, where they sit in the topic, and
// which messages each one carried events of. A record redriven or replayed for another consumer is a copy
// of one already kept: it is skipped.
import { createHash } from 'node:crypto';
import { normalizeRecord, readRawRecord } from '@wapipe/events';
import type { RawRecord } from '@wapipe/events';
import type { ConsumedRecord } from '@wapipe/kafka';
import { REDRIVE_HEADER, chDateTime } from '@wapipe/pipeline';
import type { JournalBatch } from '@wapipe/pipeline';

/** Where new requests go (migration 0006: small granules); the views also read the legacy table. */
export const RAW_REQUESTS_TABLE = 'archive_raw_requests_v2';
/** Requests archived before 0006: no new rows, read until RAW_RETENTION empties it. */
export const LEGACY_RAW_REQUESTS_TABLE = 'archive_raw_requests';
export const MESSAGE_REQUESTS_TABLE = 'archive_message_requests';

/**
 * Provider message ids a request carried a status or failure of, and the ids of the inbound messages in
 * it: the API finds a message's replies through the replies service's link, then their requests here.
 */
function messagesCarried(raw: RawRecord): Set<string> {
  const ids = new Set<string>();
  let events: ReturnType<typeof normalizeRecord>['events'];
  try {
    events = normalizeRecord(raw).events;
  } catch {
    return ids; // kept all the same: the raw bytes are what an operator debugs with
  }
  for (const e of events) {
    if (e.kind === 'status') ids.add(e.providerMessageId);
    else if (e.kind === 'failure' && e.providerMessageId) ids.add(e.providerMessageId);
    else if (e.kind === 'inbound') ids.add(e.providerMessageId);
  }
  return ids;
}

export function archiveBatch(records: readonly ConsumedRecord[], now: Date = new Date()): JournalBatch {
  const archivedAt = chDateTime(now);
  const requests: Record<string, unknown>[] = [];
  const links: Record<string, unknown>[] = [];
  for (const record of records) {
    const marked = record.headers[REDRIVE_HEADER];
    if (marked !== undefined && marked !== 'archive') continue;
    let raw: RawRecord;
    try {
      raw = readRawRecord({ headers: record.headers, value: record.value });
    } catch {
      continue; // not a raw.v1 record: the consumer loop refuses it and dead-letters it
    }
    const { meta, body } = raw;
    const receivedAt = chDateTime(meta.receivedAt);
    requests.push({
      session_id: meta.sessionId,
      received_at: receivedAt,
      kafka_partition: record.partition,
      kafka_offset: record.offset,
      provider: meta.provider,
      kind: meta.kind,
      content_type: meta.contentType,
      request_id: meta.requestId,
      body: body.toString('utf8'),
      sha256: createHash('sha256').update(body).digest('hex'),
      archived_at: archivedAt,
    });
    if (meta.kind !== 'webhook') continue;
    for (const providerMessageId of messagesCarried(raw)) {
      links.push({
        session_id: meta.sessionId,
        provider_message_id: providerMessageId,
        received_at: receivedAt,
        kafka_partition: record.partition,
        kafka_offset: record.offset,
      });
    }
  }
  return {
    writes: [
      { table: RAW_REQUESTS_TABLE, rows: requests },
      { table: MESSAGE_REQUESTS_TABLE, rows: links },
    ],
  };
}
