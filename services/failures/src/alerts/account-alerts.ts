// The account alert of a session: an account-level failure code (blocked, locked, payment) means nothing can
// be sent; a message the provider reports `sent` afterwards shows the account sends again. Signals of one
// batch are applied in event-time order against the latest stored alert.
import type { AlertBook } from './alert-book.ts';

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
