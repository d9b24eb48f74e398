// What every alert kind shares (kinds and severities are @wapipe/events'): the alert and its changes,
// deterministic ids, and the row and topic record an alert change is written as. Each kind derives its
// alerts in event time from its facts (at most one open per session × kind, by construction of each replay).
import { eventIdFromParts } from '@wapipe/events';
import type { AlertKind, AlertSeverity } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { EffectRecord } from '@wapipe/pipeline';

export type AlertDetail = Record<string, unknown>;

export interface Alert {
  id: string;
  sessionId: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** `withdrawn`: later-known facts showed this alert never existed as such. */
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
