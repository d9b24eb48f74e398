// The failures consumer's logic. In: every normalized event of a batch. Kept: failures, session states,
// and `sent`/`failed` statuses (for the failure-rate window and to see an account send again). What was
// stored before is read first, repeats are dropped, and the rest is written once through the journal:
// failure rows, session states, window marks, alert changes, plus retry advice and alert records.
import type { DeliveryStatus, Failure, SessionState } from '@wapipe/events';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Counter } from '@wapipe/observability';
import type { JournalBatch, ProcessContext, SourcedEvent } from '@wapipe/pipeline';
import { AlertBook, alertRecord, alertRow } from './alerts/alert-book.ts';
import type { Alert, AlertChange } from './alerts/alert-book.ts';
import { affectedWindowEnds, applyFailureRate, epochMinute, windowCounts } from './alerts/failure-rate.ts';
import type { NewMark, RateSettings, StoredMark } from './alerts/failure-rate.ts';
import { applyRecipientFailures } from './alerts/recipient-alerts.ts';
import type { RecipientFailure, RecipientSettings } from './alerts/recipient-alerts.ts';
import { applyAccountSignals } from './alerts/account-alerts.ts';
import type { AccountSignal } from './alerts/account-alerts.ts';
import { comparePositions, deriveStateAlerts, reconcileStateAlerts } from './alerts/session-alerts.ts';
import type { SessionStateSignal, StatePosition } from './alerts/session-alerts.ts';
import { retryAdviceFor, retryAdviceRecord } from './retry-advice.ts';
import { failureRow, markRow, sessionStateRow } from './rows.ts';
import { sessionHistories } from './session-history.ts';
import {
  RECIPIENT_COUNTED_CATEGORIES,
  latestAlerts,
  storedFailureIds,
  storedMarks,
  storedRecipientFailures,
  storedStateIds,
  storedWindowCounts,
} from './stored-state.ts';

export interface FailureSettings {
  backoffSeconds: number;
  accountCodes: ReadonlySet<string>;
  rate: RateSettings;
  recipient: RecipientSettings;
}

export interface FailuresProcessOptions {
  ch: ClickHouse;
  topics: { retryAdvice: string; alerts: string };
  settings: FailureSettings;
  metrics?: { repeats: Counter<string> };
}

type Sourced<T> = T & Pick<SourcedEvent, 'origin'>;

const unique = <T>(items: Iterable<T>): T[] => [...new Set(items)];
const COUNTED = new Set<string>(RECIPIENT_COUNTED_CATEGORIES);
const countsForRecipient = (f: Failure) =>
  f.source === 'status' && !!f.providerMessageId && !!f.recipient && COUNTED.has(f.category);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

export function createFailuresProcess(options: FailuresProcessOptions) {
  const { ch, settings } = options;

  return async (events: SourcedEvent[], _context: ProcessContext): Promise<JournalBatch> => {
    const failures = events.filter((e): e is Sourced<Failure> => e.kind === 'failure');
    const states = events.filter((e): e is Sourced<SessionState> => e.kind === 'session');
    const statuses = events.filter(
      (e): e is Sourced<DeliveryStatus> =>
        e.kind === 'status' && (e.status === 'sent' || e.status === 'failed'),
    );
    if (failures.length === 0 && states.length === 0 && statuses.length === 0) return { writes: [] };

    // 1. Drop what is already stored.
    const knownFailures = await storedFailureIds(
      ch,
      unique(failures.map((f) => f.sessionId)),
      failures.map((f) => f.eventId),
    );
    const newFailures = failures.filter((f) => !knownFailures.has(f.eventId));
    const knownStates = await storedStateIds(
      ch,
      unique(states.map((s) => s.sessionId)),
      states.map((s) => s.eventId),
    );
    const newStates = states.filter((s) => !knownStates.has(s.eventId));
    const { newMarks, storedMarksBySession } = await firstSeenMarks(ch, statuses);
    options.metrics?.repeats.inc(failures.length - newFailures.length + states.length - newStates.length);

    // 2. Session-state alerts, rederived from the session's states in event time.
    const stateAlerts = await rederiveStateAlerts(ch, newStates);

    // 3. The other alerts, against the latest stored alert of each session × kind.
    const failuresBySession = groupBy(newFailures, (f) => f.sessionId);
    const alertSessions = unique([...failuresBySession.keys(), ...newMarks.keys()]).sort();
    const book = new AlertBook(await latestAlerts(ch, alertSessions));
    for (const sessionId of alertSessions) {
      applyAccountSignals(
        book,
        sessionId,
        accountSignals(failuresBySession.get(sessionId) ?? [], newMarks.get(sessionId) ?? [], settings),
      );
    }
    await applyRates(ch, book, newMarks, storedMarksBySession, settings.rate);
    await applyRecipients(ch, book, alertSessions, failuresBySession, events, settings.recipient);

    return {
      writes: [
        { table: 'failures_events', rows: newFailures.map(failureRow) },
        { table: 'failures_session_states', rows: newStates.map(sessionStateRow) },
        {
          table: 'failures_window_marks',
          rows: [...newMarks].flatMap(([sessionId, marks]) => marks.map((m) => markRow(sessionId, m))),
        },
        {
          table: 'failures_alerts',
          rows: [...stateAlerts.rows, ...book.changes.map((c) => c.alert)].map(alertRow),
        },
      ],
      effects: [
        {
          topic: options.topics.retryAdvice,
          records: newFailures.map((f) =>
            retryAdviceRecord(retryAdviceFor(f, { backoffSeconds: settings.backoffSeconds })),
          ),
        },
        { topic: options.topics.alerts, records: [...stateAlerts.changes, ...book.changes].map(alertRecord) },
      ],
    };
  };
}

