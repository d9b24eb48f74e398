// A session's inbound messages, newest first, paged by a keyset on (occurred_at, provider_message_id) —
// the table's own sort order after session_id, so each page is a short range read.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { encodeCursor } from '../cursor.ts';
import type { Keyset } from '../cursor.ts';
import type { RepliesPage } from '../responses.ts';

const ReplyRow = z.object({
  provider_message_id: z.string(),
  occurred_at: z.string(),
  from_id: z.string(),
  type: z.string(),
  text: z.string(),
  linked_provider_message_id: z.string(),
  reply_to_provider_message_id: z.string(),
});

const RegistryRow = z.object({ provider_message_id: z.string(), first_message_id: z.string() });

export interface RepliesQuery {
  sessionId: string;
  from: Date;
  to: Date;
  limit: number;
  after: Keyset | undefined;
}

export async function readReplies(ch: ClickHouse, q: RepliesQuery): Promise<RepliesPage> {
  const rows = await ch.query({
    query: `
      SELECT provider_message_id, occurred_at, from_id, type, text, linked_provider_message_id,
             reply_to_provider_message_id
      FROM ${ch.table('replies_inbound_v1')}
      WHERE session_id = {session:String}
        AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
        ${
          q.after
            ? `AND occurred_at <= {afterAt:DateTime64(3, 'UTC')}
               AND (occurred_at < {afterAt:DateTime64(3, 'UTC')} OR provider_message_id < {afterId:String})`
            : ''
        }
      ORDER BY occurred_at DESC, provider_message_id DESC
      LIMIT 1 BY occurred_at, provider_message_id
      LIMIT {take:UInt32}`,
    params: {
      session: q.sessionId,
      from: q.from,
      to: q.to,
      take: q.limit + 1,
      ...(q.after ? { afterAt: q.after.at, afterId: q.after.id } : {}),
    },
    schema: ReplyRow,
  });
  const moved = await movedLinks(
    ch,
    q.sessionId,
    rows.slice(0, q.limit).map((r) => r.provider_message_id),
  );
  // The current link: where the replies service moved it (a late outbound message), else the stored one.
  const page = rows.slice(0, q.limit).map((r) => {
    const link = moved.get(r.provider_message_id) ?? r.linked_provider_message_id;
    return { ...r, replied_to: link || r.reply_to_provider_message_id };
  });
  const messageIds = await registeredMessageIds(ch, q.sessionId, [
    ...new Set(page.map((r) => r.replied_to).filter(Boolean)),
  ]);
  const last = page.at(-1);
  return {
    replies: page.map((r) => ({
      providerMessageId: r.provider_message_id,
      at: r.occurred_at,
      from: r.from_id,
      type: r.type,
      text: r.text,
      replyTo: r.replied_to
        ? { messageId: messageIds.get(r.replied_to) ?? null, providerMessageId: r.replied_to }
        : null,
    })),
    nextCursor:
      rows.length > q.limit && last
        ? encodeCursor({ at: new Date(last.occurred_at), id: last.provider_message_id })
        : null,
  };
}

/** reply provider message id → its moved link, for the replies of a page whose link moved. */
async function movedLinks(ch: ClickHouse, sessionId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ch.query({
    query: `
      SELECT provider_message_id, argMax(linked_provider_message_id, version) AS current_link
      FROM ${ch.table('replies_links_v1')}
      WHERE session_id = {session:String} AND provider_message_id IN {ids:Array(String)}
      GROUP BY provider_message_id`,
    params: { session: sessionId, ids },
    schema: z.object({ provider_message_id: z.string(), current_link: z.string() }),
  });
  return new Map(rows.map((r) => [r.provider_message_id, r.current_link]));
}

/**
 * provider message id → the operator's message id (its earliest registration's), for those registered, from
 * the replies service's own outbound index: no other team's table.
 */
async function registeredMessageIds(
  ch: ClickHouse,
  sessionId: string,
  providerMessageIds: string[],
): Promise<Map<string, string>> {
  if (providerMessageIds.length === 0) return new Map();
  const rows = await ch.query({
    query: `
      SELECT provider_message_id, any(message_id) AS first_message_id
      FROM ${ch.table('replies_outbound_v1')}
      WHERE session_id = {session:String} AND provider_message_id IN {ids:Array(String)} AND message_id != ''
      GROUP BY provider_message_id`,
    params: { session: sessionId, ids: providerMessageIds },
    schema: RegistryRow,
  });
  return new Map(rows.map((r) => [r.provider_message_id, r.first_message_id]));
}
