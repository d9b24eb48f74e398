// Rows this service writes, from the events it keeps. Column names are the tables' (see migrations/).
import type { Failure, SessionState } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { SourcedEvent } from '@wapipe/pipeline';
import type { NewMark } from './alerts/failure-rate.ts';

type Origin = Pick<SourcedEvent, 'origin'>;

const provenance = (e: Origin) => ({
  kafka_partition: e.origin.partition,
  kafka_offset: Number(e.origin.offset),
});

export function failureRow(f: Failure & Origin): Record<string, unknown> {
  return {
    event_id: f.eventId,
    session_id: f.sessionId,
    provider: f.provider,
    provider_message_id: f.providerMessageId ?? '',
    recipient: f.recipient ?? '',
    code: f.code,
    title: f.title,
    details: f.details ?? '',
    category: f.category,
    retryable: f.retryable ? 1 : 0,
    retry_advice: f.retryAdvice,
    alert: f.alert ? 1 : 0,
    source: f.source,
    occurred_at: chDateTime(f.occurredAt),
    received_at: chDateTime(f.receivedAt),
    ...provenance(f),
  };
}

export function sessionStateRow(s: SessionState & Origin): Record<string, unknown> {
  return {
    event_id: s.eventId,
    session_id: s.sessionId,
    provider: s.provider,
    status: s.status,
    reason: s.reason ?? '',
    occurred_at: chDateTime(s.occurredAt),
    received_at: chDateTime(s.receivedAt),
    ...provenance(s),
  };
}

export function markRow(sessionId: string, m: NewMark): Record<string, unknown> {
  return {
    session_id: sessionId,
    minute: chDateTime(m.minute * 60_000).slice(0, 19),
    provider_message_id: m.providerMessageId,
    failed: m.failed ? 1 : 0,
    occurred_at: chDateTime(m.occurredAt),
  };
}
