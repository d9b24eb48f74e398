import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { toCsv } from '../csv.ts';
import { decodeCursor } from '../cursor.ts';
import { pagedRangeQuery, rangeQuery, sessionId, statsQuery } from '../params.ts';
import { failuresCsv, readFailures } from '../queries/failures.ts';
import { readReplies } from '../queries/replies.ts';
import { readStats } from '../queries/stats.ts';
import { FailuresView, RepliesPage, StatsView } from '../responses.ts';
import { defineRoute } from '../route.ts';

const sessionPath = z.object({ sessionId });

export function sessionRoutes(ch: ClickHouse, now: () => Date) {
  return [
    defineRoute({
      path: '/v1/sessions/{sessionId}/stats',
      operationId: 'getSessionStats',
      label: 'stats',
      summary: 'Delivery counts and rates per bucket, by send-time cohort',
      description:
        'A message counts in the bucket of its send time (registered sentAt, else its earliest status). ' +
        'Buckets are aligned to the interval in UTC and cover the range rounded out to whole buckets. ' +
        '`replies` counts inbound messages by the time they were sent.',
      pathParams: sessionPath,
      query: statsQuery,
      response: StatsView,
      errors: [400, 404],
      handle: ({ path, query }) => readStats(ch, { sessionId: path.sessionId, ...query }),
      csv: (view) =>
        toCsv(
          ['start', 'sent', 'delivered', 'read', 'failed', 'replies'],
          view.buckets.map((b) => [b.start, b.sent, b.delivered, b.read, b.failed, b.replies]),
        ),
    }),
    defineRoute({
      path: '/v1/sessions/{sessionId}/failures',
      operationId: 'getSessionFailures',
      label: 'failures',
      summary: 'Failures in a time range, by code and by category',
      pathParams: sessionPath,
      query: rangeQuery(now),
      response: FailuresView,
      errors: [400, 404],
      csv: failuresCsv,
      handle: ({ path, query }) =>
        readFailures(ch, { sessionId: path.sessionId, from: query.from, to: query.to }),
    }),
    defineRoute({
      path: '/v1/sessions/{sessionId}/replies',
      operationId: 'listSessionReplies',
      label: 'replies',
      summary: 'Inbound messages in a time range, newest first, paged',
      pathParams: sessionPath,
      query: pagedRangeQuery(now),
      response: RepliesPage,
      errors: [400, 404],
      handle: ({ path, query }) =>
        readReplies(ch, {
          sessionId: path.sessionId,
          from: query.from,
          to: query.to,
          limit: query.limit,
          after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        }),
    }),
  ];
}
