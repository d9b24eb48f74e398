// GET /v1/failures: the session failures answer across the sessions and messages the filters keep
// (CONTRACT "Analytics across sessions"). Each filter takes one value or a comma-separated list; an empty
// item stands for the unknown value "" (e.g. `country=` for numbers no country owns).
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { defaultRange, rangeFields, refineRange, SESSION_ID } from '../params.ts';
import { failuresCsv, readFailuresAcross } from '../queries/failures.ts';
import { FailuresView } from '../responses.ts';
import { defineRoute } from '../route.ts';

const MAX_VALUES = 100;

/** A comma-separated list of values each matching `pattern`, at most MAX_VALUES of them. */
const list = (pattern: RegExp, expected: string, description: string) =>
  z
    .string()
    .transform((value, ctx) => {
      const values = [...new Set(value.split(','))];
      if (values.length > MAX_VALUES) {
        ctx.addIssue({ code: 'custom', message: `give at most ${MAX_VALUES} values` });
        return z.NEVER;
      }
      const bad = values.find((v) => !pattern.test(v));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}, comma-separated` });
        return z.NEVER;
      }
      return values;
    })
    .optional()
    .meta({ description });

const TEXT = /^[^\u0000-\u001f]{0,512}$/;

export const failuresAcrossQuery = (now: () => Date) =>
  z
    .object({
      ...rangeFields,
      sessionId: list(SESSION_ID, 'session ids', 'Only these sessions.'),
      campaignId: list(TEXT, 'campaign ids of at most 512 characters', 'Only messages of these campaigns.'),
      category: list(TEXT, 'categories of at most 512 characters', 'Only messages of these categories.'),
      country: list(
        /^([A-Z]{2})?$/,
        'ISO 3166-1 alpha-2 codes such as BR',
        'Only messages to these countries.',
      ),
      template: list(TEXT, 'template names of at most 512 characters', 'Only messages of these templates.'),
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
