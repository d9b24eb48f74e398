// Rederives the account, recipient and failure-rate alerts of a batch's sessions from their stored facts in
// event time, over the span the batch's new facts can change, and gives what to write and announce so the
// stored alerts of that span become what the replay derives (only the differences).
import type { Failure } from '@wapipe/events';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Alert, AlertChange } from './alert-book.ts';
import { deriveAccountAlerts } from './account-alerts.ts';
import type { AccountSignal } from './account-alerts.ts';
import { deriveRateAlerts, minuteStartIso, windowCounts } from './failure-rate.ts';
import type { NewMark, RateSettings } from './failure-rate.ts';
import { deriveRecipientAlerts } from './recipient-alerts.ts';
import type { RecipientFailure, RecipientSettings } from './recipient-alerts.ts';
import { reconcileStateAlerts } from './session-alerts.ts';
import {
  alertSpans,
  storedAccountSignals,
  storedMarksSince,
  storedRecipientFailuresSince,
} from './stored-facts.ts';
import { RECIPIENT_COUNTED_CATEGORIES } from '../stored-state.ts';

const unique = <T>(items: Iterable<T>): T[] => [...new Set(items)];
const COUNTED = new Set<string>(RECIPIENT_COUNTED_CATEGORIES);
const countsForRecipient = (f: Failure) =>
  f.source === 'status' && !!f.providerMessageId && !!f.recipient && COUNTED.has(f.category);

export type Known = (sessionId: string) => { count: number; newest: string };

/**
 * Rows and changes that make the stored alerts of each span what `derive` gives. The version is the number
 * of facts known for the session (it grows with every batch that brings one, and a replayed batch computes
 * the same); above every stored version of the span, in case marks aged out since (their TTL).
 */
function reconcileSpans(
  spans: Map<string, { from: string; alerts: Alert[] }>,
  known: Known,
  derive: (sessionId: string, from: string, version: number) => Alert[],
) {
  const rows: Alert[] = [];
  const changes: AlertChange[] = [];
  for (const sessionId of [...spans.keys()].sort()) {
    const span = spans.get(sessionId)!;
    const version = Math.max(known(sessionId).count, ...span.alerts.map((a) => a.version + 1));
    const result = reconcileStateAlerts(derive(sessionId, span.from, version), span.alerts, version);
    rows.push(...result.rows);
    changes.push(...result.changes);
  }
  return { rows, changes };
}

const earliestOf = (times: string[]) => times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));

/** Account alerts of the sessions with a new account-level failure or a new `sent`, replayed over the span. */
export async function rederiveAccountAlerts(
  ch: ClickHouse,
  failuresBySession: Map<string, Failure[]>,
  newMarks: Map<string, NewMark[]>,
  known: Known,
  accountCodes: ReadonlySet<string>,
) {
  const fresh = new Map<string, AccountSignal[]>();
  for (const sessionId of unique([...failuresBySession.keys(), ...newMarks.keys()])) {
    const signals: AccountSignal[] = [];
    for (const f of failuresBySession.get(sessionId) ?? []) {
      if (!accountCodes.has(f.code)) continue;
      signals.push({
        type: 'failure',
        occurredAt: f.occurredAt,
        eventId: f.eventId,
        code: f.code,
        title: f.title,
        providerMessageId: f.providerMessageId,
      });
    }
    for (const m of newMarks.get(sessionId) ?? []) {
      if (!m.failed)
        signals.push({ type: 'sent', occurredAt: m.occurredAt, providerMessageId: m.providerMessageId });
    }
    if (signals.length > 0) fresh.set(sessionId, signals);
  }
  const spans = await alertSpans(
    ch,
    'account_blocked',
    new Map([...fresh].map(([s, list]) => [s, earliestOf(list.map((x) => x.occurredAt))])),
  );
  // Only `sent`s and no account alert in their span: nothing to open or resolve, so nothing to read.
  for (const [sessionId, span] of spans) {
    if (span.alerts.length === 0 && fresh.get(sessionId)!.every((x) => x.type === 'sent'))
      spans.delete(sessionId);
  }
  const stored = await storedAccountSignals(ch, new Map([...spans].map(([s, span]) => [s, span.from])), [
    ...accountCodes,
  ]);
  return reconcileSpans(spans, known, (sessionId, _from, version) =>
    deriveAccountAlerts(sessionId, [...(stored.get(sessionId) ?? []), ...fresh.get(sessionId)!], version),
  );
}