/**
 * The state alerts of the sessions with new states, replayed from each session's last CONNECTED before its
 * earliest new state. Their version is the number of states known for the session: it grows with every
 * batch that brings a new state, so the latest derivation is the highest version (ReplacingMergeTree), and
 * a replay of the same batch computes the same one.
 */
async function rederiveStateAlerts(ch: ClickHouse, newStates: SessionState[]) {
  const rows: Alert[] = [];
  const changes: AlertChange[] = [];
  const bySession = groupBy(newStates, (s) => s.sessionId);
  const earliest = new Map<string, StatePosition>();
  for (const [sessionId, list] of bySession) earliest.set(sessionId, [...list].sort(comparePositions)[0]!);
  const histories = await sessionHistories(ch, earliest);
  for (const sessionId of [...bySession.keys()].sort()) {
    const history = histories.get(sessionId)!;
    const fresh = bySession.get(sessionId)!;
    const version = history.storedCount + fresh.length;
    const states = [...history.states, ...fresh.map(stateSignal)];
    const result = reconcileStateAlerts(
      deriveStateAlerts(sessionId, states, version),
      history.alerts,
      version,
    );
    rows.push(...result.rows);
    changes.push(...result.changes);
  }
  return { rows, changes };
}

/** A reason is stored as '' when absent; read back as null, so both paths derive the same detail. */
const stateSignal = (s: SessionState): SessionStateSignal => ({
  eventId: s.eventId,
  status: s.status,
  reason: s.reason === null || s.reason === '' ? null : s.reason,
  occurredAt: s.occurredAt,
});

const markKey = (minute: number, pmid: string, failed: boolean) =>
  `${minute}\u0000${pmid}\u0000${failed ? 1 : 0}`;

