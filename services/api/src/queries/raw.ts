// Kept raw requests, from the archive service's public views: a message's (every request that carried its
// statuses or failures, or a reply the replies service links to it) and a session's, newest first, paged.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { HttpError } from '@wapipe/http';
import { encodeCursor } from '../cursor.ts';
import type { Keyset } from '../cursor.ts';
import type { MessageRawView, RawPage } from '../responses.ts';

const RawRow = z.object({
  received_at: z.string(),
  session_id: z.string(),
  provider: z.string(),
  content_type: z.string(),
  body: z.string(),
  sha256: z.string(),
  kafka_partition: z.coerce.number(),
  kafka_offset: z.string(),
});
type RawRow = z.infer<typeof RawRow>;

const COLUMNS =
  'received_at, session_id, provider, content_type, body, sha256, kafka_partition, kafka_offset';
const MAX_PER_MESSAGE = 1000;

const item = (r: RawRow) => ({
  receivedAt: r.received_at,
  sessionId: r.session_id,
  provider: r.provider,
  contentType: r.content_type,
  body: r.body,
  sha256: r.sha256,
  partition: r.kafka_partition,
  offset: r.kafka_offset,
});

/**
 * Every kept request of one message, oldest first: those that carried its statuses or failures, and those
 * that carried the replies linked to it (their ids from the message's own answer, so the link rule lives
 * in one place).
 */
export async function readMessageRaw(
  ch: ClickHouse,
  message: { sessionId: string; providerMessageId: string; replies: { providerMessageId: string }[] },
): Promise<MessageRawView> {
  const ids = [message.providerMessageId, ...message.replies.map((r) => r.providerMessageId)];
  // One parameterised view (the archive's archive_message_raw_v1): a primary-key read of the bodies. One
  // thread: the work is a few granules, and extra threads only wait for a core on a busy host.
  const rows = await ch.query({
    query: `
      SELECT ${COLUMNS}
      FROM ${ch.table('archive_message_raw_v1')}(session = {session:String}, ids = {ids:Array(String)})
      ORDER BY received_at, kafka_partition, kafka_offset
      LIMIT 1 BY kafka_partition, kafka_offset
      LIMIT {max:UInt32}
      SETTINGS max_threads = 1`,
    params: { session: message.sessionId, ids, max: MAX_PER_MESSAGE },
    schema: RawRow,
  });
  return { requests: rows.map(item) };
}

/** The keyset id of a request: where it sits in the raw topic. */
const positionId = (r: RawRow) => `${r.kafka_partition}:${r.kafka_offset}`;

function parsePosition(id: string): { partition: number; offset: string } {
  const match = /^(\d{1,9}):(\d{1,19})$/.exec(id);
  if (!match) throw new HttpError(400, 'bad_parameter', 'cursor: not a cursor from a previous page');
  return { partition: Number(match[1]), offset: match[2]! };
}

export async function readSessionRaw(
  ch: ClickHouse,
  q: { sessionId: string; from: Date; to: Date; limit: number; after: Keyset | undefined },
): Promise<RawPage> {
  const after = q.after ? { at: q.after.at, ...parsePosition(q.after.id) } : undefined;
  const rows = await ch.query({
    query: `
      SELECT ${COLUMNS}
      FROM ${ch.table('archive_requests_v1')}
      WHERE session_id = {session:String}
        AND received_at >= {from:DateTime64(3, 'UTC')} AND received_at < {to:DateTime64(3, 'UTC')}
        ${
          after
            ? `AND (received_at, kafka_partition, kafka_offset)
                 < ({afterAt:DateTime64(3, 'UTC')}, {afterPartition:UInt32}, {afterOffset:UInt64})`
            : ''
        }
      ORDER BY received_at DESC, kafka_partition DESC, kafka_offset DESC
      LIMIT 1 BY kafka_partition, kafka_offset
      LIMIT {take:UInt32}`,
    params: {
      session: q.sessionId,
      from: q.from,
      to: q.to,
      take: q.limit + 1,
      ...(after ? { afterAt: after.at, afterPartition: after.partition, afterOffset: after.offset } : {}),
    },
    schema: RawRow,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    requests: page.map(item),
    nextCursor:
      rows.length > q.limit && last
        ? encodeCursor({ at: new Date(last.received_at), id: positionId(last) })
        : null,
  };
}
