// What the failures service already stored for a batch's sessions: to drop repeats, and as the state the
// batch's events are applied to. Every read is bounded by the batch's sessions and ids (or a time range).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { ALERT_KINDS } from './alerts/alert-book.ts';
import type { Alert } from './alerts/alert-book.ts';
import type { StoredMark, WindowCount } from './alerts/failure-rate.ts';
import { STATE_ALERT_KINDS } from './alerts/session-alerts.ts';

const EventIdRow = z.object({ event_id: z.string() });

export async function storedFailureIds(
  ch: ClickHouse,
  sessions: string[],
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ch.query({
    query: `SELECT DISTINCT event_id FROM ${ch.table('failures_events')}
            WHERE session_id IN {sessions:Array(String)} AND event_id IN {ids:Array(String)}`,
    params: { sessions, ids },
    schema: EventIdRow,
  });
  return new Set(rows.map((r) => r.event_id));
}

/** Ids of these session-state events already stored. */
export async function storedStateIds(
  ch: ClickHouse,
  sessions: string[],
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ch.query({
    query: `SELECT DISTINCT event_id FROM ${ch.table('failures_session_states')}
            WHERE session_id IN {sessions:Array(String)} AND event_id IN {ids:Array(String)}`,
    params: { sessions, ids },
    schema: EventIdRow,
  });
  return new Set(rows.map((r) => r.event_id));
}

const AlertRowSchema = z.object({
  id: z.string(),
  session_id: z.string(),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(['critical', 'warning']),
  status: z.enum(['open', 'resolved']),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  detail: z.string(),
  version: z.coerce.number(),
});

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

/** Kinds kept by the AlertBook; session-state alerts are rederived from the states instead. */
const BOOK_KINDS = ALERT_KINDS.filter((k) => !(STATE_ALERT_KINDS as readonly string[]).includes(k));

/** The newest alert per session × kind of the book's kinds (open, or the last resolved one), latest version. */
export async function latestAlerts(ch: ClickHouse, sessions: string[]): Promise<Alert[]> {
  if (sessions.length === 0) return [];
  const rows = await ch.query({
    query: `SELECT id, session_id, kind, severity, status, opened_at, resolved_at, detail, version
            FROM ${ch.table('failures_alerts')} FINAL
            WHERE session_id IN {sessions:Array(String)} AND kind IN {kinds:Array(String)}
            ORDER BY session_id, kind, opened_at DESC, id DESC
            LIMIT 1 BY session_id, kind`,
    params: { sessions, kinds: BOOK_KINDS },
    schema: AlertRowSchema,
  });
  return rows.map((r) => ({
    id: r.id,
    sessionId: r.session_id,
    kind: r.kind,
    severity: r.severity,
    status: r.status,
    openedAt: r.opened_at,
    resolvedAt: r.resolved_at,
    detail: parseAlertDetail(r.detail),
    version: r.version,
  }));
}

const WindowRow = z.object({
  session_id: z.string(),
  window_end: z.coerce.number(),
  messages: z.coerce.number(),
  failed: z.coerce.number(),
  last_at: z.string(),
});

/**
 * Per session, the stored marks' counts of each window ending at one of `ends` (epoch minutes). Only the
 * minutes those windows cover are read (a set lookup on the sorting key), so a batch spanning hours of a
 * backlog costs its own minutes, not the whole span.
 */
export async function storedWindowCounts(
  ch: ClickHouse,
  sessions: string[],
  ends: number[],
  windowMinutes: number,
): Promise<Map<string, Map<number, WindowCount>>> {
  const out = new Map<string, Map<number, WindowCount>>();
  if (sessions.length === 0 || ends.length === 0) return out;
  const minutes = new Set<number>();
  for (const end of ends) for (let k = 0; k < windowMinutes; k++) minutes.add(end - k);
  const rows = await ch.query({
    query: `SELECT session_id, window_end, uniqExact(provider_message_id) AS messages,
                   uniqExactIf(provider_message_id, failed = 1) AS failed, max(occurred_at) AS last_at
            FROM (
              SELECT session_id, provider_message_id, failed, occurred_at,
                     arrayJoin(range(intDiv(toUInt32(minute), 60), intDiv(toUInt32(minute), 60) + {w:UInt32})) AS window_end
              FROM ${ch.table('failures_window_marks')}
              WHERE session_id IN {sessions:Array(String)} AND minute IN {minutes:Array(DateTime('UTC'))})
            WHERE window_end IN {ends:Array(UInt32)}
            GROUP BY session_id, window_end`,
    params: { sessions, ends, w: windowMinutes, minutes: [...minutes].map((m) => m * 60) },
    schema: WindowRow,
  });
  for (const r of rows) {
    const bySession = out.get(r.session_id) ?? new Map<number, WindowCount>();
    bySession.set(r.window_end, {
      end: r.window_end,
      messages: r.messages,
      failed: r.failed,
      lastAt: r.last_at,
    });
    out.set(r.session_id, bySession);
  }
  return out;
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

const RecipientFailureRow = z.object({
  session_id: z.string(),
  recipient: z.string(),
  provider_message_id: z.string(),
  at: z.string(),
  event_id: z.string(),
});

/** Stored failed messages to these recipients since `from`, one row per message (its earliest failure). */
export async function storedRecipientFailures(
  ch: ClickHouse,
  sessions: string[],
  recipients: string[],
  from: string,
): Promise<
  { sessionId: string; recipient: string; providerMessageId: string; at: string; eventId: string }[]
> {
  if (recipients.length === 0) return [];
  const rows = await ch.query({
    query: `SELECT session_id, recipient, provider_message_id, min(occurred_at) AS at,
                   argMin(event_id, (occurred_at, event_id)) AS event_id
            FROM ${ch.table('failures_events')}
            WHERE session_id IN {sessions:Array(String)} AND recipient IN {recipients:Array(String)}
              AND occurred_at >= {from:DateTime64(3, 'UTC')}
              AND source = 'status' AND provider_message_id != ''
              AND category IN {categories:Array(String)}
            GROUP BY session_id, recipient, provider_message_id`,
    params: { sessions, recipients, from: new Date(from), categories: [...RECIPIENT_COUNTED_CATEGORIES] },
    schema: RecipientFailureRow,
  });
  return rows.map((r) => ({
    sessionId: r.session_id,
    recipient: r.recipient,
    providerMessageId: r.provider_message_id,
    at: r.at,
    eventId: r.event_id,
  }));
}
