// Debugging routes: the raw requests kept by the archive service (a message's, a session's) and the audit
// log of operator actions.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { AUDIT_ACTIONS } from '@wapipe/events';
import { decodeCursor } from '../cursor.ts';
import { actionPagedRangeQuery, messageRef, sessionPagedRangeQuery } from '../params.ts';
import { readAudit } from '../queries/audit.ts';
import { readMessageRaw, readSessionRaw } from '../queries/raw.ts';
import { AuditPage, MessageRawView, RawPage } from '../responses.ts';
import { defineRoute } from '../route.ts';
import { knownMessage } from './messages.ts';

export function debuggingRoutes(ch: ClickHouse, now: () => Date) {
  return [
    defineRoute({
      path: '/v1/messages/{id}/raw',
      label: 'message_raw',
      operationId: 'getMessageRaw',
      summary: 'The exact requests that carried a message’s statuses, failures and replies, oldest first',
      description: '`id` is the operator’s message id or the provider message id. Kept for RAW_RETENTION.',
      pathParams: z.object({ id: messageRef }),
      query: z.object({}),
      response: MessageRawView,
      errors: [400, 404],
      handle: async ({ path }) => readMessageRaw(ch, await knownMessage(ch, path.id)),
    }),
    defineRoute({
      path: '/v1/raw',
      label: 'raw',
      operationId: 'listRawRequests',
      summary: 'One session’s kept requests by receive time, newest first, paged',
      pathParams: z.object({}),
      query: sessionPagedRangeQuery(now),
      response: RawPage,
      errors: [400],
      handle: ({ query }) =>
        readSessionRaw(ch, {
          sessionId: query.sessionId,
          from: query.from,
          to: query.to,
          limit: query.limit,
          after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        }),
    }),
    defineRoute({
      path: '/v1/audit',
      label: 'audit',
      operationId: 'listAuditEntries',
      summary: 'Operator actions (session changes, registrations, redrives, replays), newest first, paged',
      pathParams: z.object({}),
      query: actionPagedRangeQuery(now, AUDIT_ACTIONS),
      response: AuditPage,
      errors: [400],
      handle: ({ query }) =>
        readAudit(ch, {
          from: query.from,
          to: query.to,
          action: query.action,
          limit: query.limit,
          after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        }),
    }),
  ];
}
