// The alerts the failures service raises and the read API answers with: one list, so a kind added on one
// side cannot be missing on the other.
export const ALERT_KINDS = [
  'session_disconnected',
  'session_qr_required',
  'account_blocked',
  'failure_rate',
  'recipient_non_delivery',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['critical', 'warning'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Nothing can be sent until someone acts: critical. Some messages fail: warning. */
export const ALERT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  session_disconnected: 'critical',
  session_qr_required: 'critical',
  account_blocked: 'critical',
  failure_rate: 'warning',
  recipient_non_delivery: 'warning',
};
