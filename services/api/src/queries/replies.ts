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
  replied_to: z.string(),
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
  // The current link: moved (replies_links, highest version) when the replies service relinked the
  // reply after a late outbound message, else the one stored with it.
  const rows = await ch.query({
    query: `
      SELECT r.provider_message_id AS provider_message_id, r.occurred_at AS occurred_at,
             r.from_id AS from_id, r.type AS type, r.text AS text,
             if(m.moved = 1, m.linked, r.linked_provider_message_id) AS current_link,
             if(current_link != '', current_link, r.reply_to_provider_message_id) AS replied_to
      FROM ${ch.table('replies_inbound')} AS r
      LEFT JOIN (
        SELECT provider_message_id AS moved_id, argMax(linked_provider_message_id, version) AS linked,
               1 AS moved
        FROM ${ch.table('replies_links')}
        WHERE session_id = {session:String}
          AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
        GROUP BY moved_id
      ) AS m ON m.moved_id = r.provider_message_id
      WHERE r.session_id = {session:String}
        AND r.occurred_at >= {from:DateTime64(3, 'UTC')} AND r.occurred_at < {to:DateTime64(3, 'UTC')}
        ${
          q.after
            ? `AND r.occurred_at <= {afterAt:DateTime64(3, 'UTC')}
               AND (r.occurred_at < {afterAt:DateTime64(3, 'UTC')} OR r.provider_message_id < {afterId:String})`
            : ''
        }
      ORDER BY r.occurred_at DESC, r.provider_message_id DESC
      LIMIT 1 BY r.occurred_at, r.provider_message_id
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
  const page = rows.slice(0, q.limit);
  const messageIds = await registeredMessageIds(ch, [
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

/** provider message id → the operator's message id, for those the registry knows. */
async function registeredMessageIds(
  ch: ClickHouse,
  providerMessageIds: string[],
): Promise<Map<string, string>> {
  if (providerMessageIds.length === 0) return new Map();
  const rows = await ch.query({
    query: `
      SELECT provider_message_id, argMin(message_id, registered_at) AS first_message_id
      FROM ${ch.table('delivery_outbound_messages')}
      WHERE provider_message_id IN {ids:Array(String)} AND message_id != ''
      GROUP BY provider_message_id`,
    params: { ids: providerMessageIds },
    schema: RegistryRow,
  });
  return new Map(rows.map((r) => [r.provider_message_id, r.first_message_id]));
}
