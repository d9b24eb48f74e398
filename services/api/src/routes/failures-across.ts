// GET /v1/failures: the session failures answer across the sessions and messages the filters keep
// (CONTRACT "Analytics across sessions"). Each filter takes one value or a comma-separated list; an empty
// item stands for the unknown value "" (e.g. `country=` for numbers no country owns).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { filterFields } from '../analytics-params.ts';
import { defaultRange, rangeFields, refineRange } from '../params.ts';
import { failuresCsv, readFailuresAcross } from '../queries/failures.ts';
import { FailuresView } from '../responses.ts';
import { defineRoute } from '../route.ts';

export const failuresAcrossQuery = (now: () => Date) =>
  z
    .object({
      ...rangeFields,
      ...filterFields,
    })
    .transform(defaultRange(now))
    .superRefine(refineRange);

export function failuresAcrossRoutes(ch: ClickHouse, now: () => Date) {
  return [
    defineRoute({
      path: '/v1/failures',
      operationId: 'getFailures',
      label: 'failures_across',
      summary: 'Failures in a time range across sessions, by code and by category, filtered by dimensions',
      description:
        'The session failures answer over every session the filters keep. A failure with no message ' +
        '(an envelope error) has every dimension "" . CSV (one row per code) with `Accept: text/csv`.',
      pathParams: z.object({}),
      query: failuresAcrossQuery(now),
      response: FailuresView,
      errors: [400],
      csv: failuresCsv,
      handle: ({ query }) => readFailuresAcross(ch, query),
    }),
  ];
}
