// The account alert of a session: an account-level failure code (blocked, locked, payment) means nothing can
// be sent; a message the provider reports `sent` afterwards shows the account sends again. The signals of a
// span are replayed in event time, so the alerts are a function of the set of signals, never of the order
// they arrived in (CONTRACT "Same events, same answers").
import { ALERT_SEVERITY } from '@wapipe/events';
import { alertId } from './alert-book.ts';
import type { Alert } from './alert-book.ts';

export type AccountSignal =
  | {
      type: 'failure';
      occurredAt: string;
      eventId: string;
      code: string;
      title: string;
      providerMessageId: string | null;
    }
  | { type: 'sent'; occurredAt: string; providerMessageId: string };

const idOf = (s: AccountSignal) => (s.type === 'failure' ? s.eventId : s.providerMessageId);

/** Event time; at one instant failures first (a `sent` must come after the alert), then by id. */
const signalOrder = (a: AccountSignal, b: AccountSignal) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
  (a.type !== b.type ? (a.type === 'failure' ? -1 : 1) : idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);

/**
 * An account-level failure opens `account_blocked` unless one is open; the first message reported `sent`
 * after it opened resolves it. `signals` must start where no account alert is open (the span's start).
 */
export function deriveAccountAlerts(sessionId: string, signals: AccountSignal[], version: number): Alert[] {
  const derived: Alert[] = [];
  let open: Alert | undefined;
  for (const s of [...signals].sort(signalOrder)) {
    if (s.type === 'failure') {
      if (open) continue;
      open = {
        id: alertId(sessionId, 'account_blocked', s.eventId),
        sessionId,
        kind: 'account_blocked',
        severity: ALERT_SEVERITY.account_blocked,
        status: 'open',
        openedAt: s.occurredAt,
        resolvedAt: null,
        detail: {
          code: s.code,
          title: s.title,
          failureEventId: s.eventId,
          providerMessageId: s.providerMessageId,
        },
        version,
      };
      derived.push(open);
    } else if (open && Date.parse(s.occurredAt) > Date.parse(open.openedAt)) {
      open.status = 'resolved';
      open.resolvedAt = s.occurredAt;
      open.detail = {
        ...open.detail,
        resolvedBy: { status: 'sent', providerMessageId: s.providerMessageId },
      };
      open = undefined;
    }
  }
  return derived;
}
