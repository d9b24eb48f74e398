// Alerts about the session's connection, from its reported states: a function of the set of states, never
// of the order they arrived in (CONTRACT "Same events, same answers"). The states are replayed in event
// time, ties broken by event id, from the last CONNECTED before the earliest new state (every alert is closed
// there, so what lies before it cannot change); the alerts that replay derives are compared with the
// stored ones of the same span, and only the differences are written and announced.
import { ALERT_SEVERITY } from '@wapipe/events';
import { alertId } from './alert-book.ts';
import type { AlertKind } from '@wapipe/events';
import type { Alert, AlertChange, AlertDetail } from './alert-book.ts';

export interface SessionStateSignal {
  eventId: string;
  status: string;
  reason: string | null;
  occurredAt: string;
}

/** A position in a session's states: event time, then event id. */
export interface StatePosition {
  occurredAt: string;
  eventId: string;
}

export const STATE_ALERT_KINDS = ['session_disconnected', 'session_qr_required'] as const;

const OPENED_BY: Record<string, (typeof STATE_ALERT_KINDS)[number]> = {
  ERROR: 'session_disconnected',
  STOPPED: 'session_disconnected',
  QR_REQUIRED: 'session_qr_required',
};

const at = (iso: string) => Date.parse(iso);

/** Event time, then event id: a total order every replica of the same set agrees on. */
export function comparePositions(a: StatePosition, b: StatePosition): number {
  const dt = at(a.occurredAt) - at(b.occurredAt);
  if (dt !== 0) return dt;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * ERROR or STOPPED opens `session_disconnected`, QR_REQUIRED opens `session_qr_required` (unless one of that
 * kind is open), CONNECTED resolves both; other states (STARTING, anything new) change nothing. `states`
 * must start after a CONNECTED (or at the session's first state), so no alert is open before them.
 */
export function deriveStateAlerts(sessionId: string, states: SessionStateSignal[], version: number): Alert[] {
  const derived: Alert[] = [];
  const open = new Map<AlertKind, Alert>();
  for (const s of [...states].sort(comparePositions)) {
    const kind = OPENED_BY[s.status];
    if (kind !== undefined && !open.has(kind)) {
      const alert: Alert = {
        id: alertId(sessionId, kind, s.eventId),
        sessionId,
        kind,
        severity: ALERT_SEVERITY[kind],
        status: 'open',
        openedAt: s.occurredAt,
        resolvedAt: null,
        detail: { status: s.status, reason: s.reason, eventId: s.eventId },
        version,
      };
      open.set(kind, alert);
      derived.push(alert);
    } else if (s.status === 'CONNECTED') {
      for (const alert of open.values()) {
        alert.status = 'resolved';
        alert.resolvedAt = s.occurredAt;
        alert.detail = { ...alert.detail, resolvedBy: { status: s.status, eventId: s.eventId } };
      }
      open.clear();
    }
  }
  return derived;
}

/** The alert as it was announced when it opened: no resolution yet. */
function asOpened(alert: Alert): Alert {
  const detail: AlertDetail = { ...alert.detail };
  delete detail['resolvedBy'];
  return { ...alert, status: 'open', resolvedAt: null, detail };
}

const sameAlert = (a: Alert, b: Alert) =>
  a.status === b.status &&
  at(a.openedAt) === at(b.openedAt) &&
  (a.resolvedAt === null
    ? b.resolvedAt === null
    : b.resolvedAt !== null && at(a.resolvedAt) === at(b.resolvedAt)) &&
  JSON.stringify(a.detail) === JSON.stringify(b.detail);

const ACTION_RANK = { opened: 0, updated: 1, withdrawn: 2, resolved: 3 } as const;

/**
 * What to write and announce so that the stored alerts of the span become `derived`. `stored`: the latest
 * version of every stored state alert of the span (withdrawn ones included). Every row carries `version`,
 * which must exceed every version written before for these alerts.
 *
 * Announced, each once per alert: `opened` when an alert first exists (or exists again after a withdrawal),
 * `resolved` when it is first resolved, `withdrawn` when a state that arrived late shows it never existed
 * (an earlier report of the same outage opened the alert that covers it, named in `detail.withdrawnFor`).
 * A resolved alert whose resolution moves earlier (a CONNECTED that arrived late) is corrected in storage
 * only: its resolution was already announced.
 */
export function reconcileStateAlerts(
  derived: Alert[],
  stored: Alert[],
  version: number,
): { rows: Alert[]; changes: AlertChange[] } {
  const rows: Alert[] = [];
  const changes: AlertChange[] = [];
  const storedById = new Map(stored.map((a) => [a.id, a]));
  const derivedIds = new Set(derived.map((a) => a.id));

  for (const alert of derived) {
    const before = storedById.get(alert.id);
    if (before && before.status !== 'withdrawn' && sameAlert(before, { ...alert, version: before.version }))
      continue;
    rows.push(alert);
    if (!before || before.status === 'withdrawn') {
      changes.push({ action: 'opened', alert: asOpened(alert), at: alert.openedAt });
      if (alert.status === 'resolved') changes.push({ action: 'resolved', alert, at: alert.resolvedAt! });
    } else if (before.status === 'open' && alert.status === 'resolved') {
      changes.push({ action: 'resolved', alert, at: alert.resolvedAt! });
    } else if (before.status === 'open' && alert.status === 'open') {
      // Still open with new detail (a recipient alert naming one more recipient).
      changes.push({ action: 'updated', alert, at: alert.openedAt });
    }
  }

  for (const before of stored) {
    if (before.status === 'withdrawn' || derivedIds.has(before.id)) continue;
    // The alert of the same kind open when this one's opening state happened.
    const cover = derived
      .filter((a) => a.kind === before.kind && at(a.openedAt) <= at(before.openedAt))
      .at(-1);
    const withdrawn: Alert = {
      ...before,
      status: 'withdrawn',
      detail: { ...before.detail, withdrawnFor: cover?.id ?? null },
      version,
    };
    rows.push(withdrawn);
    changes.push({ action: 'withdrawn', alert: withdrawn, at: cover?.openedAt ?? before.openedAt });
  }

  changes.sort(
    (a, b) =>
      at(a.at) - at(b.at) ||
      ACTION_RANK[a.action] - ACTION_RANK[b.action] ||
      (a.alert.id < b.alert.id ? -1 : 1),
  );
  return { rows, changes };
}
