// The alerts of a batch's sessions: what was stored (the latest alert per session × kind) plus the changes
// this batch makes. The rule "at most one open alert per session × kind" lives here, so each alert rule
// only says when its condition starts and stops holding.
import { eventIdFromParts } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { EffectRecord } from '@wapipe/pipeline';

export const ALERT_KINDS = [
  'session_disconnected',
  'session_qr_required',
  'account_blocked',
  'failure_rate',
  'recipient_non_delivery',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type AlertSeverity = 'critical' | 'warning';

/** Nothing can be sent until someone acts: critical. Some messages fail: warning. */
export const ALERT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  session_disconnected: 'critical',
  session_qr_required: 'critical',
  account_blocked: 'critical',
  failure_rate: 'warning',
  recipient_non_delivery: 'warning',
};

export type AlertDetail = Record<string, unknown>;

export interface Alert {
  id: string;
  sessionId: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** `withdrawn`: a later-known state showed this alert never existed as such (session-state alerts). */
  status: 'open' | 'resolved' | 'withdrawn';
  /** ISO instants of event time: when the condition was first seen, and when it was seen to clear. */
  openedAt: string;
  resolvedAt: string | null;
  detail: AlertDetail;
  version: number;
}

export type AlertAction = 'opened' | 'updated' | 'resolved' | 'withdrawn';

export interface AlertChange {
  action: AlertAction;
  alert: Alert;
  /** Event time of the change. */
  at: string;
}

/** Same session, kind and opening cause → same id, however often the batch is replayed. */
export const alertId = (sessionId: string, kind: AlertKind, seed: string): string =>
  eventIdFromParts(['alert', sessionId, kind, seed]);

/**
 * One id per change of an alert: the notifier's idempotency key and downstream dedup key. The action is part
 * of it because one version can be announced twice: an alert first derived already resolved is published
 * as `opened` then `resolved`.
 */
export const alertEventId = (alert: Pick<Alert, 'id' | 'version'>, action: AlertAction): string =>
  eventIdFromParts(['alert-event', alert.id, String(alert.version), action]);

const keyOf = (sessionId: string, kind: AlertKind) => `${sessionId}\u0000${kind}`;

export class AlertBook {
  private readonly latest = new Map<string, Alert>();
  readonly changes: AlertChange[] = [];

  /** `stored`: the latest version of the newest alert per session × kind. */
  constructor(stored: Iterable<Alert>) {
    for (const alert of stored) this.latest.set(keyOf(alert.sessionId, alert.kind), alert);
  }

  /** The newest alert of this session × kind, open or resolved. */
  latestOf(sessionId: string, kind: AlertKind): Alert | undefined {
    return this.latest.get(keyOf(sessionId, kind));
  }

  openOf(sessionId: string, kind: AlertKind): Alert | undefined {
    const alert = this.latestOf(sessionId, kind);
    return alert?.status === 'open' ? alert : undefined;
  }

  /** Opens an alert unless one is open for this session × kind; returns it, or null when one was open. */
  open(
    sessionId: string,
    kind: AlertKind,
    change: { seed: string; at: string; detail: AlertDetail },
  ): Alert | null {
    if (this.openOf(sessionId, kind)) return null;
    const alert: Alert = {
      id: alertId(sessionId, kind, change.seed),
      sessionId,
      kind,
      severity: ALERT_SEVERITY[kind],
      status: 'open',
      openedAt: change.at,
      resolvedAt: null,
      detail: change.detail,
      version: 1,
    };
    return this.record('opened', alert, change.at);
  }

  /** New detail for the open alert (e.g. one more recipient); null when none is open. */
  update(sessionId: string, kind: AlertKind, change: { at: string; detail: AlertDetail }): Alert | null {
    const open = this.openOf(sessionId, kind);
    if (!open) return null;
    return this.record('updated', { ...open, detail: change.detail, version: open.version + 1 }, change.at);
  }

  /** Resolves the open alert; null when none is open. */
  resolve(sessionId: string, kind: AlertKind, change: { at: string; detail?: AlertDetail }): Alert | null {
    const open = this.openOf(sessionId, kind);
    if (!open) return null;
    const at = change.at < open.openedAt ? open.openedAt : change.at;
    const resolved: Alert = {
      ...open,
      status: 'resolved',
      resolvedAt: at,
      detail: change.detail ?? open.detail,
      version: open.version + 1,
    };
    return this.record('resolved', resolved, at);
  }

  private record(action: AlertAction, alert: Alert, at: string): Alert {
    this.latest.set(keyOf(alert.sessionId, alert.kind), alert);
    this.changes.push({ action, alert, at });
    return alert;
  }
}

/** A failures_alerts row: every change is a row, the highest version wins (ReplacingMergeTree). */
export function alertRow(alert: Alert): Record<string, unknown> {
  return {
    id: alert.id,
    session_id: alert.sessionId,
    kind: alert.kind,
    severity: alert.severity,
    status: alert.status,
    opened_at: chDateTime(alert.openedAt),
    resolved_at: alert.resolvedAt === null ? null : chDateTime(alert.resolvedAt),
    detail: JSON.stringify(alert.detail),
    version: alert.version,
  };
}

/** The record on the alerts topic: the alert as the API shows it, plus what changed and a unique id. */
export function alertRecord(change: AlertChange): EffectRecord {
  const { alert } = change;
  return {
    key: alert.sessionId,
    value: JSON.stringify({
      alertEventId: alertEventId(alert, change.action),
      action: change.action,
      at: change.at,
      id: alert.id,
      sessionId: alert.sessionId,
      kind: alert.kind,
      severity: alert.severity,
      status: alert.status,
      openedAt: alert.openedAt,
      resolvedAt: alert.resolvedAt,
      detail: alert.detail,
      version: alert.version,
    }),
  };
}
