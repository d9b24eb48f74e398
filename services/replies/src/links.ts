// The current link of stored replies. replies_inbound keeps the link decided when a reply was stored;
// replies_links holds a row only for a reply whose link moved since (a late registration, an earlier
// status), version + 1 per move. The current link is the highest version there, else replies_inbound's.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { contactKey } from '@wapipe/events';
import type { ReplyLink } from './linking.ts';
import { at64 } from './reply.ts';
import { pairKey, replyColumns, ReplyRow, toReply } from './stored-state.ts';
import type { StoredReply } from './stored-state.ts';

const unique = (values: Iterable<string>) => [...new Set(values)];

/** A stored reply with its current link and the version of that link (0: replies_inbound's). */
export interface LinkedReply extends StoredReply {
  linkVersion: number;
}

const MovedLinkRow = z.object({
  session_id: z.string(),
  provider_message_id: z.string(),
  linked: z.string(),
  method: z.enum(['context', 'recent', 'none']),
  last_version: z.coerce.number(),
});

/** Applies the moved links of replies_links to stored replies (their links as replies_inbound holds them). */
async function withCurrentLinks(ch: ClickHouse, replies: StoredReply[]): Promise<LinkedReply[]> {
  if (replies.length === 0) return [];
  const rows = await ch.query({
    query: `SELECT session_id, provider_message_id, argMax(linked_provider_message_id, version) AS linked,
                   argMax(link_method, version) AS method, max(version) AS last_version
            FROM ${ch.table('replies_links')}
            WHERE session_id IN {sessions:Array(String)} AND provider_message_id IN {ids:Array(String)}
            GROUP BY session_id, provider_message_id`,
    params: {
      sessions: unique(replies.map((r) => r.sessionId)),
      ids: unique(replies.map((r) => r.providerMessageId)),
    },
    schema: MovedLinkRow,
  });
  const moved = new Map(rows.map((r) => [pairKey(r.session_id, r.provider_message_id), r]));
  return replies.map((reply) => {
    const row = moved.get(pairKey(reply.sessionId, reply.providerMessageId));
    return row
      ? {
          ...reply,
          link: { method: row.method, providerMessageId: row.linked },
          linkVersion: row.last_version,
        }
      : { ...reply, linkVersion: 0 };
  });
}

/**
 * How providers write a contact's id in `from`: Meta the digits, ChatSend `<digits>@c.us` (or
 * `@s.whatsapp.net`). Matching these as a set keeps the read a plain IN; a regex over every reply of
 * the range cost 20x more (3.2 s for 1,000 contacts over a day of 200k replies).
 */
const spellingsOf = (contact: string) =>
  /^\d+$/.test(contact)
    ? [contact, `+${contact}`, `${contact}@c.us`, `${contact}@s.whatsapp.net`]
    : [contact];

/** Stored replies without a context id of these contacts in [from, to], with their current links. */
export async function loadContextlessReplies(
  ch: ClickHouse,
  contacts: { sessionId: string; contact: string }[],
  from: Date,
  to: Date,
): Promise<LinkedReply[]> {
  if (contacts.length === 0) return [];
  const rows = await ch.query({
    query: `SELECT ${replyColumns} FROM ${ch.table('replies_inbound')}
            WHERE session_id IN {sessions:Array(String)}
              AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at <= {to:DateTime64(3, 'UTC')}
              AND link_method != 'context' AND from_id IN {spellings:Array(String)}
            ORDER BY occurred_at, provider_message_id
            LIMIT 1 BY session_id, provider_message_id`,
    params: {
      sessions: unique(contacts.map((c) => c.sessionId)),
      spellings: unique(contacts.flatMap((c) => spellingsOf(c.contact))),
      from,
      to,
    },
    schema: ReplyRow,
  });
  const wanted = new Set(contacts.map((c) => pairKey(c.sessionId, c.contact)));
  const replies = rows.map(toReply).filter((r) => wanted.has(pairKey(r.sessionId, contactKey(r.from))));
  return withCurrentLinks(ch, replies);
}

/** Stored replies whose current link is one of these outbound messages. */
export async function loadRepliesLinkedTo(
  ch: ClickHouse,
  keys: { sessionId: string; providerMessageId: string }[],
): Promise<LinkedReply[]> {
  if (keys.length === 0) return [];
  const params = {
    sessions: unique(keys.map((k) => k.sessionId)),
    ids: unique(keys.map((k) => k.providerMessageId)),
  };
  // Linked there when stored, or moved there since; withCurrentLinks drops those that moved away.
  const rows = await ch.query({
    query: `SELECT ${replyColumns} FROM ${ch.table('replies_inbound')}
            WHERE session_id IN {sessions:Array(String)}
              AND provider_message_id IN (
                SELECT provider_message_id FROM ${ch.table('replies_inbound')}
                WHERE session_id IN {sessions:Array(String)} AND linked_provider_message_id IN {ids:Array(String)}
                UNION ALL
                SELECT provider_message_id FROM ${ch.table('replies_links')}
                WHERE session_id IN {sessions:Array(String)} AND linked_provider_message_id IN {ids:Array(String)})
            LIMIT 1 BY session_id, provider_message_id`,
    params,
    schema: ReplyRow,
  });
  const wanted = new Set(keys.map((k) => pairKey(k.sessionId, k.providerMessageId)));
  return (await withCurrentLinks(ch, rows.map(toReply))).filter((r) =>
    wanted.has(pairKey(r.sessionId, r.link.providerMessageId)),
  );
}

/** The replies_links row of a reply's new link. */
export function movedLinkRow(reply: LinkedReply, link: ReplyLink, contact: string): Record<string, unknown> {
  return {
    session_id: reply.sessionId,
    provider_message_id: reply.providerMessageId,
    contact,
    occurred_at: at64(reply.at),
    linked_provider_message_id: link.providerMessageId,
    link_method: link.method,
    previous_provider_message_id: reply.link.providerMessageId,
    version: reply.linkVersion + 1,
  };
}
