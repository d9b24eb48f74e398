// Reads of what the failures service stored, shared by the alert rederivations (alerts/stored-facts.ts)
// and the session-state replay (session-history.ts): per-session bounds and the stored alerts.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { ALERT_KINDS } from '@wapipe/events';
import type { AlertKind } from '@wapipe/events';
import type { Alert } from './alerts/alert-book.ts';
import { parseAlertDetail } from './stored-state.ts';

// Per-session bounds travel as parallel arrays indexed like `{sessions}`, picked by the row's session. The
// engine may evaluate them on rows of other sessions before `session_id IN` drops those (index 0, ''), so
// the parse must not throw.
export const ofSession = (param: string) => `${param}[indexOf({sessions:Array(String)}, session_id)]`;
/** The instant of `{param:Array(String)}` for the row's session. */
export const sessionTime = (param: string) =>
  `parseDateTime64BestEffortOrZero(${ofSession(`{${param}:Array(String)}`)}, 3, 'UTC')`;

const AlertRow = z.object({
  id: z.string(),
  session_id: z.string(),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(['critical', 'warning']),
  status: z.enum(['open', 'resolved', 'withdrawn']),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  detail: z.string(),
  version: z.coerce.number(),
});

/** Latest version of every stored alert of these kinds opened from each session's `from` on (withdrawn included). */
export async function storedAlertsSince(
  ch: ClickHouse,
  kinds: readonly AlertKind[],
  from: ReadonlyMap<string, string>,
): Promise<Alert[]> {
  if (from.size === 0) return [];
  const sessions = [...from.keys()];
  const rows = await ch.query({
    query: `SELECT id, session_id, kind, severity, status, opened_at, resolved_at, detail, version
            FROM ${ch.table('failures_alerts')} FINAL
            WHERE session_id IN {sessions:Array(String)} AND kind IN {kinds:Array(String)}
              AND opened_at >= ${sessionTime('from')}`,
    params: { sessions, kinds: [...kinds], from: sessions.map((s) => from.get(s)!) },
    schema: AlertRow,
  });
  return rows.map((r) => ({
    id: r.id,
    sessionId: r.session_id,
    kind: r.kind,
    severity: r.severity,
    status: r.status,
    openedAt: r.opened_at,
    resolvedAt: r.resolved_at,
    detail: parseAlertDetail(r.detail),
    version: r.version,
  }));
}
