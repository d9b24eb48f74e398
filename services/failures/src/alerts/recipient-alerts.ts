// Repeated non-delivery to one recipient: N failed messages to the same recipient within a window (default
// 3 in 24 h) of event time. The contract allows one open alert per session × kind, so the alert is per
// session: it covers one stretch of event time during which at least one recipient is over the line, and
// lists (sorted) every recipient over the line during that stretch. A function of the set of failures and
// of the session's newest known event time, never of arrival order (CONTRACT "Same events, same answers").
import { ALERT_SEVERITY } from '@wapipe/events';
import { alertId } from './alert-book.ts';
import type { Alert } from './alert-book.ts';

export interface RecipientSettings {
  threshold: number;
  windowMs: number;
}

/** One failed message to a recipient (a message with several failure codes is one failure here). */
export interface RecipientFailure {
  recipient: string;
  providerMessageId: string;
  at: string;
  eventId: string;
}

const MAX_LISTED = 100;
const ms = (iso: string) => Date.parse(iso);

/** One failure per message: its earliest report (ties: smallest event id), sorted by time then event id. */
export function perMessage(failures: RecipientFailure[]): RecipientFailure[] {
  const byMessage = new Map<string, RecipientFailure>();
  for (const f of failures) {
    const seen = byMessage.get(f.providerMessageId);
    if (!seen || ms(f.at) < ms(seen.at) || (ms(f.at) === ms(seen.at) && f.eventId < seen.eventId))
      byMessage.set(f.providerMessageId, f);
  }
  return [...byMessage.values()].sort((a, b) => ms(a.at) - ms(b.at) || (a.eventId < b.eventId ? -1 : 1));
}

interface OverSpan {
  recipient: string;
  start: number;
  end: number;
  /** The failure that put the recipient over the line at `start`. */
  crossing: RecipientFailure;
}

/**
 * When one recipient is over the line: the count in (t - window, t] is at least the threshold exactly for
 * t in [f[i + N - 1], f[i] + window) for some i; overlapping or touching pieces are merged.
 */
export function overSpans(sorted: RecipientFailure[], settings: RecipientSettings): OverSpan[] {
  const spans: OverSpan[] = [];
  const n = settings.threshold;
  for (let i = 0; i + n - 1 < sorted.length; i++) {
    const crossing = sorted[i + n - 1]!;
    const start = ms(crossing.at);
    const end = ms(sorted[i]!.at) + settings.windowMs;
    if (start >= end) continue;
    const last = spans.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else spans.push({ recipient: crossing.recipient, start, end, crossing });
  }
  return spans;
}

/**
 * The session's recipient alerts from `failures` (every counted failure from the span's start minus one
 * window on), for stretches that start at or after `from`. A stretch is resolved, at the instant the last
 * recipient fell below the line, once the session's newest known event time (`newest`) has reached it.
 */
export function deriveRecipientAlerts(
  sessionId: string,
  failures: RecipientFailure[],
  from: string,
  newest: string,
  settings: RecipientSettings,
  version: number,
): Alert[] {
  const byRecipient = new Map<string, RecipientFailure[]>();
  for (const f of failures) byRecipient.set(f.recipient, [...(byRecipient.get(f.recipient) ?? []), f]);
  const spans = [...byRecipient.values()]
    .flatMap((list) => overSpans(perMessage(list), settings))
    .sort(
      (a, b) =>
        a.start - b.start ||
        (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0) ||
        (a.crossing.eventId < b.crossing.eventId ? -1 : 1),
    );
  const windowHours = settings.windowMs / 3_600_000;
  const stretches: { first: OverSpan; end: number; recipients: Set<string> }[] = [];
  for (const span of spans) {
    const last = stretches.at(-1);
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end);
      last.recipients.add(span.recipient);
    } else stretches.push({ first: span, end: span.end, recipients: new Set([span.recipient]) });
  }
  return stretches
    .filter((s) => s.first.start >= ms(from))
    .map((s) => {
      const resolved = s.end <= ms(newest);
      const detail: Record<string, unknown> = {
        recipients: [...s.recipients].sort().slice(0, MAX_LISTED),
        threshold: settings.threshold,
        windowHours,
      };
      if (resolved)
        detail['resolvedBy'] = `fewer than ${settings.threshold} failures per recipient in ${windowHours} h`;
      return {
        id: alertId(
          sessionId,
          'recipient_non_delivery',
          `${s.first.recipient}\u0000${s.first.crossing.eventId}`,
        ),
        sessionId,
        kind: 'recipient_non_delivery',
        severity: ALERT_SEVERITY.recipient_non_delivery,
        status: resolved ? 'resolved' : 'open',
        openedAt: new Date(s.first.start).toISOString(),
        resolvedAt: resolved ? new Date(s.end).toISOString() : null,
        detail,
        version,
      } satisfies Alert;
    });
}
