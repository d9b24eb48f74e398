// Alerts about the whole session: it is disconnected or needs a QR scan (from its reported states), or its
// account cannot send (account-level failure codes). Signals are applied in event-time order, so a batch
// holding "ERROR then CONNECTED" opens and resolves an alert exactly as two separate batches would.
import type { AlertBook } from './alert-book.ts';

export interface SessionStateSignal {
  eventId: string;
  status: string;
  reason: string | null;
  occurredAt: string;
}

/** The latest state already stored for the session: older reports arriving now change nothing. */
export interface StateCursor {
  occurredAt: string;
  eventId: string;
}

const DISCONNECTED = new Set(['ERROR', 'STOPPED']);

const byTime = (a: { occurredAt: string; eventId: string }, b: { occurredAt: string; eventId: string }) =>
  a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.eventId < b.eventId ? -1 : 1;

const after = (e: StateCursor, cursor: StateCursor | undefined) =>
  cursor === undefined || byTime(e, cursor) > 0;

/**
 * ERROR or STOPPED opens `session_disconnected`, QR_REQUIRED opens `session_qr_required`, CONNECTED resolves
 * both. Other states (STARTING, anything new) change nothing. A report older than the latest known state is
 * history: it is stored but moves no alert.
 */
export function applySessionStates(
  book: AlertBook,
  sessionId: string,
  latestStored: StateCursor | undefined,
  signals: SessionStateSignal[],
): void {
  let cursor = latestStored;
  for (const s of [...signals].sort(byTime)) {
    if (!after(s, cursor)) continue;
    cursor = s;
    const detail = { status: s.status, reason: s.reason, eventId: s.eventId };
    if (DISCONNECTED.has(s.status)) {
      book.open(sessionId, 'session_disconnected', { seed: s.eventId, at: s.occurredAt, detail });
    } else if (s.status === 'QR_REQUIRED') {
      book.open(sessionId, 'session_qr_required', { seed: s.eventId, at: s.occurredAt, detail });
    } else if (s.status === 'CONNECTED') {
      for (const kind of ['session_disconnected', 'session_qr_required'] as const) {
        const open = book.openOf(sessionId, kind);
        if (open) {
          book.resolve(sessionId, kind, {
            at: s.occurredAt,
            detail: { ...open.detail, resolvedBy: { status: s.status, eventId: s.eventId } },
          });
        }
      }
    }
  }
}

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

const signalOrder = (a: AccountSignal, b: AccountSignal) =>
  a.occurredAt < b.occurredAt
    ? -1
    : a.occurredAt > b.occurredAt
      ? 1
      : a.type !== b.type
        ? a.type === 'failure'
          ? -1
          : 1
        : (a.type === 'failure' ? a.eventId : a.providerMessageId) <
            (b.type === 'failure' ? b.eventId : b.providerMessageId)
          ? -1
          : 1;

/**
 * An account-level failure (blocked, locked, payment issue) opens `account_blocked`; a message the
 * provider reports `sent` after the alert opened shows the account sends again, and resolves it.
 */
export function applyAccountSignals(book: AlertBook, sessionId: string, signals: AccountSignal[]): void {
  for (const s of [...signals].sort(signalOrder)) {
    if (s.type === 'failure') {
      book.open(sessionId, 'account_blocked', {
        seed: s.eventId,
        at: s.occurredAt,
        detail: {
          code: s.code,
          title: s.title,
          failureEventId: s.eventId,
          providerMessageId: s.providerMessageId,
        },
      });
      continue;
    }
    const open = book.openOf(sessionId, 'account_blocked');
    if (open && s.occurredAt > open.openedAt) {
      book.resolve(sessionId, 'account_blocked', {
        at: s.occurredAt,
        detail: { ...open.detail, resolvedBy: { status: 'sent', providerMessageId: s.providerMessageId } },
      });
    }
  }
}