/**
 * Recipient alerts of the sessions with a new counted failure (from one window before it: the window's
 * failures decide the count at it) or with an open recipient alert and any new fact (the newest known time
 * moved, which may resolve it).
 */
export async function rederiveRecipientAlerts(
  ch: ClickHouse,
  failuresBySession: Map<string, Failure[]>,
  sessions: string[],
  known: Known,
  settings: RecipientSettings,
) {
  const fresh = new Map<string, RecipientFailure[]>();
  const earliest = new Map<string, string>();
  for (const sessionId of sessions) {
    const mine = (failuresBySession.get(sessionId) ?? []).filter(countsForRecipient);
    fresh.set(
      sessionId,
      mine.map((f) => ({
        recipient: f.recipient!,
        providerMessageId: f.providerMessageId!,
        at: f.occurredAt,
        eventId: f.eventId,
      })),
    );
    // Without a new failure only an open alert can change (at the newest time); the span finds it.
    earliest.set(
      sessionId,
      mine.length > 0 ? earliestOf(mine.map((f) => f.occurredAt)) : known(sessionId).newest,
    );
  }
  const spans = await alertSpans(ch, 'recipient_non_delivery', earliest);
  for (const [sessionId, span] of spans) {
    if (fresh.get(sessionId)!.length === 0 && span.alerts.length === 0) spans.delete(sessionId);
  }
  const stored = await storedRecipientFailuresSince(
    ch,
    new Map(
      [...spans].map(([s, span]) => [s, new Date(Date.parse(span.from) - settings.windowMs).toISOString()]),
    ),
  );
  return reconcileSpans(spans, known, (sessionId, from, version) =>
    deriveRecipientAlerts(
      sessionId,
      [...(stored.get(sessionId) ?? []), ...fresh.get(sessionId)!],
      from,
      known(sessionId).newest,
      settings,
      version,
    ),
  );
}

/**
 * Failure-rate alerts of the sessions with new marks. The replay starts at the window that opened the
 * stored alert still open (or resolved no earlier) at the earliest window a new mark is in, else at that
 * window; it reads the marks from one window before it on.
 */
export async function rederiveRateAlerts(
  ch: ClickHouse,
  newMarks: Map<string, NewMark[]>,
  known: Known,
  settings: RateSettings,
) {
  const w = settings.windowMinutes;
  const firstEnd = new Map([...newMarks].map(([s, marks]) => [s, Math.min(...marks.map((m) => m.minute))]));
  const earliest = new Map([...firstEnd].map(([s, end]) => [s, minuteStartIso(end - w + 1)]));
  const spans = await alertSpans(ch, 'failure_rate', earliest);
  const start = new Map<string, number>();
  for (const [sessionId, span] of spans) {
    const covering = span.alerts.filter(
      (a) =>
        a.status !== 'withdrawn' &&
        (a.resolvedAt === null || Date.parse(a.resolvedAt) >= Date.parse(earliest.get(sessionId)!)),
    );
    const s = Math.min(firstEnd.get(sessionId)!, ...covering.map((a) => Number(a.detail['windowEndMinute'])));
    start.set(sessionId, Number.isFinite(s) ? s : firstEnd.get(sessionId)!);
    span.alerts = span.alerts.filter((a) => !(Number(a.detail['windowEndMinute']) < start.get(sessionId)!));
  }
  const stored = await storedMarksSince(ch, new Map([...start].map(([s, end]) => [s, end - w + 1])));
  return reconcileSpans(spans, known, (sessionId, _from, version) => {
    const marks = new Map<string, NewMark>();
    for (const m of [...(stored.get(sessionId) ?? []), ...newMarks.get(sessionId)!]) {
      const key = `${m.minute}\u0000${m.providerMessageId}\u0000${m.failed ? 1 : 0}`;
      const seen = marks.get(key);
      if (!seen || Date.parse(m.occurredAt) < Date.parse(seen.occurredAt)) marks.set(key, m);
    }
    const all = [...marks.values()];
    const newest = Math.max(...all.map((m) => m.minute));
    return deriveRateAlerts(
      sessionId,
      windowCounts(all, start.get(sessionId)!, w),
      newest,
      settings,
      version,
    );
  });
}
