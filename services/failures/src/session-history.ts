// What a batch's session states are replayed against: for each session, the stored states from the last
// CONNECTED before the batch's earliest state on, and the stored state alerts of that span. Reads are
// bounded by that span, so a session that reports in order reads back only since its last reconnect.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Alert } from './alerts/alert-book.ts';
import { STATE_ALERT_KINDS, comparePositions } from './alerts/session-alerts.ts';
import type { SessionStateSignal, StatePosition } from './alerts/session-alerts.ts';
import { ofSession, sessionTime, storedAlertsSince } from './stored-rows.ts';

export interface SessionHistory {
  /** Distinct states stored for the session: with the batch's new ones, the version of rederived alerts. */
  storedCount: number;
  /** The last stored CONNECTED before the batch's earliest state; undefined: replay from the first state. */
  anchor: StatePosition | undefined;
  /** Stored states after the anchor. */
  states: SessionStateSignal[];
  /** Latest version of every stored state alert opened after the anchor (withdrawn ones included). */
  alerts: Alert[];
}

const NO_ANCHOR = { occurredAt: '1970-01-01T00:00:00.000Z', eventId: '' };

const SpanRow = z.object({
  session_id: z.string(),
  states: z.coerce.number(),
  anchors: z.coerce.number(),
  anchor_at: z.string(),
  anchor_id: z.string(),
});
const StateRow = z.object({
  session_id: z.string(),
  event_id: z.string(),
  status: z.string(),
  reason: z.string(),
  occurred_at: z.string(),
});
const timeOf = (name: string) => sessionTime(`${name}At`);
const boundOf = (name: string) => `(${timeOf(name)}, ${ofSession(`{${name}Id:Array(String)}`)})`;

/** `earliest`: per session, the earliest state of the batch (new or repeated). */
export async function sessionHistories(
  ch: ClickHouse,
  earliest: ReadonlyMap<string, StatePosition>,
): Promise<Map<string, SessionHistory>> {
  const out = new Map<string, SessionHistory>();
  if (earliest.size === 0) return out;
  const sessions = [...earliest.keys()];
  const states = ch.table('failures_session_states');
  const spans = await ch.query({
    query: `SELECT session_id, uniqExact(event_id) AS states,
                   countIf(status = 'CONNECTED' AND (occurred_at, event_id) < ${boundOf('from')}) AS anchors,
                   argMaxIf(occurred_at, (occurred_at, event_id),
                            status = 'CONNECTED' AND (occurred_at, event_id) < ${boundOf('from')}) AS anchor_at,
                   argMaxIf(event_id, (occurred_at, event_id),
                            status = 'CONNECTED' AND (occurred_at, event_id) < ${boundOf('from')}) AS anchor_id
            FROM ${states} WHERE session_id IN {sessions:Array(String)} GROUP BY session_id`,
    params: {
      sessions,
      fromAt: sessions.map((s) => earliest.get(s)!.occurredAt),
      fromId: sessions.map((s) => earliest.get(s)!.eventId),
    },
    schema: SpanRow,
  });
  for (const sessionId of sessions)
    out.set(sessionId, { storedCount: 0, anchor: undefined, states: [], alerts: [] });
  for (const r of spans) {
    const history = out.get(r.session_id)!;
    history.storedCount = r.states;
    if (r.anchors > 0) history.anchor = { occurredAt: r.anchor_at, eventId: r.anchor_id };
  }

  const anchors = sessions.map((s) => out.get(s)!.anchor ?? NO_ANCHOR);
  const params = {
    sessions,
    anchorAt: anchors.map((a) => a.occurredAt),
    anchorId: anchors.map((a) => a.eventId),
  };
  const [stateRows, alerts] = await Promise.all([
    ch.query({
      query: `SELECT DISTINCT session_id, event_id, toString(status) AS status, reason, occurred_at
              FROM ${states}
              WHERE session_id IN {sessions:Array(String)} AND (occurred_at, event_id) > ${boundOf('anchor')}`,
      params,
      schema: StateRow,
    }),
    storedAlertsSince(ch, STATE_ALERT_KINDS, new Map(sessions.map((s, i) => [s, anchors[i]!.occurredAt]))),
  ]);
  for (const r of stateRows) {
    out.get(r.session_id)!.states.push({
      eventId: r.event_id,
      status: r.status,
      reason: r.reason === '' ? null : r.reason,
      occurredAt: r.occurred_at,
    });
  }
  for (const alert of alerts) {
    const history = out.get(alert.sessionId)!;
    const opener = {
      occurredAt: alert.openedAt,
      eventId: typeof alert.detail['eventId'] === 'string' ? alert.detail['eventId'] : '',
    };
    // Opened at the anchor's instant but ordered before it: an alert the anchor closed, outside the span.
    if (history.anchor && comparePositions(opener, history.anchor) <= 0) continue;
    history.alerts.push(alert);
  }
  return out;
}
