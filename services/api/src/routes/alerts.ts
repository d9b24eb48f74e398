import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { decodeCursor } from '../cursor.ts';
import { alertStatuses, cursor, limit, sessionId } from '../params.ts';
import { readAlerts } from '../queries/alerts.ts';
import { AlertsPage } from '../responses.ts';
import { defineRoute } from '../route.ts';

export function alertRoutes(ch: ClickHouse) {
  return [
    defineRoute({
      path: '/v1/alerts',
      operationId: 'listAlerts',
      label: 'alerts',
      summary: 'Alerts, newest first by opening time, paged',
      description: 'Not limited in time, so an alert that is still open is always listed.',
      pathParams: z.object({}),
      query: z.object({
        sessionId: sessionId.optional().meta({ description: 'Only this session’s alerts.' }),
        status: z
          .enum(alertStatuses, { message: 'expected open or resolved' })
          .optional()
          .meta({ description: 'Only open, or only resolved, alerts.' }),
        limit,
        cursor,
      }),
      response: AlertsPage,
      errors: [400],
      handle: ({ query }) =>
        readAlerts(ch, {
          sessionId: query.sessionId,
          status: query.status,
          limit: query.limit,
          after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        }),
    }),
  ];
}
