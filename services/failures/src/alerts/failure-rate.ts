// The failure-rate alert of a session: in a sliding window of event time (default 5 minutes), the share of
// its messages that failed. Windows are whole minutes; a message counts once per window however many
// statuses it has in it. Only windows that a batch's first-seen statuses change are evaluated.
import type { AlertBook } from './alert-book.ts';

export interface RateSettings {
  windowMinutes: number;
  /** Fraction; a window whose rate is above it (with enough messages) opens the alert. */
  threshold: number;
  minMessages: number;
}

/** A first-seen `sent` or `failed` status of a message, in the minute it happened. */
export interface NewMark {
  minute: number;
  providerMessageId: string;
  failed: boolean;
  occurredAt: string;
}

/** A mark already stored for one of the batch's messages. */
export interface StoredMark {
  minute: number;
  providerMessageId: string;
  failed: boolean;
}

export interface WindowCount {
  /** Epoch minute of the window's last minute; the window is [end - windowMinutes + 1, end]. */
  end: number;
  messages: number;
  failed: number;
  /** Latest event time in the window. */
  lastAt: string | null;
}

export const epochMinute = (iso: string): number => Math.floor(Date.parse(iso) / 60_000);
export const minuteStartIso = (minute: number): string => new Date(minute * 60_000).toISOString();

/** Ends of every window that contains one of `minutes`, ascending. */
export function affectedWindowEnds(minutes: Iterable<number>, windowMinutes: number): number[] {
  const ends = new Set<number>();
  for (const m of minutes) for (let k = 0; k < windowMinutes; k++) ends.add(m + k);
  return [...ends].sort((a, b) => a - b);
}

const laterOf = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * Each window's counts: what the stored marks give (`stored`, computed by the database) plus the new marks
 * of messages that have no stored mark of the same kind in that window.
 */
export function windowCounts(
  ends: number[],
  windowMinutes: number,
  stored: ReadonlyMap<number, WindowCount>,
  storedMarks: StoredMark[],
  newMarks: NewMark[],
): WindowCount[] {
  const newByMinute = new Map<number, NewMark[]>();
  for (const mark of newMarks) {
    const list = newByMinute.get(mark.minute) ?? [];
    list.push(mark);
    newByMinute.set(mark.minute, list);
  }
  const storedByMessage = new Map<string, StoredMark[]>();
  for (const mark of storedMarks) {
    const list = storedByMessage.get(mark.providerMessageId) ?? [];
    list.push(mark);
    storedByMessage.set(mark.providerMessageId, list);
  }
  const storedIn = (pmid: string, start: number, end: number, failedOnly: boolean) =>
    (storedByMessage.get(pmid) ?? []).some(
      (m) => m.minute >= start && m.minute <= end && (!failedOnly || m.failed),
    );

  return ends.map((end) => {
    const start = end - windowMinutes + 1;
    const base = stored.get(end) ?? { end, messages: 0, failed: 0, lastAt: null };
    const messages = new Set<string>();
    const failed = new Set<string>();
    let lastAt = base.lastAt;
    for (let minute = start; minute <= end; minute++) {
      for (const mark of newByMinute.get(minute) ?? []) {
        lastAt = laterOf(lastAt, mark.occurredAt);
        if (!storedIn(mark.providerMessageId, start, end, false)) messages.add(mark.providerMessageId);
        if (mark.failed && !storedIn(mark.providerMessageId, start, end, true))
          failed.add(mark.providerMessageId);
      }
    }
    return { end, messages: base.messages + messages.size, failed: base.failed + failed.size, lastAt };
  });
}

const rateOf = (w: WindowCount) => (w.messages === 0 ? 0 : w.failed / w.messages);

function describeWindow(w: WindowCount, windowMinutes: number) {
  return {
    windowStart: minuteStartIso(w.end - windowMinutes + 1),
    windowEnd: minuteStartIso(w.end + 1),
    windowEndMinute: w.end,
    messages: w.messages,
    failed: w.failed,
    rate: Math.round(rateOf(w) * 10_000) / 10_000,
  };
}

/**
 * Opens `failure_rate` at the first window above the threshold with at least minMessages messages.
 * Resolves it at a later window that does not overlap the one that opened it, ends no later than the
 * newest status seen, and is at or below the threshold. A window that ends no later than the window which
 * resolved the previous alert never reopens one: late statuses of a past incident are history.
 */
export function applyFailureRate(
  book: AlertBook,
  sessionId: string,
  windows: WindowCount[],
  newestMinute: number,
  settings: RateSettings,
): void {
  const { windowMinutes, threshold, minMessages } = settings;
  for (const w of [...windows].sort((a, b) => a.end - b.end)) {
    const open = book.openOf(sessionId, 'failure_rate');
    if (!open) {
      const last = book.latestOf(sessionId, 'failure_rate');
      const barrier = last
        ? Number(last.detail['resolvedWindowEndMinute'] ?? last.detail['windowEndMinute'] ?? -Infinity)
        : -Infinity;
      if (w.end <= barrier || w.messages < minMessages || rateOf(w) <= threshold || w.lastAt === null)
        continue;
      book.open(sessionId, 'failure_rate', {
        seed: `window:${w.end}`,
        at: w.lastAt,
        detail: { ...describeWindow(w, windowMinutes), threshold, windowMinutes, minMessages },
      });
      continue;
    }
    const openedBy = Number(open.detail['windowEndMinute']);
    const later = w.end - windowMinutes + 1 > openedBy && w.end <= newestMinute;
    if (!later || w.messages === 0 || rateOf(w) > threshold || w.lastAt === null) continue;
    book.resolve(sessionId, 'failure_rate', {
      at: w.lastAt,
      detail: {
        ...open.detail,
        resolvedBy: describeWindow(w, windowMinutes),
        resolvedWindowEndMinute: w.end,
      },
    });
  }
}
