// GET /v1/sessions/{sessionId}/stream: a session's normalized events as server-sent events, as the
// consumers store them (what `wapipe tail` shows). It polls the stored tables rather than following Kafka,
// so it shows only what was really stored, needs nothing but the API key, and works split or all-in-one.
// Consumers store a record's events at different moments, so each poll looks back LOOKBACK_MS by receive
// time and sends the event ids it has not sent yet; ids present when the stream opens are never sent.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { isClickHouseError } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { OperationDoc } from '@wapipe/http';
import { parseQuery, parseWith, sessionId } from '../params.ts';
import { requireSession } from '../route.ts';
import type { SessionExists } from '../route.ts';

export const STREAM_KINDS = ['status', 'reply', 'failure', 'session'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

const LOOKBACK_MS = 5 * 60_000;
const KEEPALIVE_MS = 15_000;
const MAX_ROWS = 5_000;

const StoredEventRow = z.object({
  kind: z.enum(STREAM_KINDS),
  event_id: z.string(),
  provider_message_id: z.string(),
  contact: z.string(),
  value: z.string(),
  detail: z.string(),
  occurred_at: z.string(),
  received_at: z.string(),
});

export interface StreamedEvent {
  kind: StreamKind;
  eventId: string;
  sessionId: string;
  /** The message it is about (a status or failure), or the inbound message's own id (a reply). */
  providerMessageId: string;
  /** The recipient of a status or failure, the sender of a reply. */
  contact: string;
  /** The status, the inbound message's type, the failure code, or the session state. */
  value: string;
  /** The reply's text, the failure's title, or the session state's reason. */
  detail: string;
  occurredAt: string;
  receivedAt: string;
}

// One parameterised query per poll: the embedded engine runs those one at a time in a process.
const SELECTS: Record<StreamKind, (ch: ClickHouse) => string> = {
  status: (ch) => `SELECT 'status' AS kind, event_id, provider_message_id, recipient AS contact,
      toString(status) AS value, '' AS detail, occurred_at, received_at
    FROM ${ch.table('delivery_status_events_v1')}
    WHERE received_at >= {since:DateTime64(3, 'UTC')} AND session_id = {session:String}`,
  reply: (ch) => `SELECT 'reply' AS kind, event_id, provider_message_id, from_id AS contact,
      toString(type) AS value, text AS detail, occurred_at, received_at
    FROM ${ch.table('replies_inbound_v1')}
    WHERE session_id = {session:String} AND received_at >= {since:DateTime64(3, 'UTC')}`,
  failure: (ch) => `SELECT 'failure' AS kind, event_id, provider_message_id, recipient AS contact,
      code AS value, title AS detail, occurred_at, received_at
    FROM ${ch.table('failures_events_v1')}
    WHERE session_id = {session:String} AND received_at >= {since:DateTime64(3, 'UTC')}`,
  session: (ch) => `SELECT 'session' AS kind, event_id, '' AS provider_message_id, '' AS contact,
      toString(status) AS value, reason AS detail, occurred_at, received_at
    FROM ${ch.table('failures_session_states_v1')}
    WHERE session_id = {session:String} AND received_at >= {since:DateTime64(3, 'UTC')}`,
};

async function readStoredEvents(
  ch: ClickHouse,
  sessionId: string,
  kinds: readonly StreamKind[],
  since: Date,
): Promise<StreamedEvent[]> {
  const rows = await ch.query({
    query: `SELECT * FROM (${kinds.map((k) => SELECTS[k](ch)).join(' UNION ALL ')})
      ORDER BY occurred_at, received_at, event_id LIMIT {max:UInt32}`,
    params: { session: sessionId, since, max: MAX_ROWS },
    schema: StoredEventRow,
  });
  return rows.map((r) => ({
    kind: r.kind,
    eventId: r.event_id,
    sessionId,
    providerMessageId: r.provider_message_id,
    contact: r.contact,
    value: r.value,
    detail: r.detail,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
  }));
}

const StreamPath = z.object({ sessionId });
const StreamQuery = z.object({
  kind: z
    .string()
    .optional()
    .transform((raw, ctx): StreamKind[] => {
      if (raw === undefined || raw === '') return [...STREAM_KINDS];
      const kinds = raw.split(',');
      if (kinds.some((k) => !(STREAM_KINDS as readonly string[]).includes(k))) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a comma-separated list of ${STREAM_KINDS.join(', ')}`,
        });
        return z.NEVER;
      }
      return [...new Set(kinds as StreamKind[])];
    })
    .meta({
      description: `Which kinds to send, comma-separated; default all (${STREAM_KINDS.join(',')}).`,
      example: 'status,reply',
    }),
});

export const streamOperation: OperationDoc = {
  method: 'get',
  path: '/v1/sessions/{sessionId}/stream',
  operationId: 'streamSessionEvents',
  tag: 'Reading',
  summary: 'A session’s normalized events as they are stored, as server-sent events',
  description:
    'First a `ready` event (`{ sessionId, kinds }`), then one `event` per stored event, each once, with ' +
    'its `eventId` as the SSE id; events stored before the stream opened are not sent. A comment line ' +
    'every 15 s keeps idle proxies open; an `error` event ends the stream when the data store stops. ' +
    'Each `event`’s data is JSON `{ kind, eventId, sessionId, providerMessageId, contact, value, detail, ' +
    'occurredAt, receivedAt }`.',
  security: 'apiKey',
  pathParams: StreamPath,
  query: StreamQuery,
  response: {
    status: 200,
    description: 'The stream (until the client closes it).',
    contentType: 'text/event-stream',
    example:
      'event: ready\ndata: {"sessionId":"shop-main","kinds":["status","reply","failure","session"]}\n\n' +
      'event: event\nid: 3f1c…\ndata: {"kind":"status","eventId":"3f1c…","sessionId":"shop-main",…}\n\n',
  },
  errors: {
    400: 'A parameter is not valid; the message names it.',
    401: 'No API key, or not a valid one.',
    404: 'No such session (`unknown_session`).',
  },
};

export function streamRoutes(
  ch: ClickHouse,
  options: { sessionExists: SessionExists; pollMs?: number },
): Hono {
  const pollMs = options.pollMs ?? 500;
  const app = new Hono();
  app.get('/v1/sessions/:sessionId/stream', async (c) => {
    const { sessionId } = parseWith(StreamPath, c.req.param());
    const { kind: kinds } = parseQuery(StreamQuery, c.req.url);
    // Before the stream opens: once it has, the answer is a 200 that never ends.
    await requireSession(options.sessionExists, sessionId);
    return streamSSE(
      c,
      async (stream) => {
        let open = true;
        stream.onAbort(() => {
          open = false;
        });
        const sent = new Map<string, number>();
        const remember = (events: StreamedEvent[]) => {
          for (const e of events) sent.set(`${e.kind}:${e.eventId}`, Date.parse(e.receivedAt));
        };
        remember(await readStoredEvents(ch, sessionId, kinds, new Date(Date.now() - LOOKBACK_MS)));
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ sessionId, kinds }) });
        let quietSince = Date.now();
        while (open) {
          await stream.sleep(pollMs);
          const since = Date.now() - LOOKBACK_MS;
          const fresh = (await readStoredEvents(ch, sessionId, kinds, new Date(since))).filter(
            (e) => !sent.has(`${e.kind}:${e.eventId}`),
          );
          for (const e of fresh)
            await stream.writeSSE({ event: 'event', id: e.eventId, data: JSON.stringify(e) });
          remember(fresh);
          for (const [id, receivedAt] of sent) if (receivedAt < since) sent.delete(id);
          if (fresh.length > 0) quietSince = Date.now();
          else if (Date.now() - quietSince > KEEPALIVE_MS) {
            // A comment line keeps proxies from closing an idle stream.
            await stream.write(': keep-alive\n\n');
            quietSince = Date.now();
          }
        }
      },
      async (error, stream) => {
        // The pipeline stopping closes the connection under the stream: end it, saying only that.
        const message =
          isClickHouseError(error) && error.retry ? 'the data store stopped answering' : 'the stream failed';
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ message }) });
      },
    );
  });
  return app;
}
