// The latest state each session reported (ChatSend session.status), by event time: its latest row by
// (occurred_at, event_id), whatever order the reports arrived in (see the failures migration 0003).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';

const StateRow = z.object({
  session_id: z.string(),
  status: z.string(),
  reason: z.string(),
  at: z.string(),
});

export interface SessionState {
  sessionId: string;
  status: string;
  reason: string;
  at: string;
}

export async function readSessionStates(ch: ClickHouse): Promise<{ states: SessionState[] }> {
  const rows = await ch.query({
    query: `SELECT session_id,
        toString(argMax(status, (occurred_at, event_id))) AS status,
        argMax(reason, (occurred_at, event_id)) AS reason,
        max(occurred_at) AS at
      FROM ${ch.table('failures_session_states')}
      GROUP BY session_id ORDER BY session_id`,
    schema: StateRow,
  });
  return {
    states: rows.map((r) => ({ sessionId: r.session_id, status: r.status, reason: r.reason, at: r.at })),
  };
}
