// A dead letter is the original record, byte for byte, with headers that say who gave up on it and why.
// Redriving copies it back unchanged, so downstream dedup sees the same event ids.
import type { ConsumedRecord, ProducedRecord } from '@wapipe/kafka';
import type { RefusedRecord } from './handler.ts';

export interface FailureNote {
  attempts: number;
  firstFailureAt: string;
  lastFailureAt: string;
  code: string;
  message: string;
}

export const DLQ_HEADER_PREFIX = 'wapipe-dlq-';

export function deadLetterRecord(
  consumer: string,
  refused: RefusedRecord,
  failure?: FailureNote,
): ProducedRecord {
  const now = new Date().toISOString();
  const { record } = refused;
  return {
    key: record.key ?? '',
    value: record.value,
    headers: {
      ...record.headers,
      [`${DLQ_HEADER_PREFIX}consumer`]: consumer,
      [`${DLQ_HEADER_PREFIX}source-topic`]: record.topic,
      [`${DLQ_HEADER_PREFIX}source-partition`]: String(record.partition),
      [`${DLQ_HEADER_PREFIX}source-offset`]: record.offset,
      [`${DLQ_HEADER_PREFIX}error-code`]: refused.code,
      [`${DLQ_HEADER_PREFIX}error-message`]: refused.message.slice(0, 1000),
      [`${DLQ_HEADER_PREFIX}attempts`]: String(failure?.attempts ?? 1),
      [`${DLQ_HEADER_PREFIX}first-failure-at`]: failure?.firstFailureAt ?? now,
      [`${DLQ_HEADER_PREFIX}last-failure-at`]: failure?.lastFailureAt ?? now,
    },
  };
}

export interface DeadLetterInfo {
  consumer: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  firstFailureAt: string;
  lastFailureAt: string;
}

export function readDeadLetter(record: ConsumedRecord): { info: DeadLetterInfo; original: ProducedRecord } {
  const h = record.headers;
  const get = (name: string) => h[`${DLQ_HEADER_PREFIX}${name}`] ?? '';
  const originalHeaders = Object.fromEntries(
    Object.entries(h).filter(([k]) => !k.startsWith(DLQ_HEADER_PREFIX)),
  );
  return {
    info: {
      consumer: get('consumer'),
      sourceTopic: get('source-topic'),
      sourcePartition: Number(get('source-partition')),
      sourceOffset: get('source-offset'),
      errorCode: get('error-code'),
      errorMessage: get('error-message'),
      attempts: Number(get('attempts')),
      firstFailureAt: get('first-failure-at'),
      lastFailureAt: get('last-failure-at'),
    },
    original: { key: record.key ?? '', value: record.value, headers: originalHeaders },
  };
}