/** The batch's `sent`/`failed` statuses as window marks, keeping only those not stored before. */
async function firstSeenMarks(ch: ClickHouse, statuses: DeliveryStatus[]) {
  const newMarks = new Map<string, NewMark[]>();
  if (statuses.length === 0) return { newMarks, storedMarksBySession: new Map<string, StoredMark[]>() };
  const storedMarksBySession = await storedMarks(
    ch,
    unique(statuses.map((s) => s.sessionId)),
    unique(statuses.map((s) => s.providerMessageId)),
  );
  const seen = new Set<string>();
  for (const [sessionId, stored] of storedMarksBySession) {
    for (const m of stored) seen.add(`${sessionId}\u0000${markKey(m.minute, m.providerMessageId, m.failed)}`);
  }
  for (const s of statuses) {
    const mark: NewMark = {
      minute: epochMinute(s.occurredAt),
      providerMessageId: s.providerMessageId,
      failed: s.status === 'failed',
      occurredAt: s.occurredAt,
    };
    const key = `${s.sessionId}\u0000${markKey(mark.minute, mark.providerMessageId, mark.failed)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = newMarks.get(s.sessionId) ?? [];
    list.push(mark);
    newMarks.set(s.sessionId, list);
  }
  return { newMarks, storedMarksBySession };
}

function accountSignals(failures: Failure[], marks: NewMark[], settings: FailureSettings): AccountSignal[] {
  const signals: AccountSignal[] = [];
  for (const f of failures) {
    if (!settings.accountCodes.has(f.code)) continue;
    signals.push({
      type: 'failure',
      occurredAt: f.occurredAt,
      eventId: f.eventId,
      code: f.code,
      title: f.title,
      providerMessageId: f.providerMessageId,
    });
  }
  for (const m of marks) {
    if (!m.failed)
      signals.push({ type: 'sent', occurredAt: m.occurredAt, providerMessageId: m.providerMessageId });
  }
  return signals;
}

async function applyRates(
  ch: ClickHouse,
  book: AlertBook,
  newMarks: Map<string, NewMark[]>,
  storedMarksBySession: Map<string, StoredMark[]>,
  settings: RateSettings,
): Promise<void> {
  if (newMarks.size === 0) return;
  const endsBySession = new Map(
    [...newMarks].map(([sessionId, marks]) => [
      sessionId,
      affectedWindowEnds(
        marks.map((m) => m.minute),
        settings.windowMinutes,
      ),
    ]),
  );
  const stored = await storedWindowCounts(
    ch,
    [...newMarks.keys()],
    unique([...endsBySession.values()].flat()),
    settings.windowMinutes,
  );
  for (const [sessionId, marks] of [...newMarks].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const windows = windowCounts(
      endsBySession.get(sessionId)!,
      settings.windowMinutes,
      stored.get(sessionId) ?? new Map(),
      storedMarksBySession.get(sessionId) ?? [],
      marks,
    );
    applyFailureRate(book, sessionId, windows, Math.max(...marks.map((m) => m.minute)), settings);
  }
}

async function applyRecipients(
  ch: ClickHouse,
  book: AlertBook,
  sessions: string[],
  failuresBySession: Map<string, Failure[]>,
  events: SourcedEvent[],
  settings: RecipientSettings,
): Promise<void> {
  const watermarks = new Map<string, string>();
  for (const e of events) {
    const at = watermarks.get(e.sessionId);
    if (at === undefined || e.occurredAt > at) watermarks.set(e.sessionId, e.occurredAt);
  }
  const counted = new Map<string, Failure[]>();
  const recipients = new Set<string>();
  let earliest: string | undefined;
  for (const sessionId of sessions) {
    const mine = (failuresBySession.get(sessionId) ?? []).filter(countsForRecipient);
    const listed = book.openOf(sessionId, 'recipient_non_delivery')?.detail['recipients'];
    const listedRecipients = Array.isArray(listed)
      ? listed.filter((r): r is string => typeof r === 'string')
      : [];
    if (mine.length === 0 && listedRecipients.length === 0) continue;
    counted.set(sessionId, mine);
    for (const f of mine) recipients.add(f.recipient!);
    for (const r of listedRecipients) recipients.add(r);
    for (const at of [...mine.map((f) => f.occurredAt), watermarks.get(sessionId)!]) {
      if (earliest === undefined || at < earliest) earliest = at;
    }
  }
  if (counted.size === 0 || earliest === undefined) return;
  const from = new Date(Date.parse(earliest) - settings.windowMs).toISOString();
  const stored = await storedRecipientFailures(ch, [...counted.keys()], [...recipients], from);
  const storedBySession = groupBy(stored, (s) => s.sessionId);
  for (const [sessionId, mine] of counted) {
    const byRecipient = new Map<string, RecipientFailure[]>();
    const add = (recipient: string, f: RecipientFailure) => {
      const list = byRecipient.get(recipient) ?? [];
      list.push(f);
      byRecipient.set(recipient, list);
    };
    for (const s of storedBySession.get(sessionId) ?? []) add(s.recipient, { ...s, isNew: false });
    for (const f of mine) {
      add(f.recipient!, {
        providerMessageId: f.providerMessageId!,
        at: f.occurredAt,
        eventId: f.eventId,
        isNew: true,
      });
    }
    applyRecipientFailures(book, sessionId, byRecipient, watermarks.get(sessionId)!, settings);
  }
}
