// One message: the registry (by message id or provider message id), its status timeline, its failure and
// its replies. Every value is a bound parameter; every table is found by its sorting key or a bloom index.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { messageStatus } from '@wapipe/events';
import type { MessageView } from '../responses.ts';

const MAX_REPLIES = 1000;

const RegistryRow = z.object({
  by_provider_id: z.coerce.number(),
  message_id: z.string(),
  provider_message_id: z.string(),
  session_id: z.string(),
  recipient: z.string(),
  registered_at: z.string(),
});

const TimelineRow = z.object({
  status: z.string(),
  at: z.string(),
  first_event_id: z.string(),
  first_session_id: z.string(),
  first_recipient: z.string(),
});

const FailureRow = z.object({
  code: z.string(),
  title: z.string(),
  category: z.string(),
  retryable: z.coerce.number(),
});

const ReplyRow = z.object({
  provider_message_id: z.string(),
  occurred_at: z.string(),
  type: z.string(),
  text: z.string(),
});

/**
 * Which registration `id` names: a provider message id wins over a message id; among several sends of one
 * message id, the latest registration (a resend replaces the earlier attempt in the operator's eyes).
 */
async function findRegistration(ch: ClickHouse, id: string) {
  const rows = await ch.query({
    query: `
      SELECT 1 AS by_provider_id, message_id, provider_message_id, session_id, recipient, registered_at
      FROM ${ch.table('delivery_messages_v1')}
      WHERE provider_message_id = {id:String}
      UNION ALL
      SELECT 0 AS by_provider_id, message_id, provider_message_id, session_id, recipient, registered_at
      FROM ${ch.table('delivery_messages_v1')}
      WHERE message_id = {id:String}`,
    params: { id },
    schema: RegistryRow,
  });
  rows.sort(
    (a, b) =>
      b.by_provider_id - a.by_provider_id ||
      b.registered_at.localeCompare(a.registered_at) ||
      a.provider_message_id.localeCompare(b.provider_message_id),
  );
  return rows[0];
}

/** Each status once: its earliest report (ties broken by event id), ordered by time. */
function readTimeline(ch: ClickHouse, providerMessageId: string) {
  return ch.query({
    query: `
      SELECT status,
             min(occurred_at) AS at,
             argMin(event_id, (occurred_at, event_id)) AS first_event_id,
             argMin(session_id, (occurred_at, event_id)) AS first_session_id,
             argMin(recipient, (occurred_at, event_id)) AS first_recipient
      FROM ${ch.table('delivery_status_events_v1')}
      WHERE provider_message_id = {pmid:String}
      GROUP BY status
      ORDER BY at, status`,
    params: { pmid: providerMessageId },
    schema: TimelineRow,
  });
}

/** The earliest failure reported for the message (ties broken by event id). */
async function readFailure(ch: ClickHouse, sessionId: string, providerMessageId: string) {
  const rows = await ch.query({
    query: `
      SELECT code, title, category, retryable
      FROM ${ch.table('failures_events_v1')}
      WHERE session_id = {session:String} AND provider_message_id = {pmid:String}
      ORDER BY occurred_at, event_id
      LIMIT 1`,
    params: { session: sessionId, pmid: providerMessageId },
    schema: FailureRow,
  });
  const row = rows[0];
  return row
    ? { code: row.code, title: row.title, category: row.category, retryable: row.retryable === 1 }
    : null;
}

/**
 * Inbound messages linked to this one by the replies service (which sets the link to the context id when
 * there is one). A reply's current link is its latest moved link (replies_links, when the service
 * relinked it after a late outbound message), else the one stored with it. Candidates come from the
 * linked columns only, so their bloom indexes prune the session's rows.
 */
async function readReplies(ch: ClickHouse, sessionId: string, providerMessageId: string) {
  const candidates = `
        SELECT provider_message_id FROM ${ch.table('replies_inbound_v1')}
        WHERE session_id = {session:String} AND linked_provider_message_id = {pmid:String}
        UNION ALL
        SELECT provider_message_id FROM ${ch.table('replies_links_v1')}
        WHERE session_id = {session:String} AND linked_provider_message_id = {pmid:String}`;
  const rows = await ch.query({
    query: `
      SELECT r.provider_message_id AS provider_message_id, r.occurred_at AS occurred_at, r.type AS type,
             r.text AS text
      FROM ${ch.table('replies_inbound_v1')} AS r
      LEFT JOIN (
        SELECT provider_message_id AS moved_id, argMax(linked_provider_message_id, version) AS linked,
               1 AS moved
        FROM ${ch.table('replies_links_v1')}
        WHERE session_id = {session:String} AND provider_message_id IN (${candidates})
        GROUP BY moved_id
      ) AS moved_links ON moved_links.moved_id = r.provider_message_id
      WHERE r.session_id = {session:String}
        AND r.provider_message_id IN (${candidates})
        AND if(moved_links.moved = 1, moved_links.linked, r.linked_provider_message_id) = {pmid:String}
      ORDER BY r.occurred_at, r.provider_message_id
      LIMIT 1 BY r.provider_message_id
      LIMIT {max:UInt32}`,
    params: { session: sessionId, pmid: providerMessageId, max: MAX_REPLIES },
    schema: ReplyRow,
  });
  return rows.map((r) => ({
    providerMessageId: r.provider_message_id,
    at: r.occurred_at,
    type: r.type,
    text: r.text,
  }));
}

/** The message `id` names (message id or provider message id), or undefined when nothing knows it. */
export async function readMessage(ch: ClickHouse, id: string): Promise<MessageView | undefined> {
  const registration = await findRegistration(ch, id);
  const providerMessageId = registration?.provider_message_id ?? id;
  const timeline = await readTimeline(ch, providerMessageId);
  const first = timeline[0];
  if (!registration && !first) return undefined;
  const sessionId = registration?.session_id ?? first?.first_session_id ?? '';
  const [failure, replies] = await Promise.all([
    readFailure(ch, sessionId, providerMessageId),
    readReplies(ch, sessionId, providerMessageId),
  ]);
  const last = timeline.at(-1);
  return {
    messageId: registration?.message_id || null,
    providerMessageId,
    sessionId,
    recipient: registration?.recipient ?? first?.first_recipient ?? '',
    status: messageStatus(timeline.map((t) => t.status)),
    updatedAt: last?.at ?? registration?.registered_at ?? '',
    timeline: timeline.map((t) => ({ status: t.status, at: t.at, eventId: t.first_event_id })),
    failure,
    replies,
  };
}
