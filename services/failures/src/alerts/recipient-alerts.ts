// Repeated non-delivery to one recipient: N failed messages to the same recipient within a window (default
// 3 in 24 h) of event time. The contract allows one open alert per session × kind, so the alert is per
// session and lists the recipients in its detail; a recipient that crosses the line while it is open is
// added to the list (an `updated` change).
import type { AlertBook } from './alert-book.ts';

export interface RecipientSettings {
  threshold: number;
  windowMs: number;
}

/** One failed message to a recipient (a message with several failure codes is one failure here). */
export interface RecipientFailure {
  providerMessageId: string;
  at: string;
  eventId: string;
  /** First seen in this batch (a message with no stored failure). */
  isNew: boolean;
}

const MAX_LISTED = 100;

/** One failure per message: its earliest report; new only if no report of it was stored before. */
export function perMessage(failures: RecipientFailure[]): RecipientFailure[] {
  const byMessage = new Map<string, RecipientFailure>();
  const stored = new Set(failures.filter((f) => !f.isNew).map((f) => f.providerMessageId));
  for (const f of failures) {
    const seen = byMessage.get(f.providerMessageId);
    if (!seen || f.at < seen.at || (f.at === seen.at && f.eventId < seen.eventId))
      byMessage.set(f.providerMessageId, f);
  }
  return [...byMessage.values()]
    .map((f) => ({ ...f, isNew: !stored.has(f.providerMessageId) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.eventId < b.eventId ? -1 : 1));
}

/** The failure at which `sorted` first has `threshold` failures within the window, counting a new one. */
export function firstCrossing(
  sorted: RecipientFailure[],
  settings: RecipientSettings,
): RecipientFailure | null {
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    const end = Date.parse(sorted[hi]!.at);
    while (Date.parse(sorted[lo]!.at) <= end - settings.windowMs) lo++;
    if (hi - lo + 1 >= settings.threshold && sorted.slice(lo, hi + 1).some((f) => f.isNew))
      return sorted[hi]!;
  }
  return null;
}

/** Failures in the window that ends at `at`: (at - window, at]. */
export function countInWindow(sorted: RecipientFailure[], at: string, settings: RecipientSettings): number {
  const end = Date.parse(at);
  return sorted.filter((f) => {
    const t = Date.parse(f.at);
    return t <= end && t > end - settings.windowMs;
  }).length;
}

const listedRecipients = (detail: Record<string, unknown>): string[] =>
  Array.isArray(detail['recipients'])
    ? detail['recipients'].filter((r): r is string => typeof r === 'string')
    : [];

/**
 * `failures`: per recipient, every counted failure known (stored and new) from the window before the
 * batch's first new failure on. `watermark`: the latest event time of the session in this batch.
 * Opens (or extends) the alert for recipients that cross the threshold with a new failure; resolves it
 * once, at the watermark, no listed recipient has the threshold within the window any more.
 */
export function applyRecipientFailures(
  book: AlertBook,
  sessionId: string,
  failures: ReadonlyMap<string, RecipientFailure[]>,
  watermark: string,
  settings: RecipientSettings,
): void {
  const sorted = new Map([...failures].map(([recipient, list]) => [recipient, perMessage(list)]));
  const windowHours = settings.windowMs / 3_600_000;
  const last = book.latestOf(sessionId, 'recipient_non_delivery');
  const barrier = last?.status === 'resolved' ? last.resolvedAt : null;

  for (const recipient of [...sorted.keys()].sort()) {
    const crossing = firstCrossing(sorted.get(recipient)!, settings);
    if (!crossing || (barrier !== null && crossing.at <= barrier)) continue;
    const open = book.openOf(sessionId, 'recipient_non_delivery');
    if (!open) {
      book.open(sessionId, 'recipient_non_delivery', {
        seed: `${recipient}\u0000${crossing.eventId}`,
        at: crossing.at,
        detail: { recipients: [recipient], threshold: settings.threshold, windowHours },
      });
      continue;
    }
    const listed = listedRecipients(open.detail);
    if (listed.includes(recipient) || listed.length >= MAX_LISTED) continue;
    book.update(sessionId, 'recipient_non_delivery', {
      at: crossing.at,
      detail: { ...open.detail, recipients: [...listed, recipient] },
    });
  }

  const open = book.openOf(sessionId, 'recipient_non_delivery');
  if (!open || watermark < open.openedAt) return;
  const cleared = listedRecipients(open.detail).every((recipient) => {
    const list = sorted.get(recipient) ?? [];
    const newest = list.at(-1)?.at;
    return (
      (newest === undefined || newest <= watermark) &&
      countInWindow(list, watermark, settings) < settings.threshold
    );
  });
  if (cleared) {
    book.resolve(sessionId, 'recipient_non_delivery', {
      at: watermark,
      detail: {
        ...open.detail,
        resolvedBy: `fewer than ${settings.threshold} failures per recipient in ${windowHours} h`,
      },
    });
  }
}
