// The failures consumer's logic. In: every normalized event of a batch. Kept: failures, session states,
// and `sent`/`failed` statuses (for the failure-rate window and to see an account send again). What was
// stored before is read first, repeats are dropped, and the rest is written once through the journal:
// failure rows, session states, window marks, alert changes, plus retry advice and alert records.
import type { DeliveryStatus, Failure, Registration, SessionState } from '@wapipe/events';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Counter } from '@wapipe/observability';
import type { ConsumerHandler, JournalBatch, SourcedEvent, UnitContext } from '@wapipe/pipeline';
import { alertRecord, alertRow } from './alerts/alert-book.ts';
import type { Alert, AlertChange } from './alerts/alert-book.ts';
import { epochMinute } from './alerts/failure-rate.ts';
import type { NewMark, RateSettings } from './alerts/failure-rate.ts';
import type { RecipientSettings } from './alerts/recipient-alerts.ts';
import { rederiveAccountAlerts, rederiveRateAlerts, rederiveRecipientAlerts } from './alerts/rederive.ts';
import { comparePositions, deriveStateAlerts, reconcileStateAlerts } from './alerts/session-alerts.ts';
import type { SessionStateSignal, StatePosition } from './alerts/session-alerts.ts';
import { sessionFacts } from './alerts/stored-facts.ts';
import { messageDimensionRows } from './message-dimensions.ts';
import { retryAdviceFor, retryAdviceRecord } from './retry-advice.ts';
import { failureRow, markRow, sessionStateRow } from './rows.ts';
import { sessionHistories } from './session-history.ts';
import { storedFailureIds, storedMarks, storedStateIds } from './stored-state.ts';

export interface FailureSettings {
  backoffSeconds: number;
  accountCodes: ReadonlySet<string>;
  rate: RateSettings;
  recipient: RecipientSettings;
}

export interface FailuresHandlerOptions {
  ch: ClickHouse;
  topics: { retryAdvice: string; alerts: string };
  settings: FailureSettings;
  metrics?: { repeats: Counter<string> };
}

type Sourced<T> = T & Pick<SourcedEvent, 'origin'>;

const unique = <T>(items: Iterable<T>): T[] => [...new Set(items)];

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

export function createFailuresHandler(options: FailuresHandlerOptions): ConsumerHandler {
  const { ch, settings } = options;

  const prepare = async (events: SourcedEvent[], _context: UnitContext): Promise<JournalBatch> => {
    const failures = events.filter((e): e is Sourced<Failure> => e.kind === 'failure');
    const states = events.filter((e): e is Sourced<SessionState> => e.kind === 'session');
    const allStatuses = events.filter((e): e is Sourced<DeliveryStatus> => e.kind === 'status');
    const statuses = allStatuses.filter((e) => e.status === 'sent' || e.status === 'failed');
    const registrations = events.filter((e): e is Sourced<Registration> => e.kind === 'registration');
    if (
      failures.length === 0 &&
      states.length === 0 &&
      allStatuses.length === 0 &&
      registrations.length === 0
    )
      return { writes: [] };
    const dimensionRows = await messageDimensionRows(ch, { registrations, statuses: allStatuses, failures });

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
    const newMarks = await firstSeenMarks(ch, statuses);
    options.metrics?.repeats.inc(failures.length - newFailures.length + states.length - newStates.length);

    // 2. Session-state alerts, rederived from the session's states in event time.
    const stateAlerts = await rederiveStateAlerts(ch, newStates);

    // 3. Account and recipient alerts, rederived from their facts in event time over the span the new
    // facts can change; the failure rate, against the latest stored alert.
    const failuresBySession = groupBy(newFailures, (f) => f.sessionId);
    const factSessions = unique([...failuresBySession.keys(), ...newMarks.keys()]).sort();
    const facts = await sessionFacts(ch, factSessions);
    const known = (sessionId: string) => {
      const stored = facts.get(sessionId);
      const batch = [
        ...(failuresBySession.get(sessionId) ?? []).map((f) => f.occurredAt),
        ...(newMarks.get(sessionId) ?? []).map((m) => m.occurredAt),
      ];
      const newest = [stored?.newest, ...batch]
        .filter((t): t is string => t !== undefined)
        .reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
      return { count: (stored?.count ?? 0) + batch.length, newest };
    };
    const account = await rederiveAccountAlerts(
      ch,
      failuresBySession,
      newMarks,
      known,
      settings.accountCodes,
    );
    const recipient = await rederiveRecipientAlerts(
      ch,
      failuresBySession,
      factSessions,
      known,
      settings.recipient,
    );
    const rate = await rederiveRateAlerts(ch, newMarks, known, settings.rate);
    const derivedRows = [...stateAlerts.rows, ...account.rows, ...recipient.rows, ...rate.rows];
    const derivedChanges = [
      ...stateAlerts.changes,
      ...account.changes,
      ...recipient.changes,
      ...rate.changes,
    ];

    return {
      writes: [
        { table: 'failures_events', rows: newFailures.map(failureRow) },
        { table: 'failures_messages', rows: dimensionRows },
        { table: 'failures_session_states', rows: newStates.map(sessionStateRow) },
        {
          table: 'failures_window_marks',
          rows: [...newMarks].flatMap(([sessionId, marks]) => marks.map((m) => markRow(sessionId, m))),
        },
        {
          table: 'failures_alerts',
          rows: derivedRows.map(alertRow),
        },
      ],
      effects: [
        {
          topic: options.topics.retryAdvice,
          records: newFailures.map((f) =>
            retryAdviceRecord(retryAdviceFor(f, { backoffSeconds: settings.backoffSeconds })),
          ),
        },
        { topic: options.topics.alerts, records: derivedChanges.map(alertRecord) },
      ],
    };
  };
  return { prepare };
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
  if (statuses.length === 0) return newMarks;
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
  return newMarks;
}
