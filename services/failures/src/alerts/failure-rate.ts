// The failure-rate alert of a session: in a sliding window of event time (default 5 minutes), the share of
// its messages that failed. Windows are whole minutes; a message counts once per window however many
// statuses it has in it. The windows of a span are replayed in order, so the alerts are a function of the
// set of statuses, never of the order they arrived in (CONTRACT "Same events, same answers").
import { ALERT_SEVERITY } from '@wapipe/events';
import { alertId } from './alert-book.ts';
import type { Alert } from './alert-book.ts';

export interface RateSettings {
  windowMinutes: number;
  /** Fraction; a window whose rate is above it (with enough messages) opens the alert. */
  threshold: number;
  minMessages: number;
}

/** A `sent` or `failed` status of a message, in the minute it happened (one per minute, message, kind). */
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
  lastAt: string;
}

export const epochMinute = (iso: string): number => Math.floor(Date.parse(iso) / 60_000);
export const minuteStartIso = (minute: number): string => new Date(minute * 60_000).toISOString();

/** The counts of every window that ends at or after `from` and holds a mark, ascending. */
export function windowCounts(marks: NewMark[], from: number, windowMinutes: number): WindowCount[] {
  const byMinute = new Map<number, NewMark[]>();
  for (const m of marks) byMinute.set(m.minute, [...(byMinute.get(m.minute) ?? []), m]);
  const ends = new Set<number>();
  for (const minute of byMinute.keys())
    for (let k = 0; k < windowMinutes; k++) if (minute + k >= from) ends.add(minute + k);
  return [...ends]
    .sort((a, b) => a - b)
    .map((end) => {
      const messages = new Set<string>();
      const failed = new Set<string>();
      let lastAt = '';
      for (let minute = end - windowMinutes + 1; minute <= end; minute++) {
        for (const m of byMinute.get(minute) ?? []) {
          messages.add(m.providerMessageId);
          if (m.failed) failed.add(m.providerMessageId);
          if (lastAt === '' || Date.parse(m.occurredAt) > Date.parse(lastAt)) lastAt = m.occurredAt;
        }
      }
      return { end, messages: messages.size, failed: failed.size, lastAt };
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
 * Replays `windows` (ascending, starting where no alert is open): a window above the threshold with at
 * least minMessages messages opens `failure_rate` unless one is open; a later window that does not overlap
 * the one that opened it, ends no later than the newest minute with a status (`newestMinute`: a window
 * still filling is not judged) and is at or below the threshold resolves it.
 */
export function deriveRateAlerts(
  sessionId: string,
  windows: WindowCount[],
  newestMinute: number,
  settings: RateSettings,
  version: number,
): Alert[] {
  const { windowMinutes, threshold, minMessages } = settings;
  const derived: Alert[] = [];
  let open: Alert | undefined;
  let openedBy = 0;
  for (const w of windows) {
    if (!open) {
      if (w.messages < minMessages || rateOf(w) <= threshold) continue;
      open = {
        id: alertId(sessionId, 'failure_rate', `window:${w.end}`),
        sessionId,
        kind: 'failure_rate',
        severity: ALERT_SEVERITY.failure_rate,
        status: 'open',
        openedAt: w.lastAt,
        resolvedAt: null,
        detail: { ...describeWindow(w, windowMinutes), threshold, windowMinutes, minMessages },
        version,
      };
      openedBy = w.end;
      derived.push(open);
      continue;
    }
    const later = w.end - windowMinutes + 1 > openedBy && w.end <= newestMinute;
    if (!later || w.messages === 0 || rateOf(w) > threshold) continue;
    open.status = 'resolved';
    open.resolvedAt = w.lastAt;
    open.detail = {
      ...open.detail,
      resolvedBy: describeWindow(w, windowMinutes),
      resolvedWindowEndMinute: w.end,
    };
    open = undefined;
  }
  return derived;
}
