// What the account and recipient alerts are rederived from: per session, the span of event time a batch's
// new facts can change (from the stored alert of the kind that was still open at the earliest new fact, or
// from that fact), the stored alerts of that span, and the stored facts in it. Every read is bounded by the
// batch's sessions and the span; per-session bounds travel as arrays indexed like `{sessions}`.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { RECIPIENT_COUNTED_CATEGORIES } from '../stored-state.ts';
import { ofSession, sessionTime, storedAlertsSince } from '../stored-rows.ts';
import type { AlertKind } from '@wapipe/events';
import type { Alert } from './alert-book.ts';
import type { AccountSignal } from './account-alerts.ts';
import type { RecipientFailure } from './recipient-alerts.ts';
import type { NewMark } from './failure-rate.ts';

const timeOf = sessionTime;

export interface AlertSpan {
  /** Start of the span: nothing before it can change. */
  from: string;
  /** Latest version of every stored alert of the kind opened in the span (withdrawn ones included). */
  alerts: Alert[];
}

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

/** `earliest`: per session, the earliest new fact of the batch for this kind. */
export async function alertSpans(
  ch: ClickHouse,
  kind: AlertKind,
  earliest: ReadonlyMap<string, string>,
): Promise<Map<string, AlertSpan>> {
  const out = new Map<string, AlertSpan>();
  if (earliest.size === 0) return out;
  const sessions = [...earliest.keys()];
  const covering = await ch.query({
    query: `SELECT session_id, min(opened_at) AS from_at FROM ${ch.table('failures_alerts')} FINAL
            WHERE session_id IN {sessions:Array(String)} AND kind = {kind:String} AND status != 'withdrawn'
              AND (resolved_at IS NULL OR resolved_at >= ${timeOf('earliest')})
            GROUP BY session_id`,
    params: { sessions, kind, earliest: sessions.map((s) => earliest.get(s)!) },
    schema: z.object({ session_id: z.string(), from_at: z.string() }),
  });
  for (const s of sessions) out.set(s, { from: earliest.get(s)!, alerts: [] });
  for (const r of covering) {
    const span = out.get(r.session_id)!;
    span.from = earlier(span.from, new Date(r.from_at).toISOString());
  }
  const from = new Map(sessions.map((s) => [s, out.get(s)!.from]));
  for (const alert of await storedAlertsSince(ch, [kind], from)) out.get(alert.sessionId)!.alerts.push(alert);
  return out;
}

/**
 * Per session: how many failure events and window marks the service stores for it, the version of
 * rederived alerts together with the batch's new ones; and the newest event time among them. Session
 * states are left out: a batch without states must not need their table (it can be missing, see the
 * dead-letter test), and their alerts have their own versions.
 */
export async function sessionFacts(
  ch: ClickHouse,
  sessions: string[],
): Promise<Map<string, { count: number; newest: string }>> {
  const out = new Map<string, { count: number; newest: string }>();
  if (sessions.length === 0) return out;
  const rows = await ch.query({
    query: `SELECT session_id, uniqExact(k) AS facts, max(t) AS newest FROM (
              SELECT session_id, concat('f', event_id) AS k, occurred_at AS t FROM ${ch.table('failures_events')}
              WHERE session_id IN {sessions:Array(String)}
              UNION ALL
              SELECT session_id, concat('m', toString(minute), provider_message_id, toString(failed)) AS k,
                     occurred_at AS t FROM ${ch.table('failures_window_marks')}
              WHERE session_id IN {sessions:Array(String)})
            GROUP BY session_id`,
    params: { sessions },
    schema: z.object({ session_id: z.string(), facts: z.coerce.number(), newest: z.string() }),
  });
  for (const r of rows) {
    out.set(r.session_id, { count: r.facts, newest: new Date(r.newest).toISOString() });
  }
  return out;
}

