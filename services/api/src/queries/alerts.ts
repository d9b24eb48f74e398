// Alerts, newest first, paged by a keyset on (opened_at, id), from the failures service's public view: each
// alert's latest version, without those later-known states showed never existed (withdrawn).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { encodeCursor } from '../cursor.ts';
import type { Keyset } from '../cursor.ts';
import type { AlertsPage } from '../responses.ts';

const AlertRow = z.object({
  id: z.string(),
  session_id: z.string(),
  kind: z.string(),
  severity: z.enum(['critical', 'warning']),
  status: z.enum(['open', 'resolved']),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  detail: z.string(),
});

export interface AlertsQuery {
  sessionId: string | undefined;
  status: 'open' | 'resolved' | undefined;
  limit: number;
  after: Keyset | undefined;
}

export async function readAlerts(ch: ClickHouse, q: AlertsQuery): Promise<AlertsPage> {
  // Only fixed SQL text is chosen here; every value stays a bound parameter.
  const where = [
    q.sessionId !== undefined ? 'session_id = {session:String}' : '',
    q.status !== undefined ? 'status = {status:String}' : '',
    q.after
      ? `opened_at <= {afterAt:DateTime64(3, 'UTC')}
         AND (opened_at < {afterAt:DateTime64(3, 'UTC')} OR id < {afterId:String})`
      : '',
  ].filter(Boolean);
  const rows = await ch.query({
    query: `
      SELECT id, session_id, kind, severity, status, opened_at, resolved_at, detail
      FROM ${ch.table('failures_alerts_v1')}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY opened_at DESC, id DESC
      LIMIT {take:UInt32}`,
    params: {
      take: q.limit + 1,
      ...(q.sessionId !== undefined ? { session: q.sessionId } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.after ? { afterAt: q.after.at, afterId: q.after.id } : {}),
    },
    schema: AlertRow,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    alerts: page.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      kind: r.kind,
      severity: r.severity,
      status: r.status,
      openedAt: r.opened_at,
      resolvedAt: r.resolved_at,
      detail: parseDetail(r.detail),
    })),
    nextCursor:
      rows.length > q.limit && last ? encodeCursor({ at: new Date(last.opened_at), id: last.id }) : null,
  };
}

/** detail is JSON text written by the failures service; answer it as JSON, or as the text if it is not. */
function parseDetail(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
