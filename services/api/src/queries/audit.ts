// The audit log, from the archive service's public view: newest first, paged by (at, id).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { encodeCursor } from '../cursor.ts';
import type { Keyset } from '../cursor.ts';
import type { AuditPage } from '../responses.ts';

const AuditRow = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.string(),
});

export async function readAudit(
  ch: ClickHouse,
  q: { from: Date; to: Date; action: string | undefined; limit: number; after: Keyset | undefined },
): Promise<AuditPage> {
  const rows = await ch.query({
    query: `
      SELECT id, at, actor, action, target, detail
      FROM ${ch.table('archive_audit_v1')}
      WHERE at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}
        ${q.action === undefined ? '' : 'AND action = {action:String}'}
        ${q.after ? `AND (at, id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})` : ''}
      ORDER BY at DESC, id DESC
      LIMIT {take:UInt32}`,
    params: {
      from: q.from,
      to: q.to,
      take: q.limit + 1,
      ...(q.action === undefined ? {} : { action: q.action }),
      ...(q.after ? { afterAt: q.after.at, afterId: q.after.id } : {}),
    },
    schema: AuditRow,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: JSON.parse(r.detail) as unknown,
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ at: new Date(last.at), id: last.id }) : null,
  };
}