/** Stored counted failures of these sessions since each session's `from`, one row per message and event. */
export async function storedRecipientFailuresSince(
  ch: ClickHouse,
  from: ReadonlyMap<string, string>,
): Promise<Map<string, RecipientFailure[]>> {
  const out = new Map<string, RecipientFailure[]>();
  if (from.size === 0) return out;
  const sessions = [...from.keys()];
  const rows = await ch.query({
    query: `SELECT session_id, recipient, provider_message_id, min(occurred_at) AS at,
                   argMin(event_id, (occurred_at, event_id)) AS event_id
            FROM ${ch.table('failures_events')}
            WHERE session_id IN {sessions:Array(String)} AND occurred_at >= ${timeOf('from')}
              AND source = 'status' AND provider_message_id != '' AND recipient != ''
              AND category IN {categories:Array(String)}
            GROUP BY session_id, recipient, provider_message_id`,
    params: {
      sessions,
      from: sessions.map((s) => from.get(s)!),
      categories: [...RECIPIENT_COUNTED_CATEGORIES],
    },
    schema: z.object({
      session_id: z.string(),
      recipient: z.string(),
      provider_message_id: z.string(),
      at: z.string(),
      event_id: z.string(),
    }),
  });
  for (const r of rows) {
    const list = out.get(r.session_id) ?? [];
    list.push({
      recipient: r.recipient,
      providerMessageId: r.provider_message_id,
      at: r.at,
      eventId: r.event_id,
    });
    out.set(r.session_id, list);
  }
  return out;
}

/**
 * Stored account signals of these sessions from each session's `from`: the account-level failures, and each
 * message's first `sent` mark (window marks are kept 2 days, which bounds how late a `sent` still counts).
 */
export async function storedAccountSignals(
  ch: ClickHouse,
  from: ReadonlyMap<string, string>,
  codes: string[],
): Promise<Map<string, AccountSignal[]>> {
  const out = new Map<string, AccountSignal[]>();
  if (from.size === 0) return out;
  const sessions = [...from.keys()];
  const params = { sessions, from: sessions.map((s) => from.get(s)!), codes };
  const failures = await ch.query({
    query: `SELECT DISTINCT session_id, event_id, occurred_at, code, title, provider_message_id
            FROM ${ch.table('failures_events')}
            WHERE session_id IN {sessions:Array(String)} AND occurred_at >= ${timeOf('from')}
              AND code IN {codes:Array(String)}`,
    params,
    schema: z.object({
      session_id: z.string(),
      event_id: z.string(),
      occurred_at: z.string(),
      code: z.string(),
      title: z.string(),
      provider_message_id: z.string(),
    }),
  });
  for (const s of sessions) out.set(s, []);
  for (const r of failures) {
    out.get(r.session_id)!.push({
      type: 'failure',
      occurredAt: r.occurred_at,
      eventId: r.event_id,
      code: r.code,
      title: r.title,
      providerMessageId: r.provider_message_id === '' ? null : r.provider_message_id,
    });
  }
  const sents = await ch.query({
    query: `SELECT session_id, provider_message_id, min(occurred_at) AS at
            FROM ${ch.table('failures_window_marks')}
            WHERE session_id IN {sessions:Array(String)} AND failed = 0 AND occurred_at >= ${timeOf('from')}
            GROUP BY session_id, provider_message_id`,
    params,
    schema: z.object({ session_id: z.string(), provider_message_id: z.string(), at: z.string() }),
  });
  for (const r of sents) {
    out.get(r.session_id)!.push({ type: 'sent', occurredAt: r.at, providerMessageId: r.provider_message_id });
  }
  return out;
}

/** Stored window marks of these sessions from each session's epoch minute `from` on. */
export async function storedMarksSince(
  ch: ClickHouse,
  from: ReadonlyMap<string, number>,
): Promise<Map<string, NewMark[]>> {
  const out = new Map<string, NewMark[]>();
  if (from.size === 0) return out;
  const sessions = [...from.keys()];
  const rows = await ch.query({
    query: `SELECT session_id, intDiv(toUInt32(minute), 60) AS m, provider_message_id, failed,
                   min(occurred_at) AS at
            FROM ${ch.table('failures_window_marks')}
            WHERE session_id IN {sessions:Array(String)}
              AND minute >= toDateTime(${ofSession('{from:Array(UInt32)}')} * 60, 'UTC')
            GROUP BY session_id, m, provider_message_id, failed`,
    params: { sessions, from: sessions.map((s) => from.get(s)!) },
    schema: z.object({
      session_id: z.string(),
      m: z.coerce.number(),
      provider_message_id: z.string(),
      failed: z.coerce.number(),
      at: z.string(),
    }),
  });
  for (const r of rows) {
    const list = out.get(r.session_id) ?? [];
    list.push({
      minute: r.m,
      providerMessageId: r.provider_message_id,
      failed: r.failed === 1,
      occurredAt: r.at,
    });
    out.set(r.session_id, list);
  }
  return out;
}
