// What the failures service already stored for a batch's sessions: to drop repeats. Every read is bounded by the batch's sessions and ids (or a time range).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { StoredMark } from './alerts/failure-rate.ts';

const EventIdRow = z.object({ event_id: z.string() });

/** Ids of these events already stored in `table` (bounded by the batch's sessions and ids). */
async function storedIds(
  ch: ClickHouse,
  table: 'failures_events' | 'failures_session_states',
  sessions: string[],
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ch.query({
    query: `SELECT DISTINCT event_id FROM ${ch.table(table)}
            WHERE session_id IN {sessions:Array(String)} AND event_id IN {ids:Array(String)}`,
    params: { sessions, ids },
    schema: EventIdRow,
  });
  return new Set(rows.map((r) => r.event_id));
}

/** Ids of these failure events already stored. */
export const storedFailureIds = (ch: ClickHouse, sessions: string[], ids: string[]) =>
  storedIds(ch, 'failures_events', sessions, ids);

/** Ids of these session-state events already stored. */
export const storedStateIds = (ch: ClickHouse, sessions: string[], ids: string[]) =>
  storedIds(ch, 'failures_session_states', sessions, ids);

export function parseAlertDetail(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const MarkRow = z.object({
  session_id: z.string(),
  provider_message_id: z.string(),
  minute: z.coerce.number(),
  failed: z.coerce.number(),
});

/** Every stored mark of these messages, per session. */
export async function storedMarks(
  ch: ClickHouse,
  sessions: string[],
  providerMessageIds: string[],
): Promise<Map<string, StoredMark[]>> {
  const out = new Map<string, StoredMark[]>();
  if (providerMessageIds.length === 0) return out;
  const rows = await ch.query({
    query: `SELECT DISTINCT session_id, provider_message_id, intDiv(toUInt32(minute), 60) AS minute, failed
            FROM ${ch.table('failures_window_marks')}
            WHERE session_id IN {sessions:Array(String)} AND provider_message_id IN {ids:Array(String)}`,
    params: { sessions, ids: providerMessageIds },
    schema: MarkRow,
  });
  for (const r of rows) {
    const list = out.get(r.session_id) ?? [];
    list.push({ providerMessageId: r.provider_message_id, minute: r.minute, failed: r.failed === 1 });
    out.set(r.session_id, list);
  }
  return out;
}

/** Categories whose failures are the recipient's or the route's, not the whole account's or session's. */
export const RECIPIENT_COUNTED_CATEGORIES = [
  'recipient',
  'transient',
  'rate_limit',
  'policy',
  'unknown',
] as const;
